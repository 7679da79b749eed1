"""The checker of the cluster tests, in the manner of RabbitMQ's Jepsen tests: a history of what each side saw —
every outbox row the producer committed, every publisher confirm the relay received, every message the consumer
was handed, every effect its handler committed — then the figures compared: an event committed but without an
effect is lost, an event with two effects is duplicated. Confirms and deliveries are recorded by
tests/support/cluster_worker.py (as they happen, outside the platform's transactions); effects carry the time of
their commit, to measure how long effects stopped while the cluster elected a new leader."""

import sqlalchemy as sa

from tests.support.scratch import Scratch


class History:
    def __init__(self, scratch: Scratch):
        self.scratch = scratch
        self.schema = scratch.name
        with scratch.db.engine.begin() as conn:
            conn.execute(sa.text(f'ALTER TABLE "{self.schema}".effects ADD COLUMN at timestamptz '
                                 "NOT NULL DEFAULT clock_timestamp()"))
            for table, extra in (("confirms", ""), ("deliveries", ", redelivered boolean NOT NULL")):
                conn.execute(sa.text(f'CREATE TABLE "{self.schema}".{table} (event_id text NOT NULL, worker text '
                                     f"NOT NULL{extra}, at timestamptz NOT NULL DEFAULT clock_timestamp())"))

    def _ids(self, sql: str) -> list[str]:
        with self.scratch.db.engine.connect() as conn:
            return conn.execute(sa.text(sql.format(s=f'"{self.schema}"'))).scalars().all()

    def effects(self) -> tuple[int, int]:
        return self.scratch.effect_counts()

    def figures(self, killed_at: float | None = None) -> dict:
        """`killed_at`: the Unix time of the kill, to measure the longest pause in effects from then on."""
        outbox = self._ids("SELECT event_id::text FROM {s}.outbox")
        unsent = self._ids("SELECT event_id::text FROM {s}.outbox WHERE sent_at IS NULL")
        confirms = self._ids("SELECT event_id FROM {s}.confirms")
        deliveries = self._ids("SELECT event_id FROM {s}.deliveries")
        redelivered = self._ids("SELECT event_id FROM {s}.deliveries WHERE redelivered")
        effects = self._ids("SELECT event_id FROM {s}.effects")
        by_worker = dict(self._rows("SELECT worker, count(*) FROM {s}.effects GROUP BY worker ORDER BY worker"))
        with_effect = set(effects)
        figures = {
            "events": len(outbox), "unsent": len(unsent),
            "confirms": len(confirms), "confirmed_events": len(set(confirms)),
            "republished": len(confirms) - len(set(confirms)),
            "deliveries": len(deliveries), "redelivered_flag": len(redelivered),
            "delivered_more_than_once": len(deliveries) - len(set(deliveries)),
            "effects": len(effects), "effects_by_worker": by_worker,
            "lost": len(set(outbox) - with_effect),
            "confirmed_then_lost": len(set(confirms) - with_effect),
            "duplicated": len(effects) - len(with_effect),
            "effects_without_event": len(with_effect - set(outbox)),
        }
        if killed_at is not None:
            figures["longest_pause_in_effects_after_kill_s"] = self._longest_pause("effects", killed_at)
            figures["longest_pause_in_confirms_after_kill_s"] = self._longest_pause("confirms", killed_at)
        return figures

    def _rows(self, sql: str) -> list:
        with self.scratch.db.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql.format(s=f'"{self.schema}"')))]

    def _longest_pause(self, table: str, killed_at: float) -> float:
        """The longest time without a new effect (or confirm) from the kill on, up to the last one (from the kill to
        the first after it, or between two after it): how long the consumers (or the relay) saw no progress."""
        times = [row[0] for row in self._rows(
            f"SELECT extract(epoch FROM at)::float8 FROM {{s}}.{table} ORDER BY at")]
        later = [killed_at] + [at for at in times if at >= killed_at]
        return round(max((b - a for a, b in zip(later, later[1:], strict=False)), default=0.0), 2)
