"""What the referential keeps of the contracts service's events. cpom owns the EJs; contracts copies an EJ's name
and address on each contract it creates, and announces the contract (`contracts.contract.created`): cpom notes
that the EJ has a contract and in which region (adding the region to those the EJ keeps, `ej.regions`), and adds
an EJ it does not hold yet with what the contract copied (the referential's own record wins when it has one: an
import updates it, a contract never does).

Order-proof as it is: a contract is never deleted, so its row only ever appears, and a redelivered event
changes nothing (ON CONFLICT DO NOTHING, a region added only when missing, besides the inbox)."""

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from ecars_common.events import Envelope
from services.cpom import domain
from services.cpom.orm import contrats, ej


def contract_created(session: Connection, envelope: Envelope) -> None:
    data = envelope.data
    finess = data["ej_finess"]
    session.execute(insert(ej).values(
        finess=finess, raison_sociale=data["ej_raison_sociale"], adresse=data.get("ej_adresse", ""),
        telephone=data.get("ej_telephone", ""), departement=domain.finess_departement(finess) or "",
    ).on_conflict_do_nothing())
    session.execute(insert(contrats).values(contract_id=data["contract_id"], ej_finess=finess, region=data["region"])
                    .on_conflict_do_nothing())
    session.execute(sa.update(ej).where(ej.c.finess == finess, ~ej.c.regions.contains([data["region"]]))
                    .values(regions=sa.func.array_append(ej.c.regions, data["region"])))


def event_handlers() -> dict:
    return {"contracts.contract.created": contract_created}
