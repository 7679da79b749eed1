"""Self-evaluation rules (guide 000), free of Flask, SQLAlchemy and I/O.

A campaign's *template* lists indicators; each indicator holds questions of a kind (number,
percentage, yes/no, date, text, choice list), required or optional, with bounds, an expected range
outside which a comment is required, and simple cross-question rules. An indicator's *dot* for a
user is GRISE (not accessible to them), ROUGE (a required question unanswered) or VERTE."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from ecars_common import values as value_rules
from services.contracts import tolerance

KINDS = ("number", "percentage", "yes_no", "date", "text", "choice")
KIND_LABELS = {"number": "nombre", "percentage": "pourcentage", "yes_no": "oui/non", "date": "date",
               "text": "texte", "choice": "liste de choix"}
RULE_TYPES = {"lte": "≤", "lt": "<", "gte": "≥", "gt": ">", "eq": "="}
NA = "NA"  # « Non applicable », where a question allows it: counts as filled, needs a comment
GRISE, ROUGE, VERTE = "GRISE", "ROUGE", "VERTE"
AUTO_EVALUATION, CONSULTATION = "AUTO-EVALUATION", "CONSULTATION"
MAX_TEXT = 5000


class TemplateError(ValueError):
    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} erreur(s) dans la trame")
        self.errors = errors


@dataclass(frozen=True)
class Question:
    code: str
    label: str
    kind: str
    required: bool = True
    min: float | None = None
    max: float | None = None
    expected_min: float | None = None
    expected_max: float | None = None
    allow_na: bool = False
    choices: tuple[str, ...] = ()
    integer: bool = False  # a count (persons, meetings): 4,5 is refused
    unit: str = ""  # stated in the hint and the bounds' messages: « personnes », « jours », « € »
    not_future: bool = False  # a date of an event that took place: not after today
    tolerance: float | None = None  # % of last campaign's value beyond which a comment is asked (tolerance.py)

    def number_rule(self) -> value_rules.NumberRule:
        return value_rules.NumberRule.of(self.integer, self.min, self.max, "" if self.kind == "percentage"
                                         else self.unit)


@dataclass(frozen=True)
class Rule:
    type: str
    left: str
    right: str


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    category: str
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...] = ()

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions if q.code == code), None)


# -- the template ---------------------------------------------------------------------------------

def parse_template(raw) -> list[Indicator]:
    """Check a template document; every error is named with its place (`indicators[2].questions[0].kind`).
    Nothing is accepted unless everything is right."""
    errors: list[dict] = []

    def err(where: str, message: str) -> None:
        errors.append({"where": where, "message": message})

    if not isinstance(raw, dict) or not isinstance(raw.get("indicators"), list) or not raw["indicators"]:
        raise TemplateError([{"where": "indicators", "message": "une liste d'indicateurs non vide est attendue"}])
    indicators, seen = [], set()
    for i, item in enumerate(raw["indicators"]):
        here = f"indicators[{i}]"
        if not isinstance(item, dict):
            err(here, "un objet est attendu")
            continue
        code, label = _text(item.get("code")), _text(item.get("label"))
        if not code:
            err(f"{here}.code", "obligatoire")
        elif code in seen:
            err(f"{here}.code", f"le code {code} est déjà utilisé")
        seen.add(code)
        if not label:
            err(f"{here}.label", "obligatoire")
        questions = _parse_questions(item.get("questions"), here, err)
        rules = _parse_rules(item.get("rules", []), here, {q.code for q in questions}, err)
        indicators.append(Indicator(code, label, _text(item.get("category")), tuple(questions), tuple(rules)))
    if errors:
        raise TemplateError(errors)
    return indicators


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value, where: str, err) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        err(where, "un nombre est attendu")
        return None
    return float(value)


def _parse_questions(raw, here: str, err) -> list[Question]:
    if not isinstance(raw, list) or not raw:
        err(f"{here}.questions", "au moins une question est attendue")
        return []
    questions, seen = [], set()
    for j, item in enumerate(raw):
        where = f"{here}.questions[{j}]"
        if not isinstance(item, dict):
            err(where, "un objet est attendu")
            continue
        code, label, kind = _text(item.get("code")), _text(item.get("label")), item.get("kind")
        if not code:
            err(f"{where}.code", "obligatoire")
        elif code in seen:
            err(f"{where}.code", f"le code {code} est déjà utilisé dans cet indicateur")
        seen.add(code)
        if not label:
            err(f"{where}.label", "obligatoire")
        if kind not in KINDS:
            err(f"{where}.kind", f"valeurs possibles : {', '.join(KINDS)}")
        bounds = {name: _number(item.get(name), f"{where}.{name}", err)
                  for name in ("min", "max", "expected_min", "expected_max")}
        if kind == "percentage":
            bounds["min"] = 0.0 if bounds["min"] is None else bounds["min"]
            bounds["max"] = 100.0 if bounds["max"] is None else bounds["max"]
        if bounds["min"] is not None and bounds["max"] is not None and bounds["min"] > bounds["max"]:
            err(f"{where}.min", "min est supérieur à max")
        choices = item.get("choices", [])
        if kind == "choice" and (not isinstance(choices, list) or not choices
                                 or not all(isinstance(c, str) and c.strip() for c in choices)):
            err(f"{where}.choices", "une liste de choix (textes) est attendue")
            choices = []
        flags = {name: item.get(name, default) for name, default in
                 (("required", True), ("allow_na", False), ("integer", False), ("not_future", False))}
        for name, value in flags.items():
            if not isinstance(value, bool):
                err(f"{where}.{name}", "true ou false")
        if flags["integer"] is True and kind != "number":
            err(f"{where}.integer", "seulement pour une question de type number")
        if flags["not_future"] is True and kind != "date":
            err(f"{where}.not_future", "seulement pour une question de type date")
        unit = item.get("unit", "")
        if not isinstance(unit, str) or len(unit) > 30:
            err(f"{where}.unit", "un texte d'au plus 30 caractères est attendu")
            unit = ""
        for name in ("min", "max"):
            if bounds[name] is not None and abs(bounds[name]) > value_rules.MAXIMUM:
                err(f"{where}.{name}", f"au plus {value_rules.french(value_rules.MAXIMUM)} en valeur absolue")
        allowed = tolerance_of(item.get("tolerance"), kind, f"{where}.tolerance", err)
        questions.append(Question(code, label, kind if kind in KINDS else "text", flags["required"] is True,
                                  tolerance=allowed,
                                  allow_na=flags["allow_na"] is True, integer=flags["integer"] is True,
                                  unit=unit.strip(), not_future=flags["not_future"] is True,
                                  choices=tuple(c.strip() for c in choices) if kind == "choice" else (), **bounds))
    return questions


def tolerance_of(raw, kind, where: str, err) -> float | None:
    """A question's « écart toléré » (% of last campaign's value, 0 to 1000), for a number or a percentage only."""
    value = _number(raw, where, err)
    if value is not None and kind not in ("number", "percentage"):
        err(where, "seulement pour une question de type number ou percentage")
    elif value is not None and not 0 <= value <= 1000:
        err(where, "un pourcentage entre 0 et 1000 est attendu")
    return value


def _parse_rules(raw, here: str, codes: set[str], err) -> list[Rule]:
    if not isinstance(raw, list):
        err(f"{here}.rules", "une liste est attendue")
        return []
    rules = []
    for k, item in enumerate(raw):
        where = f"{here}.rules[{k}]"
        if not isinstance(item, dict) or item.get("type") not in RULE_TYPES:
            err(where, f"type attendu : {', '.join(RULE_TYPES)}")
            continue
        if item.get("left") not in codes or item.get("right") not in codes:
            err(where, "left et right doivent être des codes de questions de l'indicateur")
            continue
        rules.append(Rule(item["type"], item["left"], item["right"]))
    return rules


def template_as_json(indicators: list[Indicator]) -> dict:
    return {"indicators": [
        {"code": i.code, "label": i.label, "category": i.category,
         "questions": [{k: (list(v) if isinstance(v, tuple) else v) for k, v in q.__dict__.items()}
                       for q in i.questions],
         "rules": [r.__dict__ for r in i.rules]} for i in indicators]}


def template_from_json(stored: dict) -> list[Indicator]:
    return [Indicator(i["code"], i["label"], i.get("category", ""),
                      tuple(Question(**{**q, "choices": tuple(q.get("choices", ()))}) for q in i["questions"]),
                      tuple(Rule(**r) for r in i.get("rules", []))) for i in stored["indicators"]]


# -- answers --------------------------------------------------------------------------------------

@dataclass
class Checked:
    values: dict = field(default_factory=dict)  # question code → normalised value (None: unanswered)
    errors: dict = field(default_factory=dict)  # question code (or "comment") → French message


def normalise(question: Question, raw, today: date | None = None):
    """A typed value from what the user sent; raises ValueError with a French message. Numbers are checked as
    decimals (ecars_common.values: the stated maximum, the question's bounds, whole numbers), never as floats.
    `today` (Europe/Paris): a date that must not be in the future is checked against it."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if question.allow_na and raw == NA:
        return NA
    kind = question.kind
    if kind in ("number", "percentage"):
        return value_rules.as_json(value_rules.check_number(question.number_rule(), raw))
    if kind == "yes_no":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("oui", "non", "true", "false"):
            return raw.strip().lower() in ("oui", "true")
        raise ValueError("répondez oui ou non")
    if kind == "date":
        if isinstance(raw, str):
            for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
                try:
                    day = datetime.strptime(raw.strip(), pattern).date()
                except ValueError:
                    continue
                if question.not_future and today is not None:
                    value_rules.check_not_future(day, today)
                return day.isoformat()
        raise ValueError("une date est attendue (JJ/MM/AAAA)")
    if kind == "choice":
        if raw not in question.choices:
            raise ValueError(f"choisissez parmi : {', '.join(question.choices)}")
        return raw
    if not isinstance(raw, str):
        raise ValueError("un texte est attendu")
    if len(raw) > MAX_TEXT:
        raise ValueError(f"au plus {MAX_TEXT} caractères")
    return raw.strip()


def fmt(number: float) -> str:
    return value_rules.french(number)


def check_answers(indicator: Indicator, raw_answers: dict, comment: str, today: date | None = None,
                  previous: dict | None = None) -> Checked:
    """Validate every answer of an indicator and the rules between them; nothing is saved unless
    `errors` is empty. `today`: for the dates that must not be in the future. `previous`: last campaign's values
    (question code → value), a value beyond its question's tolerance from them asks for a comment."""
    result = Checked()
    for code in raw_answers:
        if indicator.question(code) is None:
            result.errors[code] = "question inconnue pour cet indicateur"
    for question in indicator.questions:
        try:
            result.values[question.code] = normalise(question, raw_answers.get(question.code), today)
        except ValueError as exc:
            result.errors[question.code] = f"« {question.label} » : {exc}"
    if result.errors:
        return result
    needs_comment = []
    for question in indicator.questions:
        value = result.values[question.code]
        if value == NA:
            needs_comment.append(f"« {question.label} » est déclarée non applicable")
        elif isinstance(value, int | float) and not isinstance(value, bool) and (
                (question.expected_min is not None and value < question.expected_min)
                or (question.expected_max is not None and value > question.expected_max)):
            needs_comment.append(f"« {question.label} » est hors de la plage attendue "
                                 f"({fmt(question.expected_min) if question.expected_min is not None else '…'} – "
                                 f"{fmt(question.expected_max) if question.expected_max is not None else '…'})")
        elif (beyond := tolerance.beyond(question, value, (previous or {}).get(question.code))) is not None:
            needs_comment.append(beyond)
    if needs_comment and not comment.strip():
        result.errors["comment"] = "Un commentaire est obligatoire : " + " ; ".join(needs_comment) + "."
    for rule in indicator.rules:
        left, right = result.values[rule.left], result.values[rule.right]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right)):
            continue
        holds = {"lte": left <= right, "lt": left < right, "gte": left >= right, "gt": left > right,
                 "eq": left == right}[rule.type]
        if not holds:
            result.errors[rule.left] = (f"« {indicator.question(rule.left).label} » doit être "
                                        f"{RULE_TYPES[rule.type]} « {indicator.question(rule.right).label} »")
    return result


