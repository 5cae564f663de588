"""A log of which providers' rows of directory_listing changed, for the in-memory search index.

Each web process keeps the search table in memory (market/directory/index.py) and, before every search, asks
PostgreSQL what committed since it last looked. Statement-level triggers on directory_listing record, per
statement, the transaction id and the providers whose rows were inserted, updated or deleted (a TRUNCATE records
"everything"); triggers on the categories and needs record that the search form's lists changed. A reader keeps
the snapshot (`pg_current_snapshot()`) it last synchronised at and asks for the entries whose transaction was not
visible in it: exactly the changes committed since, however transactions interleave, with no lock shared between
writers. Old entries are pruned by the beat task that rebuilds the table.
"""

from django.db import migrations

FORWARD = r"""
CREATE TABLE directory_listing_change (
    id bigserial PRIMARY KEY,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    everything boolean NOT NULL DEFAULT false,
    taxonomy boolean NOT NULL DEFAULT false,
    provider_ids bigint[] NOT NULL DEFAULT '{}'
);
CREATE INDEX directory_listing_change_xid ON directory_listing_change (xid);
CREATE INDEX directory_listing_change_at ON directory_listing_change (changed_at);

CREATE FUNCTION directory_listing_log_rows() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT provider_id) INTO ids FROM listing_new;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT provider_id) INTO ids FROM listing_old;
    ELSE
        SELECT array_agg(DISTINCT x) INTO ids
          FROM (SELECT provider_id AS x FROM listing_new UNION SELECT provider_id FROM listing_old) changed;
    END IF;
    IF ids IS NOT NULL THEN
        INSERT INTO directory_listing_change (provider_ids) VALUES (ids);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION directory_log_everything() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO directory_listing_change (everything) VALUES (true);
    RETURN NULL;
END
$fn$;

CREATE FUNCTION directory_taxonomy_log() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO directory_listing_change (taxonomy) VALUES (true);
    RETURN NULL;
END
$fn$;
CREATE TRIGGER directory_taxonomy_logged AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON taxonomy_category
    FOR EACH STATEMENT EXECUTE FUNCTION directory_taxonomy_log();
CREATE TRIGGER directory_taxonomy_logged AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON taxonomy_need
    FOR EACH STATEMENT EXECUTE FUNCTION directory_taxonomy_log();

CREATE TRIGGER directory_listing_logged_insert AFTER INSERT ON directory_listing
    REFERENCING NEW TABLE AS listing_new FOR EACH STATEMENT EXECUTE FUNCTION directory_listing_log_rows();
CREATE TRIGGER directory_listing_logged_update AFTER UPDATE ON directory_listing
    REFERENCING NEW TABLE AS listing_new OLD TABLE AS listing_old
    FOR EACH STATEMENT EXECUTE FUNCTION directory_listing_log_rows();
CREATE TRIGGER directory_listing_logged_delete AFTER DELETE ON directory_listing
    REFERENCING OLD TABLE AS listing_old FOR EACH STATEMENT EXECUTE FUNCTION directory_listing_log_rows();
CREATE TRIGGER directory_listing_logged_truncate AFTER TRUNCATE ON directory_listing
    FOR EACH STATEMENT EXECUTE FUNCTION directory_log_everything();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS directory_listing_logged_insert ON directory_listing;
DROP TRIGGER IF EXISTS directory_listing_logged_update ON directory_listing;
DROP TRIGGER IF EXISTS directory_listing_logged_delete ON directory_listing;
DROP TRIGGER IF EXISTS directory_listing_logged_truncate ON directory_listing;
DROP TRIGGER IF EXISTS directory_taxonomy_logged ON taxonomy_category;
DROP TRIGGER IF EXISTS directory_taxonomy_logged ON taxonomy_need;
DROP FUNCTION IF EXISTS directory_taxonomy_log();
DROP FUNCTION IF EXISTS directory_listing_log_rows();
DROP FUNCTION IF EXISTS directory_log_everything();
DROP TABLE IF EXISTS directory_listing_change;
"""


class Migration(migrations.Migration):
    dependencies = [("directory", "0006_listing_category_cover"), ("taxonomy", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
