"""/dashboard: the support team's view of one service (role support or admin), reached through the
gateway at /support/<service>/. Health of its dependencies, outbox backlog and oldest unsent event,
consumer queue depth and dead letters (inspect and replay), request and error rates, recent errors
with their request ids, and the service's own key counts."""

import asyncio
import json
from collections.abc import Callable

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import Connection

from ecars_common import queues
from ecars_common.amqp import connect
from ecars_common.consumer import queue_names, replay_dead_letters
from ecars_common.errors import ApiError
from ecars_common.numbers import whole_number
from ecars_common.tokens import current_identity

SUPPORT_ROLES = ("support", "admin")


def require_support() -> None:
    if current_identity().role not in SUPPORT_ROLES:
        raise ApiError(403, "forbidden", "Réservé à l'équipe support.")


def event_tables(session: Connection, schema: str, retention_days: float) -> tuple[dict, dict]:
    """The outbox's backlog, and the housekeeping's figures (docs/reliability.md): rows each table holds and those
    past the retention not purged yet — one pass over each table."""
    values = {"days": retention_days}
    outbox = session.execute(sa.text(
        f'SELECT count(*) FILTER (WHERE sent_at IS NULL) AS unsent, '
        f'min(created_at) FILTER (WHERE sent_at IS NULL) AS oldest_unsent, '
        f"count(*) FILTER (WHERE sent_at > now() - interval '1 hour') AS sent_last_hour, "
        f'max(last_error) FILTER (WHERE sent_at IS NULL) AS last_error, '
        f'count(*) FILTER (WHERE sent_at IS NOT NULL) AS sent, '
        f"count(*) FILTER (WHERE sent_at < now() - make_interval(secs => :days * 86400)) AS sent_past "
        f'FROM "{schema}".outbox'), values).one()
    inbox = session.execute(sa.text(
        f"SELECT count(*) AS received, "
        f"count(*) FILTER (WHERE received_at < now() - make_interval(secs => :days * 86400)) AS received_past "
        f'FROM "{schema}".inbox'), values).one()
    backlog = {"unsent": outbox.unsent,
               "oldest_unsent_at": outbox.oldest_unsent.isoformat() if outbox.oldest_unsent else None,
               "sent_last_hour": outbox.sent_last_hour, "last_error": outbox.last_error}
    kept = {"outbox_sent_rows": outbox.sent, "outbox_rows_past_retention": outbox.sent_past,
            "inbox_rows": inbox.received, "inbox_rows_past_retention": inbox.received_past,
            "events_retention_days": retention_days}
    return backlog, kept


async def _queue_depths(settings) -> dict:
    connection = await connect(settings.amqp_url, timeout=3)
    depths = {}
    async with connection:
        for kind, name in queue_names(settings).items():
            channel, queue = await queues.existing(connection, name)
            depths[kind] = None if queue is None else queue.declaration_result.message_count
            await channel.close()
    return depths


async def _peek_dead_letters(settings, limit: int) -> list[dict]:
    connection = await connect(settings.amqp_url, timeout=3)
    seen = []
    async with connection:
        _, queue = await queues.existing(connection, queue_names(settings)["dead"])
        held = []
        while queue is not None and len(held) < limit:
            message = await queue.get(fail=False, no_ack=False)
            if message is None:
                break
            held.append(message)
            try:
                body = json.loads(message.body)
            except ValueError:
                body = {"raw": message.body[:500].decode(errors="replace")}
            headers = message.headers or {}
            seen.append({"event_id": body.get("id"), "type": body.get("type"), "error": headers.get("x-error"),
                         "attempts": headers.get("x-attempts"), "routing_key": headers.get("x-original-routing-key"),
                         "envelope": body})
        for message in held:  # inspection only: every message goes back
            await message.nack(requeue=True)
    return seen


def blueprint(counts: Callable[[Connection], dict] | None = None) -> Blueprint:
    bp = Blueprint("dashboard", __name__)

    @bp.get("/dashboard")
    def dashboard():
        require_support()
        settings = current_app.config["SETTINGS"]
        checks = {}
        for name, check in current_app.extensions["ready_checks"].items():
            try:
                check()
                checks[name] = "ok"
            except Exception as exc:
                checks[name] = f"indisponible : {type(exc).__name__}"
        with current_app.extensions["db"].session() as session:
            backlog, kept = event_tables(session, settings.schema, settings.events_retention_days)
            state = {"outbox": backlog, "housekeeping": kept, "counts": counts(session) if counts else {}}
        try:
            queues = asyncio.run(_queue_depths(settings))
        except Exception as exc:
            queues = {"error": f"courtier indisponible : {type(exc).__name__}"}
        return jsonify({"service": settings.service, "checks": checks, **state, "queues": queues,
                        "traffic": current_app.extensions["recent_traffic"].summary()})

    @bp.get("/dashboard/dead-letters")
    def dead_letters():
        require_support()
        limit = request.args.get("limit", "20")
        limit = whole_number(limit, 1, 200) or 20
        return jsonify({"items": asyncio.run(_peek_dead_letters(current_app.config["SETTINGS"], limit))})

    @bp.post("/dashboard/dead-letters/replay")
    def replay():
        require_support()
        moved = asyncio.run(replay_dead_letters(current_app.config["SETTINGS"]))
        return jsonify({"replayed": moved})

    return bp
