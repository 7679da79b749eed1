"""The signed-in person's session, and the web UI's calls to the services.

The person's tokens live in the Flask session, kept server-side (gateway/web_sessions.py: the cookie holds a
random id only). Every call made as that person
goes through `call`, the one place where the access token is renewed: beforehand when it is known to have
expired, else once on a 401 (when the body can be sent again). When renewing fails the session is cleared
and `SessionExpired` sends the person back to the login page (gateway/ui/pages.py)."""

import time
from urllib.parse import quote

import httpx
from flask import Response, current_app, g, session, stream_with_context

from ecars_common.errors import ApiError
from gateway import upstream
from gateway.web_sessions import ServerSessions, claims_of

REFRESH_MARGIN = 30  # seconds before the access token's expiry when it is renewed beforehand
CHUNK = 256 * 1024
REFERENTIAL_TTL = 300  # seconds a service's referential (labels, lists of choices) is kept in memory
UNAVAILABLE = "Le service est momentanément indisponible. Réessayez dans quelques instants."
# The headers of a service's file handed on to the browser.
DOWNLOAD_HEADERS = ("Content-Type", "Content-Length", "Content-Disposition", "ETag", "Cache-Control",
                    "X-Content-Type-Options", "Content-Security-Policy")
WORD_HEADERS = ("Content-Type", "Content-Disposition", "Content-Length")


class SessionExpired(Exception):
    """The signed-in person's session cannot be renewed: back to the login page."""


# -- Reading the services' answers ----------------------------------------------------------------

def api_error(answer) -> tuple[str, str, dict]:
    """(code, message, details) of a service's error answer."""
    try:
        error = answer.json()["error"]
        return str(error.get("code", "")), str(error.get("message", "")), error.get("details") or {}
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", "", {}


def unexpected(answer) -> ApiError:
    """An answer the page has no place for: shown as an error page with the service's message."""
    code, message, _ = api_error(answer)
    if answer.status_code >= 500 or not message:
        return ApiError(502, code or "upstream_error", UNAVAILABLE)
    return ApiError(answer.status_code, code, message)


def ok_json(answer, *statuses: int) -> dict:
    """The answer's JSON when its status is expected; otherwise an error page with the service's message."""
    if answer.status_code not in (statuses or (200,)):
        raise unexpected(answer)
    return answer.json()


# -- The tokens -----------------------------------------------------------------------------------

def display_name(account: dict) -> str:
    name = f"{account.get('prenom') or ''} {account.get('nom') or ''}".strip()
    return name or account.get("email", "")


def remember_user(account: dict) -> None:
    session["user"] = {"display_name": display_name(account), "role": account.get("role", ""),
                       "email": account.get("email", "")}


def store_tokens(tokens: dict) -> None:
    session["claims"] = claims_of(tokens["access_token"])  # whose, which auth session (ended with it)
    session["access_token"] = tokens["access_token"]
    session["refresh_token"] = tokens["refresh_token"]
    session["access_expires_at"] = int(time.time()) + int(tokens.get("expires_in") or 0)
    if tokens.get("user"):
        remember_user(tokens["user"])


def start_session(tokens: dict, keep: tuple[str, ...] = ()) -> None:
    """Signed in: a new session id, and nothing of the anonymous session kept (a new CSRF token too) but `keep`."""
    kept = {name: session[name] for name in keep if name in session}
    fresh_session()
    session.update(kept)
    store_tokens(tokens)


def fresh_session() -> None:
    """Forget everything, and give the browser a new session id at the end of the request."""
    session.clear()
    session.renew()


def store() -> ServerSessions:
    return current_app.session_interface


def session_ended() -> bool:
    """The browser came with the cookie of a session that is over (signed out, timed out, revoked)."""
    return bool(getattr(session, "ended", False))


def signed_in() -> bool:
    return bool(session.get("access_token"))


def user() -> dict:
    return session.get("user") or {}


def has_role(group: tuple[str, ...]) -> bool:
    """Whether the signed-in person's role is one of `group` (a group of ecars_common/roles.py)."""
    return user().get("role", "") in group


def expire() -> SessionExpired:
    """The tokens are refused: the session ends here (pages.py sends the person to « Se connecter »)."""
    user_id = user_id_of_session()
    fresh_session()
    session.ended, session.ended_user_id = True, user_id
    return SessionExpired()


def user_id_of_session() -> str:
    return (session.get("claims") or {}).get("sub", "")


