"""CPOM rules (guide 004), free of Flask, SQLAlchemy and I/O: FINESS numbers, the organisations CSV,
the CPOM's phases, competence and planning, the objectives grid and its indicators, the rate rounding,
what the gestionnaire must fill in before « Transmettre les informations », and what changed between two
transmissions. See docs/cpom.md."""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from ecars_common import values

# -- FINESS ---------------------------------------------------------------------------------------

# Départements of metropolitan France as FINESS spells them (Corsica is 2A / 2B, never 20).
METROPOLE = tuple(f"{n:02d}" for n in range(1, 20)) + ("2A", "2B") + tuple(f"{n:02d}" for n in range(21, 96))
# Overseas: FINESS writes 97 + 0 + the overseas digit (9701… Guadeloupe, 9702… Martinique, 9703… Guyane,
# 9704… La Réunion, 9705… Saint-Pierre-et-Miquelon, 9706… Mayotte's old numbers), and 98 for Mayotte.
OUTRE_MER_DIGITS = "12345678"
DEPARTEMENTS = METROPOLE + tuple(f"97{d}" for d in OUTRE_MER_DIGITS)


def finess_problem(value) -> str | None:
    """Why `value` is not a FINESS number (French, for the user), or None if it is one.

    9 characters: the département (01–19, 2A, 2B, 21–95; 970d for overseas département 97d; 98 for
    Mayotte), a sequence number, and a Luhn check digit over the 9 characters, checked when they are all
    digits (the Corsican 2A / 2B numbers are not checked: the Luhn key is defined on digits only)."""
    if not isinstance(value, str) or not value:
        return "le numéro FINESS est obligatoire"
    if len(value) != 9:
        return f"un numéro FINESS a 9 caractères ({len(value)} reçus)"
    if not re.fullmatch(r"[0-9]{9}|2[AB][0-9]{7}", value):
        return "un numéro FINESS ne contient que des chiffres (ou 2A / 2B pour la Corse)"
    if finess_departement(value) is None:
        return f"le département « {value[:2] if value[:2] != '97' else value[:4]} » n'existe pas dans FINESS"
    if value.isdigit() and not luhn_ok(value):
        return "la clé de contrôle (dernier chiffre, algorithme de Luhn) est fausse"
    return None


def finess_departement(value: str) -> str | None:
    """The département a FINESS number belongs to ("22", "2A", "971", "976"), or None."""
    head = value[:2]
    if head in METROPOLE:
        return head
    if head == "97" and value[2] == "0" and value[3] in OUTRE_MER_DIGITS:
        return f"97{value[3]}"
    if head == "98":
        return "976"  # Mayotte
    return None


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def luhn_key(first_eight: str) -> str:
    """The check digit that completes eight digits into a valid FINESS number."""
    return next(d for d in "0123456789" if luhn_ok(first_eight + d))


# -- reference lists ------------------------------------------------------------------------------

REGIONS = ("Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté", "Bretagne", "Centre-Val de Loire", "Corse", "Grand Est",
           "Guadeloupe", "Guyane", "Hauts-de-France", "Île-de-France", "La Réunion", "Martinique", "Mayotte",
           "Normandie", "Nouvelle-Aquitaine", "Occitanie", "Pays de la Loire", "Provence-Alpes-Côte d'Azur")


