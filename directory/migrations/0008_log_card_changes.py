"""Log the changes that alter what a result card shows without changing directory_listing itself, so the
in-memory index (market/directory/index.py), which also keeps what the cards show, reloads them: a service's days
off (providers_availabilityexception: its provider's rows) and the kinds of check (providers_checktype: their names
are the badges; everything). Every other table a card reads already changes the listing rows (migration 0004)."""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION directory_exception_log() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT s.provider_id) INTO ids
          FROM providers_service s WHERE s.id IN (SELECT service_id FROM exception_new);
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT s.provider_id) INTO ids
          FROM providers_service s WHERE s.id IN (SELECT service_id FROM exception_old);
    ELSE
        SELECT array_agg(DISTINCT s.provider_id) INTO ids
          FROM providers_service s
         WHERE s.id IN (SELECT service_id FROM exception_new UNION SELECT service_id FROM exception_old);
    END IF;
    IF ids IS NOT NULL THEN
        INSERT INTO directory_listing_change (provider_ids) VALUES (ids);
    END IF;
    RETURN NULL;
END
$fn$;
CREATE TRIGGER directory_exception_logged_insert AFTER INSERT ON providers_availabilityexception
    REFERENCING NEW TABLE AS exception_new FOR EACH STATEMENT EXECUTE FUNCTION directory_exception_log();
CREATE TRIGGER directory_exception_logged_update AFTER UPDATE ON providers_availabilityexception
    REFERENCING NEW TABLE AS exception_new OLD TABLE AS exception_old
    FOR EACH STATEMENT EXECUTE FUNCTION directory_exception_log();
CREATE TRIGGER directory_exception_logged_delete AFTER DELETE ON providers_availabilityexception
    REFERENCING OLD TABLE AS exception_old FOR EACH STATEMENT EXECUTE FUNCTION directory_exception_log();

CREATE TRIGGER directory_checktype_logged AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON providers_checktype
    FOR EACH STATEMENT EXECUTE FUNCTION directory_log_everything();  -- migration 0007
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS directory_exception_logged_insert ON providers_availabilityexception;
DROP TRIGGER IF EXISTS directory_exception_logged_update ON providers_availabilityexception;
DROP TRIGGER IF EXISTS directory_exception_logged_delete ON providers_availabilityexception;
DROP FUNCTION IF EXISTS directory_exception_log();
DROP TRIGGER IF EXISTS directory_checktype_logged ON providers_checktype;
"""


class Migration(migrations.Migration):
    dependencies = [("directory", "0007_listing_change_log"), ("providers", "0002_checks_services_availability")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
