"""The DocumentStore port's S3 adapter. Append-only by design: put and get, no delete.

`S3` makes the few calls the service needs (GetObject, PutObject, the multipart upload calls, HeadBucket)
as SigV4-signed HTTP requests over urllib3, with bodies streamed from the upload's spool file: each part
is hashed while it is written to disk and then sent from the file with the signature over its SHA-256,
which S3 verifies. minio-py signs a body by hashing it in memory, so every 10 MB part would sit in memory
(twice, with its copies); here an upload holds a few chunks whatever the size of the file or of its parts,
and parts go up in parallel while the upload still arrives. minio-py (and its 5 MB of imports) is only
used by `migrate`, to create the bucket.

`StreamedPut` completes the S3 object only once the whole file has been checked: a refused upload's parts
are aborted, so nothing refused is ever stored — which matters, since Object Lock would keep it for years."""

import hashlib
import hmac
import logging
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from urllib.parse import SplitResult, quote, urlunsplit
from xml.etree import ElementTree

import certifi
import urllib3
from urllib3.util import Timeout

from services.documents.config import Config

log = logging.getLogger(__name__)
STREAM_CHUNK = 256 * 1024
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class StorageUnavailable(Exception):
    """S3 could not be reached or refused the operation."""


def ensure_bucket(config: Config) -> None:
    """The bucket is created with Object Lock and a COMPLIANCE default retention, so that not even
    the service's own credentials can erase a document before the retention ends."""
    from minio import Minio
    from minio.commonconfig import COMPLIANCE
    from minio.objectlockconfig import DAYS, YEARS, ObjectLockConfig

    s3 = Minio(config.s3_endpoint, access_key=config.s3_access_key, secret_key=config.s3_secret_key,
               secure=config.s3_secure, region=config.s3_region or None)
    if not s3.bucket_exists(config.s3_bucket):
        s3.make_bucket(config.s3_bucket, object_lock=True)
        duration = (config.retention_days, DAYS) if config.retention_days > 0 else (config.retention_years, YEARS)
        s3.set_object_lock_config(config.s3_bucket, ObjectLockConfig(COMPLIANCE, *duration))


def object_metadata(document_id: str, name: str, owner: dict, uploaded_by: str | None = None) -> dict:
    """User metadata kept with the object (ASCII only): which document it is, whose and who sent it, should the
    catalogue ever have to be rebuilt from the bucket (an object whose row was lost: services/documents/orphans.py)."""
    meta = {"document-id": document_id, "original-name": quote(name, safe="")}
    if uploaded_by:
        meta["uploaded-by"] = uploaded_by
    meta.update({f"owner-{k.replace('_', '-')}": quote(str(v), safe="") for k, v in owner.items()})
    return meta


