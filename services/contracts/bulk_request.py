"""What the ARS asks of a bulk action on a campaign (bulk.py), read and checked in full before anything is done:
every bad field is named in one 422, and nothing is done for anybody."""

import uuid
from dataclasses import dataclass
from datetime import date

from ecars_common.errors import ApiError
from services.contracts import progress

ACTIONS = ("remind", "accept", "reopen", "extend")
MAX_IDS = 5000
REASON_MAX = 2000
FILTERS = ("status", "fill_min", "fill_max", "departement", "search")  # progress.Query's criteria


@dataclass(frozen=True)
class BulkRequest:
    action: str
    contract_ids: tuple[str, ...] | None  # None: the contracts `criteria` select
    criteria: progress.Query | None
    reason: str = ""
    closes_on: date | None = None


def is_uuid(value) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _criteria(value, errors: dict) -> progress.Query | None:
    if not isinstance(value, dict):
        errors["filter"] = "un objet de critères est attendu (" + ", ".join(FILTERS) + ")"
        return None
    unknown = [name for name in value if name not in FILTERS]
    if unknown:
        errors["filter"] = "critères inconnus : " + ", ".join(unknown) + " (possibles : " + ", ".join(FILTERS) + ")"
        return None
    args = {}
    for name, item in value.items():
        if item is None:
            continue
        if isinstance(item, bool) or not isinstance(item, str | int):
            errors[f"filter.{name}"] = "un texte ou un entier est attendu"
        else:
            args[name] = str(item)
    try:
        return progress.Query.from_args(args)
    except ApiError as exc:
        errors.update({f"filter.{name}": problem for name, problem in exc.details.items()})
        return None


def _ids(value, errors: dict) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not value:
        errors["contract_ids"] = "une liste non vide d'identifiants de contrats est attendue"
        return None
    if len(value) > MAX_IDS:
        errors["contract_ids"] = f"au plus {MAX_IDS} contrats à la fois"
        return None
    bad = [i for i, item in enumerate(value) if not is_uuid(item)]
    if bad:
        errors["contract_ids"] = "identifiants invalides aux positions " + ", ".join(str(i) for i in bad[:10])
        return None
    return tuple(dict.fromkeys(item.lower() for item in value))  # once per contract, in the order given


def parse(data: dict, today: date) -> BulkRequest:
    """{"action", "contract_ids": [...] | "filter": {...}, "reason", "closes_on"}; raises one 422 naming each bad
    field."""
    errors: dict[str, str] = {}
    action = data.get("action")
    if action not in ACTIONS:
        errors["action"] = "valeurs possibles : " + ", ".join(ACTIONS)
    has_ids, has_filter = data.get("contract_ids") is not None, data.get("filter") is not None
    ids = criteria = None
    if has_ids == has_filter:
        errors["selection"] = "donnez soit « contract_ids » (une liste), soit « filter » (des critères), pas les deux"
    elif has_ids:
        ids = _ids(data["contract_ids"], errors)
    else:
        criteria = _criteria(data["filter"], errors)
    reason = data.get("reason")
    if action in ("reopen", "extend"):
        if not isinstance(reason, str) or not reason.strip():
            errors["reason"] = "obligatoire"
        elif len(reason.strip()) > REASON_MAX:
            errors["reason"] = f"au plus {REASON_MAX} caractères"
    closes_on = None
    if action == "extend":
        try:
            closes_on = date.fromisoformat(data.get("closes_on")) if isinstance(data.get("closes_on"), str) else None
        except ValueError:
            closes_on = None
        if closes_on is None:
            errors["closes_on"] = "une date AAAA-MM-JJ est attendue"
        elif closes_on < today:
            errors["closes_on"] = "date à venir attendue"
    if errors:
        raise ApiError(422, "validation_failed", "L'action groupée n'a pas été lancée : certains champs ne sont pas "
                                                 "valides.", errors)
    return BulkRequest(action, ids, criteria, reason.strip() if isinstance(reason, str) else "", closes_on)
