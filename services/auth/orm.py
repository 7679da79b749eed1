"""Tables of the auth service, all in its own schema "auth"."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from ecars_common.db import service_metadata
from ecars_common.outbox import define_tables

metadata = service_metadata("auth")
outbox, inbox = define_tables(metadata)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True, server_default=sa.text("gen_random_uuid()")),
    sa.Column("email", sa.Text, nullable=False, unique=True),  # stored lower-cased
    sa.Column("civilite", sa.Text, nullable=False, server_default=""),
    sa.Column("nom", sa.Text, nullable=False),
    sa.Column("prenom", sa.Text, nullable=False),
    sa.Column("fonction", sa.Text, nullable=False, server_default=""),
    sa.Column("telephone", sa.Text, nullable=False, server_default=""),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("region", sa.Text),
    sa.Column("departement", sa.Text),
    sa.Column("password_hash", sa.Text),
    sa.Column("must_reset_password", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    # access tokens issued before this instant are refused (services/auth/sessions.py)
    sa.Column("tokens_not_before", sa.DateTime(timezone=True)),
    # « Désactiver le compte » (services/auth/disabling.py): no sign-in while set
    sa.Column("disabled_at", sa.DateTime(timezone=True)),
    sa.Column("disabled_by", UUID(as_uuid=False)),
)

verification_codes = sa.Table(
    "verification_codes",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("user_id", UUID(as_uuid=False), sa.ForeignKey(users.c.id), nullable=False, index=True),
    sa.Column("code_hash", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True)),
    sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("user_id", UUID(as_uuid=False)),
    sa.Column("client_address", sa.Text),
    sa.Column("request_id", sa.Text),
    sa.Column("details", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
)

signing_keys = sa.Table(
    "signing_keys",
    metadata,
    sa.Column("kid", sa.Text, primary_key=True),
    sa.Column("private_pem", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# One per sign-in (a device, a browser): its refresh tokens rotate within it, its access tokens carry its id (sid).
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True, server_default=sa.text("gen_random_uuid()")),
    sa.Column("user_id", UUID(as_uuid=False), sa.ForeignKey(users.c.id), nullable=False, index=True),
    sa.Column("user_agent", sa.Text, nullable=False, server_default=""),
    sa.Column("client_address", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("ended_at", sa.DateTime(timezone=True)),
    sa.Column("ended_reason", sa.Text),
)

refresh_tokens = sa.Table(
    "refresh_tokens",
    metadata,
    sa.Column("token_hash", sa.Text, primary_key=True),
    sa.Column("user_id", UUID(as_uuid=False), sa.ForeignKey(users.c.id), nullable=False, index=True),
    sa.Column("session_id", UUID(as_uuid=False), sa.ForeignKey(sessions.c.id), index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

reset_grants = sa.Table(
    "reset_grants",
    metadata,
    sa.Column("token_hash", sa.Text, primary_key=True),
    sa.Column("user_id", UUID(as_uuid=False), sa.ForeignKey(users.c.id), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True)),
)

login_throttle = sa.Table(
    "login_throttle",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),  # "account:<email>", "address:<ip>" or "pair:<email> <ip>"
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
    sa.Column("last_failure_at", sa.DateTime(timezone=True)),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
)

# The feed every token verifier polls (GET /token-revocations): tokens of `key` (a hashed user or session id,
# ecars_common/revocations.py) issued before `not_before` are refused.
token_revocations = sa.Table(
    "token_revocations",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now(), index=True),
)

habilitations = sa.Table(
    "habilitations",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True, server_default=sa.text("gen_random_uuid()")),
    sa.Column("user_id", UUID(as_uuid=False), sa.ForeignKey(users.c.id), nullable=False, index=True),
    sa.Column("scope_type", sa.Text, nullable=False),  # ej | contract | cpom
    sa.Column("scope_id", sa.Text, nullable=False),
    sa.Column("administrateur", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("visibilite_documents_confidentiels", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("granted_by", UUID(as_uuid=False)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    # Numbers the habilitation's changes (1 at the grant, +1 at each change and at the revocation), carried by its
    # events as data.version so that the other services' projections converge whatever the order (migration 0005)
    sa.Column("version", sa.BigInteger, nullable=False, server_default="1"),
    sa.UniqueConstraint("user_id", "scope_type", "scope_id"),
)
