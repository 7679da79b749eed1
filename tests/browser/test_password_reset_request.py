"""« Renouveler le mot de passe », step 1, as a person does it in a browser: login page → reset page → email."""

import re
import time

from playwright.sync_api import Page, expect

from tests.conftest import unique
from tests.support.db import create_user

CODE = re.compile(r"Votre code de vérification : (\d{6})\b")
SCREENSHOT = "/tmp/ecars-reset.png"

LABELLESS_INPUTS = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter(el => !el.labels || el.labels.length === 0)
    .map(el => el.outerHTML)"""


def test_a_known_person_asks_for_a_code_and_receives_it_by_email(page: Page, gateway, stack, mailbox):
    email = f"{unique('navigateur')}@ars.test"
    create_user(stack, email, prenom="Jeanne", nom="MARTIN")

    page.goto(gateway + "/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("header")).to_contain_text("ars Extranet Ecars")
    page.get_by_role("link", name="Renouveler le mot de passe").click()

    expect(page).to_have_url(re.compile(r"/mot-de-passe$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Renouveler le mot de passe")
    page.screenshot(path=SCREENSHOT, full_page=True)
    page.get_by_label("Adresse email").fill(email)
    page.get_by_role("button", name="Envoyer le code de vérification").click()

    expect(page.get_by_role("status")).to_contain_text("un code de vérification vient d'y être envoyé")
    [mail] = mailbox.wait_for(email)
    assert mail["subject"] == "e-CARS – Votre code de vérification"
    assert CODE.search(mail["text"]), mail["text"]


def test_an_invalid_email_gets_a_french_error_tied_to_the_field_and_no_email(page: Page, gateway, mailbox):
    page.goto(gateway + "/mot-de-passe")
    field = page.get_by_label("Adresse email")
    field.fill("pas-une-adresse")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/mot-de-passe")) as sent:
        page.get_by_role("button", name="Envoyer le code de vérification").click()
    assert sent.value.status == 422

    field = page.get_by_label("Adresse email")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value("pas-une-adresse")
    error_id = field.get_attribute("aria-describedby").split()[0]  # the error first, then the hint
    assert error_id
    error = page.locator(f"[id='{error_id}']")
    expect(error).to_have_class(re.compile(r"\bfr-error-text\b"))
    expect(error).to_have_text(re.compile(r"adresse email n'est pas valide"))
    expect(field).to_have_accessible_description(re.compile(r"adresse email n'est pas valide"))

    time.sleep(0.5)  # leave a wrongly sent email the time to arrive
    assert mailbox.messages("pas-une-adresse") == []


def test_the_pages_can_be_used_with_the_keyboard_and_every_field_is_labelled(page: Page, gateway):
    page.goto(gateway + "/connexion")
    link = page.get_by_role("link", name="Renouveler le mot de passe")
    for _ in range(30):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the « Renouveler le mot de passe » link")
    focus = link.evaluate("""el => {
        const style = getComputedStyle(el);
        return {visible: el.matches(':focus-visible'), outlineStyle: style.outlineStyle,
                outlineWidth: parseFloat(style.outlineWidth) || 0, boxShadow: style.boxShadow};
    }""")
    assert focus["visible"], focus
    ring = focus["outlineStyle"] != "none" and focus["outlineWidth"] > 0
    assert ring or focus["boxShadow"] not in ("", "none"), f"no visible focus indicator: {focus}"

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/mot-de-passe$"))

    for path in ("/connexion", "/mot-de-passe"):
        page.goto(gateway + path)
        assert page.locator("input:not([type=hidden])").count() > 0, path
        assert page.evaluate(LABELLESS_INPUTS) == [], path


def test_the_pages_load_without_script_errors_or_missing_files_and_work_on_a_phone(page: Page, gateway):
    problems = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None)
    for path in ("/connexion", "/mot-de-passe"):
        page.goto(gateway + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("() => document.fonts.check('16px Marianne')"), path
    assert problems == []

    page.set_viewport_size({"width": 375, "height": 740})
    page.get_by_role("button", name="Menu").click()
    expect(page.locator("#modal-menu").get_by_role("link", name="Se connecter")).to_be_visible()
