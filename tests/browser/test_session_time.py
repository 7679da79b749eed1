"""The web session's time and devices in a browser (issue 16 items 2 and 5; RGAA 13.1.4, ASVS 5.0 7.3, 7.5.2): the
warning two minutes before the idle timeout, in a live region, with « Prolonger la session » used from the
keyboard; the timeout itself said on the page; a form being filled kept over the timeout and put back after
signing in again; « Mon compte »'s sessions, one per device, ended from another device.

The browser's clock is Playwright's (`page.clock`), moved forward instead of waiting half an hour; the server's
time passes by making the stored session older (tests/support/web_sessions.py)."""

import re
import time

from playwright.sync_api import Page, expect

from tests.support.identity import PASSWORD, active_user
from tests.support.web_sessions import age, cookie_of, stored

IDLE = 1800  # the test stack's idle timeout (the default)
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
FORM_KEPT = ("Votre session a expiré, reconnectez-vous : ce que vous aviez saisi a été conservé et vous sera proposé "
             "à nouveau.")


def sign_in_here(page: Page, email: str) -> None:
    """The login form of the page shown (its « suivant » kept)."""
    page.get_by_label(re.compile(r"^Adresse email")).fill(email)
    page.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def sign_in(page: Page, email: str) -> None:
    page.goto("/connexion")
    sign_in_here(page, email)
    expect(page).to_have_url(re.compile(r"/accueil$"))


def test_the_page_warns_before_the_idle_timeout_and_prolonger_la_session_works_from_the_keyboard(page: Page, stack,
                                                                                                   gateway):
    email, _ = active_user(stack)
    page.clock.install()
    sign_in(page, email)
    page.goto("/mon-compte")
    live = page.locator("[data-session-message]")
    expect(live).to_have_attribute("aria-live", "assertive")
    expect(live).to_be_empty()
    button = page.get_by_role("button", name="Prolonger la session")
    expect(button).to_be_hidden()

    cookie = cookie_of(page.context, gateway)["value"]
    page.locator("#civilite").focus()  # filling the form when the warning comes
    age(stack, cookie, idle_seconds=IDLE - 100)  # on the server, 28 min 20 s without activity
    page.clock.fast_forward("28:01")  # and in the page: past its warning time (idle − 2 min)
    expect(live).to_contain_text(re.compile(r"Votre session va expirer dans [12] minute\(s\), à \d{1,2} h \d{2}"))
    expect(live).to_contain_text("activez le bouton « Prolonger la session »")
    expect(button).to_be_visible()
    assert button.evaluate("b => b.tagName") == "BUTTON"

    for _ in range(20):  # from the form, back with the keyboard to the button (above it, at the top of the page)
        if button.evaluate("b => b === document.activeElement"):
            break
        page.keyboard.press("Shift+Tab")
    assert button.evaluate("b => b === document.activeElement")
    page.keyboard.press("Enter")
    expect(live).to_contain_text(re.compile(r"Votre session est prolongée jusqu'à \d{1,2} h \d{2}\."))
    expect(button).to_be_hidden()
    expect(page.locator("#civilite")).to_be_focused()  # back where the person was, not at the top of the page
    assert time.time() - stored(stack, cookie)["last_seen_at"].timestamp() < 30  # the server's clock restarted
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")  # the page itself was not reloaded

    age(stack, cookie, idle_seconds=IDLE + 1)  # this time nobody answers the warning
    page.clock.fast_forward("29:00")
    expect(live).to_contain_text("Votre session a expiré.")
    expect(live.get_by_role("link", name="Se connecter")).to_have_attribute("href", "/connexion?suivant=/mon-compte")


def test_a_form_being_filled_is_kept_over_the_timeout_and_put_back_after_signing_in(page: Page, stack, gateway):
    email, _ = active_user(stack)
    sign_in(page, email)
    page.goto("/mon-compte")
    page.locator("#nom").fill("LEGRAND")
    page.locator("#prenom").fill("Étienne")
    page.locator("#fonction").fill("Directeur des soins")
    age(stack, cookie_of(page.context, gateway)["value"], idle_seconds=IDLE + 1)
    page.get_by_role("button", name="Enregistrer mes informations").click()

    expect(page).to_have_url(re.compile(r"/connexion\?suivant=/mon-compte$"))
    expect(page.get_by_role("status")).to_have_text(FORM_KEPT)
    sign_in_here(page, email)
    expect(page).to_have_url(re.compile(r"/mon-compte$"))
    notice = page.locator("[data-kept-form]")
    expect(notice).to_contain_text("Votre saisie a été conservée")
    expect(notice).to_contain_text("Ce que vous aviez saisi a été remis dans le formulaire")
    expect(page.locator("#nom")).to_have_value("LEGRAND")
    expect(page.locator("#prenom")).to_have_value("Étienne")
    expect(page.locator("#fonction")).to_have_value("Directeur des soins")
    page.get_by_role("button", name="Enregistrer mes informations").click()
    expect(page.get_by_role("status")).to_have_text("Vos informations ont été enregistrées.")
    expect(page.locator("header")).to_contain_text("Étienne LEGRAND")


def test_mon_compte_lists_the_devices_and_ends_the_session_of_another(page: Page, browser, stack, gateway):
    email, _ = active_user(stack)
    sign_in(page, email)
    other = browser.new_context(locale="fr-FR", base_url=gateway, user_agent=FIREFOX)
    try:
        elsewhere = other.new_page()
        sign_in(elsewhere, email)

        page.goto("/mon-compte")
        table = page.get_by_role("table", name="Mes sessions ouvertes")
        expect(table.get_by_role("row")).to_have_count(3)  # the header and two sessions
        mine = table.get_by_role("row").nth(1)
        expect(mine).to_contain_text("Chrome sous Linux")
        expect(mine).to_contain_text("Cet appareil")
        theirs = table.get_by_role("row", name=re.compile("Firefox sous Windows"))
        expect(theirs).to_contain_text(re.compile(r"\d{2}/\d{2}/\d{4} à \d{2}h\d{2}"))  # Paris time, French
        theirs.get_by_role("button", name=re.compile(r"^Fermer cette session \(Firefox sous Windows")).click()
        # another device's session asks the current password (ASVS 5.0 7.5.2), said beside the field
        password = page.locator("#sessions-mot-de-passe")
        expect(password).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#sessions-mot-de-passe-erreur")).to_contain_text(
            "Pour fermer la session d'un autre appareil, saisissez votre mot de passe actuel")
        expect(table.get_by_role("row")).to_have_count(3)  # nothing ended
        password.fill(PASSWORD)
        theirs.get_by_role("button", name=re.compile(r"^Fermer cette session \(Firefox sous Windows")).click()
        expect(page.get_by_role("status")).to_have_text("La session a été fermée.")
        expect(table.get_by_role("row")).to_have_count(2)

        elsewhere.goto("/accueil")
        expect(elsewhere).to_have_url(re.compile(r"/connexion\?suivant=/accueil$"))
        expect(elsewhere.get_by_role("status")).to_have_text("Votre session a expiré, reconnectez-vous.")
    finally:
        other.close()
