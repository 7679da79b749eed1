"""The campaign export's writers (services/contracts/export_rows.py, table_files.py) at 400 and 4,000 contracts ×
50 indicators: peak memory (the RSS high-water mark of a fresh process per run) and time for XLSX and CSV in both
shapes. The baseline is the same
writer at 400 contracts in the same run: flat memory means a ratio near 1 at ten times the rows. The database side
reads batches of 500 contracts whatever the campaign's size (services/contracts/exports.py)."""

import multiprocessing
import resource
import time
from datetime import UTC, date, datetime

from ecars_common import table_files
from services.contracts import domain, export_rows

INDICATORS = domain.parse_template({"indicators": [
    {"code": f"IND{n:02}", "label": f"Indicateur {n}", "category": "Catégorie",
     "questions": [{"code": "REALISE", "label": "Réalisé", "kind": "number"}]} for n in range(50)]})
WHEN = datetime(2025, 6, 1, 8, 30, tzinfo=UTC)


def contracts(count: int):
    for n in range(count):
        contract = {"ej_finess": f"35{n:07}", "ej_raison_sociale": f"EJ {n}", "ej_departement": "35",
                    "name": f"Auto-évaluation 2025 - EJ {n}", "status": "AUTO-EVALUATION", "review": None,
                    "fill_percentage": n % 101, "closes_on": date(2025, 6, 30)}
        saved = {i.code: export_rows.Saved({"REALISE": n + k}, "Commentaire de l'établissement", WHEN)
                 for k, i in enumerate(INDICATORS)}
        yield contract, saved


def run(count: int, shape: str, fmt: str, out) -> None:
    write = table_files.xlsx_chunks if fmt == "xlsx" else table_files.csv_chunks
    rows = (row for contract, saved in contracts(count)
            for row in export_rows.rows(INDICATORS, shape, contract, saved, None))
    started, first, size = time.perf_counter(), None, 0
    for chunk in write(export_rows.header(INDICATORS, shape), rows):
        if first is None and chunk:
            first = time.perf_counter() - started
        size += len(chunk)
    seconds = time.perf_counter() - started
    out.send((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, first, seconds, size))


def measure(count: int, shape: str, fmt: str) -> tuple[float, float, float, int]:
    """(peak RSS MiB, seconds to the first byte, seconds, bytes written) of one export in a process of its own."""
    mine, theirs = multiprocessing.Pipe()
    child = multiprocessing.Process(target=run, args=(count, shape, fmt, theirs))
    child.start()
    result = mine.recv()
    child.join()
    return result


def main() -> None:
    print("writer       contracts  peak RSS MiB  first byte s  seconds  file MB  peak ÷ 400's")
    for fmt in ("csv", "xlsx"):
        for shape in ("wide", "long"):
            base = measure(400, shape, fmt)[0]
            for count in (400, 4000):
                peak, first, seconds, size = measure(count, shape, fmt)
                print(f"{fmt} {shape:<5}  {count:>9}  {peak:12.1f}  {first:12.1f}  {seconds:7.1f}  {size / 1e6:7.1f}"
                      f"  {peak / base:5.2f}")


if __name__ == "__main__":
    main()
