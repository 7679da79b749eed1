"""The export's rows and cells (services/contracts/export_rows.py, table_files.py) and the ZIP's entry names
(attachments_zip.py), free of I/O."""

import csv
import io
from datetime import UTC, date, datetime

from ecars_common import table_files
from services.contracts import attachments_zip, domain, export_rows

INDICATORS = domain.parse_template({"indicators": [
    {"code": "A", "label": "Accompagnement", "questions": [{"code": "N", "label": "Nombre", "kind": "number"}]},
    {"code": "B", "label": "Bilan", "questions": [{"code": "D", "label": "Date", "kind": "date"},
                                                  {"code": "OK", "label": "Fait", "kind": "yes_no"}]}]})
CONTRACT = {"ej_finess": "350001202", "ej_raison_sociale": "ADAPEI 35", "ej_departement": "35", "name": "C",
            "status": "CONSULTATION", "review": "ACCEPTE", "fill_percentage": 50, "closes_on": date(2025, 6, 30)}
SAVED = {"A": export_rows.Saved({"N": 12.5}, "=SOMME(A1)", datetime(2025, 6, 1, 8, 30, tzinfo=UTC))}


def test_long_rows_one_per_contract_and_question_with_the_comment_on_each():
    rows = export_rows.rows(INDICATORS, "long", CONTRACT, SAVED, None)
    assert len(rows) == 3
    assert rows[0][:9] == ["350001202", "ADAPEI 35", "35", "C", "ACCEPTE", 50, date(2025, 6, 30), None,
                           datetime(2025, 6, 1, 8, 30, tzinfo=UTC)]
    assert rows[0][9:16] == ["A", "Accompagnement", "", "Nombre", 12.5, "=SOMME(A1)", SAVED["A"].updated_at]
    assert rows[0][16:] == [0, None, None]  # « Messages », « Dernier message le », « À suivre »: none written
    assert rows[1][13] is None and rows[2][12] == "Fait"


def test_the_follow_up_note_is_the_last_column_on_each_row_of_its_indicator():
    assert export_rows.header(INDICATORS, "long")[-1] == "À suivre"
    rows = export_rows.rows(INDICATORS, "long", CONTRACT, SAVED, None, {"B": "Vérifier la date"})
    assert [row[-1] for row in rows] == [None, "Vérifier la date", "Vérifier la date"]
    [wide] = export_rows.rows(INDICATORS, "wide", CONTRACT, SAVED, None, {"B": "Date ?", "A": "Écart"})
    assert wide[-1] == "A : Écart ; B : Date ?"


def test_wide_row_a_column_per_question_and_a_comment_per_indicator():
    header = export_rows.header(INDICATORS, "wide")
    assert header[9:] == ["A – Nombre", "A – Commentaire", "B – Date", "B – Fait", "B – Commentaire", "Messages",
                          "Dernier message le", "À suivre"]
    last = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
    [row] = export_rows.rows(INDICATORS, "wide", {**CONTRACT, "messages": 3, "last_message_at": last}, {
        **SAVED, "B": export_rows.Saved({"D": "2024-03-15", "OK": False}, "", None)}, None)
    assert row[9:] == [12.5, "=SOMME(A1)", date(2024, 3, 15), "Non", None, 3, last, None]


def test_csv_cells_in_french_and_never_a_formula():
    text = b"".join(table_files.csv_chunks(["a", "b"], [[12.5, "=SOMME(A1)", date(2025, 6, 30),
                                                           datetime(2025, 6, 1, 22, 30, tzinfo=UTC), None, "-1"]]))
    assert text.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["12,5", "'=SOMME(A1)", "30/06/2025", "02/06/2025 00:30", "", "'-1"]


def test_zip_entry_names_are_safe():
    assert attachments_zip.safe("../a/b\\c:d*?.pdf", 120) == "_a_b_c_d_.pdf"
    assert attachments_zip.safe("  ") == "_"
    assert len(attachments_zip.safe("x" * 300)) == 80
