// Injected in every document of a browser test's context (tests/support/axe.py), after axe-core itself.
// axe runs once the document has loaded; a link followed or a form sent before that check ended, or after the
// page changed since, waits for a fresh check before going on (the findings go to the test through the binding
// ecarsAxeReport), so no page is left unchecked and each is checked as the person saw it.
(() => {
    if (window.top !== window || location.origin !== ECARS_AXE.origin) return;
    let running = null;
    let current = false;  // a check has ended and the page has not changed since
    let passing = false;
    window.__ecarsAxeHolding = false;
    window.__ecarsAxeDocument = Math.random().toString(36).slice(2);

    new MutationObserver(() => { current = false; }).observe(document, {subtree: true, childList: true,
                                                                       attributes: true, characterData: true});

    async function run() {
        if (document.contentType !== "text/html") return;
        // colours are measured once the transitions have ended (a menu opening is half transparent meanwhile)
        await Promise.race([Promise.allSettled(document.getAnimations().map(a => a.finished)),
                            new Promise(resolve => setTimeout(resolve, 1000))]);
        const results = await window.axe.run(document, {runOnly: {type: "tag", values: ECARS_AXE.tags},
                                                        resultTypes: ["violations"]});
        await window.ecarsAxeReport({
            url: location.href,
            violations: results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " : " + n.html.slice(0, 200)),
            })),
        });
    }

    function check() {
        if (!running) {
            current = true;  // changes made while axe reads the page make it stale again
            running = run().finally(() => { running = null; });
        }
        return running;
    }
    // until the page stays as it is while axe reads it (a few rounds at most: some widgets keep moving)
    window.__ecarsAxeCheck = async () => {
        for (let round = 0; round < 3 && (running || !current); round++) await check();
    };
    // once the DSFR's script has set the page up (it marks <html data-fr-js>), or after 2 s without it
    window.addEventListener("load", () => {
        const started = Date.now();
        const ready = () => (document.documentElement.hasAttribute("data-fr-js") || Date.now() - started > 2000
                             ? check() : setTimeout(ready, 20));
        ready();
    });

    function hold(event, resume) {
        if (current && !running) return;  // checked as it is: the navigation goes on at once
        event.preventDefault();
        event.stopImmediatePropagation();
        window.__ecarsAxeHolding = true;
        window.__ecarsAxeCheck().finally(() => {
            passing = true;
            try { resume(); } finally { passing = false; window.__ecarsAxeHolding = false; }
        });
    }

    window.addEventListener("click", event => {
        if (passing || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
        const link = event.target.closest ? event.target.closest("a[href]") : null;
        if (!link) return;
        const target = new URL(link.href, location.href);
        if (target.hash && target.origin + target.pathname + target.search
                === location.origin + location.pathname + location.search) return;  // within the page
        hold(event, () => link.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true, view: window})));
    }, true);

    window.addEventListener("submit", event => {
        if (passing) return;
        const form = event.target;
        const submitter = event.submitter;
        hold(event, () => (submitter && submitter.form === form ? form.requestSubmit(submitter) : form.requestSubmit()));
    }, true);
})();