def simplify(text: str) -> str:
    """Lower case, no accents, one space: for matching names typed by people."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().replace("\u2019", "'")
    return " ".join(re.sub(r"[\s_-]+", " ", text).split())


_REGION_KEYS = {simplify(name): name for name in REGIONS}


def canonical_region(text: str) -> str | None:
    """The official region name for `text` (case and accents ignored), or None."""
    return _REGION_KEYS.get(simplify(text))


PHONE = re.compile(r"^(0[1-9]\d{8}|\+\d{8,15})$")


def normalise_phone(text: str) -> str | None:
    """"02 96 27 20 27" → "0296272027"; None if it is not a phone number."""
    compact = re.sub(r"[\s.\-()]", "", text)
    return compact if PHONE.match(compact) else None


EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def is_email(text: str) -> bool:
    return len(text) <= 254 and bool(EMAIL.match(text))


# -- the CPOM: phases, competence, validation -----------------------------------------------------

PHASES = (("preparation", "1 Préparation"), ("lancement", "2 Lancement"), ("diagnostic", "3 Diagnostic"),
          ("negociation", "4 Négociation"), ("signature", "5 Signature"), ("suivi", "6 Suivi"))
PHASE_LABELS = dict(PHASES)
PHASE_CODES = tuple(code for code, _ in PHASES)
COMPETENCES = ("ARS", "CD", "Conjointe")
AUTORITES = ("ARS", "CD")


def phase_rank(code: str) -> int:
    return PHASE_CODES.index(code) + 1


def required_validations(competence: str) -> tuple[str, ...]:
    """Who must validate the CPOM: the ARS, the CD, or both for a « Conjointe » CPOM."""
    return {"ARS": ("ARS",), "CD": ("CD",), "Conjointe": ("ARS", "CD")}[competence]


def competent_authorities(competence: str) -> tuple[str, ...]:
    return required_validations(competence)


def is_validated(competence: str, validation_ars: bool, validation_cd: bool) -> bool:
    given = {"ARS": validation_ars, "CD": validation_cd}
    return all(given[who] for who in required_validations(competence))


def transition_problem(current: str, target: str, validated: bool) -> str | None:
    """The phases are walked one step at a time: to the next one, or back to the previous one (to
    correct a mistake). « 5 Signature » needs the CPOM validated by every competent authority."""
    if target == current:
        return f"le CPOM est déjà en phase « {PHASE_LABELS[current]} »"
    step = phase_rank(target) - phase_rank(current)
    if step not in (1, -1):
        return (f"depuis « {PHASE_LABELS[current]} », le statut ne peut passer qu'à la phase suivante ou revenir à la "
                "précédente")
    if target == "signature" and step == 1 and not validated:
        return "le passage en « 5 Signature » demande la validation du CPOM par chaque autorité compétente"
    return None


# -- the planning ---------------------------------------------------------------------------------

PLANNING = (
    ("date_effet", "Date d'effet"),
    ("date_echeance", "Date d'échéance"),
    ("annee_dialogue_gestion", "Année prévisionnelle de dialogue de gestion"),
    ("phase_diagnostic_planifiee", "Phase de diagnostic planifiée"),
    ("phase_negociation_planifiee", "Phase de négociation planifiée"),
    ("date_signature_cible", "Date de signature cible"),
    ("date_echeance_initiale", "Date d'échéance initiale"),
    ("fin_diagnostic", "Fin de diagnostic"),
    ("fin_negociation", "Fin de négociation"),
)
PLANNING_LABELS = dict(PLANNING)
PLANNING_DATES = tuple(name for name, _ in PLANNING if name != "annee_dialogue_gestion")
FIRST_YEAR, LAST_YEAR = 1990, 2100

# (later field, earlier field, strict): the later one must come after the earlier one when both are set.
PLANNING_ORDER = (
    ("date_echeance", "date_effet", True),
    ("phase_negociation_planifiee", "phase_diagnostic_planifiee", False),
    ("date_signature_cible", "phase_negociation_planifiee", False),
    ("fin_diagnostic", "phase_diagnostic_planifiee", False),
    ("fin_negociation", "phase_negociation_planifiee", False),
    ("fin_negociation", "fin_diagnostic", False),
)


def parse_planning_value(name: str, raw) -> tuple[object, str | None]:
    """(value, problem) for one planning field sent by a client: an ISO date AAAA-MM-JJ or null;
    the year an integer or null (0, as the guide shows an unset year, means null)."""
    if raw is None or raw == "":
        return None, None
    if name == "annee_dialogue_gestion":
        if isinstance(raw, str) and raw.strip().isdigit():
            raw = int(raw.strip())
        if isinstance(raw, bool) or not isinstance(raw, int):
            return None, "une année (nombre entier) est attendue"
        if raw == 0:
            return None, None
        if not FIRST_YEAR <= raw <= LAST_YEAR:
            return None, f"l'année doit être comprise entre {FIRST_YEAR} et {LAST_YEAR}"
        return raw, None
    if not isinstance(raw, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()):
        return None, "une date au format AAAA-MM-JJ est attendue"
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        return None, "cette date n'existe pas"
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        return None, f"l'année doit être comprise entre {FIRST_YEAR} et {LAST_YEAR}"
    return value, None


def planning_problems(planning: dict) -> dict[str, str]:
    """Consistency of a whole planning ({field: date | int | None}); each problem names its field."""
    problems: dict[str, str] = {}
    for later, earlier, strict in PLANNING_ORDER:
        a, b = planning.get(later), planning.get(earlier)
        if a is None or b is None or later in problems:
            continue
        if a < b or (strict and a == b):
            relation = "postérieure à" if strict else "postérieure ou égale à"
            problems[later] = f"doit être {relation} « {PLANNING_LABELS[earlier]} » ({b.strftime('%d/%m/%Y')})"
    year, start, end = planning.get("annee_dialogue_gestion"), planning.get("date_effet"), planning.get("date_echeance")
    if year is not None and start is not None and end is not None and not start.year <= year <= end.year:
        problems["annee_dialogue_gestion"] = (f"doit être comprise dans la durée du CPOM ({start.year} à {end.year})")
    return problems


# -- the organisations CSV ------------------------------------------------------------------------

CSV_COLUMNS = ("type", "finess", "nom", "adresse", "telephone", "finess_ej", "region", "domaine")
CSV_REQUIRED_COLUMNS = ("type", "finess", "nom", "adresse")
CSV_ALIASES = {"raison_sociale": "nom", "finess_juridique": "finess_ej", "tel": "telephone"}
MAX_TEXT = 300


@dataclass
class CsvRow:
    line: int
    type: str
    finess: str
    values: dict
    errors: dict = field(default_factory=dict)


class CsvError(ValueError):
    """The file as a whole cannot be read (encoding, header)."""

    def __init__(self, message: str, details: dict):
        super().__init__(message)
        self.message = message
        self.details = details


def decode_csv(raw: bytes) -> str:
    """UTF-8 (with or without BOM); otherwise Windows-1252, what Excel writes in France."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            raise CsvError("Le fichier n'est ni en UTF-8 ni en Windows-1252.", {"fichier": "encodage inconnu"})