def refresh_session() -> None:
    """Renew the access token with the refresh token (spent: the service issues a new pair)."""
    refresh_token = session.get("refresh_token")
    if refresh_token:
        answer = anonymous_call("auth", "POST", "/token/refresh", json={"refresh_token": refresh_token})
        if answer.status_code == 200:
            store_tokens(answer.json())
            return
    raise expire()


# -- Calls ----------------------------------------------------------------------------------------

def anonymous_call(service: str, method: str, path: str, json=None, headers: dict | None = None) -> httpx.Response:
    """A call to a public route (signing in, renewing a password), on behalf of nobody yet."""
    return upstream.call(service, method, path, json=json, headers=headers)


def call(service: str, method: str, path: str, json=None, content=None, headers: dict | None = None,
         stream: bool = False, replayable: bool = True) -> httpx.Response:
    """Call a service as the signed-in person: a JSON body (`json`), or any other (`content`: bytes or an
    iterator of chunks, with its `headers`); `stream`: the answer is left unread (a download). An expired
    access token is renewed once; `replayable=False`: the body cannot be sent twice (a file read as it is
    sent), so a token refused after it was sent ends the session."""
    if not signed_in():
        raise SessionExpired()
    refreshed = False
    if time.time() >= session.get("access_expires_at", 0) - REFRESH_MARGIN:
        refresh_session()
        refreshed = True
    answer = _send(service, method, path, json, content, headers, stream)
    if answer.status_code != 401:
        return answer
    answer.close()
    if refreshed or not replayable:
        raise expire()
    refresh_session()
    answer = _send(service, method, path, json, content, headers, stream)
    if answer.status_code == 401:
        answer.close()
        raise expire()
    return answer


def _send(service: str, method: str, path: str, json, content, headers: dict | None, stream: bool) -> httpx.Response:
    client: httpx.Client = current_app.extensions["http_client"]
    sent = {"X-Request-ID": g.request_id, "X-Forwarded-For": upstream.edge_address(),
            "Authorization": f"Bearer {session['access_token']}", **(headers or {})}
    built = client.build_request(method, f"{upstream.base_url(service)}{path}", json=json, content=content,
                                 headers=sent)
    return upstream.send(service, built, stream=stream)


def referential(service: str, path: str) -> dict:
    """A service's referential (labels, lists of choices it owns), read as the signed-in person and kept for
    REFERENTIAL_TTL seconds: the same for everyone, and read by busy pages. A failure is not kept."""
    kept = current_app.extensions.setdefault("referentials", {})
    found = kept.get((service, path))
    if found is not None and found[0] > time.monotonic():
        return found[1]
    value = ok_json(call(service, "GET", path))
    kept[(service, path)] = (time.monotonic() + REFERENTIAL_TTL, value)
    return value


def send_document(path: str, upload) -> httpx.Response:
    """POST the browser's file (a Werkzeug FileStorage, spooled to disk) to the documents service as a
    raw body, read and sent in chunks, never all in memory; the answer is read and closed."""
    source = upload.stream
    source.seek(0, 2)
    size = source.tell()
    source.seek(0)

    def chunks():
        while chunk := source.read(CHUNK):
            yield chunk

    answer = call("documents", "POST", path, content=chunks(), stream=True, replayable=False,
                  headers={"Content-Type": "application/octet-stream", "Content-Length": str(size),
                           "X-File-Name": quote(upload.filename, safe="")})
    try:
        answer.read()
    finally:
        answer.close()
    return answer


def streamed(answer: httpx.Response, keep: tuple[str, ...]) -> Response:
    """A service's streamed answer handed to the browser chunk by chunk, with the headers named in `keep`."""
    if answer.status_code != 200:
        answer.read()
        answer.close()
        raise unexpected(answer)

    def body():
        try:
            yield from answer.iter_raw(CHUNK)
        finally:
            answer.close()

    headers = [(name, answer.headers[name]) for name in keep if name in answer.headers]
    response = Response(stream_with_context(body()), headers=headers, direct_passthrough=True)
    response.call_on_close(answer.close)
    return response


def download_document(document_id) -> Response:
    """A document of the documents service, streamed to the browser (the service checks who may read it)."""
    return streamed(call("documents", "GET", f"/documents/{document_id}/content", stream=True), DOWNLOAD_HEADERS)


def word_document(answer: httpx.Response) -> Response:
    """A Word document made for this person by the reporting service (never kept by a shared cache)."""
    response = streamed(answer, WORD_HEADERS)
    response.headers["Cache-Control"] = "private, no-store"
    return response
