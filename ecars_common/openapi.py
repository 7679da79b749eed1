"""OpenAPI 3.0 descriptions of the services' HTTP APIs, served by every service at GET /openapi.json (public;
through the gateway at /api/<service>/openapi.json).

A service describes its own routes in `services/<service>/openapi.py` as `DOCUMENT = document(service, paths)`,
`paths` being {Flask rule: {method: operation(...)}}; the routes every service shares (health, metrics,
dashboard, /openapi.json and the habilitations projection's /me/habilitations) are described here once.
Keys are Flask rules (`/contracts/<uuid:contract_id>`): `document()` turns them into OpenAPI paths with their
path parameters, and tests/unit/test_openapi.py checks they are exactly the app's url_map."""

import re

from flask import Blueprint, jsonify

ERROR_SCHEMA = {
    "type": "object", "required": ["error"], "additionalProperties": False,
    "properties": {"error": {
        "type": "object", "required": ["code", "message", "details"], "additionalProperties": False,
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}},
    }},
}
ERRORS = {
    400: "Corps illisible : JSON invalide ou autre qu'un objet (invalid_json), ou requête invalide.",
    401: "Jeton d'accès absent, invalide ou expiré (ou identifiants refusés).",
    403: "Accès refusé à cet utilisateur.",
    404: "Ressource introuvable (ou invisible pour cet utilisateur).",
    405: "Méthode non autorisée pour cette ressource.",
    409: "Conflit avec l'état actuel de la ressource.",
    413: "Contenu trop volumineux.",
    415: "Type de contenu non pris en charge.",
    422: "Données refusées : `details` nomme chaque champ en erreur.",
    429: "Trop de tentatives : réessayez plus tard.",
    503: "Une dépendance du service est indisponible.",
}
JSON_TYPE = "application/json"

# -- schema helpers ---------------------------------------------------------------------------------


def string(max_length: int | None = None, **extra) -> dict:
    schema = {"type": "string", **extra}
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


def nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


def obj(properties: dict | None = None, required=(), **extra) -> dict:
    """An object; extra properties are allowed unless `additionalProperties=False` is given."""
    schema = {"type": "object", "properties": properties or {}, **extra}
    if required:
        schema["required"] = list(required)
    return schema


def array(items: dict, **extra) -> dict:
    return {"type": "array", "items": items, **extra}


def items_of(item: dict) -> dict:
    """The {"items": [...]} envelope of the listings."""
    return obj({"items": array(item)}, ["items"])


UUID = string(format="uuid")
DATE = string(format="date")
TEXT = string()
BOOL = {"type": "boolean"}
INT = {"type": "integer"}
MESSAGE = obj({"message": TEXT}, ["message"])


# -- operations -------------------------------------------------------------------------------------

def json_body(schema: dict) -> dict:
    return {"required": True, "content": {JSON_TYPE: {"schema": schema}}}


def raw_body(*media_types: str, schema: dict | None = None) -> dict:
    schema = schema or string(format="binary")
    return {"required": True, "content": {media: {"schema": schema} for media in media_types}}


