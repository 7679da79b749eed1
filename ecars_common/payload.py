"""Reading a request's JSON body and the caller's address."""

from flask import request

from ecars_common.errors import ApiError


def json_object() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "Le corps de la requête doit être un objet JSON.")
    return data


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
