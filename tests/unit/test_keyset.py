"""The cursors of the region-scale lists (ecars_common/keyset.py): what a list gave comes back as it was; what it
did not give — cut, forged, made for another sort or other criteria — is refused with the reason a person reads."""

import base64
import json

import pytest

from ecars_common import keyset
from ecars_common.payload import is_uuid

ID = "0b6f1d1e-8d57-4a57-9d1f-2f2a1c9d3e4f"
BOUND = keyset.stamp("progress", "ej_raison_sociale", False, {"status": None})


def raw(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def test_a_cursor_comes_back_as_it_was_given():
    for cursor, key_type in ((keyset.Cursor(keyset.AFTER, 57, "ehpad caen 00042", ID), str),
                             (keyset.Cursor(keyset.BEFORE, 2, 42, ID), int),
                             (keyset.Cursor(keyset.LAST, 200), str)):
        text = keyset.encode(cursor, BOUND)
        assert text.isascii() and "=" not in text and "/" not in text and "+" not in text  # fits a URL as it is
        assert keyset.decode(text, BOUND, key_type, is_uuid) == cursor


def test_a_cursor_for_another_sort_or_other_criteria_is_refused():
    text = keyset.encode(keyset.Cursor(keyset.AFTER, 2, "a", ID), BOUND)
    for other in (keyset.stamp("progress", "ej_raison_sociale", True, {"status": None}),
                  keyset.stamp("progress", "ej_raison_sociale", False, {"status": "CONSULTATION"})):
        with pytest.raises(keyset.CursorError) as refused:
            keyset.decode(text, other, str, is_uuid)
        assert str(refused.value) == keyset.OTHER_LIST


@pytest.mark.parametrize("text", [
    "", "x", "!!!!", "é" * 10, "A" * (keyset.MAX_LENGTH + 1),
    base64.urlsafe_b64encode(b"\xff\xfe").decode(),  # not UTF-8
    raw("a string"), raw([]), raw(["a", 2, "k", ID]), raw(["a", 2, "k", ID, BOUND, "more"]),
    raw(["x", 2, "k", ID, BOUND]),  # no such direction
    raw(["a", 0, "k", ID, BOUND]), raw(["a", "2", "k", ID, BOUND]), raw(["a", True, "k", ID, BOUND]),
    raw(["a", 2, 42, ID, BOUND]),  # a number where the sort's key is text
    raw(["a", 2, "k" * (keyset.MAX_KEY + 1), ID, BOUND]),
    raw(["a", 2, "k", "1; DROP TABLE contracts", BOUND]), raw(["a", 2, "k", None, BOUND]),  # not an id
    raw(["z", 2, "k", None, BOUND]),  # the last page carries no row
])
def test_what_the_list_did_not_give_is_refused(text):
    with pytest.raises(keyset.CursorError) as refused:
        keyset.decode(text, BOUND, str, is_uuid)
    assert str(refused.value) == keyset.INVALID


def test_a_number_key_is_refused_where_text_is_expected_and_the_other_way_round():
    number = keyset.encode(keyset.Cursor(keyset.AFTER, 2, 42, ID), BOUND)
    with pytest.raises(keyset.CursorError):
        keyset.decode(number, BOUND, str, is_uuid)
    assert keyset.decode(number, BOUND, int, is_uuid).key == 42
