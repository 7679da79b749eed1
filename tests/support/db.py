"""Direct access to the test database, for setting up rows and checking what was stored."""

import psycopg
from psycopg.rows import dict_row


def connect(stack) -> psycopg.Connection:
    return psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{stack.database}", autocommit=True,
                           row_factory=dict_row)


def create_user(stack, email: str, role: str = "etablissement", nom: str = "DUPONT", prenom: str = "Marie",
                civilite: str = "Mme", **extra) -> str:
    with connect(stack) as conn:
        columns = {"email": email.lower(), "role": role, "nom": nom, "prenom": prenom, "civilite": civilite, **extra}
        names = ", ".join(columns)
        marks = ", ".join(["%s"] * len(columns))
        row = conn.execute(f"INSERT INTO auth.users ({names}) VALUES ({marks}) RETURNING id",
                           list(columns.values())).fetchone()
        return str(row["id"])


def rows(stack, sql: str, *params) -> list[dict]:
    with connect(stack) as conn:
        return conn.execute(sql, params).fetchall()
