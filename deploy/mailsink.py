"""A local SMTP sink (aiosmtpd) that keeps every message on disk, and a small read-only web page
listing them, so a person trying e-CARS locally can read their verification code.

    python -m deploy.mailsink --dir .local/mail --smtp-port 1025 --web-port 8025
"""

import argparse
import base64
import email
import email.policy
import html
import json
import time
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller


class KeepOnDisk:
    def __init__(self, directory: Path):
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        name = f"{time.time_ns()}.eml"
        (self.directory / f".{name}").write_bytes(envelope.original_content)
        (self.directory / f".{name}").rename(self.directory / name)  # readers never see half a message
        return "250 Message accepted for delivery"


def read_messages(directory: Path) -> list[dict]:
    """Every kept message, oldest first, as {to, from, subject, date, text, html, attachments}; an attachment is
    {filename, content_type, size, base64}."""
    messages = []
    for path in sorted(directory.glob("*.eml")):
        if path.name.startswith("."):
            continue  # a message being written (pathlib's glob lists hidden files), renamed once whole
        message: EmailMessage = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        text = message.get_body(("plain",))
        rich = message.get_body(("html",))
        messages.append({
            "id": path.stem, "to": message["To"], "from": message["From"], "subject": message["Subject"],
            "date": message["Date"], "text": text.get_content() if text else "",
            "html": rich.get_content() if rich else "",
            "attachments": [{"filename": part.get_filename(), "content_type": part.get_content_type(),
                             "size": len(data := part.get_content()), "base64": base64.b64encode(data).decode()}
                            for part in message.iter_attachments()],
        })
    return messages


def web_handler(directory: Path):
    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            messages = read_messages(directory)
            if self.path.startswith("/messages.json"):
                body, kind = json.dumps(messages, ensure_ascii=False).encode(), "application/json"
            else:
                rows = "".join(
                    f"<article><h2>{html.escape(m['subject'] or '')}</h2><p>À : {html.escape(m['to'] or '')}"
                    f"</p><pre>{html.escape(m['text'])}</pre></article><hr>"
                    for m in reversed(messages)
                )
                body = (f"<!doctype html><html lang='fr'><meta charset='utf-8'><title>Courriels e-CARS (local)"
                        f"</title><h1>Courriels reçus ({len(messages)})</h1>{rows}</html>").encode()
                kind = "text/html; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Page


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--web-port", type=int, default=8025)
    args = parser.parse_args()
    controller = Controller(KeepOnDisk(args.dir), hostname="127.0.0.1", port=args.smtp_port)
    controller.start()
    server = ThreadingHTTPServer(("127.0.0.1", args.web_port), web_handler(args.dir))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
