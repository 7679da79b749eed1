"""Pure rules of the documents service: accepted formats, file names, owners, default folders, who may
do what. No Flask, SQLAlchemy or S3 here."""

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, unquote

from ecars_common.roles import AUTHORITIES

# Guide 000 §5: « Les formats de documents acceptés sont : txt, xls, xlsx, xlm, xlsm, doc, docx, pdf, ppt,
# ppts, zip, jpg, jpeg, tiff, gif, odt, odg, odp, ods, odf, dot, et dotx. »
# extension → (what the content must be, the Content-Type it is served with)
FORMATS = {
    "txt": ("texte brut", "text/plain"),
    "xls": ("classeur Excel 97-2003", "application/vnd.ms-excel"),
    "xlsx": ("classeur Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "xlm": ("feuille de macros Excel 4.0", "application/vnd.ms-excel"),
    "xlsm": ("classeur Excel avec macros", "application/vnd.ms-excel.sheet.macroEnabled.12"),
    "doc": ("document Word 97-2003", "application/msword"),
    "docx": ("document Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": ("document PDF", "application/pdf"),
    "ppt": ("présentation PowerPoint 97-2003", "application/vnd.ms-powerpoint"),
    "ppts": ("présentation PowerPoint", "application/vnd.ms-powerpoint"),
    "zip": ("archive ZIP", "application/zip"),
    "jpg": ("image JPEG", "image/jpeg"),
    "jpeg": ("image JPEG", "image/jpeg"),
    "tiff": ("image TIFF", "image/tiff"),
    "gif": ("image GIF", "image/gif"),
    "odt": ("texte OpenDocument", "application/vnd.oasis.opendocument.text"),
    "odg": ("dessin OpenDocument", "application/vnd.oasis.opendocument.graphics"),
    "odp": ("présentation OpenDocument", "application/vnd.oasis.opendocument.presentation"),
    "ods": ("classeur OpenDocument", "application/vnd.oasis.opendocument.spreadsheet"),
    "odf": ("formule OpenDocument", "application/vnd.oasis.opendocument.formula"),
    "dot": ("modèle Word 97-2003", "application/msword"),
    "dotx": ("modèle Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.template"),
}
FEMININE = ("feuille", "présentation", "archive", "image", "formule")


def with_article(label: str) -> str:
    """« un document PDF », « une image JPEG »."""
    return ("une " if label.startswith(FEMININE) else "un ") + label


ALLOWED = ", ".join(FORMATS)
MAX_NAME_BYTES = 255  # what file systems accept for a file name, in UTF-8
# Bidirectional controls make "facture_exe.pdf" display as something else (U+202E is the classic trick).
BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
SCOPE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")

APPEND_ONLY_MESSAGE = "Les documents transmis ne peuvent pas être supprimés."
REPLACE_MESSAGE = "Les documents transmis ne peuvent être ni modifiés ni remplacés : déposez un nouveau document."
CONFIDENTIAL_MESSAGE = ("Vous devez disposer d'une autorisation spécifique pour accéder au dossier "
                        "« Documents confidentiels ».")

# The folders every CPOM has from its first use (guide 004 « Consulter les documents du CPOM »); `code` is
# stable, the label is what users see. Sub-folders can be added by the authorities.
DEFAULT_FOLDERS = [
    ("contractuels", "Documents contractuels", False),
    ("diagnostic", "Diagnostic", False),
    ("negociation", "Négociation", False),
    ("suivi", "Suivi et évaluation", False),
    ("confidentiels", "Documents confidentiels", True),
]



class Refused(Exception):
    """An upload or a request the service turns down, with the reason the user is shown."""

    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}


def human_size(size: int) -> str:
    """1073741824 → « 1 Go », 52428800 → « 50 Mo » (French units and decimal comma)."""
    for unit, factor in (("Go", 1024 ** 3), ("Mo", 1024 ** 2), ("Ko", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}".replace(".", ",")
    return f"{size} octets"


# -- file names --------------------------------------------------------------------------------------

def bad_name(message: str, name: str) -> Refused:
    return Refused(422, "bad_filename", message, {"name": name[:300]})


def clean_filename(raw: str | None) -> str:
    """The name as the user gave it (NFC, trimmed), or Refused: no path, no control or bidirectional
    characters, at most 255 bytes. What is stored in S3 never depends on it (see `stored_key`)."""
    if raw is None or not raw.strip():
        raise bad_name("Le nom du fichier est obligatoire.", "")
    name = unicodedata.normalize("NFC", raw).strip()
    if "/" in name or "\\" in name or name.strip(".") == "":
        raise bad_name("Le nom du fichier ne doit pas contenir de chemin (« / », « \\ » ou « .. »).", name)
    if any(unicodedata.category(c) in ("Cc", "Cs") or c in BIDI_CONTROLS for c in name):
        raise bad_name("Le nom du fichier contient des caractères de contrôle ou invisibles.", name)
    if len(name.encode()) > MAX_NAME_BYTES:
        raise bad_name(f"Le nom du fichier est trop long ({MAX_NAME_BYTES} octets au plus).", name)
    return name


def extension_of(name: str) -> str:
    """The lower-cased extension of a cleaned name, if it is one of the accepted formats."""
    stem, dot, extension = name.rpartition(".")
    extension = extension.lower()
    if not dot or not stem.strip():
        raise Refused(422, "extension_not_allowed", f"Le fichier n'a pas d'extension. Formats acceptés : {ALLOWED}.",
                      {"name": name, "allowed": list(FORMATS)})
    if extension not in FORMATS:
        raise Refused(422, "extension_not_allowed",
                      f"Le format « .{extension[:20]} » n'est pas accepté. Formats acceptés : {ALLOWED}.",
                      {"name": name, "extension": extension[:20], "allowed": list(FORMATS)})
    return extension


def header_filename(value: str) -> str:
    """X-File-Name: percent-encoded UTF-8, optionally RFC 5987 style (UTF-8''…). A header with raw
    non-ASCII bytes (read as latin-1 by WSGI) is taken as UTF-8 when it decodes as such."""
    if value[:7].lower() == "utf-8''":
        value = value[7:]
    try:
        raw = value.encode("latin-1")
        value = raw.decode("utf-8")
    except UnicodeError:
        pass  # really latin-1, or already text
    try:
        return unquote(value, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise bad_name("Le nom du fichier n'est pas encodé en UTF-8.", value)


def ascii_fallback(name: str) -> str:
    """A plain-ASCII stand-in for clients that ignore filename* (RFC 6266 §4.3)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if unicodedata.category(c) != "Mn")
    plain = re.sub(r"[^A-Za-z0-9._ ()\-]", "_", plain).strip(" .") or "document"
    return plain[:150]


def content_disposition(name: str, disposition: str = "attachment") -> str:
    """RFC 6266: the ASCII fallback, then the exact name in UTF-8."""
    return f"{disposition}; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


# -- owners ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Owner:
    """Where a document belongs: an indicator of a contract, a CPOM folder, a region's reference set, or a message of
    a contract's (contract_id) or a CPOM's (cpom_id) « Messages »."""

    type: str  # indicator | folder | reference | message
    contract_id: str | None = None
    indicator_id: str | None = None
    cpom_id: str | None = None
    folder_id: str | None = None
    region: str | None = None
    message_id: str | None = None

    def columns(self) -> dict:
        return {"owner_type": self.type, "contract_id": self.contract_id, "indicator_id": self.indicator_id,
                "cpom_id": self.cpom_id, "folder_id": self.folder_id, "region": self.region,
                "message_id": self.message_id}

    def event_data(self) -> dict:
        return {k: v for k, v in self.columns().items() if v is not None}


def scope_id(value: str, what: str) -> str:
    if not SCOPE_ID.match(value or ""):
        raise Refused(404, "not_found", f"{what} introuvable.", {"id": value[:100]})
    return value


def region_name(value: str) -> str:
    region = unicodedata.normalize("NFC", value or "").strip()
    if not region or len(region) > 100 or any(unicodedata.category(c) in ("Cc", "Cs") for c in region):
        raise Refused(404, "not_found", "Région introuvable.", {"region": region[:100]})
    return region


def stored_key(owner: Owner, document_id: str) -> str:
    """The S3 object key: derived from ids only, never from what the user typed."""
    return f"{owner.type}/{document_id}"


# -- who may do what ---------------------------------------------------------------------------------

def is_authority(role: str) -> bool:
    return role in AUTHORITIES


def may_reach_scope(role: str, grant) -> bool:
    """A CPOM: the authorities, or whoever holds a habilitation on it."""
    return is_authority(role) or grant is not None


def may_see_confidential(role: str, grant) -> bool:
    """« Documents confidentiels »: the authorities, or a habilitation with « Visibilité documents confidentiels »."""
    return is_authority(role) or bool(grant and grant["visibilite_documents_confidentiels"])


def may_add_reference(role: str, own_region: str | None, region: str) -> bool:
    """Documents de référence are put at the disposal of a region by its ARS (or a platform admin)."""
    if role == "admin":
        return True
    return role == "ars" and bool(own_region) and own_region.casefold() == region.casefold()


def may_read_references(role: str) -> bool:
    """Any signed-in user reads any region's documents de référence: they are what the ARS publishes for
    every organisation it funds, and établissement users carry no region in their token."""
    return bool(role)
