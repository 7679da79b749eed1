"""Every projection kept from auth's habilitation events ends in auth's state whatever the order of the events,
their duplicates and redeliveries (docs/events.md, « Projections »): a history of grants, changes and revocations
is generated the way auth numbers them, then handed to each projection's real handlers (contracts: habilitations
and contacts; cpom; documents) through the consumer's own transaction with the inbox, in a random interleaving
with copies — redeliveries (same id: the inbox skips them) and copies whose inbox row is gone (as after an inbox
purge, or a republish under a new id) — and the projection's rows are compared with the producer's final state."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecars_common import habilitations
from ecars_common.config import Settings
from ecars_common.consumer import Consumer
from ecars_common.db import Database
from ecars_common.events import Envelope, new_envelope
from services.contracts import contacts

SCHEMAS = ("contracts", "cpom", "documents")
FLAGS = ("administrateur", "visibilite_documents_confidentiels")


class Producer:
    """auth's rules: a grant of a scope the user already holds changes it (same id, version + 1); a revocation is
    the last version; granting again after it makes a new habilitation."""

    def __init__(self, users: list[str]):
        self.users = users
        self.live: dict[tuple, dict] = {}  # (user, scope) → the habilitation's current data
        self.events: list[Envelope] = []

    def _emit(self, kind: str, data: dict, schema_version: int = 2) -> None:
        self.events.append(new_envelope(f"auth.habilitation.{kind}", data, source="auth", version=schema_version))

    def grant(self, user: int, scope: int, flags: tuple[bool, bool]) -> None:
        key = (self.users[user], f"2200{scope:05d}")
        current = self.live.get(key)
        if current is None:
            current = {"habilitation_id": str(uuid.uuid4()), "user_id": key[0], "scope_type": "ej",
                       "scope_id": key[1], "email": f"{key[0][:8]}@e-cars.test", "version": 0}
        current = {**current, **dict(zip(FLAGS, flags, strict=True)), "version": current["version"] + 1}
        self.live[key] = current
        self._emit("granted", current)

    def change(self, user: int, scope: int, flags: tuple[bool, bool]) -> None:
        key = (self.users[user], f"2200{scope:05d}")
        if key in self.live:
            self.live[key] = {**self.live[key], **dict(zip(FLAGS, flags, strict=True)),
                              "version": self.live[key]["version"] + 1}
            self._emit("changed", self.live[key])

    def revoke(self, user: int, scope: int, _flags) -> None:
        key = (self.users[user], f"2200{scope:05d}")
        if key in self.live:
            gone = self.live.pop(key)
            self._emit("revoked", {**gone, "version": gone["version"] + 1})

    def state(self) -> dict[str, tuple]:
        return {h["habilitation_id"]: (h["user_id"], h["scope_id"], h["administrateur"],
                                       h["visibilite_documents_confidentiels"]) for h in self.live.values()}

    def emails(self) -> dict[str, str]:
        return {h["habilitation_id"]: h["email"] for h in self.live.values()}


class Projections:
    """The three services' projections, fed through Consumer.process (inbox + handler in one transaction)."""

    def __init__(self, database_url: str):
        self.consumers = {}
        for schema in SCHEMAS:
            handlers = (contacts.event_handlers(schema) if schema == "contracts"
                        else habilitations.event_handlers(schema))
            db = Database(database_url, schema, pool_size=4)
            self.consumers[schema] = Consumer(Settings(service=schema, database_url=database_url), db, handlers)

    def deliver(self, envelope: Envelope, new_id: bool = False) -> None:
        if new_id:  # its inbox row gone: only the projection's rule stands between it and a second effect
            envelope = Envelope(**{**envelope.as_dict(), "id": str(uuid.uuid4())})
        for consumer in self.consumers.values():
            consumer.process(envelope, consumer.handlers[envelope.type])

    def state(self, schema: str, users: list[str]) -> dict[str, tuple]:
        table = habilitations.table_of(schema)
        with self.consumers[schema].db.session() as session:
            rows = session.execute(sa.select(table).where(table.c.user_id.in_(users), table.c.removed.is_(False)))
            return {r.habilitation_id: (r.user_id, r.scope_id, r.administrateur, r.visibilite_documents_confidentiels)
                    for r in rows}

    def emails(self, ids) -> dict[str, str]:
        with self.consumers["contracts"].db.session() as session:
            rows = session.execute(sa.select(contacts.contacts).where(
                contacts.contacts.c.habilitation_id.in_(list(ids)), contacts.contacts.c.removed.is_(False)))
            return {r.habilitation_id: r.email for r in rows}

    def dispose(self) -> None:
        for consumer in self.consumers.values():
            consumer.db.dispose()


