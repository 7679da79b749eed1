"""« Actions groupées » of the campaign page, as a form that works without JavaScript: which contracts (the ticked
ones, every one of this page, or every one of the filter in force), which action (relancer, accepter, rouvrir with a
reason, prolonger until a date with a reason), checked here first so that each mistake is named in French beside
its field with nothing lost; then the contracts service's summary (what was done, what was refused and why) cut to
what a page shows and kept in the session for the summary page."""

from dataclasses import dataclass, field
from datetime import date

from gateway.ui.french import typed_date
from gateway.ui.pages import field_errors

ACTIONS = {"remind": "Relancer", "accept": "Accepter (contrats clos)", "reopen": "Rouvrir la saisie",
           "extend": "Prolonger la date de clôture"}
DONE = {"remind": "Relancé", "accept": "Accepté", "reopen": "Saisie rouverte", "extend": "Date de clôture prolongée"}
SCOPES = {"selection": "Les contrats cochés", "page": "Tout sélectionner sur cette page",
          "filter": "Appliquer aux contrats du filtre"}
LABELS = {"scope": "Contrats concernés", "action": "Action", "reason": "Motif", "closes_on": "Prolonger jusqu'au",
          "selection": "Contrats concernés", "contract_ids": "Contrats cochés"}
REASON_MAX = 2000  # what the contracts service accepts
SHOWN = 200  # contracts listed per part of the summary (the counts are whole)
FILTERS = ("status", "fill_min", "fill_max", "departement", "search")


@dataclass
class BulkForm:
    scope: str = "selection"
    action: str = ""
    reason: str = ""
    closes_on: str = ""  # as typed
    chosen: list[str] = field(default_factory=list)  # the ticked contracts' ids
    page_ids: list[str] = field(default_factory=list)  # the page's contracts, for « Tout sélectionner »


def read(form, criteria, today: date) -> tuple[BulkForm, dict, dict | None]:
    """The form as sent, its errors (field → French message) and, when it has none, the API's request body;
    `criteria`: the filter in force (the page's query string, which the form's address keeps)."""
    sent = BulkForm(form.get("scope", "selection"), form.get("action", ""), form.get("reason", "").strip(),
                    form.get("closes_on", "").strip(), form.getlist("contract_id"), form.getlist("page_contract_id"))
    errors: dict[str, str] = {}
    if sent.scope not in SCOPES:
        errors["scope"] = "Choisissez les contrats concernés."
    elif sent.scope == "selection" and not sent.chosen:
        errors["scope"] = ("Cochez au moins un contrat, ou choisissez « Tout sélectionner sur cette page » ou "
                                 "« Appliquer aux contrats du filtre ».")
    elif sent.scope == "page" and not sent.page_ids:
        errors["scope"] = "Cette page ne compte aucun contrat."
    if sent.action not in ACTIONS:
        errors["action"] = "Choisissez l'action à appliquer."
    if sent.action in ("reopen", "extend"):
        if not sent.reason:
            errors["reason"] = "Indiquez le motif : il est conservé dans l'historique de chaque contrat."
        elif len(sent.reason) > REASON_MAX:
            errors["reason"] = f"Le motif compte au plus {REASON_MAX} caractères."
    closes_on = None
    if sent.action == "extend":
        closes_on = typed_date(sent.closes_on) if sent.closes_on else None
        if not sent.closes_on:
            errors["closes_on"] = "Indiquez la nouvelle date de clôture (JJ/MM/AAAA)."
        elif closes_on is None:
            errors["closes_on"] = "« Prolonger jusqu'au » : une date est attendue (JJ/MM/AAAA)."
        elif date.fromisoformat(closes_on) < today:
            errors["closes_on"] = "La nouvelle date de clôture ne peut pas être passée."
    if errors:
        return sent, errors, None
    body: dict = {"action": sent.action}
    if sent.scope == "filter":
        body["filter"] = {name: criteria.get(name).strip() for name in FILTERS if (criteria.get(name) or "").strip()}
    else:
        body["contract_ids"] = sent.chosen if sent.scope == "selection" else sent.page_ids
    if sent.action in ("reopen", "extend"):
        body["reason"] = sent.reason
    if closes_on:
        body["closes_on"] = closes_on
    return sent, {}, body


def refused_fields(details: dict, message: str) -> dict:
    """The contracts service's 422 on the form's fields (a criterion of the filter named as the filter)."""
    errors = field_errors({("scope" if name.startswith("filter") else name): detail
                           for name, detail in (details or {}).items()}, LABELS)
    for name in ("contract_ids", "selection"):
        if name in errors:
            errors["scope"] = errors.pop(name)
    return errors or {"_": message}


def summary(answer: dict, campaign_id: str, back: str) -> dict:
    """What the summary page shows, small enough for the session: the counts, and the first SHOWN contracts done
    and refused (with the reason)."""
    def who(item: dict) -> dict:
        return {"contract_id": item.get("contract_id"), "name": item.get("name") or "",
                "ej": f"{item.get('ej_finess', '')} - {item.get('ej_raison_sociale', '')}".strip(" -")}

    return {"campaign_id": campaign_id, "back": back, "action": answer["action"],
            "action_label": ACTIONS[answer["action"]], "done_label": DONE[answer["action"]],
            "selected": answer["selected"], "counts": answer["counts"],
            "done": [{**who(item), "recipients": item.get("recipients")} for item in answer["done"][:SHOWN]],
            "refused": [{**who(item), "reason": item["reason"]} for item in answer["refused"][:SHOWN]]}
