"""« Gestion des habilitations » (guide 004, « Ouvrir un accès à un collaborateur »).

A habilitation gives a user access to one EJ (interlocutor: the home list), contract or CPOM, with the
flags « Administrateur » and « Visibilité documents confidentiels ». Each change is published, so
the other services keep a local projection and authorise without calling auth. Each habilitation numbers its
changes (`version`: 1 at the grant, +1 at each change and at the revocation, taken under the row's lock), and
its events carry that number (`data.version`, schema v2), by which the projections ignore an event older than
what they hold (ecars_common.projection).

A revoked habilitation takes its EJ, contract or CPOM away at the person's next request (each service's projection);
the person's sessions end only when it was their last one and they are an établissement user, whose habilitations
are their only accesses: they can do nothing more in e-CARS (ASVS 5.0 7.4.2). Ending every session at each
revocation would sign someone out of their other EJs and lose what they were typing there (docs/security.md)."""

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from ecars_common.roles import AUTHORITIES, ETABLISSEMENT
from ecars_common.tokens import Identity
from services.auth import sessions
from services.auth.audit import audit, person, publish
from services.auth.orm import habilitations, users

SCOPES = ("ej", "contract", "cpom")
EVENTS_VERSION = 2  # of the auth.habilitation.* schemas: v2 carries data.version


def can_manage(session: Connection, identity: Identity, scope_type: str, scope_id: str) -> bool:
    """Platform admins manage every access, an ARS or a CD those of its territory (checked by the caller with
    `territory.in_territory`: auth holds no territories); otherwise only an Administrateur of that scope."""
    if identity.role in AUTHORITIES:
        return True
    return session.execute(
        sa.select(habilitations.c.id).where(
            habilitations.c.user_id == identity.user_id, habilitations.c.scope_type == scope_type,
            habilitations.c.scope_id == scope_id, habilitations.c.administrateur.is_(True))
    ).first() is not None


def listing(session: Connection, scope_type: str, scope_id: str) -> list[dict]:
    rows = session.execute(
        sa.select(habilitations, users.c.civilite, users.c.nom, users.c.prenom, users.c.fonction, users.c.email)
        .join(users, users.c.id == habilitations.c.user_id)
        .where(habilitations.c.scope_type == scope_type, habilitations.c.scope_id == scope_id)
        .order_by(users.c.nom, users.c.prenom)
    ).mappings()
    return [as_item(row) for row in rows]


def of_user(session: Connection, user_id: str) -> list[dict]:
    rows = session.execute(
        sa.select(habilitations, users.c.civilite, users.c.nom, users.c.prenom, users.c.fonction, users.c.email)
        .join(users, users.c.id == habilitations.c.user_id).where(habilitations.c.user_id == user_id)
    ).mappings()
    return [as_item(row) for row in rows]


def as_item(row) -> dict:
    return {
        "id": row["id"], "user_id": row["user_id"], "scope_type": row["scope_type"], "scope_id": row["scope_id"],
        "nom_complet": f"{row['nom']} {row['prenom']}".strip(), "civilite": row["civilite"],
        "fonction": row["fonction"], "courriel": row["email"], "administrateur": row["administrateur"],
        "visibilite_documents_confidentiels": row["visibilite_documents_confidentiels"],
    }


def event_data(item: dict, version: int) -> dict:
    return {key: item[key] for key in ("user_id", "scope_type", "scope_id", "administrateur",
                                       "visibilite_documents_confidentiels")} | {"habilitation_id": item["id"],
                                                                                "email": item["courriel"],
                                                                                "version": version}


def announce(session: Connection, type: str, item: dict, version: int) -> None:
    publish(session, type, event_data(item, version), version=EVENTS_VERSION)


def grant(session: Connection, by: Identity, scope_type: str, scope_id: str, contact: dict, flags: dict,
          address: str) -> tuple[dict, bool]:
    """« Création d'un contact » → « Enregistrer ». A new user is created (first login: renew the
    password) and told by email; an existing one is simply granted access. Returns (item, created)."""
    user = session.execute(sa.select(users).where(users.c.email == contact["email"])).mappings().first()
    created = user is None
    if created:
        user = session.execute(
            users.insert().values(**contact, role="etablissement", must_reset_password=True).returning(users)
        ).mappings().one()
        publish(session, "auth.access.granted", {**person(user), "scope_type": scope_type, "scope_id": scope_id,
                                                 "granted_by_email": by.email})
    row = session.execute(
        insert(habilitations).values(user_id=user["id"], scope_type=scope_type, scope_id=scope_id,
                                     granted_by=by.user_id, **flags)
        .on_conflict_do_update(index_elements=["user_id", "scope_type", "scope_id"],
                               set_={**flags, "version": habilitations.c.version + 1})
        .returning(habilitations.c.id, habilitations.c.version)
    ).one()
    item = next(i for i in listing(session, scope_type, scope_id) if i["id"] == row.id)
    announce(session, "auth.habilitation.granted", item, row.version)
    audit(session, "access.granted", user["id"], address, by=by.user_id, scope_type=scope_type, scope_id=scope_id,
          **flags)
    return item, created


def find(session: Connection, habilitation_id: str) -> dict | None:
    row = session.execute(sa.select(habilitations.c.scope_type, habilitations.c.scope_id)
                          .where(habilitations.c.id == habilitation_id)).first()
    if row is None:
        return None
    return next(i for i in listing(session, row.scope_type, row.scope_id) if i["id"] == habilitation_id)


def change(session: Connection, by: Identity, item: dict, flags: dict, address: str) -> dict | None:
    """The habilitation changed, or None if it was revoked meanwhile (nothing changed, nothing announced)."""
    version = session.execute(
        habilitations.update().where(habilitations.c.id == item["id"])
        .values(**flags, version=habilitations.c.version + 1).returning(habilitations.c.version)).scalar()
    if version is None:
        return None
    item = {**item, **flags}
    announce(session, "auth.habilitation.changed", item, version)
    audit(session, "access.changed", item["user_id"], address, by=by.user_id, **flags)
    return item


def revoke(session: Connection, by: Identity, item: dict, address: str) -> int:
    """The revocation is the habilitation's last version; its id is never used again (granting the same access
    anew makes a new habilitation), so the projections' tombstone of it is final. Returns how many sessions of the
    person ended (when it was the last habilitation of an établissement user, the module's docstring)."""
    version = session.execute(habilitations.delete().where(habilitations.c.id == item["id"])
                              .returning(habilitations.c.version)).scalar()
    if version is None:  # revoked meanwhile by another request: announced once, by that one
        return 0
    announce(session, "auth.habilitation.revoked", item, version + 1)
    audit(session, "access.revoked", item["user_id"], address, by=by.user_id, scope_type=item["scope_type"],
          scope_id=item["scope_id"])
    left = session.execute(sa.select(users.c.role, sa.select(sa.func.count()).where(
        habilitations.c.user_id == users.c.id).scalar_subquery().label("habilitations"))
        .where(users.c.id == item["user_id"])).one()
    if left.role != ETABLISSEMENT or left.habilitations:
        return 0
    return sessions.end_all_sessions(session, item["user_id"], "habilitations_revoked", address)[1]
