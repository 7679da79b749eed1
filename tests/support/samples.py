"""Small sample files of every accepted format, made at test time (plus, in tests/samples/, a few real files
saved by LibreOffice: rapport.doc, .dot, .docx, .dotx, .odt, .pdf), and the files that must be refused."""

import io
import struct
import zipfile
from pathlib import Path

import docx

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"
TEXT = "Rapport d'activité 2024 – taux d'occupation : 85 %\nCommentaire : « conforme »\n"


# -- OLE2 compound files (doc, dot, xls, xlm, ppt, ppts) ------------------------------------------

def ole2(*streams: str, size: int = 4096) -> bytes:
    """A valid OLE2 compound file (version 3, 512-byte sectors) holding the named streams, each `size`
    bytes (4096 or more, so that they live in regular sectors rather than the mini stream)."""
    sector, end, free, fatsect, nostream = 512, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    per_stream = -(-size // sector)
    directory_sectors = -(-(len(streams) + 1) // 4)
    fat = [fatsect] + [end if i == directory_sectors - 1 else i + 2 for i in range(directory_sectors)]
    starts = []
    for _ in streams:
        start = len(fat)
        starts.append(start)
        fat += [start + i + 1 for i in range(per_stream - 1)] + [end]
    assert len(fat) <= sector // 4
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, start: int, length: int, child: int = nostream, right: int = nostream) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le")
        return (encoded.ljust(64, b"\x00") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", nostream, right, child) + b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16
                + struct.pack("<IQ", start, length))

    entries = [entry("Root Entry", 5, end, 0, child=1 if streams else nostream)]
    for index, name in enumerate(streams):
        right = index + 2 if index + 1 < len(streams) else nostream  # a simple chain of right siblings
        entries.append(entry(name, 2, starts[index], size, right=right))
    directory = b"".join(entries).ljust(directory_sectors * sector, b"\x00")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\x00" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", 0, *[free] * 108))
    assert len(header) == 512
    data = b"".join((b"e-CARS " * (size // 7 + 1))[:size].ljust(per_stream * sector, b"\x00") for _ in streams)
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + data


# -- zip-based formats -------------------------------------------------------------------------------

def zip_of(entries: dict[str, bytes], first_stored: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first_stored is not None:
            archive.writestr(zipfile.ZipInfo(first_stored), entries[first_stored], compress_type=zipfile.ZIP_STORED)
        for name, content in entries.items():
            if name != first_stored:
                archive.writestr(name, content)
    return buffer.getvalue()


CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'content-types"><Override PartName="/{part}" ContentType="{type}"/></Types>')
OOXML_MAIN = {
    "dotx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "xlsm": ("xl/workbook.xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
    "ppts": ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml"),
}


def ooxml(extension: str) -> bytes:
    part, content_type = OOXML_MAIN[extension]
    return zip_of({"[Content_Types].xml": CONTENT_TYPES.format(part=part, type=content_type).encode(),
                   "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
                   part: b'<?xml version="1.0" encoding="UTF-8"?><root>e-CARS</root>'})


def docx_file() -> bytes:
    document = docx.Document()
    document.add_heading("Rapport d'activité", level=1)
    document.add_paragraph(TEXT)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def opendocument(mimetype: str) -> bytes:
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                f'opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type='
                f'"{mimetype}"/></manifest:manifest>')
    return zip_of({"mimetype": mimetype.encode(), "content.xml": b'<?xml version="1.0"?><office:document-content/>',
                   "META-INF/manifest.xml": manifest.encode()}, first_stored="mimetype")


# -- images, PDF ---------------------------------------------------------------------------------------

GIF = bytes.fromhex("47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b")


def jpeg() -> bytes:
    """SOI, a JFIF APP0 segment, EOI: the headers a JPEG starts and ends with."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def tiff(byte_order: str = "II") -> bytes:
    """A 1×1 grey baseline TIFF."""
    e = "<" if byte_order == "II" else ">"
    tags = [(256, 3, 1, 1), (257, 3, 1, 1), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1), (273, 4, 1, 0),
            (277, 3, 1, 1), (278, 3, 1, 1), (279, 4, 1, 1)]
    ifd_size = 2 + 12 * len(tags) + 4
    pixel_offset = 8 + ifd_size
    body = struct.pack(f"{e}H", len(tags))
    for tag, kind, count, value in tags:
        value = pixel_offset if tag == 273 else value
        packed = struct.pack(f"{e}H", value) + b"\x00\x00" if kind == 3 else struct.pack(f"{e}I", value)
        body += struct.pack(f"{e}HHI", tag, kind, count) + packed
    return byte_order.encode() + struct.pack(f"{e}HI", 42, 8) + body + struct.pack(f"{e}I", 0) + b"\x80"


def pdf() -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


# -- one sample per accepted extension --------------------------------------------------------------

def accepted() -> dict[str, bytes]:
    """extension → a small valid file of that format (made here)."""
    return {
        "txt": TEXT.encode(), "pdf": pdf(), "zip": zip_of({"a.txt": TEXT.encode(), "b/c.txt": b"x" * 1000}),
        "doc": ole2("WordDocument", "1Table"), "dot": ole2("WordDocument"), "xls": ole2("Workbook"),
        "xlm": ole2("Book"), "ppt": ole2("PowerPoint Document", "Current User"), "ppts": ooxml("ppts"),
        "docx": docx_file(), "dotx": ooxml("dotx"), "xlsx": ooxml("xlsx"), "xlsm": ooxml("xlsm"),
        "jpg": jpeg(), "jpeg": jpeg(), "tiff": tiff("MM"), "gif": GIF,
        "odt": opendocument("application/vnd.oasis.opendocument.text"),
        "ods": opendocument("application/vnd.oasis.opendocument.spreadsheet"),
        "odp": opendocument("application/vnd.oasis.opendocument.presentation"),
        "odg": opendocument("application/vnd.oasis.opendocument.graphics"),
        "odf": opendocument("application/vnd.oasis.opendocument.formula"),
    }


def real_files() -> dict[str, bytes]:
    """file name → content of the files saved by LibreOffice in tests/samples/."""
    return {path.name: path.read_bytes() for path in sorted(SAMPLES_DIR.iterdir()) if path.is_file()}


# -- what must be refused -----------------------------------------------------------------------------

def windows_executable() -> bytes:
    """The start of a PE file: MZ header, DOS stub, PE signature."""
    header = bytearray(b"MZ" + b"\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44)
    header[0x3C:0x40] = struct.pack("<I", 0x80)
    stub = b"This program cannot be run in DOS mode.\r\r\n$".ljust(0x80 - len(header), b"\x00")
    return bytes(header) + stub + b"PE\x00\x00" + b"\x00" * 400


def zip_bomb(uncompressed: int = 200 * 1024 * 1024) -> bytes:
    """`uncompressed` bytes of zeros in one entry: about 1000 to 1 once deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
            archive.open("zeros.bin", "w", force_zip64=True) as entry:
        block = b"\x00" * (1024 * 1024)
        for _ in range(uncompressed // len(block)):
            entry.write(block)
    return buffer.getvalue()


def nested_zip_bomb(levels: int = 3, copies: int = 33, leaf: int = 1024 * 1024 - 1) -> bytes:
    """42.zip in small: each level holds `copies` copies of the level below; no entry is suspicious on its
    own (the leaves are under the 1 MB ratio floor), but the whole unfolds to copies**(levels-1) leaves:
    1089 MB with the defaults, over the 1 GB limit."""
    content = zip_of({"leaf.bin": b"\x00" * leaf})
    for level in range(levels - 1):
        content = zip_of({f"niveau{level}-{i}.zip": content for i in range(copies)})
    return content


def many_entries(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for index in range(count):
            archive.writestr(f"f{index}.txt", b"")
    return buffer.getvalue()


def lying_zip(real: int = 5 * 1024 * 1024, declared: int = 1000) -> bytes:
    """An entry whose directory says `declared` bytes while its deflate stream holds `real` bytes."""
    data = zip_of({"a.bin": b"\x00" * real})
    size = struct.pack("<I", declared)
    # the uncompressed size sits at offset 22 of the local header and 24 of the central directory entry
    position = data.index(b"PK\x01\x02")
    return data[:22] + size + data[26:position + 24] + size + data[position + 28:]