@pytest.fixture(scope="module")
def projections(stack):
    found = Projections(stack.database_url)
    yield found
    found.dispose()


def operation(names) -> st.SearchStrategy:
    return st.tuples(st.sampled_from(names), st.integers(0, 1), st.integers(0, 1),
                     st.tuples(st.booleans(), st.booleans()))


# A history starts with a grant (else it has no event), then grants, changes and revocations of 2 users × 2 EJs
HISTORY = st.builds(lambda first, rest: [first, *rest], operation(["grant"]),
                    st.lists(operation(["grant", "grant", "change", "revoke"]), max_size=13))


def history(operations) -> Producer:
    producer = Producer([str(uuid.uuid4()), str(uuid.uuid4())])
    for name, user, scope, flags in operations:
        getattr(producer, name)(user, scope, flags)
    return producer


def every_id(producer: Producer) -> set[str]:
    return {e.data["habilitation_id"] for e in producer.events}


def assert_converged(projections: Projections, producer: Producer) -> None:
    for schema in SCHEMAS:
        assert projections.state(schema, producer.users) == producer.state(), schema
    assert projections.emails(every_id(producer)) == producer.emails()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=HISTORY, data=st.data())
def test_every_projection_ends_in_auth_state_whatever_the_order_and_the_copies(projections, operations, data):
    producer = history(operations)
    deliveries = [(event, False) for event in producer.events]
    copies = data.draw(st.lists(st.tuples(st.sampled_from(producer.events), st.booleans()), max_size=8))
    order = data.draw(st.permutations(deliveries + copies))
    for envelope, new_id in order:
        projections.deliver(envelope, new_id)
    assert_converged(projections, producer)


def test_events_of_one_habilitation_handled_at_once_converge(projections):
    """The consumer handles up to `prefetch` messages concurrently: every event of one habilitation, and each
    twice, handed to eight threads at once, ends in auth's state (the conditional upsert is one statement)."""
    for _ in range(5):
        producer = history([("grant", 0, 0, (False, False)), ("change", 0, 0, (True, False)),
                            ("change", 0, 0, (True, True)), ("grant", 0, 0, (False, True)),
                            ("revoke", 0, 0, None), ("grant", 0, 0, (True, True)), ("change", 0, 0, (False, False))])
        work = [(e, copy) for e in reversed(producer.events) for copy in (False, True)]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda item: projections.deliver(*item), work))
        assert_converged(projections, producer)


def test_a_version_1_event_in_flight_never_overrides_a_versioned_state(projections):
    """Events auth published before its upgrade (schema v1, no data.version) still apply where the projection
    holds nothing newer, and a v1 revocation is final; a late v1 grant cannot bring back a revoked habilitation."""
    producer = history([("grant", 0, 0, (False, False))])
    granted = producer.events[0]
    legacy = {k: v for k, v in granted.data.items() if k != "version"}
    projections.deliver(new_envelope("auth.habilitation.granted", {**legacy, "administrateur": True},
                                     source="auth", version=1))
    assert projections.state("cpom", producer.users)[legacy["habilitation_id"]][2] is True  # held nothing: applied
    projections.deliver(granted)  # version 1 > 0: the versioned state wins
    assert_converged(projections, producer)
    projections.deliver(new_envelope("auth.habilitation.changed", {**legacy, "administrateur": True},
                                     source="auth", version=1))
    assert_converged(projections, producer)  # a v1 change does not override version 1
    projections.deliver(new_envelope("auth.habilitation.revoked", legacy, source="auth", version=1))
    projections.deliver(granted)
    for schema in SCHEMAS:
        assert projections.state(schema, producer.users) == {}, schema
