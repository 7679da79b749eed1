"""Password policy (guide 000, « REGLES DU MOT DE PASSE ») and argon2id hashing."""

import re
import string
import unicodedata
from collections.abc import Iterable
from functools import cache

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
    ("not_personal", "Sans votre nom, votre prénom, votre identifiant email ni le nom de votre établissement",
     "Le mot de passe ne doit contenir ni votre nom, ni votre prénom, ni votre identifiant email, ni le nom ou le "
     "numéro FINESS de votre établissement."),
    ("not_common", "Absent des listes de mots de passe courants ou divulgués",
     "Ce mot de passe est trop courant ou figure parmi des mots de passe divulgués : choisissez-en un autre."),
    ("not_current", "Différent de votre mot de passe actuel",
     "Le nouveau mot de passe doit être différent de votre mot de passe actuel."),
    ("match", "Les deux saisies sont identiques", "Les deux mots de passe saisis doivent être identiques."),
]
MESSAGES = {rule: message for rule, _, message in RULES}

# OWASP's argon2id minimums are m=19 MiB, t=2, p=1; we use m=46 MiB, t=1, p=1 (also an OWASP
# configuration), measured in bench/ on this machine. Changing them re-hashes at the next login.
HASHER = PasswordHasher(time_cost=1, memory_cost=47104, parallelism=1)
_DUMMY_HASH = HASHER.hash("e-CARS dummy password, never valid")


# Context words shorter than this are not looked for: « Li » or « Mer » would refuse too many passwords.
CONTEXT_MIN_LENGTH = 4
# What is taken off both ends of a password before it is looked up: « Soleil2026! » is « soleil », a common one.
DECORATION = string.digits + string.punctuation + string.whitespace + "".join(SPECIALS)
# The usual letter-for-symbol swaps, undone before a look-up (« P@ssw0rd » is « password »).
LEET = str.maketrans("0134578@$|", "oieastbasl")
SEPARATORS = re.compile(r"[\W_]+")


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of public breach corpora, as zxcvbn ships them (MIT licence; its
    `passwords` list is Xato's, drawn from leaked passwords). Loaded at the first check (0.1 s, 2 MB)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def plain(text: str) -> str:
    """Lower case, accents removed: « Éléonore » and « eleonore » are the same word."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def spellings(password: str) -> set[str]:
    """The forms of a password looked up: whole, undecorated, with its swaps undone and its separators removed."""
    whole = plain(password)
    core = whole.strip(DECORATION)
    unswapped = core.translate(LEET)
    return {whole, core, unswapped, SEPARATORS.sub("", unswapped)}


def is_common(password: str) -> bool:
    listed = common_passwords()
    return any(len(form) >= CONTEXT_MIN_LENGTH and form in listed for form in spellings(password))


def context_words(texts: Iterable[str]) -> set[str]:
    """The words of a person's context (name, first name, email local part, their EJs' names and FINESS): each
    text whole and cut at spaces, dots, hyphens…, those of CONTEXT_MIN_LENGTH or more."""
    words = set()
    for text in texts:
        text = plain(text or "")
        for word in [SEPARATORS.sub("", text), *SEPARATORS.split(text)]:
            if len(word) >= CONTEXT_MIN_LENGTH:
                words.add(word)
    return words


def contains_context(password: str, words: set[str]) -> bool:
    whole = plain(password)
    forms = {whole, whole.translate(LEET), SEPARATORS.sub("", whole), SEPARATORS.sub("", whole.translate(LEET))}
    return any(word in form for word in words for form in forms)


def context_of(user, ej_names: Iterable[str] = ()) -> list[str]:
    """The texts a password must not contain, for this user (a row of auth.users)."""
    return [user["nom"], user["prenom"], user["email"].split("@")[0], *ej_names]


def unmet_rules(password: str, confirmation: str, email: str, context: Iterable[str] = (),
                current_hash: str | None = None) -> list[str]:
    """The ids of the rules `password` breaks, in the order of the screen's checklist. `context`: the person's
    texts (context_of); `current_hash`: their current password's, which the new one must differ from."""
    checks = {
        "length": MIN_LENGTH <= len(password) <= MAX_LENGTH,
        "lowercase": any(c.islower() for c in password),
        "uppercase": any(c.isupper() for c in password),
        "digit": any(c.isdecimal() for c in password),  # Unicode Nd, as the live checklist's \p{Nd}
        "special": any(c in SPECIALS or not (c.isalnum() or c.isspace()) for c in password),
        "not_email": password.strip().lower() != email.strip().lower(),
        "not_common": not is_common(password),
        "not_current": not (current_hash and verify_password(current_hash, password)),
        "match": password == confirmation,
    }
    # the email itself is told by not_email alone
    checks["not_personal"] = not checks["not_email"] or not contains_context(password, context_words(context))
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
