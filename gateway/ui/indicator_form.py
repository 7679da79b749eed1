"""An indicator's form as the page shows it (guide 000, §4–5): each question's control value typed the French way,
its hint from the rules the contracts service states, what was typed read back (« Non applicable » included), the
indicator's history in words, and the document formats
the documents service accepts. Used by gateway/ui/contracts.py."""

from flask import request

from ecars_common.errors import ApiError
from gateway.ui.french import NA, french_number, moment, shown
from gateway.ui.session import referential


def accepted_formats() -> list[str]:
    """The extensions the documents service accepts (GET /formats), for the hint and the file picker; none
    shown when it cannot say (its own check still applies)."""
    try:
        return [item["extension"] for item in referential("documents", "/formats")["items"]]
    except ApiError:
        return []


def input_value(question: dict) -> str:
    """What the question's control holds when the page opens (the stored value, typed the French way)."""
    value = question.get("value")
    if value is None or value == NA:
        return ""
    if question["kind"] == "yes_no":
        return "oui" if value else "non"
    if question["kind"] in ("number", "percentage"):
        return french_number(value)
    return str(value)


def question_hint(question: dict) -> str:
    """The question's rules as the contracts service states them (`rule`: whole number or decimals, bounds,
    unit), its expected range, and for a date only what the native date picker does not say itself."""
    parts = []
    if question["kind"] in ("number", "percentage"):
        if question.get("rule"):
            parts.append(question["rule"] + (" (en %)" if question["kind"] == "percentage" else ""))
        parts.append("Exemple : 92,5" if question["kind"] == "percentage" else
                     "Exemple : 12" if question.get("integer") else "Exemple : 12,5")
        low, high = question.get("expected_min"), question.get("expected_max")
        if low is not None or high is not None:
            parts.append(f"Plage attendue : {french_number(low) if low is not None else '…'} – "
                         f"{french_number(high) if high is not None else '…'} (en dehors, un commentaire est "
                         "obligatoire)")
    elif question["kind"] == "date" and question.get("not_future"):
        parts.append("Au plus tard aujourd'hui")
    if question.get("required"):
        parts.append("Obligatoire pour clore la saisie")
    return "".join(f"{part}. " for part in parts).strip()


def audit_rows(indicator: dict) -> list[dict]:
    """The indicator's history as the page shows it; each field under the name contracts gives it (`label`)."""
    return [{"at": moment(item["at"]), "by": item.get("by") or "", "field": item["label"],
             "old": shown(item.get("old")), "new": shown(item.get("new")), "reason": item.get("reason") or ""}
            for item in indicator.get("audit", [])]


def stored_values(indicator: dict) -> dict:
    """The form's fields as the indicator is saved (field name → text)."""
    values = {f"q-{q['code']}": input_value(q) for q in indicator["questions"]}
    values.update({f"na-{q['code']}": q.get("value") == NA for q in indicator["questions"]})
    values["comment"] = indicator.get("comment") or ""
    return values


def typed_values(indicator: dict) -> tuple[dict, dict]:
    """(the form's fields as typed, the answers to send) from the indicator's form."""
    values, answers = {}, {}
    for question in indicator["questions"]:
        typed = request.form.get(f"q-{question['code']}", "")
        not_applicable = question.get("allow_na") and request.form.get(f"na-{question['code']}") == NA
        values[f"q-{question['code']}"] = typed
        values[f"na-{question['code']}"] = bool(not_applicable)
        answers[question["code"]] = NA if not_applicable else typed
    values["comment"] = request.form.get("comment", "")
    return values, answers