def query(name: str, schema: dict, required: bool = False, description: str = "") -> dict:
    parameter = {"name": name, "in": "query", "required": required, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


def operation(summary: str, *, returns: dict | None = None, status: int = 200, body: dict | None = None,
              errors=(), public: bool = False, parameters=(), media_type: str = JSON_TYPE,
              headers: dict | None = None) -> dict:
    """One route. `returns`: the success body's schema (None with status 204: no body); `errors`: the error
    statuses the route answers besides the ones implied (401 unless public, 400 when it reads a JSON body,
    404 when its path has parameters — added by document())."""
    success = {"description": summary}
    if status != 204:
        success["content"] = {media_type: {"schema": returns if returns is not None else obj()}}
    if headers:
        success["headers"] = {name: {"schema": schema} for name, schema in headers.items()}
    codes = set(errors)
    if not public:
        codes.add(401)
    if body is not None and JSON_TYPE in body.get("content", {}):
        codes.add(400)
    op = {"summary": summary, "responses": {str(status): success,
                                            **{str(code): {"$ref": f"#/components/responses/E{code}"}
                                               for code in sorted(codes)}}}
    if body is not None:
        op["requestBody"] = body
    if parameters:
        op["parameters"] = list(parameters)
    if public:
        op["security"] = []
    return op


# -- Flask rules → OpenAPI paths --------------------------------------------------------------------

_VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def _converter_schema(converter: str | None, args: str | None) -> dict:
    if converter == "uuid":
        return string(format="uuid")
    if converter == "int":
        return {"type": "integer", "minimum": 0}
    if converter == "any":
        return string(enum=[a.strip().strip("'\"") for a in (args or "").split(",")])
    if converter == "path":
        return string(minLength=1)
    return string(minLength=1, pattern="^[^/]+$")  # Flask's default converter: one path segment


def openapi_path(rule: str) -> tuple[str, list[dict]]:
    """`/cpoms/<uuid:cpom_id>` → (`/cpoms/{cpom_id}`, [its path parameter])."""
    parameters = [{"name": m["name"], "in": "path", "required": True,
                   "schema": _converter_schema(m["converter"], m["args"])} for m in _VARIABLE.finditer(rule)]
    return _VARIABLE.sub(lambda m: "{" + m["name"] + "}", rule), parameters


# -- the routes every service shares ------------------------------------------------------------------

HEALTH_READY = obj({"status": string(enum=["ok"]), "checks": obj(additionalProperties=TEXT)}, ["status", "checks"])
MY_HABILITATIONS = {"/me/habilitations": {"get": operation(
    "Ce que la projection locale des habilitations permet à l'appelant d'atteindre.",
    returns=items_of(obj({"habilitation_id": UUID, "scope_type": string(enum=["ej", "contract", "cpom"]),
                          "scope_id": TEXT, "administrateur": BOOL, "visibilite_documents_confidentiels": BOOL},
                         ["habilitation_id", "scope_type", "scope_id", "administrateur",
                          "visibilite_documents_confidentiels"])))}}
SHARED = {
    "/health/live": {"get": operation("Le processus répond.", returns=obj({"status": string(enum=["ok"])},
                                                                          ["status"]), public=True)},
    "/health/ready": {"get": operation("Chaque dépendance répond (503 sinon, `details` dit laquelle).",
                                       returns=HEALTH_READY, public=True, errors=[503])},
    "/metrics": {"get": operation("Métriques Prometheus (réservées au support à travers la passerelle).",
                                  returns=TEXT, media_type="text/plain", errors=[403])},
    "/dashboard": {"get": operation(
        "Tableau de bord du support : dépendances, outbox, files, trafic, chiffres clés (rôle support).",
        returns=obj({"service": TEXT, "checks": obj(), "outbox": obj(), "counts": obj(), "queues": obj(),
                     "traffic": obj()}, ["service", "checks", "outbox", "counts", "queues", "traffic"]),
        errors=[403])},
    "/dashboard/dead-letters": {"get": operation(
        "Les messages en lettres mortes, inspectés sans être retirés (rôle support).",
        returns=items_of(obj()), errors=[403],
        parameters=[query("limit", string(), description="1 à 200 (20 sinon)")])},
    "/dashboard/dead-letters/replay": {"post": operation(
        "Remet les lettres mortes dans la file du service (rôle support).",
        returns=obj({"replayed": INT}, ["replayed"]), errors=[403])},
    "/openapi.json": {"get": operation("Cette description OpenAPI.", returns=obj({"openapi": TEXT, "paths": obj()},
                                                                                 ["openapi", "paths"]), public=True)},
}


def document(service: str, paths: dict, *, habilitations: bool = False, description: str = "") -> dict:
    """The service's OpenAPI document: its `paths` (Flask rules) plus the shared routes;
    `habilitations`: the service serves the projection's /me/habilitations."""
    described = {**SHARED, **(MY_HABILITATIONS if habilitations else {}), **paths}
    out: dict = {}
    for rule, methods in described.items():
        path, parameters = openapi_path(rule)
        item = out.setdefault(path, {})
        for method, op in methods.items():
            op = {**op, "operationId": f"{method}{path}"}
            if parameters:
                op["parameters"] = parameters + op.get("parameters", [])
                codes = {**op["responses"]}
                codes.setdefault("404", {"$ref": "#/components/responses/E404"})
                op["responses"] = codes
            item[method] = op
    return {
        "openapi": "3.0.3",
        "info": {"title": f"e-CARS — service {service}", "version": "1",
                 "description": description or f"Reached through the gateway at /api/{service}/…"},
        "servers": [{"url": f"/api/{service}"}],
        "security": [{"bearer": []}],
        "paths": out,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "responses": {f"E{code}": {"description": text, "content": {JSON_TYPE: {
                "schema": {"$ref": "#/components/schemas/Error"}}}} for code, text in ERRORS.items()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                           "description": "Jeton d'accès émis par POST /api/auth/login."}},
        },
    }


def blueprint(spec: dict) -> Blueprint:
    """GET /openapi.json, public: the service's description (its services/<service>/openapi.py `DOCUMENT`)."""
    bp = Blueprint("openapi", __name__)

    @bp.get("/openapi.json")
    def openapi_json():
        return jsonify(spec)

    return bp


def operations(spec: dict) -> set[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every operation described."""
    return {(method.upper(), path) for path, item in spec["paths"].items() for method in item}

