"""Does a file's content match its extension? Magic bytes and container structure, read from the spooled
upload on disk: OLE2 compound files (doc, dot, xls, xlm, ppt) by their directory, OOXML (docx, dotx, xlsx,
xlsm) by [Content_Types].xml and the main part, OpenDocument by its leading `mimetype` entry, PDF, JPEG,
GIF, TIFF by their signature, text by its bytes. Zip-based files are checked for decompression bombs
(entry count, declared and actual uncompressed size, compression ratio, nested archives).

Pure: no Flask, database or S3. Every refusal is a `domain.Refused` naming its reason."""

import codecs
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass

from services.documents.domain import FORMATS, Refused, human_size, with_article

HEAD_BYTES = 8192
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODF_MIMETYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "odg": "application/vnd.oasis.opendocument.graphics",
    "odf": "application/vnd.oasis.opendocument.formula",
}
# OOXML extension → the folder of its main part
OOXML_PARTS = {"docx": "word/", "dotx": "word/", "xlsx": "xl/", "xlsm": "xl/", "ppts": "ppt/"}
# OLE2 extension → streams one of which the compound file must hold (names are case-insensitive)
OLE2_STREAMS = {
    "doc": {"worddocument"}, "dot": {"worddocument"},
    "xls": {"workbook", "book"}, "xlm": {"workbook", "book"},
    "ppt": {"powerpoint document"}, "ppts": {"powerpoint document"},
}
ENCRYPTED_OOXML = {"encryptedpackage", "encryptioninfo"}  # a password-protected docx/xlsx is an OLE2 file
TEXT_CONTROLS = bytes(c for c in range(32) if c not in (9, 10, 11, 12, 13, 26, 27))  # binary, not text
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
NESTED_DEPTH = 3


@dataclass(frozen=True)
class Limits:
    zip_max_entries: int = 10_000
    zip_max_uncompressed: int = 1024 * 1024 * 1024
    zip_max_ratio: int = 200
    ratio_floor: int = 1024 * 1024  # small entries may compress as much as they like


@dataclass(frozen=True)
class Detected:
    kind: str  # what the content is: ole2, ooxml, ooxml-encrypted, odf, zip, pdf, jpeg, gif, tiff, rtf, text, biff
    content_type: str


def sniff(head: bytes) -> str:
    """What the first bytes say a file is, for error messages (« contenu détecté »)."""
    signatures = [
        (b"MZ", "programme exécutable Windows"), (b"\x7fELF", "programme exécutable Linux"),
        (b"#!", "script"), (b"%PDF-", "document PDF"), (OLE2_MAGIC, "document Office 97-2003"),
        (b"PK\x03\x04", "archive ZIP ou document Office"), (b"\xff\xd8\xff", "image JPEG"),
        (b"\x89PNG", "image PNG"), (b"GIF8", "image GIF"), (b"II*\x00", "image TIFF"), (b"MM\x00*", "image TIFF"),
        (b"{\\rtf", "document RTF"), (b"Rar!", "archive RAR"), (b"7z\xbc\xaf", "archive 7-Zip"),
        (b"\x1f\x8b", "archive gzip"),
    ]
    for magic, label in signatures:
        if head.startswith(magic):
            return label
    lowered = head[:512].lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml")):
        return "page web ou XML"
    return "contenu non reconnu"


def mismatch(extension: str, head: bytes, reason: str = "") -> Refused:
    """content_mismatch: what was expected, and either what the content looks like or what is wrong with it."""
    detected = sniff(head)
    expected = FORMATS[extension][0]
    if reason:
        message = (f"Le fichier n'est pas {with_article(expected)} valide ({reason}) : vérifiez le fichier ou son "
                   "extension.")
    else:
        message = (f"Le contenu du fichier ne correspond pas à son extension « .{extension} » : format attendu "
                   f"« {expected} », contenu détecté « {detected} ».")
    return Refused(422, "content_mismatch", message, {"extension": extension, "expected": expected,
                                                      "detected": detected, **({"reason": reason} if reason else {})})