def _column_key(name: str) -> str:
    key = simplify(name).replace(" ", "_")
    return CSV_ALIASES.get(key, key)


def parse_organisations_csv(text: str, max_rows: int) -> list[CsvRow]:
    """Rows of the organisations file, each with its own errors (the caller refuses the whole file if any
    row has one). Separator `;` or `,` (whichever the header uses); header names ignore case and accents."""
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise CsvError("Le fichier est vide.", {"fichier": "vide"})
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text.lstrip("\r\n")), delimiter=delimiter)
    header = [_column_key(name) for name in next(reader)]
    unknown = [name for name in header if name not in CSV_COLUMNS]
    missing = [name for name in CSV_REQUIRED_COLUMNS if name not in header]
    if unknown or missing or len(set(header)) != len(header):
        details = {}
        if unknown:
            details["colonnes_inconnues"] = unknown
        if missing:
            details["colonnes_manquantes"] = missing
        if len(set(header)) != len(header):
            details["colonnes_en_double"] = sorted({h for h in header if header.count(h) > 1})
        raise CsvError("L'en-tête du fichier ne correspond pas aux colonnes attendues : "
                       + ", ".join(CSV_COLUMNS) + ".", details)
    rows: list[CsvRow] = []
    seen: dict[tuple[str, str], int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= max_rows:
            raise CsvError(f"Le fichier dépasse {max_rows} lignes.", {"fichier": f"au plus {max_rows} lignes"})
        row = _parse_row(line, header, cells)
        key = (row.type, row.finess)
        if row.finess and key in seen:
            row.errors.setdefault("finess", f"déjà présent à la ligne {seen[key]}")
        seen.setdefault(key, line)
        rows.append(row)
    if not rows:
        raise CsvError("Le fichier ne contient aucune ligne après l'en-tête.", {"fichier": "aucune ligne"})
    return rows


def _parse_row(line: int, header: list[str], cells: list[str]) -> CsvRow:
    errors: dict[str, str] = {}
    if len(cells) != len(header):
        errors["colonnes"] = f"{len(cells)} colonnes au lieu de {len(header)}"
    raw = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}
    kind = raw.get("type", "").upper()
    if kind not in ("EJ", "ET"):
        errors["type"] = "EJ ou ET attendu"
    finess = raw.get("finess", "").upper()
    if problem := finess_problem(finess):
        errors["finess"] = problem
    values: dict = {}
    for name in ("nom", "adresse"):
        if not raw.get(name):
            errors[name] = "obligatoire"
        elif len(raw[name]) > MAX_TEXT:
            errors[name] = f"au plus {MAX_TEXT} caractères"
        values[name] = raw.get(name, "")
    phone = raw.get("telephone", "")
    if phone:
        values["telephone"] = normalise_phone(phone)
        if values["telephone"] is None:
            errors["telephone"] = "numéro de téléphone invalide (10 chiffres, ex. 0296272027)"
    else:
        values["telephone"] = ""
    if kind == "ET":
        ej = raw.get("finess_ej", "").upper()
        if problem := finess_problem(ej):
            errors["finess_ej"] = problem
        values["finess_ej"] = ej
        region = canonical_region(raw.get("region", ""))
        if region is None:
            errors["region"] = "région inconnue" if raw.get("region") else "obligatoire pour un ET"
        values["region"] = region
        if not raw.get("domaine"):
            errors["domaine"] = "obligatoire pour un ET"
        elif len(raw["domaine"]) > 100:
            errors["domaine"] = "au plus 100 caractères"
        values["domaine"] = raw.get("domaine", "")
    elif kind == "EJ":
        for name in ("finess_ej", "region", "domaine"):
            if raw.get(name):
                errors[name] = "ne s'applique qu'aux lignes ET"
    return CsvRow(line=line, type=kind, finess=finess, values=values, errors=errors)


