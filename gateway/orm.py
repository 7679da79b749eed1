"""The gateway's own table, in its schema `gateway`: the web sessions (gateway/web_sessions.py)."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from ecars_common.db import service_metadata

metadata = service_metadata("gateway")

# One row per browser session. `id` is the SHA-256 of the random id the cookie holds: the table alone opens
# no session. `data` holds what Flask's session holds (the tokens, the CSRF token, flash messages…).
web_sessions = sa.Table(
    "web_sessions", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(36), index=True),  # null while nobody is signed in
    sa.Column("auth_session_id", sa.String(36), index=True),  # auth's session (the tokens' `sid`)
    sa.Column("data", JSONB, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now(),
              index=True),
)
