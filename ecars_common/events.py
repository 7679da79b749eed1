"""The event envelope and the catalogue of event schemas (events/<type>.v<version>.json).

Every event on the bus is `{id, type, version, occurred_at, source, correlation_id, data}`; its
`data` must match the JSON Schema the catalogue holds for that type and version, checked on publish
(when the outbox row is written) and on receipt."""

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import jsonschema

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "events"

ENVELOPE_SCHEMA = {
    "type": "object",
    "required": ["id", "type", "version", "occurred_at", "source", "data"],
    "properties": {
        "id": {"type": "string", "format": "uuid", "minLength": 36, "maxLength": 36},
        "type": {"type": "string", "pattern": r"^[a-z_]+(\.[a-z_]+){2}$"},
        "version": {"type": "integer", "minimum": 1},
        "occurred_at": {"type": "string", "minLength": 20},
        "source": {"type": "string", "minLength": 1},
        "correlation_id": {"type": ["string", "null"]},
        "data": {"type": "object"},
    },
}


FIELDS = ("id", "type", "version", "occurred_at", "source", "correlation_id", "data")


class InvalidEvent(ValueError):
    pass


@dataclass(frozen=True)
class Envelope:
    id: str
    type: str
    version: int
    occurred_at: str
    source: str
    correlation_id: str | None
    data: dict

    def to_json(self) -> bytes:
        return json.dumps(self._shallow(), ensure_ascii=False, separators=(",", ":")).encode()

    def _shallow(self) -> dict:
        """The fields as a dict, `data` not copied (asdict() deep-copies it): for reading, not for changing."""
        return {name: getattr(self, name) for name in FIELDS}

    def as_dict(self) -> dict:
        return asdict(self)


def new_envelope(type: str, data: dict, source: str, correlation_id: str | None = None, version: int = 1):
    """A new event, its data checked against the catalogue. The envelope's own fields are right by
    construction (id and time made here, type and version naming a catalogue entry or it raises), so
    unlike on receipt (check()) they are not run through the envelope schema: that was half the check's
    CPU on every save (bench/README.md)."""
    if not isinstance(source, str) or not source:
        raise InvalidEvent(f"{type}: an event needs its source")
    check_data(type, version, data)
    return Envelope(id=str(uuid.uuid4()), type=type, version=version, occurred_at=datetime.now(UTC).isoformat(),
                    source=source, correlation_id=correlation_id, data=data)


@cache
def schema_for(type: str, version: int) -> dict:
    path = CATALOGUE_DIR / f"{type}.v{version}.json"
    if not path.exists():
        raise InvalidEvent(f"event {type} v{version} is not in the catalogue ({path.name} missing)")
    return json.loads(path.read_text())


def catalogue() -> list[dict]:
    """Every schema in the catalogue, with its type and version taken from the file name."""
    entries = []
    for path in sorted(CATALOGUE_DIR.glob("*.v*.json")):
        type, _, version = path.name.removesuffix(".json").rpartition(".v")
        entries.append({"type": type, "version": int(version), "schema": json.loads(path.read_text())})
    return entries


@cache
def validator_for(type: str, version: int) -> jsonschema.Draft202012Validator:
    """Built once per event type: jsonschema.validate() re-checks the schema itself at every call."""
    return jsonschema.Draft202012Validator(schema_for(type, version))


ENVELOPE_VALIDATOR = jsonschema.Draft202012Validator(ENVELOPE_SCHEMA)


def check(raw: dict) -> Envelope:
    """Validate an envelope and its data; returns it as an Envelope or raises InvalidEvent."""
    try:
        ENVELOPE_VALIDATOR.validate(raw)
    except jsonschema.ValidationError as exc:
        raise invalid(raw.get("type"), exc) from None
    check_data(raw["type"], raw["version"], raw["data"])
    return Envelope(**{k: raw.get(k) for k in FIELDS})


def check_data(type: str, version: int, data: dict) -> None:
    """`data` matches the catalogue's schema for that type and version, or InvalidEvent."""
    try:
        validator_for(type, version).validate(data)
    except jsonschema.ValidationError as exc:
        raise invalid(type, exc) from None


def invalid(type: str | None, exc: jsonschema.ValidationError) -> InvalidEvent:
    where = "/".join(str(p) for p in exc.absolute_path) or "(racine)"
    return InvalidEvent(f"{type}: {where}: {exc.message}")


def parse(body: bytes) -> Envelope:
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent(f"not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise InvalidEvent("envelope is not an object")
    return check(raw)
