"""Helpers for the cpom tests: FINESS numbers, organisations imported through the API, CPOM and grids,
habilitations in the cpom projection, and the back-office queue."""

import asyncio
import json
import random
from dataclasses import dataclass

import aio_pika
import httpx

from services.cpom.domain import luhn_key
from tests.conftest import TEST_QUEUE_PREFIX
from tests.support.db import connect
from tests.support.identity import active_user, bearer, sign_in

BACKOFFICE_QUEUE = f"{TEST_QUEUE_PREFIX}backoffice.transmissions"
_random = random.Random()


def api(gateway: str, path: str) -> str:
    return f"{gateway}/api/cpom{path}"


_issued: set[str] = set()


def new_finess(departement: str = "22") -> str:
    """A fresh, valid FINESS number of that département (2 characters), never one this run issued before: with a
    million per département and ~1,000 drawn in a run, a repeat was likely (an ET imported again under another EJ
    is then refused — seen once as a setup error in test_cpom_word)."""
    while (head := f"{departement}{_random.randrange(10 ** 6):06d}") in _issued:
        pass
    _issued.add(head)
    return head + luhn_key(head)


@dataclass
class User:
    email: str
    user_id: str
    tokens: dict

    @property
    def headers(self) -> dict:
        return bearer(self.tokens)


def user(stack, gateway, role: str = "etablissement", **extra) -> User:
    email, user_id = active_user(stack, role=role, **extra)
    return User(email, user_id, sign_in(gateway, email))


def grant(stack, user_id: str, scope_type: str, scope_id: str) -> None:
    """A habilitation straight in the cpom projection (what auth's event would leave there)."""
    with connect(stack) as conn:
        conn.execute("INSERT INTO cpom.habilitations (habilitation_id, user_id, scope_type, scope_id, administrateur, "
                     "visibilite_documents_confidentiels) VALUES (gen_random_uuid(), %s, %s, %s, false, false)",
                     (user_id, scope_type, scope_id))


def import_csv(gateway: str, who: User, text: str) -> httpx.Response:
    return httpx.post(api(gateway, "/organisations/import"), headers={**who.headers, "Content-Type": "text/csv"},
                      content=text.encode())


def organisation(gateway: str, who: User, region: str = "Bretagne", departement: str = "22", ets: int = 2,
                 name: str = "EJ TEST") -> dict:
    """An EJ with `ets` ETs, imported through the API. Returns {"finess", "ets": [finess…]}."""
    ej = new_finess(departement)
    rows = ["type;finess;nom;adresse;telephone;finess_ej;region;domaine",
            f"EJ;{ej};{name} {ej};1 RUE DU TEST {departement}000 VILLE;0296000000;;;"]
    et_numbers = [new_finess(departement) for _ in range(ets)]
    for i, number in enumerate(et_numbers):
        rows.append(f"ET;{number};ET {i + 1} DE {ej};{i + 1} AV DES TESTS;;{ej};{region};Médico-social")
    answer = import_csv(gateway, who, "\n".join(rows) + "\n")
    assert answer.status_code == 200, answer.text
    return {"finess": ej, "ets": et_numbers}


def create_cpom(gateway: str, who: User, ej: dict, competence: str = "Conjointe", departements=("22",),
                **extra) -> dict:
    body = {"nom": f"CPOM TEST {ej['finess']} {_random.randrange(10 ** 9)}", "ej_finess": ej["finess"],
            "competence": competence, "departements": list(departements), **extra}
    answer = httpx.post(api(gateway, "/cpoms"), headers=who.headers, json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def grid_document(ets: list[str]) -> dict:
    """Two axes; a rate ET par ET, a number ET par ET, a text for the CPOM, a yes/no limited to the first ET;
    one objective offers the « Élément sélectionné par l'OG » option."""
    return {"axes": [
        {"code": "A1", "libelle": "Accompagnement", "objectifs": [
            {"code": "O1", "libelle": "Personnaliser l'accompagnement", "perimetre": "tous", "indicateurs": [
                {"code": "PILOT 072", "libelle": "Taux de marge N-1 renseigné dans l'ERSD", "type": "taux",
                 "categorie": "pilotage_interne", "declinaison": "et_par_et", "indications": "résultat / produits"},
                {"code": "ACC 1", "libelle": "Personnes accompagnées", "type": "quantitatif",
                 "categorie": "accompagnement", "declinaison": "et_par_et"},
            ]},
            {"code": "O2", "libelle": "Coopérer", "perimetre": [ets[0]], "elements_og": ["Prioritaire", "Secondaire"],
             "indicateurs": [
                 {"code": "COOP 1", "libelle": "Partenariats", "type": "qualitatif", "categorie": "cooperation",
                  "declinaison": "cpom"},
                 {"code": "SOIN 1", "libelle": "Convention soins palliatifs", "type": "oui_non", "categorie": "soins",
                  "declinaison": "et_par_et"},
             ]},
        ]},
        {"code": "A2", "libelle": "Pilotage", "objectifs": [
            {"code": "O3", "libelle": "Piloter", "indicateurs": []},
        ]},
    ]}


def put_grid(gateway: str, who: User, cpom_id: str, document: dict) -> httpx.Response:
    return httpx.put(api(gateway, f"/cpoms/{cpom_id}/grille"), headers=who.headers, json=document)


def by_code(grid: dict) -> dict:
    """{code: item} for every objective and indicator of a GET /grille answer."""
    found = {}
    for axe in grid["axes"]:
        for objectif in axe["objectifs"]:
            found[objectif["code"]] = objectif
            for indicateur in objectif["indicateurs"]:
                found[indicateur["code"]] = indicateur
    return found


def count(stack, sql: str, *params) -> int:
    with connect(stack) as conn:
        return conn.execute(sql, params).fetchone()["n"]


async def _take(predicate, timeout: float) -> list[dict]:
    """Messages of the back-office queue matching `predicate` (others are acknowledged and dropped)."""
    found = []
    connection = await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/")
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(BACKOFFICE_QUEUE, passive=True)
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            message = await queue.get(fail=False)
            if message is None:
                if found:
                    break
                await asyncio.sleep(0.1)
                continue
            await message.ack()
            envelope = json.loads(message.body)
            if predicate(envelope):
                found.append({"envelope": envelope, "routing_key": message.routing_key, "type": message.type,
                              "message_id": message.message_id, "persistent": message.delivery_mode == 2})
    return found


def backoffice_messages(predicate, timeout: float = 15) -> list[dict]:
    return asyncio.run(_take(predicate, timeout))


def bretagne_cpom(stack, gateway: str) -> str:
    """A real CPOM of an EJ of Bretagne (22), made by an ARS Bretagne: a scope whose accesses any ARS Bretagne
    and the CD 22 may manage (auth asks cpom whether the caller sees it)."""
    ars = user(stack, gateway, role="ars", region="Bretagne")
    return create_cpom(gateway, ars, organisation(gateway, ars))["id"]
