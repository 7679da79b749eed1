"""What every cpom use case leaves behind: the CPOM audit trail and the events it publishes."""

from functools import partial

from sqlalchemy import Connection

from ecars_common import outbox
from ecars_common.logs import request_id_var
from ecars_common.tokens import Identity
from services.cpom.orm import audit_log

SCHEMA = "cpom"

# The events a use case publishes, in its transaction: ecars_common.outbox.publish, from cpom.
publish = partial(outbox.publish, service="cpom")


def audit(session: Connection, identity: Identity | None, action: str, cpom_id: str | None = None, **details) -> None:
    """Who did what to which CPOM, when (status changes, validations, imports, transmissions…)."""
    session.execute(audit_log.insert().values(
        cpom_id=cpom_id, action=action, user_id=identity.user_id if identity else None,
        email=identity.email if identity else None, role=identity.role if identity else None,
        request_id=request_id_var.get(), details=details))

