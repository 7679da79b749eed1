"""Region scale (issue 21): the number of EJs each region sees, kept at write time, so that an ARS's home list
« Gestion des Contrats » counts its total without reading the region's 4,000 EJs (docs/lists.md). `region_counts`
holds, per region, the EJs whose `regions` hold it; statement-level triggers on `ej` keep it in the transaction of
whatever write adds, moves or removes an EJ's region (an import's one statement of 4,000 rows adds once per region,
from its transition tables; a contract's event adds its region to one EJ). Rows are touched in the regions' order,
so that two writers never wait for each other crosswise.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
S = "cpom"

ADD = f"""
    INSERT INTO {S}.region_counts AS c (region, ej)
    SELECT region, sum(delta) FROM ({{deltas}}) AS d (region, delta) GROUP BY region HAVING sum(delta) <> 0
    ORDER BY region
    ON CONFLICT (region) DO UPDATE SET ej = c.ej + excluded.ej"""
NEW_ROWS = "SELECT unnest(regions), 1 FROM new_rows"
OLD_ROWS = "SELECT unnest(regions), -1 FROM old_rows"


def upgrade() -> None:
    op.execute(f"""
        CREATE TABLE {S}.region_counts (region text PRIMARY KEY, ej integer NOT NULL DEFAULT 0);

        CREATE FUNCTION {S}.keep_region_counts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN {ADD.format(deltas=NEW_ROWS)};
            ELSIF TG_OP = 'UPDATE' THEN {ADD.format(deltas=NEW_ROWS + " UNION ALL " + OLD_ROWS)};
            ELSE {ADD.format(deltas=OLD_ROWS)};
            END IF;
            RETURN NULL;
        END $$;

        CREATE TRIGGER region_counts_insert AFTER INSERT ON {S}.ej REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {S}.keep_region_counts();
        CREATE TRIGGER region_counts_update AFTER UPDATE ON {S}.ej
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {S}.keep_region_counts();
        CREATE TRIGGER region_counts_delete AFTER DELETE ON {S}.ej REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {S}.keep_region_counts();

        INSERT INTO {S}.region_counts (region, ej)
        SELECT region, count(*) FROM {S}.ej, unnest(regions) AS region GROUP BY region;
    """)


def downgrade() -> None:
    op.execute(f"""
        DROP TRIGGER region_counts_insert ON {S}.ej;
        DROP TRIGGER region_counts_update ON {S}.ej;
        DROP TRIGGER region_counts_delete ON {S}.ej;
        DROP FUNCTION {S}.keep_region_counts();
        DROP TABLE {S}.region_counts;
    """)
