"""Receiving an upload without holding it in memory: the body (raw, or the file part of a multipart form)
is read in chunks, written to a temporary spool file while its SHA-256 and size are counted (the size
limit is enforced as it streams), and sent on to S3 as it grows (`storage.StreamedPut`). The first bytes
are checked before anything leaves for S3; the whole file once it has arrived; only then is the S3 object
completed. Anything refused leaves nothing behind: no object, no row, no spool file."""

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from werkzeug.sansio.multipart import Data, Epilogue, File, MultipartDecoder, NeedData

from services.documents import formats, storage
from services.documents.config import Config
from services.documents.domain import FORMATS, Refused, clean_filename, extension_of, header_filename, human_size

CHUNK = 1024 * 1024  # read from the request; larger reads cost less per byte
MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers and small fields around the file


@dataclass(frozen=True)
class Incoming:
    """An upload whose name is known and whose bytes are still to be read."""

    name: str
    extension: str
    chunks: Iterator[bytes]


@dataclass(frozen=True)
class Stored:
    name: str
    extension: str
    size: int
    sha256: str
    detected: formats.Detected
    version_id: str | None


def too_large(max_bytes: int) -> Refused:
    return Refused(413, "too_large", f"Le fichier dépasse la taille maximale autorisée ({human_size(max_bytes)}).",
                   {"max_bytes": max_bytes})


def limits_of(config: Config) -> formats.Limits:
    return formats.Limits(zip_max_entries=config.zip_max_entries, zip_max_uncompressed=config.zip_max_uncompressed,
                          zip_max_ratio=config.zip_max_ratio)


# -- where the bytes come from ---------------------------------------------------------------------

def named(raw_name: str | None) -> tuple[str, str]:
    name = clean_filename(raw_name)
    return name, extension_of(name)


def raw_body(stream, raw_name: str | None) -> Incoming:
    """Content-Type application/octet-stream (or any non-form type): the body is the file."""
    name, extension = named(raw_name)
    return Incoming(name, extension, iter(lambda: stream.read(CHUNK), b""))


def multipart_body(stream, boundary: str, max_bytes: int) -> Incoming:
    """multipart/form-data from a browser form: the first file part is the document (other fields are
    ignored). Parsed as it streams with werkzeug's sans-IO decoder; nothing is buffered but a chunk."""
    if not boundary:
        raise Refused(400, "invalid_multipart", "Formulaire multipart invalide : délimiteur (boundary) absent.")
    decoder = MultipartDecoder(boundary.encode("latin-1", "replace"), max_parts=20)
    budget = [max_bytes + MULTIPART_OVERHEAD]

    def events():
        while True:
            data = stream.read(CHUNK)
            budget[0] -= len(data)
            if budget[0] < 0:
                raise too_large(max_bytes)
            decoder.receive_data(data or None)
            while True:
                try:
                    event = decoder.next_event()
                except (ValueError, UnicodeDecodeError) as exc:
                    raise Refused(400, "invalid_multipart", "Formulaire multipart invalide.",
                                  {"reason": str(exc)[:200]})
                if isinstance(event, NeedData):
                    break
                if isinstance(event, Epilogue):
                    return
                yield event
            if not data:
                raise Refused(400, "invalid_multipart", "Formulaire multipart incomplet.")

    stream_of_events = events()
    for event in stream_of_events:  # fields before the file (their data events included) are skipped
        if isinstance(event, File):
            name, extension = named(event.filename)
            break
    else:
        raise Refused(422, "validation_failed", "Aucun fichier dans le formulaire.", {"file": "obligatoire"})

    def chunks():
        for event in stream_of_events:
            if isinstance(event, Data):
                if event.data:
                    yield event.data
                if not event.more_data:
                    break
        for _ in stream_of_events:  # the rest of the form (closing boundary, stray fields): read, ignored
            pass

    return Incoming(name, extension, chunks())


# -- spool, check, store ---------------------------------------------------------------------------

def receive(incoming: Incoming, config: Config, s3: storage.S3, key: str, metadata: dict,
            still_allowed=None) -> Stored:
    with tempfile.TemporaryFile(dir=config.spool_dir, buffering=0) as spool:
        fd = spool.fileno()
        put = storage.StreamedPut(s3, key, FORMATS[incoming.extension][1], metadata, fd, config.part_size,
                                  config.parallel_parts)
        try:
            size, digest, head = 0, hashlib.sha256(), b""
            for chunk in incoming.chunks:
                if put.failed:
                    raise storage.StorageUnavailable(str(put.error))  # S3 is away: no use reading on
                size += len(chunk)
                if size > config.max_bytes:
                    raise too_large(config.max_bytes)
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view):]
                digest.update(chunk)
                put.wrote(chunk)
                if not put.head_ok:
                    head += chunk[:formats.HEAD_BYTES - len(head)]
                    if len(head) >= formats.HEAD_BYTES:
                        formats.check_head(incoming.extension, head, complete=False)
                        put.head_checked()
            with open(fd, "rb", closefd=False) as reader:
                detected = formats.check_file(incoming.extension, reader, size, limits_of(config))
            if still_allowed is not None:
                still_allowed()
            sha256 = digest.hexdigest()
            version_id = put.accept(sha256)
        except BaseException:
            put.cancel()
            raise
    return Stored(incoming.name, incoming.extension, size, sha256, detected, version_id)


def drain(stream, limit: int) -> None:
    """Read and drop what is left of a refused request body (at most `limit` bytes), so that the client,
    still sending, reads our answer instead of a reset connection."""
    left = limit
    try:
        while left > 0 and (chunk := stream.read(min(CHUNK, left))):
            left -= len(chunk)
    except Exception:  # noqa: S110 (a client gone away: nothing to answer to)
        pass


def name_from_request(headers, args) -> str | None:
    """X-File-Name (percent-encoded UTF-8, or RFC 5987 UTF-8''…) or the query parameter `name`."""
    if "X-File-Name" in headers:
        return header_filename(headers["X-File-Name"])
    return args.get("name")