def bomb(reason: str, **details) -> Refused:
    return Refused(422, "zip_bomb", f"Archive refusée : {reason}. Elle pourrait saturer les postes qui l'ouvriraient.",
                   {"reason": reason, **details})


# -- the first bytes: decided as soon as the upload starts ---------------------------------------------

def check_head(extension: str, head: bytes, complete: bool) -> None:
    """Refuse early what the first bytes already rule out (before anything is sent to S3). `complete`:
    `head` is the whole file."""
    if complete and not head:
        raise Refused(422, "empty_file", "Le fichier est vide.", {})
    if len(head) < 8 and not complete:
        return
    if not head_matches(extension, head):
        raise mismatch(extension, head)


def head_matches(extension: str, head: bytes) -> bool:
    ole2 = head.startswith(OLE2_MAGIC)
    is_zip = head.startswith(ZIP_SIGNATURES)
    if extension in ("doc", "dot"):
        return ole2 or head.startswith(b"{\\rtf")  # Word saves and opens RTF under .doc
    if extension in ("xls", "ppt"):
        return ole2
    if extension == "xlm":
        return ole2 or head[:2] in (b"\x09\x00", b"\x09\x02", b"\x09\x04")  # BIFF2-4 BOF record
    if extension in ("docx", "dotx", "xlsx", "xlsm"):
        return is_zip or ole2  # OLE2: password-protected, checked below
    if extension == "ppts":
        return is_zip or ole2
    if extension in ODF_MIMETYPES or extension == "zip":
        return is_zip
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension == "gif":
        return head.startswith((b"GIF87a", b"GIF89a"))
    if extension == "tiff":
        return head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"))
    if extension == "txt":
        return b"\x00" not in head and not head.translate(None, delete=_NOT_CONTROLS)
    return False


_NOT_CONTROLS = bytes(c for c in range(256) if c not in TEXT_CONTROLS)


# -- the whole file: decided once it has arrived ---------------------------------------------------------

