"""The regions of the scale bench (bench/scale_bench.py): a region of n EJs, each with one self-evaluation contract
in the region's 50-indicator campaign, and one EJ in ten with a CPOM of 20 objectives × 4 indicators over 5 ETs;
its ARS user, an établissement user interlocutor of three of its EJs, and a support user.

Through the services' own paths where they have one: the EJs and ETs by cpom's CSV import, the campaign and its
contracts by the contracts API (each announced to cpom by its `contracts.contract.created` event, as in
production), the CPOMs and their grids by the cpom API, habilitations by the auth API. Through their tables where
an API would take hours: the answers (about half of the 50 indicators of each contract, fill rates spread from
0 to 100 %, the contract's kept counts updated as a save does) and the CPOM's values (every indicator, every ET).
"""

import json
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import httpx
import psycopg

from bench.http_stack import bearer, create_users, good_answers, sign_in, template, unique
from deploy.localstack import Stack, wait_for
from services.cpom.domain import luhn_key

# (region, its départements): one per size, so that the sizes are measured side by side in one database
REGIONS = (("Grand Est", ("08", "10", "51", "54", "57")), ("Hauts-de-France", ("02", "59", "60", "62", "80")),
           ("Normandie", ("14", "27", "50", "61", "76")))
INDICATORS = 50
CPOM_EVERY = 10  # one EJ in ten has a CPOM
CPOM_ETS, CPOM_AXES, CPOM_OBJECTIVES, CPOM_INDICATORS = 5, 4, 5, 4  # 5 ETs, 4 × 5 = 20 objectives × 4 indicators
CITIES = ("CAEN", "EVREUX", "SAINT-LO", "ALENCON", "ROUEN", "LE HAVRE", "CHERBOURG", "DIEPPE", "BAYEUX", "LISIEUX")
THREADS = 4


def finess(departements: tuple[str, ...], i: int, et: int = 0) -> str:
    """EJ number i's FINESS (et = 0), or that of its et-th ET: valid, and the same in every run."""
    head = f"{departements[i % len(departements)]}{et}{i:05d}"
    return head + luhn_key(head)


def ej_name(i: int) -> str:
    return f"{['ASSOCIATION', 'CCAS', 'EHPAD', 'FONDATION', 'ADAPEI'][i % 5]} {CITIES[(i // 5) % 10]} {i:05d}"


@cache
def required_questions(code: str) -> int:
    return len([q for q in template(INDICATORS)["indicators"][int(code[1:]) - 1]["questions"]
                if q.get("required", True)])


