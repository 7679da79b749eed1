"""A number in a query string, a form or a path is read by one rule (ecars_common.numbers.whole_number): ASCII
digits only, within a range. str.isdigit() took « ³ » and int() then raised (500s found by schemathesis), and
int() raises past 4,300 digits: no module of the platform reads a number with isdigit() itself."""

import re
from pathlib import Path

import pytest

from ecars_common.numbers import whole_number

ROOT = Path(__file__).resolve().parents[2]
# identifiers made of digits, not numbers: a FINESS is nine ASCII digits (and the number rule's own module)
CHARACTER_TESTS = {"services/cpom/domain/finess.py", "ecars_common/numbers.py"}


@pytest.mark.parametrize("raw, expected", [
    ("1", 1), (" 42 ", 42), ("0007", 7), ("200", 200), (17, 17), ("0", None), ("201", None),
    ("³", None), ("٣", None), ("1²", None), ("-3", None), ("+3", None), ("3.0", None), ("", None), ("  ", None),
    (None, None), (True, None), (3.0, None), ("1" * 5000, None), ("0" * 5000 + "5", 5), ([], None),
])
def test_a_whole_number_is_ascii_digits_within_its_range(raw, expected):
    assert whole_number(raw, 1, 200) == expected


def test_no_module_reads_a_number_with_isdigit():
    found = []
    for package in ("gateway", "services", "ecars_common"):
        for path in (ROOT / package).rglob("*.py"):
            name = path.relative_to(ROOT).as_posix()
            if name in CHARACTER_TESTS:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if re.search(r"\.isdigit\(\)", line):
                    found.append(f"{name}:{number}: {line.strip()}")
    assert not found, "use ecars_common.numbers.whole_number:\n" + "\n".join(found)