def check_file(extension: str, file, size: int, limits: Limits) -> Detected:
    """The full check of the spooled upload (`file`: a binary file object open on it, seekable)."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    check_head(extension, head, complete=True)
    content_type = FORMATS[extension][1]
    if head.startswith(OLE2_MAGIC):
        streams = ole2_streams(file, size, extension, head)
        if extension not in OLE2_STREAMS:  # docx, dotx, xlsx, xlsm
            if not streams >= ENCRYPTED_OOXML:
                raise mismatch(extension, head, "document Office 97-2003 sous une extension récente")
            return Detected("ooxml-encrypted", content_type)
        if not streams & OLE2_STREAMS[extension]:
            raise mismatch(extension, head, "le document Office ne contient pas la partie attendue")
        return Detected("ole2", content_type)
    if head.startswith(ZIP_SIGNATURES):
        names = check_zip(file, limits, extension, head)
        if extension in ODF_MIMETYPES:
            check_odf(file, extension, head)
            return Detected("odf", content_type)
        if extension in OOXML_PARTS:
            part = OOXML_PARTS[extension]
            if "[Content_Types].xml" not in names or not any(n.startswith(part) for n in names):
                raise mismatch(extension, head, f"[Content_Types].xml ou {part} manquant")
            if extension == "ppts":
                content_type = "application/vnd.openxmlformats-officedocument.presentationml.slideshow"
            return Detected("ooxml", content_type)
        return Detected("zip", content_type)
    if extension == "txt":
        return Detected("text", f"text/plain; charset={check_text(file, head)}")
    if head.startswith(b"{\\rtf"):
        return Detected("rtf", "application/rtf")
    if extension == "xlm":
        return Detected("biff", content_type)
    if extension == "pdf":
        check_pdf_end(file, size, head)
    return Detected(extension.replace("jpg", "jpeg"), content_type)


def check_text(file, head: bytes) -> str:
    """Text is UTF-8 (with or without BOM) or else latin-1; no NUL or other binary control bytes."""
    file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    while chunk := file.read(1024 * 1024):
        if chunk.translate(None, delete=_NOT_CONTROLS):
            raise mismatch("txt", head, "octets binaires (NUL ou caractères de contrôle)")
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return "utf-8" if utf8 else "iso-8859-1"


def check_pdf_end(file, size: int, head: bytes) -> None:
    """A PDF ends with %%EOF (give or take the trailing bytes some tools add): a truncated upload is refused."""
    file.seek(max(0, size - 8192))
    if b"%%EOF" not in file.read(8192):
        raise mismatch("pdf", head, "fin de fichier %%EOF absente : document tronqué ou corrompu")


# -- OLE2 compound files ---------------------------------------------------------------------------------

FREESECT, ENDOFCHAIN = 0xFFFFFFFF, 0xFFFFFFFE


def ole2_streams(file, size: int, extension: str, head: bytes) -> set[str]:
    """The lower-cased names of the storages and streams in an OLE2 compound file's directory."""
    def broken(reason: str) -> Refused:
        return mismatch(extension, head, f"document Office illisible : {reason}")

    if len(head) < 512:
        raise broken("en-tête incomplet")
    (sector_shift, _mini_shift, _res1, _res2, _dir_sectors, fat_sectors, first_dir, _sig, _cutoff, _mini_first,
     _mini_count, difat_first, difat_count) = struct.unpack_from("<HHHIIIIIIIIII", head, 0x1E)
    if head[0x1C:0x1E] != b"\xfe\xff" or sector_shift not in (9, 12):
        raise broken("en-tête invalide")
    sector = 1 << sector_shift
    sectors_in_file = max(0, size - sector) // sector + 1

    def read_sector(number: int) -> bytes:
        if number >= sectors_in_file:
            raise broken("secteur hors du fichier")
        file.seek((number + 1) * sector)
        data = file.read(sector)
        if len(data) < sector:
            data += b"\x00" * (sector - len(data))
        return data

    if fat_sectors > sectors_in_file:
        raise broken("table d'allocation trop grande")
    fat_list = [n for n in struct.unpack_from("<109I", head, 0x4C) if n != FREESECT]
    next_difat, seen = difat_first, 0
    per_sector = sector // 4
    while next_difat not in (ENDOFCHAIN, FREESECT) and len(fat_list) < fat_sectors:
        seen += 1
        if seen > difat_count + 1 or seen > sectors_in_file:
            raise broken("chaîne DIFAT invalide")
        entries = struct.unpack(f"<{per_sector}I", read_sector(next_difat))
        fat_list.extend(n for n in entries[:-1] if n != FREESECT)
        next_difat = entries[-1]
    fat = []
    for number in fat_list[:fat_sectors]:
        fat.extend(struct.unpack(f"<{per_sector}I", read_sector(number)))

    names, current, steps = set(), first_dir, 0
    while current != ENDOFCHAIN:
        steps += 1
        if current >= len(fat) or steps > sectors_in_file:
            raise broken("chaîne du répertoire invalide")
        data = read_sector(current)
        for offset in range(0, sector, 128):
            entry = data[offset:offset + 128]
            length, kind = struct.unpack_from("<HB", entry, 0x40)
            if kind in (1, 2) and 2 <= length <= 64:
                names.add(entry[:length - 2].decode("utf-16-le", "replace").lower())
        current = fat[current]
    return names


# -- zip-based formats -----------------------------------------------------------------------------------

def check_zip(file, limits: Limits, extension: str, head: bytes, depth: int = 0, budget: list | None = None):
    """Refuse broken archives and decompression bombs; returns the entry names. Every entry is really
    decompressed (in chunks, counted), so sizes an archive lies about are caught too; archives inside are
    opened in turn, up to NESTED_DEPTH levels, on the same uncompressed-size budget."""
    budget = budget if budget is not None else [limits.zip_max_uncompressed, limits.zip_max_uncompressed]
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise mismatch(extension, head, "archive ZIP illisible ou corrompue")
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.zip_max_entries:
            raise bomb(f"trop de fichiers ({len(infos)}, au plus {limits.zip_max_entries})", entries=len(infos))
        declared = sum(info.file_size for info in infos)
        if declared > budget[0]:
            raise bomb(f"taille décompressée totale trop grande (au plus {human_size(limits.zip_max_uncompressed)})",
                       uncompressed=declared)
        for info in infos:
            if info.file_size > limits.ratio_floor and info.file_size > limits.zip_max_ratio * max(
                    info.compress_size, 1):
                raise bomb(f"taux de compression excessif pour « {info.filename[:100]} » "
                           f"({info.file_size // max(info.compress_size, 1)} pour 1, au plus {limits.zip_max_ratio})",
                           entry=info.filename[:200])
        for info in infos:
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:  # encrypted: only its declared sizes can be checked
                continue
            nested = decompress_entry(file, info, budget, extension, head)
            if nested is not None:
                with nested:
                    if depth + 1 >= NESTED_DEPTH:
                        raise bomb(f"archives imbriquées sur plus de {NESTED_DEPTH} niveaux")
                    check_zip(nested, limits, "zip", nested.read(8), depth + 1, budget)
        return [info.filename for info in infos]