class Region:
    def __init__(self, stack: Stack, name: str, departements: tuple[str, ...], support_email: str):
        self.stack, self.gateway = stack, stack.gateway_url
        self.name, self.departements, self.support_email = name, departements, support_email
        self.db = f"postgresql://postgres@127.0.0.1:5432/{stack.database}"
        self.ars_email, self.member_email = (f"{unique(r)}@e-cars.test" for r in ("ars", "etab"))
        create_users(stack, [self.ars_email], role="ars", region=name)
        create_users(stack, [self.member_email])
        self.ars = sign_in(self.gateway, self.ars_email)
        answer = httpx.post(f"{self.gateway}/api/contracts/campaigns", headers=bearer(self.ars), timeout=60, json={
            "name": "Campagne d'auto-évaluation 2023 (banc d'essai)", "evaluated_year": 2023,
            "starts_on": "2024-01-15", "ends_on": "2024-06-30", "region": name, "template": template(INDICATORS)})
        assert answer.status_code == 201, answer.text
        self.campaign_id = answer.json()["id"]
        self.size = 0
        self.contracts: dict[int, str] = {}
        self.cpoms: dict[int, str] = {}

    def finess(self, i: int, et: int = 0) -> str:
        return finess(self.departements, i, et)

    # -- one step: EJs size … target - 1 -------------------------------------------------------------

    def grow(self, target: int) -> None:
        new = range(self.size, target)
        self.import_organisations(new)
        with ThreadPoolExecutor(THREADS) as pool:
            for i, contract_id in zip(new, pool.map(self.contract_for, new), strict=True):
                self.contracts[i] = contract_id
            with_cpom = [i for i in new if i % CPOM_EVERY == 0]
            for i, cpom_id in zip(with_cpom, pool.map(self.cpom_for, with_cpom), strict=True):
                self.cpoms[i] = cpom_id
        self.answer([self.contracts[i] for i in new], new)
        self.fill_cpoms([self.cpoms[i] for i in new if i in self.cpoms])
        if self.size == 0:
            self.grant_member([0, 1, 2])
        self.size = target
        wait_for(self.referential_caught_up, f"cpom learning of {target} contracts", timeout=300)
        with psycopg.connect(self.db, autocommit=True) as conn:  # as autovacuum would, before long
            for table in ("contracts.contracts", "contracts.indicator_answers", "cpom.ej", "cpom.et", "cpom.contrats",
                          "cpom.valeurs"):
                conn.execute(f"VACUUM ANALYZE {table}")

    def import_organisations(self, new: range) -> None:
        lines = ["type;finess;nom;adresse;telephone;finess_ej;region;domaine"]
        for i in new:
            lines.append(f"EJ;{self.finess(i)};{ej_name(i)};{i % 90 + 1} RUE DE LA REPUBLIQUE {CITIES[i % 10]};"
                         f"02{i:08d};;;")
            for et in range(1, (CPOM_ETS if i % CPOM_EVERY == 0 else 1) + 1):
                lines.append(f"ET;{self.finess(i, et)};ET {et} DE {ej_name(i)};{et} PLACE DU MARCHE;;{self.finess(i)};"
                             f"{self.name};Médico-social")
        answer = httpx.post(f"{self.gateway}/api/cpom/organisations/import", content="\n".join(lines).encode(),
                            headers={**bearer(self.ars), "Content-Type": "text/csv"}, timeout=300)
        assert answer.status_code == 200, answer.text

    def contract_for(self, i: int) -> str:
        answer = httpx.post(f"{self.gateway}/api/contracts/campaigns/{self.campaign_id}/contracts",
                            headers=bearer(self.ars), timeout=60, json={
                                "name": f"Auto-évaluation 2023 - {ej_name(i)}", "ej_finess": self.finess(i),
                                "ej_raison_sociale": ej_name(i),
                                "ej_adresse": f"1 RUE DE LA REPUBLIQUE {CITIES[i % 10]}",
                                "ej_telephone": f"02{i:08d}", "referent_email": self.ars_email})
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]

    def cpom_for(self, i: int) -> str:
        ets = [self.finess(i, et) for et in range(1, CPOM_ETS + 1)]
        answer = httpx.post(f"{self.gateway}/api/cpom/cpoms", headers=bearer(self.ars), timeout=60, json={
            "nom": f"CPOM 2024-2028 {ej_name(i)} ({self.name})", "ej_finess": self.finess(i), "competence": "ARS",
            "departements": [self.departements[i % len(self.departements)]], "etablissements": ets})
        assert answer.status_code == 201, answer.text
        cpom_id = answer.json()["id"]
        grid = {"axes": [{"code": f"A{a}", "libelle": f"Axe {a}", "objectifs": [
            {"code": f"O{a}{o}", "libelle": f"Objectif {a}.{o}", "perimetre": "tous", "indicateurs": [
                {"code": f"IND {a}{o}{n}", "libelle": f"Indicateur {a}.{o}.{n}", "type": "quantitatif",
                 "categorie": "accompagnement", "declinaison": "et_par_et"} for n in range(1, CPOM_INDICATORS + 1)]}
            for o in range(1, CPOM_OBJECTIVES + 1)]} for a in range(1, CPOM_AXES + 1)]}
        answer = httpx.put(f"{self.gateway}/api/cpom/cpoms/{cpom_id}/grille", headers=bearer(self.ars), json=grid,
                           timeout=120)
        assert answer.status_code == 200, answer.text
        return cpom_id

    def answer(self, contract_ids: list[str], new: range) -> None:
        """Contract i answers its first (37 i mod 51) indicators — 0 to 50, about half on average — and those with
        every indicator answered are closed (CONSULTATION), as « Clore la saisie » leaves them."""
        rows, filled = [], []
        for i, contract_id in zip(new, contract_ids, strict=True):
            codes = [f"I{n:03d}" for n in range(1, (37 * i) % (INDICATORS + 1) + 1)]
            rows += [(contract_id, code, json.dumps(good_answers(code))) for code in codes]
            filled.append((sum(required_questions(code) for code in codes), len(codes) == INDICATORS, contract_id))
        with psycopg.connect(self.db, autocommit=True) as conn, conn.cursor() as cursor:
            cursor.executemany("INSERT INTO contracts.indicator_answers (contract_id, indicator_code, answers, "
                               "comment, version) VALUES (%s, %s, %s::jsonb, 'Selon le rapport annuel', 2)", rows)
            cursor.executemany("UPDATE contracts.contracts SET filled_questions = %s, status = CASE WHEN %s THEN "
                               "'CONSULTATION' ELSE status END WHERE id = %s", filled)

    def fill_cpoms(self, cpom_ids: list[str]) -> None:
        with psycopg.connect(self.db, autocommit=True) as conn:
            conn.execute("INSERT INTO cpom.valeurs (indicateur_id, et_finess, valeur_nombre, updated_by) "
                         "SELECT i.id, e.et_finess, 42, 'banc d''essai' FROM cpom.indicateurs i "
                         "JOIN cpom.cpom_etablissements e ON e.cpom_id = i.cpom_id WHERE i.cpom_id = ANY(%s)",
                         (cpom_ids,))

    def grant_member(self, numbers: list[int]) -> None:
        """The établissement user of the bench: interlocutor of three EJs (a CPOM on the first)."""
        for i in numbers:
            answer = httpx.post(f"{self.gateway}/api/auth/habilitations", headers=bearer(self.ars), timeout=30, json={
                "scope_type": "ej", "scope_id": self.finess(i), "civilite": "Mme", "nom": "MEMBRE", "prenom": "Eve",
                "fonction": "Directrice", "email": self.member_email})
            assert answer.status_code == 201, answer.text
        member = sign_in(self.gateway, self.member_email)
        wait_for(lambda: httpx.get(f"{self.gateway}/api/cpom/ej", headers=bearer(member), timeout=30
                                   ).json()["total"] == len(numbers), "cpom learning of the member's EJs")
        wait_for(lambda: httpx.get(f"{self.gateway}/api/contracts/contracts/{self.contracts[0]}",
                                   headers=bearer(member), timeout=30).status_code == 200,
                 "contracts learning of the member's EJs")

    def referential_caught_up(self) -> bool:
        with psycopg.connect(self.db, autocommit=True) as conn:
            known = conn.execute("SELECT count(*) FROM cpom.contrats WHERE region = %s", (self.name,)).fetchone()[0]
        return known >= len(self.contracts)
