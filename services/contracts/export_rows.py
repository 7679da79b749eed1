"""The rows of a campaign's export for analysts (docs/campaigns.md « Exports »), free of I/O: the header and the
rows of one contract, in either shape.

- « long »: one row per contract × indicator question (an indicator of one question, most of them, is one row per
  contract × indicator), with the indicator's comment and when it was last saved;
- « wide »: one row per contract, a column per indicator question and one for each indicator's comment.

Values are typed (numbers stay numbers, dates dates, « Oui »/« Non »); the file writers (ecars_common/table_files.py)
render them for CSV or XLSX."""

from dataclasses import dataclass
from datetime import date, datetime

from services.contracts import domain

SHAPES = ("long", "wide")
ACCEPTE = "ACCEPTE"
CONTRACT_HEADER = ["FINESS juridique", "Raison sociale", "Département", "Contrat", "Statut", "Remplissage (%)",
                   "Date de clôture", "Clos le", "Dernière saisie le"]
# Last on every row, so the columns before keep their places: the « Messages » exchanged on the contract (the ARS's
# private notes not counted, exports.COLUMNS) and when the last was written.
MESSAGES_HEADER = ["Messages", "Dernier message le"]
LONG_HEADER = ["Code indicateur", "Indicateur", "Catégorie", "Question", "Valeur", "Commentaire", "Saisi le"]
FLAG_HEADER = "À suivre"  # the ARS's note on the indicator (long), or every flagged indicator's (wide): flags.py


@dataclass(frozen=True)
class Saved:
    """An indicator's saved answer: the values by question code, the comment, when."""
    answers: dict
    comment: str
    updated_at: datetime | None


def header(indicators: list[domain.Indicator], shape: str) -> list[str]:
    if shape == "long":
        return CONTRACT_HEADER + LONG_HEADER + MESSAGES_HEADER + [FLAG_HEADER]
    columns = []
    for indicator in indicators:
        columns += [f"{indicator.code} – {question.label}" for question in indicator.questions]
        columns.append(f"{indicator.code} – Commentaire")
    return CONTRACT_HEADER + columns + MESSAGES_HEADER + [FLAG_HEADER]


def status_of(contract) -> str:
    """The status as the progress table filters it: ACCEPTE is a closed contract the ARS accepted."""
    if contract["status"] == domain.CONSULTATION and contract["review"] == ACCEPTE:
        return ACCEPTE
    return contract["status"]


def value(question: domain.Question, stored):
    """A cell: None (empty), a number, a date, or a text as the screen shows it."""
    if stored is None:
        return None
    if stored == domain.NA:
        return "Non applicable"
    if question.kind in ("number", "percentage"):
        return stored
    if question.kind == "date":
        return date.fromisoformat(stored)
    if question.kind == "yes_no":
        return "Oui" if stored else "Non"
    return str(stored)


def contract_cells(contract, saved: dict[str, Saved], closed_at: datetime | None) -> list:
    last = max((s.updated_at for s in saved.values() if s.updated_at is not None), default=None)
    return [contract["ej_finess"], contract["ej_raison_sociale"], contract["ej_departement"], contract["name"],
            status_of(contract), contract["fill_percentage"], contract["closes_on"], closed_at, last]


def rows(indicators: list[domain.Indicator], shape: str, contract, saved: dict[str, Saved],
         closed_at: datetime | None, flags: dict[str, str] | None = None) -> list[list]:
    """The rows of one contract; `saved`: indicator code → Saved (indicators never saved are absent); `flags`:
    indicator code → its « À suivre » note."""
    flags = flags or {}
    first = contract_cells(contract, saved, closed_at)
    messages = [contract.get("messages", 0), contract.get("last_message_at")]
    if shape == "wide":
        cells = list(first)
        for indicator in indicators:
            mine = saved.get(indicator.code)
            answers = mine.answers if mine else {}
            cells += [value(question, answers.get(question.code)) for question in indicator.questions]
            cells.append(mine.comment if mine and mine.comment else None)
        return [cells + messages + [" ; ".join(f"{code} : {note}" for code, note in sorted(flags.items())) or None]]
    out = []
    for indicator in indicators:
        mine = saved.get(indicator.code)
        answers = mine.answers if mine else {}
        comment = (mine.comment or None) if mine else None  # on each question's row: a filter keeps it
        for question in indicator.questions:
            out.append(first + [indicator.code, indicator.label, indicator.category, question.label,
                                value(question, answers.get(question.code)), comment,
                                mine.updated_at if mine else None] + messages + [flags.get(indicator.code)])
    return out
