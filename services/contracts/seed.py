"""Demo data for `make run`: a campaign with a realistic template (30 indicators of mixed kinds, two
restricted to the EJ's finance officer, a second demo collaborator) and a contract for the guide's EJ 220006175,
so a person can walk guide 000 to CONSULTATION; and the EJ's closed contract of the previous campaign (2022), so
its form shows last campaign's value beside each field (issue 18, docs/data-entry.md)."""

import uuid
from datetime import date

from sqlalchemy.dialects.postgresql import insert

from ecars_common import demo
from ecars_common.db import Database
from services.contracts import campaigns, domain
from services.contracts.config import Config
from services.contracts.orm import campaigns as campaigns_table
from services.contracts.orm import contracts, indicator_answers, restrictions

NAMESPACE = uuid.UUID("6f1d3c62-2f0b-4d0e-9d4c-0e5a3a1c2b10")
CAMPAIGN_ID = str(uuid.uuid5(NAMESPACE, "campagne-auto-evaluation-2023"))
CONTRACT_ID = str(uuid.uuid5(NAMESPACE, "contrat-220006175-2023"))
# Who the restricted indicators were given to before a real demo collaborator held them: a user who never existed.
OLD_MADE_UP_USER = str(uuid.uuid5(NAMESPACE, "autre-utilisateur"))
PREVIOUS_CAMPAIGN_ID = str(uuid.uuid5(NAMESPACE, "campagne-auto-evaluation-2022"))
PREVIOUS_CONTRACT_ID = str(uuid.uuid5(NAMESPACE, "contrat-220006175-2022"))
# « Écart toléré » (tolerance.py): beyond this % of the 2022 value, the 2023 value asks for a comment.
TOLERANCES = {"ACC01": 10, "ACC02": 5, "PIL03": 20}
# The EJ's 2022 answers, by indicator code (the others as previous_value() makes them).
PREVIOUS = {"ACC01": {"REALISE": 48}, "ACC02": {"REALISE": 91.5}, "PIL11": {"FORMES": 18, "EFFECTIF": 25},
            "PAR05": {"REALISE": "Ateliers d'inclusion numérique avec la commune."},
            "COO03": {"REALISE": "CCAS de Dinan, EHPAD de Ploubalay"}}

THEMES = [
    ("ACC", "Accompagnement", [
        ("Nombre de personnes accompagnées au 31/12", "number", {"min": 0, "integer": True, "unit": "personnes"}),
        ("Taux d'occupation de l'établissement", "percentage", {"expected_min": 85}),
        ("Projet personnalisé formalisé pour chaque résident", "yes_no", {}),
        ("Nombre de projets personnalisés réévalués dans l'année", "number", {"min": 0, "integer": True}),
        ("Délai moyen d'attente avant admission (jours)", "number", {"min": 0, "max": 3650, "unit": "jours"}),
        ("Date de la dernière évaluation externe", "date", {"not_future": True}),
    ]),
    ("SOI", "Soins", [
        ("Taux de résidents ayant bénéficié d'un bilan bucco-dentaire", "percentage", {}),
        ("Convention avec une équipe mobile de soins palliatifs", "yes_no", {}),
        ("Nombre d'hospitalisations non programmées", "number", {"min": 0, "integer": True}),
        ("Taux de couverture vaccinale antigrippale du personnel", "percentage", {"expected_min": 30}),
        ("Présence d'un médecin coordonnateur", "choice", {"choices": ["Temps plein", "Temps partiel", "Aucun"]}),
    ]),
    ("PAR", "Parcours", [
        ("Nombre de conventions de partenariat actives", "number", {"min": 0, "integer": True}),
        ("Participation à un dispositif d'appui à la coordination", "yes_no", {}),
        ("Nombre de sorties vers le domicile", "number", {"min": 0, "integer": True}),
        ("Description des actions d'inclusion", "text", {}),
        ("Taux de rotation des places", "percentage", {}),
    ]),
    ("COO", "Coopération", [
        ("Appartenance à un groupement de coopération", "yes_no", {}),
        ("Nombre de mutualisations de moyens", "number", {"min": 0, "integer": True}),
        ("Partenaires principaux", "text", {}),
        ("Date de la dernière convention signée", "date", {"not_future": True}),
    ]),
    ("PIL", "Pilotage interne", [
        ("Taux d'absentéisme du personnel", "percentage", {"expected_max": 12}),
        ("Taux de rotation du personnel", "percentage", {}),
        ("Nombre d'ETP vacants au 31/12", "number", {"min": 0, "unit": "ETP"}),
        ("Taux de marge N-1 renseigné dans l'ERSD", "percentage", {"min": -100, "max": 100}),
        ("Plan de formation formalisé", "yes_no", {}),
        ("Nombre de réunions du conseil de la vie sociale", "number", {"min": 0, "max": 52, "integer": True}),
        ("Document unique d'évaluation des risques à jour", "yes_no", {}),
        ("Démarche qualité engagée", "choice", {"choices": ["Non engagée", "En cours", "Aboutie"]}),
        ("Montant des investissements réalisés (€)", "number", {"min": 0, "unit": "€"}),
        ("Observations sur la situation financière", "text", {}),
    ]),
]


