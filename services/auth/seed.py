"""Demo users for `make run`. The établissement user must renew their password at first login, as
the guide says; the ARS user has a demo password so the authorities' side can be tried at once."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from ecars_common.db import Database
from services.auth.audit import publish
from services.auth.config import Config
from services.auth.habilitations import event_data, listing
from services.auth.orm import habilitations, users
from services.auth.passwords import hash_password

DEMO_PASSWORD = "Ecars-Demo-2026!"  # noqa: S105 (demo data for make run, documented in the README)
DEMO_USERS = [
    {"email": "demo.etablissement@e-cars.test", "civilite": "Mme", "nom": "TEST", "prenom": "Claire",
     "fonction": "Directrice", "role": "etablissement", "must_reset_password": True},
    {"email": "arsmedico2@e-cars.test", "civilite": "M.", "nom": "ars", "prenom": "arsmedico2",
     "fonction": "Référent CPOM", "role": "ars", "region": "Bretagne", "must_reset_password": False},
    {"email": "support@e-cars.test", "civilite": "M.", "nom": "SUPPORT", "prenom": "Équipe",
     "fonction": "Support e-CARS", "role": "support", "must_reset_password": False},
]
# The guide's EJs the établissement user is interlocutor of (FINESS juridique).
DEMO_EJ = ["220006175", "350001202", "710000068"]


def seed(db: Database, config: Config) -> None:
    with db.session() as session:
        for user in DEMO_USERS:
            values = dict(user)
            if not values["must_reset_password"]:
                values["password_hash"] = hash_password(DEMO_PASSWORD)
            # Demo accounts are reset to their demo state at each start
            session.execute(insert(users).values(**values).on_conflict_do_update(index_elements=["email"],
                                                                                 set_=values))
        demo_id = session.execute(
            sa.select(users.c.id).where(users.c.email == DEMO_USERS[0]["email"])).scalar_one()
        for finess in DEMO_EJ:
            created = session.execute(insert(habilitations).values(
                user_id=demo_id, scope_type="ej", scope_id=finess, administrateur=True,
                visibilite_documents_confidentiels=True).on_conflict_do_nothing().returning(habilitations.c.id)
            ).first()
            if created is not None:  # announced like any grant, so the other services' projections know it
                item = next(i for i in listing(session, "ej", finess) if i["id"] == created.id)
                publish(session, "auth.habilitation.granted", event_data(item))
