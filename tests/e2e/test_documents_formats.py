"""The documents service's pure rules, without the stack: content checks (magic bytes, OLE2 directory,
OOXML and OpenDocument structure, text), zip bomb limits, file names, Content-Disposition."""

import io
import zipfile

import pytest

from services.documents import domain, formats
from services.documents.domain import Refused
from tests.support import samples

LIMITS = formats.Limits()


def check(extension: str, content: bytes, limits: formats.Limits = LIMITS) -> formats.Detected:
    return formats.check_file(extension, io.BytesIO(content), len(content), limits)


def refusal(extension: str, content: bytes, limits: formats.Limits = LIMITS) -> Refused:
    with pytest.raises(Refused) as refused:
        check(extension, content, limits)
    return refused.value


@pytest.mark.parametrize("extension", list(samples.accepted()))
def test_every_sample_matches_its_extension(extension):
    detected = check(extension, samples.accepted()[extension])
    assert detected.content_type.startswith(domain.FORMATS[extension][1].split(";")[0].rsplit(".", 1)[0])


def test_the_allowed_formats_are_those_of_the_guide():
    guide = ("txt, xls, xlsx, xlm, xlsm, doc, docx, pdf, ppt, ppts, zip, jpg, jpeg, tiff, gif, odt, odg, odp, ods, "
             "odf, dot, dotx")
    assert list(domain.FORMATS) == guide.split(", ")


def test_office_97_files_are_told_apart_by_their_directory():
    assert check("doc", samples.ole2("WordDocument", "1Table")).kind == "ole2"
    assert refusal("xls", samples.ole2("WordDocument")).code == "content_mismatch"
    assert refusal("ppt", samples.ole2("Workbook")).code == "content_mismatch"
    assert check("xlm", samples.ole2("Workbook")).kind == "ole2"
    assert check("ppts", samples.ole2("PowerPoint Document")).kind == "ole2"
    # a directory chain pointing outside the file is a broken document, not a crash
    broken = bytearray(samples.ole2("WordDocument"))
    broken[0x30:0x34] = (9999).to_bytes(4, "little")
    assert "illisible" in refusal("doc", bytes(broken)).message


def test_a_password_protected_office_file_is_accepted_under_its_ooxml_extension():
    encrypted = samples.ole2("EncryptionInfo", "EncryptedPackage")
    assert check("docx", encrypted).kind == "ooxml-encrypted"
    assert check("xlsx", encrypted).kind == "ooxml-encrypted"
    assert refusal("docx", samples.ole2("WordDocument")).code == "content_mismatch"


def test_word_opens_rtf_saved_as_doc_but_a_web_page_is_no_document():
    assert check("doc", b"{\\rtf1\\ansi Rapport}").kind == "rtf"
    error = refusal("doc", b"<!DOCTYPE html><html><script>alert(1)</script></html>")
    assert error.details["detected"] == "page web ou XML"


def test_opendocument_needs_its_mimetype_first_and_stored():
    mimetype = "application/vnd.oasis.opendocument.text"
    assert check("odt", samples.opendocument(mimetype)).kind == "odf"
    deflated = samples.zip_of({"mimetype": mimetype.encode(), "content.xml": b"<x/>"})  # mimetype compressed
    assert "mimetype" in refusal("odt", deflated).message
    assert refusal("ods", samples.opendocument(mimetype)).code == "content_mismatch"


def test_text_is_utf8_or_latin1_without_binary_bytes():
    assert check("txt", "Évaluation\r\n".encode()).content_type == "text/plain; charset=utf-8"
    assert check("txt", "Évaluation\n".encode("latin-1")).content_type == "text/plain; charset=iso-8859-1"
    assert check("txt", "\ufeffavec BOM\n".encode()).content_type == "text/plain; charset=utf-8"
    assert refusal("txt", "UTF-16".encode("utf-16")).code == "content_mismatch"  # NUL bytes
    assert refusal("txt", b"texte" * 5000 + b"\x00").code == "content_mismatch"  # found past the first bytes


def test_images_and_pdf_by_their_signature():
    assert check("tiff", samples.tiff("II")).kind == "tiff" and check("tiff", samples.tiff("MM")).kind == "tiff"
    assert check("jpeg", samples.jpeg()).content_type == "image/jpeg"
    assert refusal("gif", samples.jpeg()).details["detected"] == "image JPEG"
    assert refusal("jpg", b"\x89PNG\r\n\x1a\n" + bytes(100)).details["detected"] == "image PNG"
    assert refusal("pdf", b"   %PDF-1.4 late header\n%%EOF").code == "content_mismatch"


def test_the_first_bytes_are_enough_to_refuse_early():
    formats.check_head("pdf", b"%PDF-1.7\n" + bytes(8000), complete=False)
    with pytest.raises(Refused):
        formats.check_head("pdf", samples.windows_executable()[:8192], complete=False)
    formats.check_head("pdf", b"%PD", complete=False)  # too short to tell: wait for more