# -- objectives grid and indicators ---------------------------------------------------------------

MAX_ACTIONS = 5
TOO_MANY_ACTIONS = f"Vous pouvez renseigner jusqu'à {MAX_ACTIONS} actions par objectif."
INDICATOR_TYPES = (("quantitatif", "Quantitatif"), ("qualitatif", "Qualitatif"), ("taux", "Taux"),
                   ("oui_non", "Oui / Non"))
CATEGORIES = (("accompagnement", "Accompagnement"), ("soins", "Soins"), ("parcours", "Parcours"),
              ("cooperation", "Coopération"), ("pilotage_interne", "Pilotage interne"))
DECLINAISONS = (("et_par_et", "ET par ET"), ("cpom", "CPOM"))
TYPE_LABELS, CATEGORY_LABELS, DECLINAISON_LABELS = dict(INDICATOR_TYPES), dict(CATEGORIES), dict(DECLINAISONS)
CODE = re.compile(r"^[\w][\w .\-/]{0,39}$")
MAX_LABEL, MAX_LONG_TEXT, MAX_ELEMENTS_OG = 500, 5000, 20


class GridError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__(f"{len(errors)} erreur(s)")
        self.errors = errors


def _text(raw, where: str, errors: dict, required: bool = True, max_length: int = MAX_LABEL) -> str:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            errors[where] = "obligatoire"
        return ""
    if not isinstance(raw, str):
        errors[where] = "une chaîne de caractères est attendue"
        return ""
    if len(raw.strip()) > max_length:
        errors[where] = f"au plus {max_length} caractères"
    return raw.strip()


def _code(raw, where: str, errors: dict) -> str:
    code = _text(raw, where, errors, max_length=40)
    if code and where not in errors and not CODE.match(code):
        errors[where] = "lettres, chiffres, espaces, points, tirets (au plus 40 caractères)"
    return code


def _choice(raw, where: str, errors: dict, choices) -> str:
    codes = [code for code, _ in choices]
    if raw not in codes:
        errors[where] = "valeurs possibles : " + ", ".join(codes)
        return ""
    return raw


def parse_axe(raw, where: str, errors: dict) -> dict:
    if not isinstance(raw, dict):
        errors[where or "axe"] = "un objet est attendu"
        return {}
    prefix = f"{where}." if where else ""
    return {"code": _code(raw.get("code"), f"{prefix}code", errors),
            "libelle": _text(raw.get("libelle"), f"{prefix}libelle", errors)}


