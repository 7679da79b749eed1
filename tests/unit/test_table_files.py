"""The table writer of the exports (ecars_common/table_files.py) read back by openpyxl: typed cells, texts never
formulas, the header bold and frozen, a sheet continued past its row limit, bytes sent before the end."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from ecars_common import table_files

ROW = ["=SOMME(A1)", 12.5, 7, Decimal("3.50"), date(2025, 6, 30), datetime(2025, 6, 1, 22, 30, tzinfo=UTC), None,
       True, " <b>&\x01", "x" * 40_000]


def workbook(chunks) -> object:
    return load_workbook(io.BytesIO(b"".join(chunks)))


def test_cells_keep_their_type_and_a_text_is_never_a_formula():
    book = workbook(table_files.xlsx_chunks([f"c{n}" for n in range(10)], [ROW], "Campagne 2025"))
    sheet = book["Campagne 2025"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b and sheet["A1"].value == "c0"
    a, b, c, d, e, f, g, h, i, j = (cell for cell in sheet[2])
    assert (a.value, a.data_type) == ("=SOMME(A1)", "s")
    assert (b.value, c.value, d.value) == (12.5, 7, 3.5)
    assert e.value == datetime(2025, 6, 30) and e.number_format == "dd/mm/yyyy"
    assert f.value == datetime(2025, 6, 2, 0, 30) and f.number_format == "dd/mm/yyyy hh:mm"  # Paris time
    assert g.value is None and h.value is True
    assert i.value == " <b>&\ufffd" and len(j.value) == table_files.MAX_TEXT and j.value.endswith("…")


def test_a_sheet_past_its_row_limit_goes_on_in_the_next_with_the_header_again():
    rows = [[n, f"ligne {n}"] for n in range(7)]
    book = workbook(table_files.xlsx_chunks(["n", "texte"], rows, "Export", max_rows=3))
    assert book.sheetnames == ["Export", "Export (2)", "Export (3)", "Export (4)"]
    read = [[c.value for c in row] for sheet in book for row in sheet.iter_rows()]
    assert read == [["n", "texte"], [0, "ligne 0"], [1, "ligne 1"], ["n", "texte"], [2, "ligne 2"], [3, "ligne 3"],
                    ["n", "texte"], [4, "ligne 4"], [5, "ligne 5"], ["n", "texte"], [6, "ligne 6"]]


def test_an_empty_table_is_a_workbook_with_its_header():
    book = workbook(table_files.xlsx_chunks(["a", "b"], []))
    assert [[c.value for c in row] for row in book.active.iter_rows()] == [["a", "b"]]


def test_the_bytes_go_out_while_the_rows_are_still_being_written():
    produced = []

    def rows():
        for n in range(30_000):
            produced.append(n)
            yield [n, f"texte {n}", date(2025, 1, 1)]

    chunks = table_files.xlsx_chunks(["n", "t", "d"], rows())
    first = next(chunks)
    assert first.startswith(b"PK") and len(produced) < 30_000
    assert len(load_workbook(io.BytesIO(first + b"".join(chunks))).active["A"]) == 30_001
