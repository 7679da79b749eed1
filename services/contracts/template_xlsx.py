"""Indicator templates from a spreadsheet (.xlsx), the format ARS staff keep them in.

One row per question, on the first sheet, under a header row with these columns (in any order):

| column | meaning |
| --- | --- |
| code_indicateur | indicator code (repeat it, or leave it blank, on the indicator's next questions) |
| libelle_indicateur | indicator label (first row of the indicator) |
| categorie | accompagnement, soins, parcours… (optional) |
| code_question, libelle_question | the question |
| type | nombre, pourcentage, oui_non, date, texte, liste |
| obligatoire | oui / non (default oui) |
| min, max, attendu_min, attendu_max | numbers (optional) |
| non_applicable | oui / non: « Non applicable » allowed (with a comment) |
| choix | for `liste`: the choices separated by « ; » |
| regle | optional rule on this question: an operator and another question code, e.g. `<= EFFECTIF` |
| ecart_tolere | for a number or a percentage: the % of last campaign's value beyond which a comment is asked |

Every error is named by its row and column (« ligne 7, colonne F (type) »); nothing is imported
unless the whole file is right."""

import io
import re
import zipfile

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from services.contracts import domain

COLUMNS = ("code_indicateur", "libelle_indicateur", "categorie", "code_question", "libelle_question", "type",
           "obligatoire", "min", "max", "attendu_min", "attendu_max", "non_applicable", "choix", "regle",
           "ecart_tolere")
REQUIRED_COLUMNS = ("code_indicateur", "code_question", "libelle_question", "type")
KINDS = {"nombre": "number", "pourcentage": "percentage", "oui_non": "yes_no", "date": "date", "texte": "text",
         "liste": "choice"}
OPERATORS = {"<=": "lte", "<": "lt", ">=": "gte", ">": "gt", "=": "eq"}
MAX_ROWS = 5000


def parse(content: bytes) -> list[domain.Indicator]:
    """The template in the spreadsheet; raises domain.TemplateError with row/column places."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise domain.TemplateError([{"where": "fichier", "message": "ce n'est pas un classeur Excel (.xlsx) lisible"}])
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip().lower() if h is not None else "" for h in next(rows, ())]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise domain.TemplateError([{"where": "ligne 1", "message": f"colonnes manquantes : {', '.join(missing)}"}])
    position = {name: header.index(name) for name in COLUMNS if name in header}
    errors, places, indicators = [], {}, []

    def place(row_number: int, column: str) -> str:
        return f"ligne {row_number}, colonne {get_column_letter(position[column] + 1)} ({column})"

    for row_number, values in enumerate(rows, start=2):
        if row_number > MAX_ROWS:
            errors.append({"where": f"ligne {row_number}", "message": f"au plus {MAX_ROWS} lignes"})
            break
        cell = {name: values[i] if i < len(values) else None for name, i in position.items()}
        if all(v in (None, "") for v in cell.values()):
            continue
        code = _text(cell.get("code_indicateur"))
        if code and (not indicators or indicators[-1]["code"] != code):
            indicators.append({"code": code, "label": _text(cell.get("libelle_indicateur")),
                               "category": _text(cell.get("categorie")), "questions": [], "rules": []})
            i = len(indicators) - 1
            places[f"indicators[{i}].code"] = place(row_number, "code_indicateur")
            if "libelle_indicateur" in position:
                places[f"indicators[{i}].label"] = place(row_number, "libelle_indicateur")
            places[f"indicators[{i}].questions"] = f"ligne {row_number}"
        elif not indicators:
            errors.append({"where": place(row_number, "code_indicateur"), "message": "obligatoire"})
            continue
        i, j = len(indicators) - 1, len(indicators[-1]["questions"])
        where = f"indicators[{i}].questions[{j}]"
        question = {"code": _text(cell.get("code_question")), "label": _text(cell.get("libelle_question"))}
        for name, key in (("code_question", "code"), ("libelle_question", "label"), ("type", "kind"),
                          ("min", "min"), ("max", "max"), ("attendu_min", "expected_min"),
                          ("attendu_max", "expected_max"), ("ecart_tolere", "tolerance"), ("choix", "choices"),
                          ("obligatoire", "required"),
                          ("non_applicable", "allow_na")):
            if name in position:
                places[f"{where}.{key}"] = place(row_number, name)
        kind = _text(cell.get("type")).lower()
        question["kind"] = KINDS.get(kind, kind)
        for name, key in (("min", "min"), ("max", "max"), ("attendu_min", "expected_min"),
                          ("attendu_max", "expected_max"), ("ecart_tolere", "tolerance")):
            value = cell.get(name)
            if value not in (None, ""):
                number = _number(value)
                if number is None:
                    errors.append({"where": place(row_number, name), "message": "un nombre est attendu"})
                else:
                    question[key] = number
        for name, key, default in (("obligatoire", "required", True), ("non_applicable", "allow_na", False)):
            flag = _text(cell.get(name)).lower()
            if flag in ("", "oui", "non"):
                question[key] = default if flag == "" else flag == "oui"
            else:
                errors.append({"where": place(row_number, name), "message": "oui ou non"})
        if question["kind"] == "choice":
            question["choices"] = [c.strip() for c in _text(cell.get("choix")).split(";") if c.strip()]
        rule = _text(cell.get("regle"))
        if rule:
            found = re.fullmatch(r"(<=|>=|<|>|=)\s*(\S+)", rule)
            if found is None:
                errors.append({"where": place(row_number, "regle"), "message": "forme attendue : <= CODE_QUESTION"})
            else:
                k = len(indicators[-1]["rules"])
                indicators[-1]["rules"].append({"type": OPERATORS[found.group(1)], "left": question["code"],
                                                "right": found.group(2)})
                places[f"indicators[{i}].rules[{k}]"] = place(row_number, "regle")
        indicators[-1]["questions"].append(question)
    if errors:
        raise domain.TemplateError(errors)
    if not indicators:
        raise domain.TemplateError([{"where": "ligne 2", "message": "aucun indicateur dans le fichier"}])
    try:
        return domain.parse_template({"indicators": indicators})
    except domain.TemplateError as exc:
        raise domain.TemplateError([{**e, "where": _translate(e["where"], places)} for e in exc.errors])


def _translate(where: str, places: dict) -> str:
    while where and where not in places:
        where = where.rpartition(".")[0]
    return places.get(where, where or "fichier")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).replace(",", ".").strip())
    except ValueError:
        return None