def decompress_entry(file, info: zipfile.ZipInfo, budget: list, extension: str, head: bytes):
    """Decompress one entry from the raw archive, in chunks, counting against the budget: the deflate
    stream must end exactly at the declared sizes and match the declared CRC, so no tool that trusts
    the stream rather than the directory can get more out of it than was checked. An entry that is itself
    a zip archive is kept (in memory up to 8 MB, on disk beyond) and returned, open, for the caller."""
    def corrupt(reason: str) -> Refused:
        return mismatch(extension, head, f"archive ZIP corrompue : {reason} dans « {info.filename[:100]} »")

    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None  # bzip2, lzma…: only the declared sizes, checked by the caller, apply
    file.seek(info.header_offset)
    local = file.read(30)
    if len(local) < 30 or not local.startswith(b"PK\x03\x04"):
        raise corrupt("en-tête local invalide")
    name_length, extra_length = struct.unpack_from("<HH", local, 26)
    file.seek(info.header_offset + 30 + name_length + extra_length)
    decompressor = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left, written, crc, nested = info.compress_size, 0, 0, None
    try:
        while left > 0 or (decompressor is not None and decompressor.unconsumed_tail):
            if decompressor is not None and decompressor.unconsumed_tail:
                data = decompressor.unconsumed_tail
            else:
                data = file.read(min(left, 256 * 1024))
                if not data:
                    raise corrupt("données tronquées")
                left -= len(data)
            # at most what the entry may still hold, plus one byte to notice a lie
            out = decompressor.decompress(data, info.file_size - written + 1) if decompressor else data
            written += len(out)
            budget[0] -= len(out)
            if written > info.file_size:
                raise bomb(f"taille réelle de « {info.filename[:100]} » supérieure à la taille annoncée",
                           entry=info.filename[:200])
            if budget[0] < 0:
                raise bomb(f"taille décompressée totale trop grande (au plus {human_size(budget[1])})")
            crc = zlib.crc32(out, crc)
            if nested is None and written == len(out) and out.startswith(ZIP_SIGNATURES):
                nested = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
            if nested is not None:
                nested.write(out)
            if decompressor is not None and decompressor.eof:
                break
        if decompressor is not None and (not decompressor.eof or left > 0 or decompressor.unused_data):
            raise corrupt("flux compressé incohérent")
        if written != info.file_size or crc != info.CRC:
            raise corrupt("taille ou CRC différent de l'annonce")
    except zlib.error:
        if nested is not None:
            nested.close()
        raise corrupt("flux compressé invalide")
    except Refused:
        if nested is not None:
            nested.close()
        raise
    if nested is not None:
        nested.seek(0)
    return nested


def check_odf(file, extension: str, head: bytes) -> None:
    """OpenDocument: the first entry is `mimetype`, stored, holding the type of the extension."""
    with zipfile.ZipFile(file) as archive:
        first = archive.infolist()[0] if archive.infolist() else None
        if first is None or first.filename != "mimetype" or first.compress_type != zipfile.ZIP_STORED:
            raise mismatch(extension, head, "entrée « mimetype » absente en tête de l'archive")
        mimetype = archive.read(first)[:200].decode("ascii", "replace").strip()
    if mimetype != ODF_MIMETYPES[extension]:
        raise mismatch(extension, head, f"type OpenDocument « {mimetype[:100]} »")
