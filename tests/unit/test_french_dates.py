"""Dates shown to a person: French format, Europe/Paris time, whatever the stored offset (issue 20, defect 5)."""

from datetime import UTC, datetime

from ecars_common.french import french_date, paris_moment


def test_an_instant_is_shown_in_paris_time_winter_and_summer():
    assert paris_moment("2026-12-02T08:08:54.432034+00:00") == "02/12/2026 à 09h08"
    assert paris_moment(datetime(2026, 7, 1, 22, 30, tzinfo=UTC)) == "02/07/2026 à 00h30"  # the next day in Paris
    assert paris_moment("2026-03-29T00:59:00+00:00") == "29/03/2026 à 01h59"  # just before the spring change
    assert paris_moment("2026-03-29T01:00:00+00:00") == "29/03/2026 à 03h00"


def test_a_naive_instant_is_taken_as_utc_and_a_day_is_shown_day_first():
    assert paris_moment(datetime(2026, 12, 2, 8, 8)) == "02/12/2026 à 09h08"
    assert french_date("2026-12-02") == "02/12/2026"
