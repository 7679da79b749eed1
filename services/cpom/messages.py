"""« Messages » of a CPOM (issue 18): the gestionnaire (the EJ's people) and the authorities of the CPOM's territory
(ARS, CD) write to each other, the authorities keep private notes; built on ecars_common.messaging
(docs/messaging.md). Reaching the thread is seeing the CPOM (access.load_cpom: 404 otherwise); a message is emailed to
the other side of the CPOM's project team (« Equipe projet »: the ARS and CD team for the gestionnaire's, the
establishment's team for the authorities') and written in the CPOM's journal (a private note too: the journal is the
authorities')."""

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common import messaging
from ecars_common.tokens import Identity
from services.cpom import access
from services.cpom.audit import audit, publish
from services.cpom.orm import ej, messages
from services.cpom.sheet import authorities_to_inform, team_of


def open_thread(session: Connection, identity: Identity, cpom_id: str) -> messaging.Thread:
    row, cpom_access = access.load_cpom(session, identity, cpom_id)
    authority = cpom_access.authority is not None or cpom_access.admin
    raison_sociale = session.execute(sa.select(ej.c.raison_sociale).where(ej.c.finess == row["ej_finess"])).scalar()

    def recipients() -> list[str]:
        team = team_of(session, cpom_id)
        if authority:
            return [person["courriel"] for person in team["etablissement"] if person["courriel"]]
        return [person["email"] for person in authorities_to_inform(team)]

    return messaging.Thread("cpom", cpom_id, authority, row["nom"], row["ej_finess"], raison_sociale or "",
                            f"/cpom/{cpom_id}/messages", recipients)


def in_journal(session: Connection, identity: Identity, thread: messaging.Thread, message: dict) -> None:
    audit(session, identity, "message.note" if message["private"] else "message.sent", thread.scope_id,
          message_id=message["id"])


bp = messaging.blueprint("cpom_messages", "/cpoms/<uuid:scope_id>", messages, open_thread, publish,
                         "cpom.message.posted", in_journal)
