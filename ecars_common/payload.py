"""Reading a request's JSON body and the caller's address."""

import re
import uuid

from flask import request

from ecars_common.errors import ApiError

# What no text column can store: NUL (PostgreSQL refuses it) and lone UTF-16 surrogates (not encodable as UTF-8).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def json_object() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "Le corps de la requête doit être un objet JSON.")
    if (where := unstorable_text(data)) is not None:
        raise ApiError(422, "validation_failed", f"Le champ « {where} » contient un caractère non autorisé "
                                                 "(caractère nul ou UTF-16 isolé).", {where: "caractère non autorisé"})
    return data


def unstorable_text(data) -> str | None:
    """The first field (dotted path) of a JSON document whose name or text holds an unstorable character."""
    pending = [("", data)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, str) and UNSTORABLE.search(value):
            return UNSTORABLE.sub("\ufffd", where) or "corps"
        if isinstance(value, dict):
            for key, item in value.items():
                name = f"{where}.{key}" if where else key
                if UNSTORABLE.search(key):
                    return UNSTORABLE.sub("\ufffd", name)
                pending.append((name, item))
        elif isinstance(value, list):
            pending.extend((f"{where}[{i}]", item) for i, item in enumerate(value))
    return None


def is_uuid(value) -> bool:
    """An id in the form the platform writes them (lower-case, hyphenated): anything else is not one of ours."""
    try:
        return str(uuid.UUID(value)) == value.lower()
    except (ValueError, AttributeError, TypeError):
        return False


def text_problem(value, max_length: int, required: bool = True) -> str | None:
    """What is wrong with a text a person typed (None: nothing), in the words of a field's error detail.
    The one text rule: the other checkers below say it their way."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "obligatoire" if required else None
    if not isinstance(value, str):
        return "une chaîne de caractères est attendue"
    if len(value.strip()) > max_length:
        return f"au plus {max_length} caractères"
    return None


def text_into(value, where: str, errors: dict, required: bool = True, max_length: int = 1000) -> str:
    """A text, stripped; its problem, if any, is added to `errors` under `where` (forms checking every field
    before answering)."""
    if (problem := text_problem(value, max_length, required)) is not None:
        errors[where] = problem
    return value.strip() if isinstance(value, str) else ""


def string_field(data: dict, name: str, max_length: int = 1000, required: bool = True) -> str:
    """A string field, stripped; missing, wrong type or too long are named in the error."""
    value = data.get(name)
    problem = text_problem(value, max_length, required)
    if problem == "obligatoire":
        raise ApiError(422, "validation_failed", f"Le champ « {name} » est obligatoire.", {name: problem})
    if problem is not None and problem.startswith("au plus"):
        raise ApiError(422, "validation_failed", f"Le champ « {name} » dépasse {max_length} caractères.",
                       {name: problem})
    if problem is not None:
        raise ApiError(422, "validation_failed", f"Le champ « {name} » doit être une chaîne de caractères.",
                       {name: problem})
    return value.strip() if isinstance(value, str) else ""


def client_address() -> str:
    """The browser's address as the gateway saw it (the gateway sets X-Forwarded-For)."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    return forwarded.split(",")[0].strip() or (request.remote_addr or "")


def bool_field(data: dict, name: str, default: bool = False) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise ApiError(422, "validation_failed", f"Le champ « {name} » doit valoir true ou false.",
                       {name: "booléen attendu"})
    return value


def choice_field(data: dict, name: str, choices, required: bool = True) -> str:
    value = string_field(data, name, max_length=100, required=required)
    if value and value not in choices:
        raise ApiError(422, "validation_failed", f"Le champ « {name} » doit valoir : {', '.join(choices)}.",
                       {name: f"valeurs possibles : {', '.join(choices)}"})
    return value