def test_zip_limits():
    assert "taux de compression" in refusal("zip", samples.zip_bomb(20 * 1024 * 1024)).message
    assert "trop de fichiers" in refusal("zip", samples.many_entries(11), formats.Limits(zip_max_entries=10)).message
    small = formats.Limits(zip_max_uncompressed=10 * 1024 * 1024)
    assert "taille décompressée totale" in refusal("zip", samples.nested_zip_bomb(copies=4), small).message
    deep = samples.zip_of({"leaf.txt": b"x"})
    for level in range(4):
        deep = samples.zip_of({f"n{level}.zip": deep})
    assert "imbriquées" in refusal("zip", deep).message
    assert "annoncée" in refusal("zip", samples.lying_zip()).message
    assert check("zip", samples.zip_of({"a/b.txt": b"ok", "c.zip": samples.zip_of({"d.txt": b"ok"})})).kind == "zip"


def test_a_corrupt_archive_is_a_content_mismatch():
    good = samples.zip_of({"a.txt": b"hello world" * 100})
    corrupt = bytearray(good)
    corrupt[40:60] = bytes(20)  # inside the deflate stream of a.txt
    assert refusal("zip", bytes(corrupt)).code in ("content_mismatch", "zip_bomb")
    assert "illisible" in refusal("zip", good[:-30]).message


def test_encrypted_zip_entries_are_checked_by_their_declared_sizes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("secret.txt")
        info.flag_bits |= 0x1  # as if encrypted: its data cannot be read without the password
        archive.writestr(info, b"ciphertext")
    assert check("zip", buffer.getvalue()).kind == "zip"


@pytest.mark.parametrize("raw, expected", [
    ("Rapport d'activité 2024.pdf", "Rapport d'activité 2024.pdf"),
    ("  espaces autour.docx  ", "espaces autour.docx"),
    ("Re\u0301sume\u0301.txt", "Résumé.txt"),  # decomposed accents are composed (NFC)
    ("a" * 251 + ".pdf", "a" * 251 + ".pdf"),  # 255 bytes: the most file systems take
])
def test_names_are_kept_as_given(raw, expected):
    assert domain.clean_filename(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "../x.pdf", "a/b.pdf", "a\\b.pdf", "..", "x\x00.pdf", "x\n.pdf",
                                 "x\u202e.pdf", "a" * 252 + ".pdf", "é" * 126 + ".pdf"])
def test_bad_names_are_refused(raw):
    with pytest.raises(Refused) as refused:
        domain.clean_filename(raw)
    assert refused.value.code == "bad_filename"


def test_extensions_are_case_insensitive_and_must_be_allowed():
    assert domain.extension_of("SCAN.JPEG") == "jpeg" and domain.extension_of("a.b.Docx") == "docx"
    for name in ("virus.exe", "page.html", "image.png", "archive.tar.gz", ".pdf", "sans extension"):
        with pytest.raises(Refused) as refused:
            domain.extension_of(name)
        assert refused.value.code == "extension_not_allowed"


def test_the_name_header_is_percent_encoded_utf8():
    assert domain.header_filename("Proc%C3%A8s-verbal.pdf") == "Procès-verbal.pdf"
    assert domain.header_filename("UTF-8''Proc%C3%A8s-verbal.pdf") == "Procès-verbal.pdf"
    assert domain.header_filename("Procès-verbal.pdf".encode().decode("latin-1")) == "Procès-verbal.pdf"
    assert domain.header_filename("100%.pdf") == "100%.pdf"
    with pytest.raises(Refused):
        domain.header_filename("Proc%E8s.pdf")  # latin-1 percent-encoded


def test_content_disposition_has_an_ascii_fallback_and_the_exact_name():
    assert domain.content_disposition('Compte rendu « final » "v2".pdf') == (
        "attachment; filename=\"Compte rendu _ final _ _v2_.pdf\"; "
        "filename*=UTF-8''Compte%20rendu%20%C2%AB%20final%20%C2%BB%20%22v2%22.pdf")


def test_sizes_are_said_in_french():
    assert domain.human_size(50 * 1024 * 1024) == "50 Mo"
    assert domain.human_size(1024 ** 3) == "1 Go"
    assert domain.human_size(1536) == "1,5 Ko"


def test_our_sigv4_signature_is_the_one_minio_computes():
    """The service signs its S3 requests itself (streamed bodies); minio-py's signer is the reference."""
    from datetime import UTC, datetime
    from urllib.parse import SplitResult

    from minio.credentials import Credentials
    from minio.signer import sign_v4_s3

    from services.documents.storage import sigv4

    now = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)
    for method, path, query, extra in [
        ("PUT", "/bucket/indicator/0b9c", "partNumber=3&uploadId=abc_123", {"Content-Length": "10485760"}),
        ("POST", "/bucket/folder/x", "uploads=", {"Content-Type": "application/pdf",
                                                  "x-amz-meta-original-name": "Rapport%20d%C3%A9taill%C3%A9.pdf"}),
        ("GET", "/bucket/reference/y", "versionId=3HL4kqtJlcpXroDTDmJ%2Bfoo", {}),
        ("HEAD", "/bucket", "", {}),
    ]:
        url = SplitResult("http", "127.0.0.1:8333", path, query, "")
        payload = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        headers = {"Host": "127.0.0.1:8333", "x-amz-content-sha256": payload, "x-amz-date": "20261123T100000Z",
                   **extra}
        expected = sign_v4_s3(method=method, url=url, region="us-east-1", headers=dict(headers),
                              credentials=Credentials("ecars", "secret"), content_sha256=payload,
                              date=now)["Authorization"]
        assert sigv4(method, url, headers, payload, "ecars", "secret", "us-east-1", now) == expected