def parse_objectif(raw, where: str, errors: dict, perimeter: set[str]) -> dict:
    """An objective: code, libelle, description, perimetre ("tous" or a list of FINESS of ETs of the CPOM's
    perimeter), elements_og (the choices offered to the OG; empty = the option is off)."""
    if not isinstance(raw, dict):
        errors[where or "objectif"] = "un objet est attendu"
        return {}
    prefix = f"{where}." if where else ""
    item = {"code": _code(raw.get("code"), f"{prefix}code", errors),
            "libelle": _text(raw.get("libelle"), f"{prefix}libelle", errors),
            "description": _text(raw.get("description"), f"{prefix}description", errors, required=False,
                                 max_length=MAX_LONG_TEXT)}
    scope = raw.get("perimetre", "tous")
    if scope == "tous":
        item["perimetre_tous"], item["etablissements"] = True, []
    elif isinstance(scope, list) and scope and all(isinstance(f, str) for f in scope):
        unknown = [f for f in scope if f not in perimeter]
        if unknown:
            errors[f"{prefix}perimetre"] = "hors du périmètre du CPOM : " + ", ".join(unknown)
        elif len(set(scope)) != len(scope):
            errors[f"{prefix}perimetre"] = "un établissement est cité deux fois"
        item["perimetre_tous"], item["etablissements"] = False, list(dict.fromkeys(scope))
    else:
        errors[f"{prefix}perimetre"] = "« tous » ou une liste non vide de FINESS d'ET du CPOM"
        item["perimetre_tous"], item["etablissements"] = True, []
    elements = raw.get("elements_og", [])
    if not isinstance(elements, list) or len(elements) > MAX_ELEMENTS_OG or not all(
            isinstance(e, str) and e.strip() and len(e.strip()) <= 200 for e in elements):
        errors[f"{prefix}elements_og"] = f"une liste d'au plus {MAX_ELEMENTS_OG} libellés (200 caractères chacun)"
        elements = []
    elif len({e.strip() for e in elements}) != len(elements):
        errors[f"{prefix}elements_og"] = "un élément est cité deux fois"
    item["elements_og"] = [e.strip() for e in elements]
    return item


def parse_indicateur(raw, where: str, errors: dict) -> dict:
    if not isinstance(raw, dict):
        errors[where or "indicateur"] = "un objet est attendu"
        return {}
    prefix = f"{where}." if where else ""
    return {"code": _code(raw.get("code"), f"{prefix}code", errors),
            "libelle": _text(raw.get("libelle"), f"{prefix}libelle", errors),
            "type": _choice(raw.get("type"), f"{prefix}type", errors, INDICATOR_TYPES),
            "categorie": _choice(raw.get("categorie"), f"{prefix}categorie", errors, CATEGORIES),
            "declinaison": _choice(raw.get("declinaison"), f"{prefix}declinaison", errors, DECLINAISONS),
            "indications": _text(raw.get("indications"), f"{prefix}indications", errors, required=False,
                                 max_length=MAX_LONG_TEXT),
            "regles": parse_regles(raw.get("regles"), f"{prefix}regles", errors, raw.get("type"))}


RULES_BY_TYPE = {"quantitatif": ("entier", "minimum", "maximum", "unite"), "taux": ("partie_d_un_tout",)}


def parse_regles(raw, where: str, errors: dict, kind) -> dict:
    """The value rules an indicator's definition states (ecars_common.values checks them at each save):
    quantitatif {"entier": bool, "minimum": n, "maximum": n, "unite": text}; taux {"partie_d_un_tout": bool}
    (a part over a whole: never above 100 %). Absent: the shared maximum only."""
    if raw is None or raw == {}:
        return {}
    allowed = RULES_BY_TYPE.get(kind, ())
    if not isinstance(raw, dict):
        errors[where] = "un objet est attendu"
        return {}
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        errors[where] = (f"règles possibles pour ce type : {', '.join(allowed)}" if allowed
                         else "pas de règle de valeur pour ce type d'indicateur")
        return {}
    rules = {}
    for name in ("entier", "partie_d_un_tout"):
        if name in raw:
            if not isinstance(raw[name], bool):
                errors[f"{where}.{name}"] = "true ou false"
            rules[name] = raw[name] is True
    for name in ("minimum", "maximum"):
        if raw.get(name) is not None:
            try:
                rules[name] = values.as_json(values.parse_decimal(raw[name]))
            except values.ValueRefused as exc:
                errors[f"{where}.{name}"] = str(exc)
    if "minimum" in rules and "maximum" in rules and rules["minimum"] > rules["maximum"]:
        errors[f"{where}.minimum"] = "le minimum dépasse le maximum"
    if "unite" in raw:
        rules["unite"] = _text(raw["unite"], f"{where}.unite", errors, required=False, max_length=30)
    return rules


