"""Reading a request's JSON body and the caller's address."""

import re

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


def string_field(data: dict, name: str, max_length: int = 1000, required: bool = True) -> str:
    """A string field, stripped; missing, wrong type or too long are named in the error."""
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise ApiError(422, "validation_failed", f"Le champ « {name} » est obligatoire.",
                           {name: "obligatoire"})
        return ""
    if not isinstance(value, str):
        raise ApiError(422, "validation_failed", f"Le champ « {name} » doit être une chaîne de caractères.",
                       {name: "doit être une chaîne de caractères"})
    value = value.strip()
    if len(value) > max_length:
        raise ApiError(422, "validation_failed",
                       f"Le champ « {name} » dépasse {max_length} caractères.",
                       {name: f"au plus {max_length} caractères"})
    return value


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
