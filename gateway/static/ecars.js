// Progressive enhancements of the e-CARS pages; every page works without them.
// Each enhancement below starts once the page is parsed (the script is deferred, but may be loaded otherwise).
function whenReady(start) {
  "use strict";
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}

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

  whenReady(start);
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

  whenReady(start);
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

  whenReady(start);
})();

// The session's time (gateway/templates/_session_time.html, gateway/ui/session_time.py): two minutes before the
// idle timeout the page says so in its live region and shows « Prolonger la session ». Before warning it asks the
// server how long is left (the person may be working in another tab); the button sends its form in the background.
(function () {
  "use strict";

  function clock(seconds) {
    var at = new Date(Date.now() + seconds * 1000);
    var minutes = String(at.getMinutes()).padStart(2, "0");
    return at.getHours() + " h " + minutes;
  }

  function start() {
    var box = document.querySelector("[data-session-time]");
    if (!box || !window.fetch) {
      return;
    }
    var warning = parseInt(box.getAttribute("data-warning-seconds"), 10) || 120;
    var message = box.querySelector("[data-session-message]");
    var form = box.querySelector("[data-session-prolong]");
    var timer = null;
    var before = null; // where the focus was when the warning appeared: it goes back there once prolonged

    function say(text) {
      message.textContent = text;
    }

    function schedule(remaining) {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, Math.max(0, remaining - warning) * 1000);
    }

    function expired() {
      window.clearTimeout(timer);
      form.hidden = true;
      say("Votre session a expiré. Ce que vous avez saisi sur cette page sera conservé quand vous l'enverrez : " +
          "reconnectez-vous pour le retrouver.");
      var link = document.createElement("a");
      link.className = "fr-link fr-ml-1w";
      link.href = box.getAttribute("data-login-url");
      link.textContent = "Se connecter";
      message.appendChild(document.createTextNode(" "));
      message.appendChild(link);
    }

    function warn(state) {
      if (state.extendable) {
        if (form.hidden) {
          before = document.activeElement;
        }
        form.hidden = false;
        say("Votre session va expirer dans " + Math.max(1, Math.round(state.remaining / 60)) + " minute(s), à " +
            clock(state.remaining) + ", faute d'activité. Pour continuer, activez le bouton « Prolonger la session » " +
            "ci-dessous.");
      } else {
        form.hidden = true;
        say("Votre session atteint sa durée maximale et se terminera à " + clock(state.remaining) +
            " : enregistrez votre saisie, puis reconnectez-vous.");
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(check, Math.max(1, state.remaining) * 1000);
    }

    function answer(response) {
      if (response.status === 401) {
        return { signed_in: false };
      }
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    }

    function follow(state) {
      if (!state.signed_in || state.remaining <= 0) {
        expired();
      } else if (state.remaining > warning) {
        form.hidden = true;
        say("");
        schedule(state.remaining);
      } else {
        warn(state);
      }
    }

    function check() {
      fetch(box.getAttribute("data-status-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(answer).then(follow).catch(function () { schedule(warning + 30); });
    }

    // The form's own button, sending it in the background: the page and what is typed in it stay as they are.
    var button = form.querySelector("button");
    button.type = "button";
    button.addEventListener("click", function () {
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                           headers: { Accept: "application/json" } })
        .then(answer)
        .then(function (state) {
          if (!state.signed_in) {
            expired();
            return;
          }
          var refocus = document.activeElement === button && before && document.contains(before);
          form.hidden = true;
          if (refocus) {
            before.focus(); // back to the field being filled, not to the top of the page
          }
          say("Votre session est prolongée jusqu'à " + clock(state.remaining) + ".");
          schedule(state.remaining);
        })
        .catch(function () { form.submit(); });
    });

    schedule(parseInt(box.getAttribute("data-idle-seconds"), 10) || 1800);
  }

  whenReady(start);
})();

// A form kept when the session ended (gateway/templates/_kept_form.html): its values go back in the page's fields.
(function () {
  "use strict";

  function restore(box) {
    var fields;
    try {
      fields = JSON.parse(box.getAttribute("data-fields"));
    } catch (error) {
      return;
    }
    var restored = 0;
    Object.keys(fields).forEach(function (name) {
      var values = fields[name];
      document.querySelectorAll("form [name]").forEach(function (control) {
        if (control.name !== name || control.type === "hidden" || control.type === "file" ||
            control.type === "password" || box.contains(control)) {
          return;
        }
        if (control.type === "checkbox" || control.type === "radio") {
          control.checked = values.indexOf(control.value) !== -1;
        } else if (control.multiple) {
          Array.prototype.forEach.call(control.options, function (option) {
            option.selected = values.indexOf(option.value) !== -1;
          });
        } else {
          control.value = values[0];
        }
        control.dispatchEvent(new Event("input", { bubbles: true }));
        control.dispatchEvent(new Event("change", { bubbles: true }));
        restored += 1;
      });
    });
    var done = box.querySelector("[data-kept-form-done]");
    if (restored && done) {
      done.textContent = "Ce que vous aviez saisi a été remis dans le formulaire :";
    }
  }

  function start() {
    document.querySelectorAll("[data-kept-form]").forEach(restore);
  }

  whenReady(start);
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

  whenReady(start);
})();