def number_rule(regles: dict) -> values.NumberRule:
    regles = regles or {}
    return values.NumberRule.of(regles.get("entier", False), regles.get("minimum"), regles.get("maximum"),
                                regles.get("unite", ""))


def rule_text(kind: str, regles: dict) -> str:
    """The rules as the indicator's page states them above its fields."""
    if kind == "quantitatif":
        return number_rule(regles).hint() + "."
    if kind == "taux":
        whole = " ; le numérateur (une partie) ne dépasse pas le dénominateur (le tout) : au plus 100 %"
        return ("Numérateur et dénominateur : " + number_rule({}).hint().lower()
                + (whole if (regles or {}).get("partie_d_un_tout") else "") + ".")
    return ""


def parse_grid(raw, perimeter: set[str]) -> list[dict]:
    """The grid document (docs/cpom.md): {"axes": [{code, libelle, objectifs: [{…, indicateurs: [{…}]}]}]}.
    Every error is named with its place (`axes[0].objectifs[1].indicateurs[0].type`); codes are unique in
    the CPOM. Nothing is accepted unless everything is right."""
    errors: dict[str, str] = {}
    if not isinstance(raw, dict) or not isinstance(raw.get("axes"), list):
        raise GridError({"axes": "une liste d'axes est attendue"})
    axes, codes = [], {"axe": {}, "objectif": {}, "indicateur": {}}

    def unique(kind: str, code: str, where: str) -> None:
        if code and code in codes[kind]:
            errors[f"{where}.code"] = f"le code {code} est déjà utilisé ({codes[kind][code]})"
        codes[kind].setdefault(code, where)

    for i, raw_axe in enumerate(raw["axes"]):
        where = f"axes[{i}]"
        axe = parse_axe(raw_axe, where, errors)
        if not axe:
            continue
        unique("axe", axe["code"], where)
        axe["objectifs"] = []
        raw_objectifs = raw_axe.get("objectifs", [])
        if not isinstance(raw_objectifs, list):
            errors[f"{where}.objectifs"] = "une liste est attendue"
            raw_objectifs = []
        for j, raw_objectif in enumerate(raw_objectifs):
            here = f"{where}.objectifs[{j}]"
            objectif = parse_objectif(raw_objectif, here, errors, perimeter)
            if not objectif:
                continue
            unique("objectif", objectif["code"], here)
            objectif["indicateurs"] = []
            raw_indicateurs = raw_objectif.get("indicateurs", [])
            if not isinstance(raw_indicateurs, list):
                errors[f"{here}.indicateurs"] = "une liste est attendue"
                raw_indicateurs = []
            for k, raw_indicateur in enumerate(raw_indicateurs):
                spot = f"{here}.indicateurs[{k}]"
                indicateur = parse_indicateur(raw_indicateur, spot, errors)
                if indicateur:
                    unique("indicateur", indicateur["code"], spot)
                    objectif["indicateurs"].append(indicateur)
            axe["objectifs"].append(objectif)
        axes.append(axe)
    if errors:
        raise GridError(errors)
    return axes


def parse_actions(raw) -> tuple[list[str], dict]:
    """The actions of an objective, in order; at most MAX_ACTIONS, each a non-empty text."""
    if not isinstance(raw, list):
        return [], {"actions": "une liste d'actions est attendue"}
    if len(raw) > MAX_ACTIONS:
        return [], {"actions": f"au plus {MAX_ACTIONS} actions ({len(raw)} reçues)"}
    errors, actions = {}, []
    for i, item in enumerate(raw):
        actions.append(_text(item, f"actions[{i}]", errors, max_length=MAX_LONG_TEXT))
    return actions, errors


# -- indicator values -----------------------------------------------------------------------------

ZERO_DENOMINATOR = "Le dénominateur ne peut pas être égal à 0 : le taux ne peut pas être calculé."
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def rate(numerateur: Decimal, denominateur: Decimal) -> Decimal:
    """numérateur / dénominateur as a percentage with 2 decimals, rounded half-up (away from zero on a
    tie: 1/8 → 12.50, 1/3 → 33.33, 2/3 → 66.67, -1/8000 → -0.01), computed in 34-digit decimal arithmetic."""
    with localcontext() as context:
        context.prec = 34
        return (numerateur * HUNDRED / denominateur).quantize(CENT, rounding=ROUND_HALF_UP)


