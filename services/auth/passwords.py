"""Password policy (guide 000, « REGLES DU MOT DE PASSE ») and argon2id hashing."""

import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH, MAX_LENGTH = 12, 64
SPECIALS = set(string.punctuation) | {" ", "€", "£", "§", "°", "µ"}

# (rule id, label shown on the screen's checklist, message when the rule is not met)
RULES = [
    ("length", f"Entre {MIN_LENGTH} et {MAX_LENGTH} caractères",
     f"Le mot de passe doit comporter entre {MIN_LENGTH} et {MAX_LENGTH} caractères."),
    ("lowercase", "Une lettre minuscule", "Le mot de passe doit contenir une lettre minuscule."),
    ("uppercase", "Une lettre majuscule", "Le mot de passe doit contenir une lettre majuscule."),
    ("digit", "Un chiffre", "Le mot de passe doit contenir un chiffre."),
    ("special", "Un caractère spécial (& - _ %...)",
     "Le mot de passe doit contenir un caractère spécial (& - _ %...)."),
    ("not_email", "Différent de votre adresse email", "Le mot de passe ne doit pas être votre adresse email."),
    ("match", "Les deux saisies sont identiques", "Les deux mots de passe saisis doivent être identiques."),
]
MESSAGES = {rule: message for rule, _, message in RULES}

# OWASP's argon2id minimums are m=19 MiB, t=2, p=1; we use m=46 MiB, t=1, p=1 (also an OWASP
# configuration), measured in bench/ on this machine. Changing them re-hashes at the next login.
HASHER = PasswordHasher(time_cost=1, memory_cost=47104, parallelism=1)
_DUMMY_HASH = HASHER.hash("e-CARS dummy password, never valid")


def unmet_rules(password: str, confirmation: str, email: str) -> list[str]:
    """The ids of the rules `password` breaks, in the order of the screen's checklist."""
    checks = {
        "length": MIN_LENGTH <= len(password) <= MAX_LENGTH,
        "lowercase": any(c.islower() for c in password),
        "uppercase": any(c.isupper() for c in password),
        "digit": any(c.isdigit() for c in password),
        "special": any(c in SPECIALS or not (c.isalnum() or c.isspace()) for c in password),
        "not_email": password.strip().lower() != email.strip().lower(),
        "match": password == confirmation,
    }
    return [rule for rule, _, _ in RULES if not checks[rule]]


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user has a password, so timing tells nothing."""
    try:
        return HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)
