"""The helps to entering data on an indicator's form (issue 18, docs/data-entry.md), as the page shows them: the
person's draft put back in the form's fields, what the form sends as a draft, last campaign's value beside each
field (and the « écart toléré » it is measured with), the text and yes/no answers last campaign's can pre-fill,
and the refused « À suivre » note kept for the form. Used by gateway/ui/contracts.py and gateway/ui/entry.py."""

from flask import request, session

from gateway.ui.french import NA, french_number, moment
from gateway.ui.indicator_form import input_value

PREFILLED_KINDS = ("text", "yes_no")


def saved_at(draft: dict) -> str:
    """« 02/12/2026 à 10h42 », Paris time."""
    return moment(draft.get("saved_at"))


def draft_status(draft: dict) -> str:
    """The form's status line once a draft is kept: « Brouillon enregistré à 10h42 »."""
    return f"Brouillon enregistré à {saved_at(draft).rpartition(' à ')[2]}"


def draft_values(indicator: dict, draft: dict) -> dict:
    """The form's fields (name → text) as the draft keeps them: its answers as typed, « Non applicable » ticked."""
    answers = draft.get("answers") or {}
    values = {}
    for question in indicator["questions"]:
        typed = answers.get(question["code"])
        values[f"na-{question['code']}"] = typed == NA
        if typed in (None, NA):
            typed = ""
        elif not isinstance(typed, str):  # a draft sent through the API: typed the French way
            typed = input_value({**question, "value": typed})
        values[f"q-{question['code']}"] = typed
    values["comment"] = draft.get("comment") or ""
    return values


def typed_draft() -> dict:
    """The draft the form sends (« Enregistrer le brouillon », the autosave): each question's field as typed
    (« Non applicable » ticked: NA), the comment; the contracts service checks the codes and the sizes."""
    answers = {name[2:]: value for name, value in request.form.items() if name.startswith("q-")}
    answers.update({name[3:]: NA for name, value in request.form.items() if name.startswith("na-") and value == NA})
    return {"answers": answers, "comment": request.form.get("comment", "")}


def previous_hint(question: dict, previous: dict | None) -> str:
    """Beside the field: « Campagne 2022 : 48 », and the tolerance measured from it."""
    if not previous or question["code"] not in previous["values"]:
        return ""
    text = f"Campagne {previous['evaluated_year']} : {previous['values'][question['code']]['display']}"
    if question.get("tolerance") is not None:
        text += (f" (écart toléré : {french_number(question['tolerance'])} % ; au-delà, un commentaire est "
                 "obligatoire)")
    return text + "."


def tolerance_watch(question: dict, previous: dict | None) -> dict | None:
    """What the page's script needs to warn as one types (the same rule the contracts service applies on
    « Enregistrer », services/contracts/tolerance.py): last campaign's number and the question's « écart toléré »."""
    if question.get("tolerance") is None or not previous or question["code"] not in previous["values"]:
        return None
    value = previous["values"][question["code"]]["value"]
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    return {"previous": value, "tolerance": question["tolerance"], "year": previous["evaluated_year"],
            "previous_shown": previous["values"][question["code"]]["display"],
            "tolerance_shown": french_number(question["tolerance"])}


def prefill(indicator: dict) -> dict:
    """Field name → last campaign's answer as typed, for the text and yes/no questions it answered."""
    previous = indicator.get("previous")
    if not previous:
        return {}
    return {f"q-{q['code']}": input_value({**q, "value": previous["values"][q["code"]]["value"]})
            for q in indicator["questions"]
            if q["kind"] in PREFILLED_KINDS and q["code"] in previous["values"]
            and previous["values"][q["code"]]["value"] != NA}


def flag_refusal_for(at: str) -> dict:
    """The refused « À suivre » note kept for the indicator at `at` ({"message", "note"}), once; {} if none."""
    left = session.get("flag_refusal")
    if not left or left.get("at") != at:
        return {}
    session.pop("flag_refusal")
    return left
