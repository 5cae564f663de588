"""Log changes to postcodes and neighbourhoods, so the in-memory index (market/directory/index.py), which also
keeps where every postcode is for the search form, reads them again."""

from django.db import migrations

FORWARD = r"""
ALTER TABLE directory_listing_change ADD COLUMN places boolean NOT NULL DEFAULT false;

CREATE FUNCTION directory_places_log() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO directory_listing_change (places) VALUES (true);
    RETURN NULL;
END
$fn$;
CREATE TRIGGER directory_places_logged AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON places_postcode
    FOR EACH STATEMENT EXECUTE FUNCTION directory_places_log();
CREATE TRIGGER directory_places_logged AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON places_neighbourhood
    FOR EACH STATEMENT EXECUTE FUNCTION directory_places_log();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS directory_places_logged ON places_postcode;
DROP TRIGGER IF EXISTS directory_places_logged ON places_neighbourhood;
DROP FUNCTION IF EXISTS directory_places_log();
ALTER TABLE directory_listing_change DROP COLUMN IF EXISTS places;
"""


class Migration(migrations.Migration):
    dependencies = [("directory", "0008_log_card_changes"), ("places", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
