"""Demo users for `make run`. The établissement user must renew their password at first login, as
the guide says; the ARS user has a demo password so the authorities' side can be tried at once. The EJ's finance
officer (a second collaborator of CCAS BEAUSSAIS SUR MER, not Administrateur) holds the demo contract's two
restricted indicators (PIL 04, PIL 09): they fill them, or the Administrateur reassigns them."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from ecars_common import demo
from ecars_common.db import Database
from services.auth.config import Config
from services.auth.habilitations import announce, listing
from services.auth.orm import habilitations, users
from services.auth.passwords import hash_password

DEMO_PASSWORD = "Ecars-Demo-2026!"  # noqa: S105 (demo data for make run, documented in the README)
DEMO_USERS = [
    {"email": "demo.etablissement@e-cars.test", "civilite": "Mme", "nom": "TEST", "prenom": "Claire",
     "fonction": "Directrice", "role": "etablissement", "must_reset_password": True},
    {"email": "arsmedico2@e-cars.test", "civilite": "M.", "nom": "ars", "prenom": "arsmedico2",
     "fonction": "Référent CPOM", "role": "ars", "region": "Bretagne", "must_reset_password": False},
    {"id": demo.FINANCE_OFFICER_ID, "email": demo.FINANCE_OFFICER_EMAIL, "civilite": "M.", "nom": "FINANCES",
     "prenom": "Paul", "fonction": "Responsable administratif et financier", "role": "etablissement",
     "must_reset_password": False},
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
            kept = {k: v for k, v in values.items() if k != "id"}  # a fixed id is set once, at creation
            session.execute(insert(users).values(**values).on_conflict_do_update(index_elements=["email"],
                                                                                 set_=kept))
        demo_id = session.execute(
            sa.select(users.c.id).where(users.c.email == DEMO_USERS[0]["email"])).scalar_one()
        for finess in DEMO_EJ:
            grant(session, demo_id, finess, administrateur=True)
        grant(session, demo.FINANCE_OFFICER_ID, demo.FINANCE_OFFICER_EJ, administrateur=False)


def grant(session, user_id: str, finess: str, administrateur: bool) -> None:
    created = session.execute(insert(habilitations).values(
        user_id=user_id, scope_type="ej", scope_id=finess, administrateur=administrateur,
        visibilite_documents_confidentiels=administrateur).on_conflict_do_nothing()
        .returning(habilitations.c.id, habilitations.c.version)
    ).first()
    if created is not None:  # announced like any grant, so the other services' projections know it
        item = next(i for i in listing(session, "ej", finess) if i["id"] == created.id)
        announce(session, "auth.habilitation.granted", item, created.version)
