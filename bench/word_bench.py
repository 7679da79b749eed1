"""Word export speed, each against the naive python-docx `cell.text` table of the same content, measured in
the same run:
  - the provisional export of a 300-indicator contract (target < 0.3 s of service time);
  - a CPOM « Tableau de synthèse » of 50 objectives × 4 indicators × 10 ETs, 2,000 rows (target < 1 s).

    .venv/bin/python -m bench.word_bench
"""

import io
import statistics
import time

from docx import Document

from services.reporting import contract_export, cpom_documents
from services.reporting.referentials import CpomLabels

INDICATORS = 300
OBJECTIVES, INDICATORS_PER_OBJECTIVE, ETS = 50, 4, 10
LABELS = CpomLabels(categories={"qualite": "Qualité"})  # what cpom's /referentiels would give


def contract(n: int = INDICATORS) -> dict:
    return {
        "name": "Auto-évaluation 2023 - CCAS BEAUSSAIS SUR MER", "status": "AUTO-EVALUATION", "fill_percentage": 57,
        "receipt_hash": None, "ej": {"finess": "220006175", "raison_sociale": "CCAS BEAUSSAIS SUR MER"},
        "campaign": {"name": "Campagne 2023", "evaluated_year": 2023},
        "indicators": [{
            "code": f"I{i:03d}", "label": f"I{i:03d} - Indicateur numéro {i} de la trame régionale", "dot": "VERTE",
            "hidden": False, "comment": "Commentaire de l'établissement " * 3,
            "documents": [{"name": f"piece-{i}.pdf"}],
            "questions": [{"label": "Réalisé", "display": f"{i},5"}]} for i in range(n)],
    }


def naive(data: dict) -> bytes:
    """What python-docx's documentation does: add_row() and cell.text for every cell."""
    document = Document()
    document.add_heading(data["name"], level=0)
    table = document.add_table(rows=1, cols=6)
    for cell, header in zip(table.rows[0].cells, ["Indicateur", "Question", "Réalisé", "Commentaire", "Documents",
                                                  "État"], strict=True):
        cell.text = header
    for indicator in data["indicators"]:
        cells = table.add_row().cells
        values = (indicator["label"], "Réalisé", indicator["questions"][0]["display"], indicator["comment"],
                  indicator["documents"][0]["name"], "Renseigné")
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def cpom_snapshot() -> dict:
    """A CPOM's export (services/cpom, the transmission snapshot) with OBJECTIVES × INDICATORS_PER_OBJECTIVE
    indicators declined per ET over ETS establishments, each value a rate."""
    ets = [{"finess": f"22000{i:04d}", "nom": f"EHPAD Les Tilleuls {i}"} for i in range(ETS)]
    return {
        "cpom": {"nom": "CPOM 2024-2028 ASSOCIATION DU BOCAGE", "ej": {"finess": "220006175", "raison_sociale":
                 "ASSOCIATION DU BOCAGE"}, "statut": {"libelle": "En cours de négociation"}, "competence": "ARS/CD"},
        "etablissements": ets, "remarques": [],
        "objectifs": [{
            "code": f"OBJ{o:02d}", "libelle": f"Objectif opérationnel numéro {o} du contrat", "actions": [{}] * 3,
            "indicateurs": [{
                "code": f"IND{o:02d}{n}", "libelle": f"Taux de réalisation de l'action {n}", "categorie": "qualite",
                "valeurs": [{"etablissement": et["finess"], "numerateur": 12, "denominateur": 40, "taux": 30.0,
                             "valeur_libelle": "30,0 %"} for et in ets]} for n in range(INDICATORS_PER_OBJECTIVE)]}
            for o in range(OBJECTIVES)],
    }


def naive_synthesis(snapshot: dict) -> bytes:
    """The same table as cpom_documents.synthese, built with add_row() and cell.text."""
    document = Document()
    document.add_heading("Tableau de synthèse", level=0)
    headers = cpom_documents.SYNTHESIS_HEADERS
    table = document.add_table(rows=1, cols=len(headers))
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = header
    for row in cpom_documents.synthesis_rows(snapshot, LABELS):
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def timed(fn, data, runs: int = 7) -> float:
    fn(data)  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn(data)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    data = contract()
    ours = timed(contract_export.render, data)
    baseline = timed(naive, data)
    print(f"Word export, {INDICATORS} indicators (median of 7)")
    print(f"  naive python-docx cell.text table : {baseline * 1000:7.1f} ms")
    print(f"  e-CARS export (XML rows)          : {ours * 1000:7.1f} ms   target < 300 ms")
    print(f"  ratio naive / ours                : {baseline / ours:7.2f}x")
    snapshot = cpom_snapshot()
    rows = len(cpom_documents.synthesis_rows(snapshot, LABELS))
    table = Document(io.BytesIO(cpom_documents.synthese(snapshot, LABELS))).tables[-1]
    assert len(table.rows) == rows + 1, (len(table.rows), rows)  # the header row and every row, in the file
    ours = timed(lambda data: cpom_documents.synthese(data, LABELS), snapshot, runs=5)
    baseline = timed(naive_synthesis, snapshot, runs=5)
    print(f"CPOM « Tableau de synthèse », {OBJECTIVES} objectives × {INDICATORS_PER_OBJECTIVE} indicators × {ETS} ETs "
          f"= {rows} rows (median of 5)")
    print(f"  naive python-docx cell.text table : {baseline * 1000:7.1f} ms")
    print(f"  e-CARS synthesis (XML rows)       : {ours * 1000:7.1f} ms   target < 1000 ms, faster than naive "
          f"{'✔' if ours < 1 and ours < baseline else '✘'}")
    print(f"  ratio naive / ours                : {baseline / ours:7.2f}x")


if __name__ == "__main__":
    main()