def template() -> dict:
    indicators = []
    for prefix, category, items in THEMES:
        for n, (label, kind, extra) in enumerate(items, start=1):
            code = f"{prefix}{n:02d}"
            question = {"code": "REALISE", "label": "Réalisé", "kind": kind, **extra}
            if code in TOLERANCES:
                question["tolerance"] = TOLERANCES[code]
            indicators.append({"code": code, "label": f"{prefix} {n:02d} - {label}",
                               "category": category, "questions": [question]})
    # one indicator with two questions and a rule between them
    indicators.append({"code": "PIL11", "label": "PIL 11 - Personnel formé à la bientraitance", "category":
                       "Pilotage interne", "questions": [
                           {"code": "FORMES", "label": "Agents formés", "kind": "number", "min": 0, "integer": True},
                           {"code": "EFFECTIF", "label": "Effectif total", "kind": "number", "min": 0,
                            "integer": True}],
                       "rules": [{"type": "lte", "left": "FORMES", "right": "EFFECTIF"}]})
    return {"indicators": indicators}


def seed(db: Database, config: Config) -> None:
    parsed = domain.parse_template(template())
    with db.session() as session:
        session.execute(insert(campaigns_table).values(
            id=CAMPAIGN_ID, name="Campagne d'auto-évaluation 2023", evaluated_year=2023, region="Bretagne",
            starts_on=date(2024, 1, 15), ends_on=date(2024, 6, 30), template=domain.template_as_json(parsed),
        ).on_conflict_do_update(index_elements=["id"],  # the demo's rules as they are now (seed runs before serving)
                                set_={"template": domain.template_as_json(parsed)}))
        contract = {"id": CONTRACT_ID, "campaign_id": CAMPAIGN_ID,
                    "name": "Auto-évaluation 2023 - CCAS BEAUSSAIS SUR MER", "ej_finess": "220006175",
                    "ej_raison_sociale": "CCAS BEAUSSAIS SUR MER",
                    "ej_adresse": "22650 BEAUSSAIS SUR MER", "ej_telephone": "0296272027"}
        added = session.execute(insert(contracts).values(
            **contract, referent_email="arsmedico2@e-cars.test", required_questions=domain.required_questions(parsed),
        ).on_conflict_do_nothing().returning(contracts.c.id)).first()
        if added is not None:  # announced once, as a contract the ARS creates is
            campaigns.announce(session, contract, "Bretagne")
        for code in ("PIL04", "PIL09"):  # financial indicators, filled by the EJ's finance officer only
            session.execute(insert(restrictions).values(
                contract_id=CONTRACT_ID, indicator_code=code, user_ids=[demo.FINANCE_OFFICER_ID], roles=[],
                hidden=False,
            ).on_conflict_do_update(index_elements=["contract_id", "indicator_code"],  # was a made-up user
                                    set_={"user_ids": [demo.FINANCE_OFFICER_ID]},
                                    where=restrictions.c.user_ids == [OLD_MADE_UP_USER]))
        seed_previous_campaign(session, parsed)


def previous_value(question: domain.Question):
    return {"number": 12, "percentage": 88, "yes_no": True, "date": "2022-05-10", "text": "Voir le rapport 2022.",
            "choice": question.choices[-1] if question.choices else None}[question.kind]


def seed_previous_campaign(session, parsed: list[domain.Indicator]) -> None:
    """« Campagne d'auto-évaluation 2022 »: the EJ's contract closed and accepted, every indicator answered."""
    session.execute(insert(campaigns_table).values(
        id=PREVIOUS_CAMPAIGN_ID, name="Campagne d'auto-évaluation 2022", evaluated_year=2022, region="Bretagne",
        starts_on=date(2023, 1, 16), ends_on=date(2023, 6, 30), template=domain.template_as_json(parsed),
    ).on_conflict_do_nothing())
    contract = {"id": PREVIOUS_CONTRACT_ID, "campaign_id": PREVIOUS_CAMPAIGN_ID,
                "name": "Auto-évaluation 2022 - CCAS BEAUSSAIS SUR MER", "ej_finess": "220006175",
                "ej_raison_sociale": "CCAS BEAUSSAIS SUR MER", "ej_adresse": "22650 BEAUSSAIS SUR MER",
                "ej_telephone": "0296272027"}
    required = domain.required_questions(parsed)
    added = session.execute(insert(contracts).values(
        **contract, referent_email="arsmedico2@e-cars.test", status=domain.CONSULTATION, review="ACCEPTE",
        required_questions=required, filled_questions=required,
    ).on_conflict_do_nothing().returning(contracts.c.id)).first()
    if added is None:
        return
    campaigns.announce(session, contract, "Bretagne")
    for indicator in parsed:
        answers = PREVIOUS.get(indicator.code) or {q.code: previous_value(q) for q in indicator.questions}
        session.execute(insert(indicator_answers).values(
            contract_id=PREVIOUS_CONTRACT_ID, indicator_code=indicator.code, answers=answers,
            comment="Donnée du rapport d'activité 2022." if indicator.code == "ACC01" else ""))
