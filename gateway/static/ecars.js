// Progressive enhancements of the e-CARS pages; every page works without them.
(function () {
  "use strict";

  // « REGLES DU MOT DE PASSE »: the same rules as the auth service (services/auth/passwords.py,
  // unmet_rules), so the checklist ticks itself as the person types; the service decides in the end.
  var PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  var SPECIALS = PUNCTUATION + " €£§°µ";
  var LOWERCASE = /\p{Lowercase}/u;
  var UPPERCASE = /\p{Uppercase}/u;
  var DIGIT = /\p{Nd}/u;
  var ALPHANUMERIC = /[\p{L}\p{N}]/u;
  var SPACE = /\s/u;
  var STATE_TEXT = { valid: " : respectée", error: " : non respectée", neutral: "" };
  var STATE_CLASS = { valid: "fr-message--valid", error: "fr-message--error", neutral: "fr-message--info" };

  function some(text, test) {
    return Array.from(text).some(test);
  }

  function isSpecial(c) {
    return SPECIALS.indexOf(c) !== -1 || !(ALPHANUMERIC.test(c) || SPACE.test(c));
  }

  function checks(password, confirmation, email, min, max) {
    var length = Array.from(password).length;
    return {
      length: length >= min && length <= max,
      lowercase: some(password, function (c) { return LOWERCASE.test(c); }),
      uppercase: some(password, function (c) { return UPPERCASE.test(c); }),
      digit: some(password, function (c) { return DIGIT.test(c); }),
      special: some(password, isSpecial),
      not_email: password.trim().toLowerCase() !== email.trim().toLowerCase(),
      match: password === confirmation
    };
  }

  function show(item, state) {
    if (item.getAttribute("data-state") === state) {
      return; // unchanged: nothing for the live region to announce
    }
    item.setAttribute("data-state", state);
    Object.keys(STATE_CLASS).forEach(function (key) { item.classList.remove(STATE_CLASS[key]); });
    item.classList.add(STATE_CLASS[state]);
    var text = item.querySelector("[data-rule-state]");
    if (text) {
      text.textContent = STATE_TEXT[state];
    }
  }

  function watch(box) {
    var password = document.getElementById(box.getAttribute("data-password"));
    var confirmation = document.getElementById(box.getAttribute("data-confirmation"));
    if (!password) {
      return;
    }
    var email = box.getAttribute("data-email") || "";
    var min = parseInt(box.getAttribute("data-min"), 10) || 12;
    var max = parseInt(box.getAttribute("data-max"), 10) || 64;

    function update() {
      var value = password.value;
      var again = confirmation ? confirmation.value : value;
      var met = checks(value, again, email, min, max);
      box.querySelectorAll("[data-rule]").forEach(function (item) {
        var rule = item.getAttribute("data-rule");
        var state;
        if (!(rule in met)) {
          state = "neutral"; // a rule this page does not know: the service checks it
        } else if (value === "" || (rule === "match" && again === "")) {
          state = "neutral";
        } else {
          state = met[rule] ? "valid" : "error";
        }
        show(item, state);
      });
    }

    password.addEventListener("input", update);
    if (confirmation) {
      confirmation.addEventListener("input", update);
    }
    if (password.value) {
      update(); // filled in by the browser
    }
  }

  function start() {
    document.querySelectorAll("[data-password-rules]").forEach(watch);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// Contracts: « Non applicable » greys out the answer it replaces (the server ignores that answer anyway).
(function () {
  "use strict";

  function sync(box) {
    var code = box.getAttribute("data-na-for");
    var form = box.form;
    if (!form) {
      return;
    }
    form.querySelectorAll("[data-na-target]").forEach(function (control) {
      if (control.getAttribute("data-na-target") === code) {
        control.disabled = box.checked;
      }
    });
  }

  function start() {
    document.querySelectorAll("input[type=checkbox][data-na-for]").forEach(function (box) {
      sync(box);
      box.addEventListener("change", function () { sync(box); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// CPOM « Documents »: « Ajouter un fichier » stays greyed out until a folder is selected (the server refuses too).
(function () {
  "use strict";

  function start() {
    var button = document.querySelector("[data-needs-folder]");
    if (!button) {
      return;
    }
    var radios = document.querySelectorAll("input[data-folder-radio]");
    function sync() {
      button.disabled = !Array.prototype.some.call(radios, function (radio) { return radio.checked; });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", sync); });
    sync();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// After a refused save, the keyboard and the screen reader start at the error summary (RGAA 11.10, 11.11): it
// says what was refused and links to each field in error.
(function () {
  "use strict";

  function start() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
