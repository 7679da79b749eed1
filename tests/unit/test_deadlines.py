"""The calendar's rules (services/contracts/deadlines.py): countdown labels, the reminder due, settings."""

from datetime import date

import pytest

from services.contracts import deadlines

D = date(2025, 6, 30)


@pytest.mark.parametrize(("today", "open_for_entry", "label"), [
    (date(2025, 6, 15), True, "Clôture dans 15 jours"),
    (date(2025, 6, 29), True, "Clôture dans 1 jour"),
    (D, True, "Clôture aujourd'hui"),
    (date(2025, 7, 1), True, "Clôturée le 30/06/2025"),
    (date(2025, 7, 1), False, "Clôturée le 30/06/2025"),
    (date(2025, 6, 15), False, "Clôture de la campagne le 30/06/2025"),
])
def test_countdown(today, open_for_entry, label):
    assert deadlines.countdown(D, today, open_for_entry) == label


def test_no_closing_date_no_countdown():
    assert deadlines.countdown(None, D, True) is None


@pytest.mark.parametrize(("days_left", "due"), [
    (16, None), (15, 15), (8, 15), (7, 7), (3, 7), (2, 2), (0, 2), (-1, None)])
def test_the_reminder_due_is_the_window_today_is_in(days_left, due):
    today = date.fromordinal(D.toordinal() - days_left)
    assert deadlines.due_offset(D, today, (15, 7, 2)) == due


def test_offsets_setting():
    assert deadlines.parse_offsets("2, 15,7") == (15, 7, 2)
    for bad in ("", "7,7", "-1", "a"):
        with pytest.raises(ValueError):
            deadlines.parse_offsets(bad)


def test_the_extension_takes_the_place_of_the_campaign_date():
    assert deadlines.effective_closing(date(2025, 7, 15), D) == date(2025, 7, 15)
    assert deadlines.effective_closing(None, D) == D


@pytest.mark.parametrize(("finess", "departement"), [
    ("220006175", "22"), ("350001202", "35"), ("2A0001234", "2A"), ("9A0100012", "971"), ("750000001", "75")])
def test_departement_of_a_finess(finess, departement):
    assert deadlines.departement_of(finess) == departement
