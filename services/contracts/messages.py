"""« Messages » of a contract (issue 18): the EJ's people and the ARS of the campaign's region write to each other,
the ARS keeps private notes; built on ecars_common.messaging (docs/messaging.md). Reaching the thread is reaching
the contract (access.load: 404 otherwise); a message is emailed to the other side — the contract's contacts (the
habilitations on the contract or its EJ) for the ARS's, the ARS referent for the establishment's — and written in the
contract's history (field « message »; a private note is not)."""

from sqlalchemy import Connection

from ecars_common import messaging
from ecars_common.tokens import Identity
from services.contracts import access, audit, contacts
from services.contracts.orm import messages


def open_thread(session: Connection, identity: Identity, contract_id: str) -> messaging.Thread:
    contract = access.load(session, identity, contract_id)
    authority = access.is_authority(identity, contract)

    def recipients() -> list[str]:
        if authority:
            return contacts.emails_of(session, [contract_id])[contract_id]
        return [contract["referent_email"]] if contract["referent_email"] else []

    return messaging.Thread("contract", contract_id, authority, contract["name"], contract["ej_finess"],
                            contract["ej_raison_sociale"], f"/contrats/{contract_id}/messages", recipients)


def in_history(session: Connection, identity: Identity, thread: messaging.Thread, message: dict) -> None:
    if not message["private"]:
        audit.record(session, identity, thread.scope_id, "message", None,
                     {"message_id": message["id"], "side": message["author"]["side"]})


bp = messaging.blueprint("contract_messages", "/contracts/<uuid:scope_id>", messages, open_thread, audit.publish,
                         "contracts.message.posted", in_history)
