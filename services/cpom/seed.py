"""Demo data for `make run` (guide 004): the three EJs of the home list, the ET RESIDENCE DU PARC, and the
CPOM « CPOM_PATEST_2022_220006175_TESTCCAS BEAUSSAIS SUR MER » in « 3 Diagnostic » with an objectives grid
holding indicators of every kind. Idempotent: organisations are reset to their demo state; the CPOM, its
team and its grid are written once, so what a person entered survives a restart.

The demo établissement user reaches the CPOM through their habilitation on the EJ 220006175 (seeded by
auth and announced to this service's projection by event)."""

import uuid
from datetime import UTC, date, datetime

from sqlalchemy.dialects.postgresql import insert

from ecars_common.db import Database
from services.cpom import domain, grid_building
from services.cpom.config import Config
from services.cpom.orm import cpom_etablissements, cpoms, ej, equipe, et

CPOM_NAME = "CPOM_PATEST_2022_220006175_TESTCCAS BEAUSSAIS SUR MER"
# Other services' seeds may compute the same id: uuid5(NAMESPACE_URL, "ecars:cpom:" + name).
CPOM_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, f"ecars:cpom:{CPOM_NAME}"))  # 4b6f40c5-0306-5660-a0b2-e7bd856d924f

EJS = [
    {"finess": "220006175", "raison_sociale": "CCAS BEAUSSAIS SUR MER", "adresse": "22650 BEAUSSAIS SUR MER",
     "telephone": "0296272027"},
    {"finess": "350001202", "raison_sociale": "ADAPEI 35", "adresse": "3 R DU PATIS DES COUASNES 35091 RENNES",
     "telephone": "0223307680"},
    {"finess": "710000068", "raison_sociale": "ADFAAH", "adresse": "8 R DES BOIS CHEVAUX 71640 GIVRY",
     "telephone": "0385443001"},
]
# The guide shows the EJ's number beside the ET; an ET has its own FINESS géographique, here a valid one.
ETS = [
    {"finess": "220012348", "ej_finess": "220006175", "nom": "RESIDENCE DU PARC", "region": "Bretagne",
     "domaine": "Médico-social", "adresse": "5 R ERNEST ROUEL 22660 BEAUSSAIS SUR MER"},
]
TEAM = [
    ("referent", {"nom_complet": "arsmedico2 ars", "fonction": "Référent CPOM", "courriel": "arsmedico2@e-cars.test"}),
    ("etablissement", {"nom_complet": "GIRONDE_Jer", "courriel": "zegzeff@fr.fr"}),
    ("etablissement", {"nom_complet": "RENAUD_Jerome", "courriel": "jeromerenaud@gmail.com"}),
]
GRID = {"axes": [
    {"code": "AXE 1", "libelle": "Accompagnement et parcours des personnes accompagnées", "objectifs": [
        {"code": "OBJ 1.1", "libelle": "Renforcer la personnalisation de l'accompagnement", "perimetre": "tous",
         "description": "Chaque personne accompagnée dispose d'un projet personnalisé co-construit et réévalué.",
         "indicateurs": [
             {"code": "ACC 010", "libelle": "Taux de projets personnalisés réévalués dans l'année", "type": "taux",
              "categorie": "accompagnement", "declinaison": "et_par_et",
              "indications": "Numérateur : projets personnalisés réévalués dans l'année. Dénominateur : personnes "
                             "accompagnées au 31/12.", "regles": {"partie_d_un_tout": True}},
             {"code": "ACC 011", "libelle": "Nombre de personnes accompagnées au 31/12", "type": "quantitatif",
              "categorie": "accompagnement", "declinaison": "et_par_et",
              "regles": {"entier": True, "minimum": 0, "unite": "personnes"},
              "indications": "Dernière donnée connue (tableau de bord de la performance)."},
         ]},
        {"code": "OBJ 1.2", "libelle": "Fluidifier les parcours et prévenir les ruptures", "perimetre": "tous",
         "elements_og": ["Priorité 1 (année 1)", "Priorité 2 (années 2-3)", "Priorité 3 (années 4-5)"],
         "indicateurs": [
             {"code": "PARC 020", "libelle": "Description des partenariats de parcours formalisés",
              "type": "qualitatif", "categorie": "parcours", "declinaison": "cpom",
              "indications": "Citer les partenaires et l'objet des conventions."},
             {"code": "SOIN 030", "libelle": "Convention avec une équipe mobile de soins palliatifs",
              "type": "oui_non", "categorie": "soins", "declinaison": "et_par_et", "indications": ""},
         ]},
    ]},
    {"code": "AXE 2", "libelle": "Pilotage interne et coopérations", "objectifs": [
        {"code": "OBJ 2.1", "libelle": "Garantir la soutenabilité financière de l'organisme gestionnaire",
         "perimetre": "tous",
         "indicateurs": [
             {"code": "PILOT 072", "libelle": "Taux de marge N-1 renseigné dans l'ERSD", "type": "taux",
              "categorie": "pilotage_interne", "declinaison": "et_par_et",
              "indications": "Numérateur : résultat de l'exercice N-1. Dénominateur : total des produits N-1 (ERSD). "
                             "Le taux est calculé automatiquement."},
         ]},
        {"code": "OBJ 2.2", "libelle": "Développer les coopérations territoriales", "perimetre": "tous",
         "indicateurs": [
             {"code": "COOP 040", "libelle": "Nombre de conventions de coopération signées", "type": "quantitatif",
              "categorie": "cooperation", "declinaison": "cpom", "indications": "",
              "regles": {"entier": True, "minimum": 0}},
         ]},
    ]},
]}


def seed(db: Database, config: Config) -> None:
    with db.session() as session:
        for item in EJS:
            values = {**item, "departement": domain.finess_departement(item["finess"])}
            session.execute(insert(ej).values(**values).on_conflict_do_update(index_elements=["finess"], set_=values))
        for item in ETS:
            values = {**item, "departement": domain.finess_departement(item["finess"])}
            session.execute(insert(et).values(**values).on_conflict_do_update(index_elements=["finess"], set_=values))
        created = session.execute(insert(cpoms).values(
            id=CPOM_ID, nom=CPOM_NAME, ej_finess="220006175", statut="diagnostic", competence="Conjointe",
            departements=["22"], date_effet=date(2022, 1, 1), date_echeance=date(2026, 12, 31),
            date_echeance_initiale=date(2021, 12, 31), created_at=datetime(2021, 3, 22, 9, 0, tzinfo=UTC),
            created_by="arsmedico2@e-cars.test",
        ).on_conflict_do_nothing().returning(cpoms.c.id)).first()
        if created is None:
            return
        for item in ETS:
            session.execute(cpom_etablissements.insert().values(cpom_id=CPOM_ID, et_finess=item["finess"]))
        positions: dict[str, int] = {}
        for team, person in TEAM:
            positions[team] = positions.get(team, 0) + 1
            session.execute(equipe.insert().values(cpom_id=CPOM_ID, equipe=team, position=positions[team], **person))
        grid_building.import_grid(session, None, CPOM_ID, GRID)