def french_number(value: Decimal) -> str:
    """12345.50 → "12 345,5" (narrow no-break space between thousands, no float noise)."""
    return values.french(value)


def rate_label(value: Decimal) -> str:
    return f"{format(value, 'f').replace('.', ',')} %"


def parse_value(kind: str, raw: dict, where: str, errors: dict, regles: dict | None = None) -> dict:
    """One value of an indicator of type `kind`, as the columns it is stored in, checked with the rules of its
    definition (`regles`, see parse_regles) and the shared maximum (ecars_common.values). quantitatif: {"valeur":
    number}; taux: {"numerateur", "denominateur"} (denominator 0 refused); qualitatif: {"valeur": text};
    oui_non: {"valeur": true|false}."""
    if kind == "taux":
        parsed = {}
        for name in ("numerateur", "denominateur"):
            try:
                parsed[name] = values.parse_decimal(raw.get(name))
            except values.ValueRefused as exc:
                errors[f"{where}.{name}"] = str(exc)
        numerator, denominator = parsed.get("numerateur"), parsed.get("denominateur")
        if denominator == 0:
            errors[f"{where}.denominateur"] = ZERO_DENOMINATOR
        if numerator is None or denominator is None or denominator == 0:
            return {}
        if (regles or {}).get("partie_d_un_tout"):
            try:
                values.check_part_of_whole(numerator, denominator)
            except values.ValueRefused as exc:
                errors[f"{where}.numerateur"] = str(exc)
                return {}
        return {"numerateur": numerator, "denominateur": denominator, "taux": rate(numerator, denominator)}
    value = raw.get("valeur")
    if kind == "quantitatif":
        try:
            return {"valeur_nombre": values.check_number(number_rule(regles), value)}
        except values.ValueRefused as exc:
            errors[f"{where}.valeur"] = str(exc)
            return {}
    if kind == "qualitatif":
        text = _text(value, f"{where}.valeur", errors, max_length=MAX_LONG_TEXT)
        return {"valeur_texte": text} if text else {}
    if not isinstance(value, bool):
        errors[f"{where}.valeur"] = "true (oui) ou false (non) attendu"
        return {}
    return {"valeur_booleen": value}


# -- completeness and changes ---------------------------------------------------------------------

def missing_items(objectifs: list[dict], cpom_ets: list[dict]) -> list[dict]:
    """What the gestionnaire must still fill in before transmitting. `objectifs`: as in the snapshot
    (code, libelle, perimetre, elements_og, element_selectionne_og, actions, indicateurs with valeurs)."""
    names = {et["finess"]: et["nom"] for et in cpom_ets}
    missing: list[dict] = []
    if not objectifs:
        return [{"type": "grille_vide", "message": "La grille des objectifs ne contient aucun objectif."}]
    for objectif in objectifs:
        ref = {"code": objectif["code"], "libelle": objectif["libelle"]}
        if not objectif["actions"]:
            missing.append({"type": "objectif_sans_action", "objectif": ref,
                            "message": f"Objectif {objectif['code']} : aucune action renseignée."})
        if objectif["elements_og"] and not objectif["element_selectionne_og"]:
            missing.append({"type": "element_og_manquant", "objectif": ref,
                            "message": f"Objectif {objectif['code']} : l'élément sélectionné par l'OG est à choisir."})
        ets = objectif_ets(objectif, cpom_ets)
        for indicateur in objectif["indicateurs"]:
            filled = {v["etablissement"] for v in indicateur["valeurs"]}
            ind = {"code": indicateur["code"], "libelle": indicateur["libelle"]}
            if indicateur["declinaison"] == "cpom":
                if None not in filled:
                    missing.append({"type": "valeur_manquante", "objectif": ref, "indicateur": ind,
                                    "etablissement": None,
                                    "message": f"Indicateur {indicateur['code']} : valeur initiale du CPOM manquante."})
                continue
            for finess in ets:
                if finess not in filled:
                    missing.append({"type": "valeur_manquante", "objectif": ref, "indicateur": ind,
                                    "etablissement": {"finess": finess, "nom": names.get(finess, "")},
                                    "message": f"Indicateur {indicateur['code']} : valeur initiale manquante pour "
                                               f"{finess} - {names.get(finess, '')}."})
    return missing


