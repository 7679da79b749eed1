"""« Remarques »: the notes an authority or the gestionnaire leaves on a CPOM."""


import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.tokens import Identity
from services.cpom.audit import audit
from services.cpom.orm import remarques
from services.cpom.sheet import iso


def remarks(session: Connection, cpom_id: str) -> list[dict]:
    rows = session.execute(sa.select(remarques).where(remarques.c.cpom_id == cpom_id)
                           .order_by(remarques.c.created_at, remarques.c.id)).mappings()
    return [remark_view(r) for r in rows]


def remark_view(row) -> dict:
    return {"id": row["id"], "texte": row["texte"], "auteur": row["auteur_email"], "role": row["auteur_role"],
            "le": iso(row["created_at"])}


def add_remark(session: Connection, identity: Identity, cpom_id: str, text: str) -> dict:
    row = session.execute(remarques.insert().values(cpom_id=cpom_id, texte=text, auteur_id=identity.user_id,
                                                    auteur_email=identity.email, auteur_role=identity.role)
                          .returning(remarques)).mappings().one()
    audit(session, identity, "remarque.added", cpom_id)
    return remark_view(row)
