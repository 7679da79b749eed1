"""Runs after every other test (its folder sorts last): the logs the whole suite produced hold no
password, no verification code, no token and no stack trace sent to a client."""

import re

from tests.support.identity import PASSWORD

# Passwords the suites type (tests/support/identity.py, tests/e2e/test_identity.py, the browser journeys)
PASSWORDS = [PASSWORD, "Nouveau-Mot2Passe!", "Mot-De-Passe-Envoye1!", "Ecars-Demo-2026!"]


def test_logs_hold_no_password_code_or_token(stack, mailbox):
    logs = {path.name: path.read_text(errors="replace") for path in stack.log_dir.glob("*.log")}
    assert logs and any("password-reset" in text for text in logs.values()), "the suite left no logs to check"
    codes = {found.group(1) for mail in mailbox.messages()
             if (found := re.search(r"Votre code de vérification : (\d{6})\b", mail["text"]))}
    assert codes, "no verification email was sent during the suite"
    for name, text in logs.items():
        for password in PASSWORDS:
            assert password not in text, f"a password is in {name}"
        for code in codes:
            # not inside a longer word: request ids are hexadecimal, and « 445cfe0b1c024181a76a… » held one
            assert not re.search(rf"(?<![0-9A-Za-z]){code}(?![0-9A-Za-z])", text), \
                f"verification code {code} is in {name}"
        assert not re.search(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.", text), f"a JWT is in {name}"
