"""The event envelope and the catalogue check, without a broker."""

import json

import pytest

from ecars_common.events import InvalidEvent, catalogue, check, new_envelope, parse

DATA = {"user_id": "u1", "email": "a@b.fr", "nom": "N", "prenom": "P", "code": "123456",
        "expires_at": "2030-01-01T00:00:00+00:00"}


def test_new_envelope_has_every_field_of_the_contract():
    envelope = new_envelope("auth.verification_code.requested", DATA, source="auth", correlation_id="req-12345678")
    raw = json.loads(envelope.to_json())
    assert set(raw) == {"id", "type", "version", "occurred_at", "source", "correlation_id", "data"}
    assert raw["version"] == 1 and raw["source"] == "auth" and raw["correlation_id"] == "req-12345678"
    assert parse(envelope.to_json()) == envelope


def test_an_event_missing_from_the_catalogue_cannot_be_built():
    with pytest.raises(InvalidEvent, match="not in the catalogue"):
        new_envelope("auth.unheard_of.happened", {}, source="auth")


def test_data_that_breaks_the_schema_is_refused_with_the_field_named():
    with pytest.raises(InvalidEvent, match="code"):
        new_envelope("auth.verification_code.requested", {**DATA, "code": "12ab"}, source="auth")
    with pytest.raises(InvalidEvent, match="email"):
        new_envelope("auth.verification_code.requested", {k: v for k, v in DATA.items() if k != "email"},
                     source="auth")


def test_a_malformed_envelope_is_refused():
    good = new_envelope("auth.verification_code.requested", DATA, source="auth").as_dict()
    for broken in ({**good, "version": 0}, {k: v for k, v in good.items() if k != "id"}, {**good, "type": "x"}):
        with pytest.raises(InvalidEvent):
            check(broken)
    with pytest.raises(InvalidEvent, match="not JSON"):
        parse(b"\xff\xfe")
    with pytest.raises(InvalidEvent):
        parse(b"[1, 2]")


def test_every_catalogue_entry_names_its_producer_and_consumers():
    entries = catalogue()
    assert entries, "the catalogue is empty"
    for entry in entries:
        assert entry["schema"]["x-producer"] == entry["type"].split(".")[0]
        assert isinstance(entry["schema"]["x-consumers"], list)
        assert entry["schema"]["description"]


def test_an_event_without_its_source_cannot_be_built():
    for source in ("", None):
        with pytest.raises(InvalidEvent, match="source"):
            new_envelope("auth.verification_code.requested", DATA, source=source)
