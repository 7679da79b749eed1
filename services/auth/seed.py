"""Demo users for `make run`: the guides' accounts, who must renew their password at first login."""

from sqlalchemy.dialects.postgresql import insert

from ecars_common.db import Database
from services.auth.config import Config
from services.auth.orm import users

DEMO_USERS = [
    {"email": "demo.etablissement@e-cars.test", "civilite": "Mme", "nom": "TEST", "prenom": "Claire",
     "fonction": "Directrice", "role": "etablissement"},
    {"email": "arsmedico2@e-cars.test", "civilite": "M.", "nom": "ars", "prenom": "arsmedico2",
     "fonction": "Référent CPOM", "role": "ars", "region": "Bretagne"},
]


def seed(db: Database, config: Config) -> None:
    with db.session() as session:
        for user in DEMO_USERS:
            session.execute(insert(users).values(**user).on_conflict_do_nothing(index_elements=["email"]))
