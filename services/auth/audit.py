"""What every auth use case leaves behind: the security audit trail and the events it publishes."""

from functools import partial

from sqlalchemy import Connection

from ecars_common import outbox
from ecars_common.logs import request_id_var
from services.auth.orm import audit_log

# The events a use case publishes, in its transaction: ecars_common.outbox.publish, from auth.
publish = partial(outbox.publish, service="auth")


def audit(session: Connection, action: str, user_id: str | None, client_address: str, **details) -> None:
    """Security audit trail (who, what, when, from where). Never give it a password or a code."""
    session.execute(
        audit_log.insert().values(action=action, user_id=user_id, client_address=client_address,
                                  request_id=request_id_var.get(), details=details)
    )



def person(user) -> dict:
    """The fields of a user that emails address them with."""
    return {"user_id": user["id"], "email": user["email"], "civilite": user["civilite"], "nom": user["nom"],
            "prenom": user["prenom"]}