// The indicator's draft (gateway/ui/entry.py, issue 18): what is typed is kept as a draft on the server a moment
// after the person stops typing (never validated: the dot changes with « Enregistrer » only), the status line says
// when, or that it could not be and that the page keeps the values. The form's own « Enregistrer le brouillon »
// button, for pages without this script, is hidden. A session that ended keeps the form as any form (pages.py).
// « Reprendre les réponses de <année> » fills the empty text and yes/no fields in the page itself.
(function () {
  "use strict";

  var DELAY = 1500; // ms after the last keystroke
  var FAILED = "Enregistrement impossible, vos données sont conservées dans la page";

  function controls(form) {
    return document.querySelectorAll("[form='" + form.id + "'], #" + form.id + " [name]");
  }

  function watch(form) {
    var status = document.querySelector("[data-draft-status]");
    var timer = null;
    var sending = false;
    var again = false;
    if (!status || !window.fetch || !window.FormData) {
      return;
    }
    document.querySelectorAll("[data-draft-button]").forEach(function (item) { item.hidden = true; });

    function say(text) {
      status.textContent = text;
    }

    function send() {
      if (sending) {
        again = true; // typed meanwhile: sent once this one is answered
        return;
      }
      sending = true;
      var data = new FormData(form);
      Array.from(data.keys()).forEach(function (name) {
        if (data.get(name) instanceof File) {
          data.delete(name); // a document chosen to add is sent by « Ajouter document », not with every draft
        }
      });
      fetch(form.getAttribute("data-draft-url"), {
        method: "POST", body: data, credentials: "same-origin", redirect: "manual",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 0) {
          // the session ended: the form was kept by the server (pages.py) for after « Se connecter »
          say(FAILED + " : votre session a expiré, reconnectez-vous pour les retrouver.");
          return null;
        }
        return response.json().then(function (answer) { say(answer.status || FAILED + "."); });
      }).catch(function () {
        say(FAILED + " : le serveur ne répond pas, nouvel essai à la prochaine saisie.");
      }).then(function () {
        sending = false;
        if (again) {
          again = false;
          send();
        }
      });
    }

    function changed() {
      window.clearTimeout(timer);
      timer = window.setTimeout(send, DELAY);
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function () { window.clearTimeout(timer); });
    if (document.querySelector("[data-kept-form]")) {
      // the form kept when the session ended is back in the fields (above): it becomes the draft, not the older one
      var offer = document.getElementById("brouillon-propose");
      if (offer) {
        offer.hidden = true;
      }
      changed();
    }

    document.querySelectorAll("[data-prefill]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        var values;
        try {
          values = JSON.parse(button.getAttribute("data-prefill"));
        } catch (error) {
          return; // sent as a form instead: the server fills them
        }
        event.preventDefault();
        Object.keys(values).forEach(function (name) {
          var fields = Array.prototype.filter.call(controls(form), function (c) { return c.name === name; });
          var empty = fields.every(function (c) {
            return (c.type === "radio" || c.type === "checkbox") ? !c.checked : c.value.trim() === "";
          });
          if (!empty) {
            return; // what the person typed stays
          }
          fields.forEach(function (c) {
            if (c.type === "radio") {
              c.checked = c.value === values[name];
            } else {
              c.value = values[name];
            }
          });
        });
        changed();
        say("Réponses de la campagne précédente reprises dans les champs vides : vérifiez-les, puis « Enregistrer ».");
      });
    });
  }

  function start() {
    document.querySelectorAll("form[data-draft-url]").forEach(watch);
  }

  whenReady(start);
})();

// « Écart toléré » as one types (issue 18; gateway/ui/entry_aids.py tolerance_watch): a number more than the
// question's tolerance away from last campaign's value is said beside the field, in a live region — a warning, as the
// contracts service's rule on « Enregistrer » (services/contracts/tolerance.py), which stays the reference.
(function () {
  "use strict";

  function parse(text) {
    var plain = text.replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
    return /^-?\d+(\.\d+)?$/.test(plain) ? parseFloat(plain) : null;
  }

  function watch(input) {
    var out = document.getElementById(input.id + "-ecart");
    var previous = parseFloat(input.dataset.previous);
    var tolerance = parseFloat(input.dataset.tolerance);
    function check() {
      var value = parse(input.value);
      var beyond = value !== null && Math.abs(value - previous) > tolerance / 100 * Math.abs(previous) + 1e-9;
      var text = beyond ? "Écart de plus de " + input.dataset.toleranceShown + " % avec la campagne " +
        input.dataset.year + " (" + input.dataset.previousShown + ") : expliquez-le dans le commentaire, il sera " +
        "demandé à l'enregistrement." : "";
      if (out.textContent !== text) {
        out.textContent = text;
        out.classList.toggle("fr-message", beyond);
        out.classList.toggle("fr-message--warning", beyond);
      }
    }
    input.addEventListener("input", check);
    check();
  }

  whenReady(function () {
    document.querySelectorAll("input[data-tolerance]").forEach(watch);
  });
})();
