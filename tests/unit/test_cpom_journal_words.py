"""The words of « Journal du CPOM » (services/cpom/journal.py): every action the cpom service writes to its journal
has a French name, and each row's summary says its facts in French (never a code, an ISO date or a raw list)."""

import pathlib
import re

import pytest

from services.cpom.journal import ACTIONS, summary

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_every_action_written_to_the_journal_has_a_french_name():
    written = set()
    for path in (ROOT / "services" / "cpom").rglob("*.py"):
        written |= set(re.findall(r'audit\(session, identity, "([a-z_.]+)"', path.read_text()))
        written |= set(re.findall(r'"(message\.[a-z]+)"', path.read_text()))
    written.discard("organisations.imported")  # not about one CPOM: never in a CPOM's journal
    assert written and written <= set(ACTIONS), written - set(ACTIONS)


@pytest.mark.parametrize("action, details, said", [
    ("cpom.status_changed", {"libelle": "1 Préparation → 2 Lancement", "motif": None}, "1 Préparation → 2 Lancement"),
    ("cpom.status_change_refused", {"statut": "preparation", "vers": "signature", "raison": "role"},
     "Vers « 5 Signature » : rôle non autorisé"),
    ("cpom.validation_changed", {"autorite": "ars", "valide": True}, "ARS : validé"),
    ("cpom.validation_changed", {"autorite": "cd", "valide": False}, "CD : non validé"),
    ("cpom.team_changed", {"equipes": ["autorites", "referent"]}, "Equipe ARS et CD, référent"),
    ("cpom.perimeter_changed", {"etablissements": ["350000001", "350000002"]}, "2 établissements"),
    ("cpom.avenant_added", {"numero": 2, "date": "2026-03-01"}, "Avenant n° 2 du 01/03/2026"),
    ("cpom.updated", {"before": {"nom": "A", "competence": "ARS"}, "after": {"nom": "B", "competence": "ARS"}},
     "Champs modifiés : nom"),
    ("grille.imported", {"axes": 2, "objectifs": 1, "indicateurs": 0}, "2 axes, 1 objectif"),
    ("saisie.action_added", {"code": "O1", "numero": 3}, "Objectif O1, action n° 3"),
    ("saisie.valeurs_saved", {"code": "PILOT 072", "etablissements": ["350000001", "CPOM"]},
     "Indicateur PILOT 072 : 350000001, CPOM"),
    ("transmission.sent", {"version": 2, "changements": 1}, "Transmission n° 2, 1 modification"),
    ("grille.objectif_changed", {"code": "O2", "champs": ["libelle"]}, "Objectif O2"),
    ("grille.indicateur_added", {"code": "COOP 1"}, "Indicateur COOP 1"),
    ("remarque.added", {}, ""),
])
def test_each_row_is_summed_up_in_french(action, details, said):
    assert summary(action, details) == said
