"""The notifications handlers with the fake mailer: what the email says, and the delivery log."""

import sqlalchemy as sa

from ecars_common.events import new_envelope
from services.notifications import handlers
from services.notifications.config import Config
from services.notifications.mailer import FakeMailer


class RecordingSession:
    def __init__(self):
        self.statements = []

    def execute(self, statement):
        self.statements.append(statement)


def test_verification_code_email_is_french_text_and_html_with_the_support_contacts():
    mailer, session = FakeMailer(), RecordingSession()
    envelope = new_envelope("auth.verification_code.requested", {
        "user_id": "u1", "email": "claire.test@ccas.fr", "civilite": "Mme", "nom": "TEST", "prenom": "Claire",
        "code": "048213", "expires_at": "2030-01-01T00:10:00+00:00"}, source="auth")

    handlers.email_the_person(session, envelope, mailer, Config(platform_url="https://extranet.e-cars.fr"))

    [message] = mailer.sent
    assert message["To"] == "claire.test@ccas.fr"
    assert message["From"] == "e-CARS <ne-pas-repondre@e-cars.fr>"
    assert message["Subject"] == "e-CARS – Votre code de vérification"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "048213" in part and "10 minutes" in part
        assert "ars-ecars@ars.sante.fr" in part and "04.72.34.41.26" in part
        assert "https://extranet.e-cars.fr/mot-de-passe/code" in part
    assert "Bonjour Mme Claire TEST" in text
    [logged] = session.statements
    assert isinstance(logged, sa.Insert)
    assert logged.compile().params["status"] == "sent"
    assert logged.compile().params["event_id"] == envelope.id


def test_html_email_escapes_what_users_typed():
    mailer = FakeMailer()
    envelope = new_envelope("auth.verification_code.requested", {
        "user_id": "u1", "email": "x@y.fr", "nom": "<script>alert(1)</script>", "prenom": "A",
        "code": "111111", "expires_at": "2030-01-01T00:10:00+00:00"}, source="auth")
    handlers.email_the_person(RecordingSession(), envelope, mailer, Config())
    html = mailer.sent[0].get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
