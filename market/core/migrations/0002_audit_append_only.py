from django.db import migrations

FORBID_CHANGE = """
CREATE OR REPLACE FUNCTION market_forbid_update_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: add a correcting row instead of changing or deleting one', TG_TABLE_NAME;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION market_forbid_update_delete();
"""

ALLOW_CHANGE = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunSQL(FORBID_CHANGE, ALLOW_CHANGE)]