def objectif_ets(objectif: dict, cpom_ets: list[dict]) -> list[str]:
    """FINESS of the ETs an objective applies to, in the CPOM perimeter's order."""
    if objectif["perimetre"]["tous"]:
        return [et["finess"] for et in cpom_ets]
    chosen = set(objectif["perimetre"]["etablissements"])
    return [et["finess"] for et in cpom_ets if et["finess"] in chosen]


OBJECTIF_FIELDS = ("libelle", "description", "axe", "perimetre", "elements_og", "element_selectionne_og")
INDICATEUR_FIELDS = ("libelle", "type", "categorie", "declinaison", "indications")
VALUE_FIELDS = ("valeur", "numerateur", "denominateur", "taux")


def changes_between(before: dict, after: dict) -> list[dict]:
    """What changed from one transmitted snapshot to the next: objectives, actions, indicators, values and
    remarks added, changed or removed. Objectives and indicators are matched by code, actions by their
    number in the objective, values by (indicator, ET)."""
    changes: list[dict] = []

    def note(kind, change, label, old, new, **where):
        entry = {"kind": kind, "change": change, "objectif": None, "indicateur": None, "etablissement": None,
                 "action": None, **where, "libelle": label, "before": old, "after": new}
        changes.append(entry)

    word = {"added": "ajouté", "changed": "modifié", "removed": "supprimé"}
    old_objectifs = {o["code"]: o for o in before.get("objectifs", [])}
    new_objectifs = {o["code"]: o for o in after.get("objectifs", [])}
    for code in [*old_objectifs, *[c for c in new_objectifs if c not in old_objectifs]]:
        old, new = old_objectifs.get(code), new_objectifs.get(code)
        old_part = {k: old[k] for k in OBJECTIF_FIELDS} if old else None
        new_part = {k: new[k] for k in OBJECTIF_FIELDS} if new else None
        if old_part != new_part:
            change = "added" if old is None else "removed" if new is None else "changed"
            note("objectif", change, f"Objectif {code} {word[change]}", old_part, new_part, objectif=code)
        old_actions = {a["numero"]: a["libelle"] for a in (old or {}).get("actions", [])}
        new_actions = {a["numero"]: a["libelle"] for a in (new or {}).get("actions", [])}
        for numero in sorted(set(old_actions) | set(new_actions)):
            a, b = old_actions.get(numero), new_actions.get(numero)
            if a != b:
                change = "added" if a is None else "removed" if b is None else "changed"
                note("action", change, f"Action {numero} de l'objectif {code} {word[change]}e",
                     None if a is None else {"numero": numero, "libelle": a},
                     None if b is None else {"numero": numero, "libelle": b}, objectif=code, action=numero)
        old_indicateurs = {i["code"]: i for i in (old or {}).get("indicateurs", [])}
        new_indicateurs = {i["code"]: i for i in (new or {}).get("indicateurs", [])}
        for icode in [*old_indicateurs, *[c for c in new_indicateurs if c not in old_indicateurs]]:
            oi, ni = old_indicateurs.get(icode), new_indicateurs.get(icode)
            op = {k: oi[k] for k in INDICATEUR_FIELDS} if oi else None
            np = {k: ni[k] for k in INDICATEUR_FIELDS} if ni else None
            if op != np:
                change = "added" if oi is None else "removed" if ni is None else "changed"
                note("indicateur", change, f"Indicateur {icode} {word[change]}", op, np, objectif=code,
                     indicateur=icode)
            old_values = {v["etablissement"]: {k: v[k] for k in VALUE_FIELDS} for v in (oi or {}).get("valeurs", [])}
            new_values = {v["etablissement"]: {k: v[k] for k in VALUE_FIELDS} for v in (ni or {}).get("valeurs", [])}
            for et in [*old_values, *[e for e in new_values if e not in old_values]]:
                a, b = old_values.get(et), new_values.get(et)
                if a != b:
                    change = "added" if a is None else "removed" if b is None else "changed"
                    where = f" pour {et}" if et else " (CPOM)"
                    note("valeur", change, f"Valeur de l'indicateur {icode}{where} {word[change]}e", a, b,
                         objectif=code, indicateur=icode, etablissement=et)
    old_remarks = {r["id"] for r in before.get("remarques", [])}
    for remark in after.get("remarques", []):
        if remark["id"] not in old_remarks:
            note("remarque", "added", "Remarque ajoutée", None, {"texte": remark["texte"], "auteur": remark["auteur"]})
    return changes
