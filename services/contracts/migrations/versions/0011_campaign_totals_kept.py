"""Region scale (issue 21): the totals of each campaign's progress table kept at write time, so that its
unfiltered page reads 16 rows, not the campaign's 4,000 contracts (docs/lists.md). `campaign_totals` holds, per
campaign and slot, the contracts, those by status (AUTO-EVALUATION, CONSULTATION, and accepted), those filled at
100 %, and the sum of their fill percentages (the mean is sum / count). A trigger on `contracts` keeps them, in the
transaction of whatever write changes a contract — a save, « Clore la saisie », a reopening, an acceptance, a
bulk action, a migration —; an update that changes neither status, review nor fill percentage does not fire it.
A contract adds to one of 16 slots (a hash of its id), so that saves in one campaign at once do not all wait for
one counter row. The status sort gets the index its keyset needs: (campaign_id, status, id).

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
S = "contracts"
SLOTS = 16

# One contract's share of its campaign's totals, `sign` +1 for its new row, -1 for its old one.
SHARE = """
    sign, (r.status = 'AUTO-EVALUATION')::int * sign, (r.status = 'CONSULTATION')::int * sign,
    (r.status = 'CONSULTATION' AND r.review IS NOT DISTINCT FROM 'ACCEPTE')::int * sign,
    (r.fill_percentage = 100)::int * sign, r.fill_percentage * sign"""
SLOT = f"abs(hashtext(r.id::text)) % {SLOTS}"


def upgrade() -> None:
    op.execute(f"""
        CREATE TABLE {S}.campaign_totals (
            campaign_id uuid NOT NULL REFERENCES {S}.campaigns (id),
            slot smallint NOT NULL,
            contracts integer NOT NULL DEFAULT 0,
            auto_evaluation integer NOT NULL DEFAULT 0,
            consultation integer NOT NULL DEFAULT 0,
            accepte integer NOT NULL DEFAULT 0,
            complete integer NOT NULL DEFAULT 0,
            fill_sum bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (campaign_id, slot))
            WITH (fillfactor = 50);  -- room on the page for HOT updates of the counters (no index holds them)

        CREATE FUNCTION {S}.add_to_campaign_totals(r {S}.contracts, sign integer) RETURNS void LANGUAGE sql AS $$
            INSERT INTO {S}.campaign_totals AS t (campaign_id, slot, contracts, auto_evaluation, consultation,
                                                   accepte, complete, fill_sum)
            VALUES (r.campaign_id, {SLOT}, {SHARE})
            ON CONFLICT (campaign_id, slot) DO UPDATE SET
                contracts = t.contracts + excluded.contracts,
                auto_evaluation = t.auto_evaluation + excluded.auto_evaluation,
                consultation = t.consultation + excluded.consultation, accepte = t.accepte + excluded.accepte,
                complete = t.complete + excluded.complete, fill_sum = t.fill_sum + excluded.fill_sum
        $$;

        CREATE FUNCTION {S}.keep_campaign_totals() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM {S}.add_to_campaign_totals(OLD, -1); END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM {S}.add_to_campaign_totals(NEW, 1); END IF;
            RETURN NULL;
        END $$;

        CREATE TRIGGER campaign_totals_insert AFTER INSERT ON {S}.contracts
            FOR EACH ROW EXECUTE FUNCTION {S}.keep_campaign_totals();
        CREATE TRIGGER campaign_totals_update AFTER UPDATE ON {S}.contracts FOR EACH ROW
            WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.review IS DISTINCT FROM NEW.review
                  OR OLD.fill_percentage IS DISTINCT FROM NEW.fill_percentage
                  OR OLD.campaign_id IS DISTINCT FROM NEW.campaign_id)
            EXECUTE FUNCTION {S}.keep_campaign_totals();
        CREATE TRIGGER campaign_totals_delete AFTER DELETE ON {S}.contracts
            FOR EACH ROW EXECUTE FUNCTION {S}.keep_campaign_totals();

        INSERT INTO {S}.campaign_totals
        SELECT campaign_id, slot, sum(c), sum(a), sum(k), sum(x), sum(f), sum(s)
        FROM (SELECT r.campaign_id, {SLOT}, {SHARE.replace("sign", "1")} FROM {S}.contracts r)
             AS shares (campaign_id, slot, c, a, k, x, f, s)
        GROUP BY campaign_id, slot;

        DROP INDEX {S}.contracts_campaign_status;
        CREATE INDEX contracts_campaign_status ON {S}.contracts (campaign_id, status, id);
    """)


def downgrade() -> None:
    op.execute(f"""
        DROP INDEX {S}.contracts_campaign_status;
        CREATE INDEX contracts_campaign_status ON {S}.contracts (campaign_id, status, review, id);
        DROP TRIGGER campaign_totals_insert ON {S}.contracts;
        DROP TRIGGER campaign_totals_update ON {S}.contracts;
        DROP TRIGGER campaign_totals_delete ON {S}.contracts;
        DROP FUNCTION {S}.keep_campaign_totals();
        DROP FUNCTION {S}.add_to_campaign_totals({S}.contracts, integer);
        DROP TABLE {S}.campaign_totals;
    """)