def sigv4(method: str, url: SplitResult, headers: dict, payload_sha256: str, access_key: str, secret_key: str,
          region: str, now: datetime) -> str:
    """The Authorization header of AWS Signature Version 4 for S3 (every header given is signed; the query
    string must already be encoded RFC 3986-style and sorted)."""
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    canonical = {name.lower(): " ".join(str(value).split()) for name, value in headers.items()}
    signed_headers = ";".join(sorted(canonical))
    canonical_request = "\n".join([
        method, url.path or "/", url.query, "".join(f"{name}:{canonical[name]}\n" for name in sorted(canonical)),
        signed_headers, payload_sha256])
    scope = f"{day}/{region}/s3/aws4_request"
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                                hashlib.sha256(canonical_request.encode()).hexdigest()])
    key = f"AWS4{secret_key}".encode()
    for part in (day, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"


# -- uploads ---------------------------------------------------------------------------------------

class S3:
    """The S3 calls of the service on its bucket, SigV4-signed, bodies streamed from a file descriptor."""

    def __init__(self, config: Config):
        self.scheme = "https" if config.s3_secure else "http"
        self.host = config.s3_endpoint
        self.bucket = config.s3_bucket
        self.region = config.s3_region or "us-east-1"
        self.access_key, self.secret_key = config.s3_access_key, config.s3_secret_key
        self.http = urllib3.PoolManager(
            timeout=Timeout(connect=config.s3_connect_timeout, read=config.s3_read_timeout), maxsize=16,
            retries=False, cert_reqs="CERT_REQUIRED", ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where())

    def request(self, method: str, key: str | None, query: dict | None = None, headers: dict | None = None,
                body=None, length: int = 0, sha256: str = EMPTY_SHA256, attempts: int = 2, stream: bool = False,
                bucket: str | None = None):
        """One signed request (`key` None: the bucket itself); `body` is bytes or a callable returning a fresh
        iterable of chunks (so that a failed attempt can be sent again); `stream`: the answer's body is left
        to read. Any answer but 2xx raises StorageUnavailable."""
        path = f"/{bucket or self.bucket}" + ("" if key is None else f"/{quote(key, safe='/')}")
        query_string = "&".join(f"{quote(k, safe='-_.~')}={quote(str(v), safe='-_.~')}"
                                for k, v in sorted((query or {}).items()))
        url = SplitResult(self.scheme, self.host, path, query_string, "")
        for attempt in range(1, attempts + 1):
            now = datetime.now(UTC)
            signed = {**(headers or {}), "Host": self.host, "x-amz-content-sha256": sha256,
                      "x-amz-date": now.strftime("%Y%m%dT%H%M%SZ")}
            if method in ("PUT", "POST"):
                signed["Content-Length"] = str(length)
            signed["Authorization"] = sigv4(method, url, signed, sha256, self.access_key, self.secret_key,
                                            self.region, now)
            try:
                response = self.http.urlopen(method, urlunsplit(url), headers=signed, redirect=False,
                                             body=body() if callable(body) else body, preload_content=not stream)
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                if attempt == attempts:
                    raise StorageUnavailable(f"{method} {key}: {exc}") from exc
                continue
            if response.status < 300:
                return response
            detail = response.read(300) if stream else response.data[:300]
            response.release_conn()
            if response.status < 500 or attempt == attempts:
                raise StorageUnavailable(f"{method} {key}: HTTP {response.status} {detail!r}")
        raise StorageUnavailable(f"{method} {key}: no answer")  # pragma: no cover (the loop returns or raises)

    def get(self, key: str, version_id: str | None, bucket: str | None = None):
        """The stored version of a document, as a streamed urllib3 response (the caller closes it)."""
        return self.request("GET", key, {"versionId": version_id} if version_id else None, stream=True,
                            bucket=bucket)

    def ping(self) -> None:
        """HeadBucket: S3 answers and the bucket is there."""
        self.request("HEAD", None, attempts=1)

    def put(self, key: str, headers: dict, fd: int, length: int, sha256: str) -> str | None:
        response = self.request("PUT", key, headers=headers, body=lambda: file_region(fd, 0, length),
                                length=length, sha256=sha256)
        return response.headers.get("x-amz-version-id")

    def list_objects(self, prefix: str = "") -> Iterator[tuple[str, int, datetime]]:
        """(key, size, last modified) of every object of the bucket under `prefix` (ListObjectsV2, by pages)."""
        token = None
        while True:
            query = {"list-type": 2, "prefix": prefix, **({"continuation-token": token} if token else {})}
            root = ElementTree.fromstring(self.request("GET", None, query).data)  # noqa: S314 (our S3, as above)
            for item in _children(root, "Contents"):
                yield (_child_text(item, "Key"), int(_child_text(item, "Size") or 0),
                       datetime.fromisoformat(_child_text(item, "LastModified").replace("Z", "+00:00")))
            token = _child_text(root, "NextContinuationToken")
            if _child_text(root, "IsTruncated") != "true" or not token:
                return

    def head(self, key: str) -> dict:
        """The object's headers (its x-amz-meta-* user metadata among them), lower-cased."""
        return {name.lower(): value for name, value in self.request("HEAD", key).headers.items()}

    def create_multipart(self, key: str, headers: dict) -> str:
        response = self.request("POST", key, {"uploads": ""}, headers=headers)
        upload_id = _xml_text(response.data, "UploadId")
        if not upload_id:
            raise StorageUnavailable(f"CreateMultipartUpload {key}: no UploadId")
        return upload_id

    def upload_part(self, key: str, upload_id: str, number: int, fd: int, offset: int, length: int,
                    sha256: str) -> str:
        response = self.request("PUT", key, {"partNumber": number, "uploadId": upload_id},
                                body=lambda: file_region(fd, offset, length), length=length, sha256=sha256)
        return response.headers.get("ETag", "").strip('"')

    def complete_multipart(self, key: str, upload_id: str, etags: list[str]) -> str | None:
        body = ("<CompleteMultipartUpload>" + "".join(
            f"<Part><PartNumber>{number}</PartNumber><ETag>\"{etag}\"</ETag></Part>"
            for number, etag in enumerate(etags, 1)) + "</CompleteMultipartUpload>").encode()
        response = self.request("POST", key, {"uploadId": upload_id}, headers={"Content-Type": "application/xml"},
                                body=body, length=len(body), sha256=hashlib.sha256(body).hexdigest())
        if b"<Error>" in response.data[:1000]:  # S3 may answer 200 and report the failure in the body
            raise StorageUnavailable(f"CompleteMultipartUpload {key}: {response.data[:300]!r}")
        return response.headers.get("x-amz-version-id")

    def abort_multipart(self, key: str, upload_id: str) -> None:
        self.request("DELETE", key, {"uploadId": upload_id})


def _xml_text(data: bytes, tag: str) -> str | None:
    for element in ElementTree.fromstring(data).iter():  # noqa: S314 (our S3 answering, as minio itself parses it)
        if element.tag.rsplit("}", 1)[-1] == tag:
            return element.text
    return None


def _children(element, tag: str) -> list:
    return [child for child in element if child.tag.rsplit("}", 1)[-1] == tag]


def _child_text(element, tag: str) -> str | None:
    found = _children(element, tag)
    return found[0].text if found else None


def file_region(fd: int, offset: int, length: int):
    """`length` bytes of the file from `offset`, in chunks (os.pread: the file position is not touched)."""
    end = offset + length
    while offset < end:
        chunk = os.pread(fd, min(STREAM_CHUNK, end - offset), offset)
        if not chunk:
            raise OSError("spool file shorter than expected")
        offset += len(chunk)
        yield chunk


class StreamedPut:
    """Sends a spool file to S3 as it grows. The writer calls `wrote(chunk)` after each chunk lands on disk,
    `head_checked()` once the first bytes passed the format check (nothing leaves before that), then
    `accept(sha256)` (the object is completed; returns its version id) or `cancel()` (nothing is stored).

    Every full part (`part_size`) is uploaded by a small thread pool, from the file, as soon as the file goes
    on beyond it; a file of one part at most is sent with one PutObject at `accept`."""

    def __init__(self, s3: S3, key: str, content_type: str, metadata: dict, fd: int, part_size: int,
                 parallel: int = 3):
        self.s3, self.key, self.fd, self.part_size, self.parallel = s3, key, fd, part_size, parallel
        self.headers = {"Content-Type": content_type, **{f"x-amz-meta-{k}": v for k, v in metadata.items()}}
        self.head_ok = False
        self.error: BaseException | None = None
        self._received = 0
        self._part_start = 0
        self._part_hash = hashlib.sha256()
        self._waiting: list[tuple[int, int, str]] = []  # complete parts not sent yet
        self._futures: list[Future] = []
        self._pool: ThreadPoolExecutor | None = None
        self._upload_id: str | None = None
        self._upload_lock = threading.Lock()
        self._cancelled = threading.Event()

    @property
    def failed(self) -> bool:
        return self.error is not None

    # -- the writer's side ----------------------------------------------------------------------
    def wrote(self, chunk: bytes) -> None:
        if chunk:
            self._release()  # the file goes on beyond the parts completed so far: they can go
        view = memoryview(chunk)
        while view:
            piece = view[:self.part_size - (self._received - self._part_start)]
            self._part_hash.update(piece)
            self._received += len(piece)
            view = view[len(piece):]
            if self._received - self._part_start == self.part_size:
                self._waiting.append((self._part_start, self.part_size, self._part_hash.hexdigest()))
                self._part_start, self._part_hash = self._received, hashlib.sha256()

    def head_checked(self) -> None:
        self.head_ok = True

    def accept(self, sha256: str) -> str | None:
        """The file is complete and valid: send what is left, then complete the object."""
        self.head_ok = True
        try:
            if not self._futures and self._received <= self.part_size:  # one part at most: one PutObject
                return self.s3.put(self.key, self.headers, self.fd, self._received, sha256)
            self._release()
            if self._received > self._part_start:
                self._submit(self._part_start, self._received - self._part_start, self._part_hash.hexdigest())
            etags = [future.result() for future in self._futures]
            if self.error is not None:
                raise self.error
            return self.s3.complete_multipart(self.key, self._upload_id, etags)
        except BaseException:
            self.cancel()
            raise
        finally:
            self._shutdown()

    def cancel(self) -> None:
        """Nothing of this upload is stored: pending parts are dropped, the multipart upload aborted."""
        self._cancelled.set()
        for future in self._futures:
            future.cancel()
        self._shutdown()
        if self._upload_id is not None:
            try:
                self.s3.abort_multipart(self.key, self._upload_id)
            except StorageUnavailable as exc:  # no object exists without CompleteMultipartUpload
                log.warning("could not abort the multipart upload of %s: %s", self.key, exc)
            self._upload_id = None

    # -- the pool's side ------------------------------------------------------------------------
    def _release(self) -> None:
        """Send the completed parts, once the first bytes have been checked."""
        if self.head_ok:
            waiting, self._waiting = self._waiting, []
            for part in waiting:
                self._submit(*part)

    def _submit(self, offset: int, length: int, sha256: str) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="s3-part")
        number = len(self._futures) + 1
        self._futures.append(self._pool.submit(self._send_part, number, offset, length, sha256))

    def _send_part(self, number: int, offset: int, length: int, sha256: str) -> str:
        try:
            with self._upload_lock:
                if self._cancelled.is_set():
                    raise StorageUnavailable("cancelled")
                if self._upload_id is None:
                    self._upload_id = self.s3.create_multipart(self.key, self.headers)
            return self.s3.upload_part(self.key, self._upload_id, number, self.fd, offset, length, sha256)
        except BaseException as exc:
            if not self._cancelled.is_set():
                self.error = self.error or exc
            raise

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
