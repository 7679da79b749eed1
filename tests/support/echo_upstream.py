"""A stand-in upstream for the gateway's end-to-end tests: `python -m tests.support.echo_upstream PORT`.

- POST /upload: reads the body in chunks (Content-Length or chunked), answers {"bytes": n, "sha256": ...};
- GET /download?size=N: streams N deterministic bytes (see `payload`) with a Content-Length;
- any method on /echo…: answers what it received (method, path, query, headers, body size) as JSON;
  ?status=NNN answers that status instead (with no body for 204 and 304).
"""

import hashlib
import json
import random
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CHUNK = 64 * 1024
BLOCK = random.Random(20240901).randbytes(CHUNK + 17)  # odd length: chunk edges never line up with blocks


def payload(size: int, chunk: int = CHUNK):
    """`size` deterministic pseudo-random bytes, in chunks of at most `chunk` bytes."""
    offset = 0
    while offset < size:
        start = offset % len(BLOCK)
        piece = BLOCK[start:start + min(chunk, size - offset)]
        offset += len(piece)
        yield piece


def payload_sha256(size: int) -> str:
    digest = hashlib.sha256()
    for piece in payload(size, chunk=1024 * 1024):
        digest.update(piece)
    return digest.hexdigest()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 (BaseHTTPRequestHandler's signature)
        sys.stderr.write("echo-upstream: " + (format % args) + "\n")

    def _body_chunks(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return
                remaining = size
                while remaining:
                    piece = self.rfile.read(min(CHUNK, remaining))
                    if not piece:
                        return
                    remaining -= len(piece)
                    yield piece
                self.rfile.readline()
        else:
            remaining = int(self.headers.get("Content-Length") or 0)
            while remaining:
                piece = self.rfile.read(min(CHUNK, remaining))
                if not piece:
                    return
                remaining -= len(piece)
                yield piece

    def _json(self, status: int, data: dict) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/upload" and self.command == "POST":
            digest, count = hashlib.sha256(), 0
            for piece in self._body_chunks():
                digest.update(piece)
                count += len(piece)
            self._json(200, {"bytes": count, "sha256": digest.hexdigest(),
                             "chunked": self.headers.get("Transfer-Encoding", "").lower() == "chunked"})
        elif url.path == "/download" and self.command == "GET":
            size = int(query["size"][0])
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            for piece in payload(size):
                self.wfile.write(piece)
        elif url.path.startswith("/echo"):
            received = sum(len(piece) for piece in self._body_chunks())
            status = int(query.get("status", ["200"])[0])
            if status in (204, 304):
                self.send_response(status)
                self.end_headers()
                return
            self._json(status, {"method": self.command, "path": url.path, "query": url.query,
                                "headers": {k.lower(): v for k, v in self.headers.items()}, "bytes": received})
        else:
            self._json(404, {"error": {"code": "not_found", "message": self.path, "details": {}}})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main() -> None:
    port = int(sys.argv[1])
    Server(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