# -- dots, fill percentage, closing -----------------------------------------------------------------

def required_filled(indicator: Indicator, values: dict) -> tuple[int, int]:
    required = [q for q in indicator.questions if q.required]
    return sum(1 for q in required if values.get(q.code) is not None), len(required)


def dot(indicator: Indicator, values: dict, accessible: bool) -> str:
    if not accessible:
        return GRISE
    filled, required = required_filled(indicator, values)
    return VERTE if filled == required else ROUGE


def required_questions(indicators: list[Indicator]) -> int:
    """The required questions of a template: a contract's fill percentage is its filled ones over these."""
    return sum(1 for indicator in indicators for q in indicator.questions if q.required)


def fill_percentage(indicators: list[Indicator], values_by_indicator: dict[str, dict]) -> int:
    """Filled required questions / required questions over every indicator, rounded down, so that 100
    means everything is filled."""
    filled = required = 0
    for indicator in indicators:
        f, r = required_filled(indicator, values_by_indicator.get(indicator.code, {}))
        filled, required = filled + f, required + r
    return 100 if required == 0 else (100 * filled) // required


def missing(indicators: list[Indicator], values_by_indicator: dict[str, dict]) -> list[dict]:
    out = []
    for indicator in indicators:
        values = values_by_indicator.get(indicator.code, {})
        absent = [q.label for q in indicator.questions if q.required and values.get(q.code) is None]
        if absent:
            out.append({"indicator": indicator.code, "label": indicator.label, "questions": absent})
    return out


def receipt_hash(snapshot: dict) -> str:
    """sha256 of the snapshot's canonical JSON: anyone holding the snapshot can recompute it."""
    canonical = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def display(question: Question, value) -> str:
    """A value as the Word export and the screen show it."""
    if value is None:
        return ""
    if value == NA:
        return "Non applicable"
    if question.kind == "yes_no":
        return "Oui" if value else "Non"
    if question.kind == "date":
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    if question.kind == "percentage":
        return f"{fmt(value)} %"
    if question.kind == "number":
        return fmt(value)
    return str(value)
