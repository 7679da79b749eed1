"""The organisations CSV (EJ and ET) an authority imports: decoding, columns, one row's checks."""

import csv
import io
from dataclasses import dataclass, field

from services.cpom.domain.finess import finess_problem
from services.cpom.domain.referentials import canonical_region, normalise_phone, simplify

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
