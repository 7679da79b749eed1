"""Word export speed: the provisional export of a 300-indicator contract (target < 0.3 s of service
time), against the naive python-docx `cell.text` table of the same content, measured in the same run.

    .venv/bin/python -m bench.word_bench
"""

import io
import statistics
import time

from docx import Document

from services.reporting import contract_export

INDICATORS = 300


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


if __name__ == "__main__":
    main()
