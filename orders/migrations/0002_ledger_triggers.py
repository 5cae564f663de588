from django.db import migrations

# The ledger is append-only (market_forbid_update_delete() comes from core 0002), and no insert may take a
# budget's money left, or its committed money, below zero. The services enforce the finer per-period rule
# under a row lock; this trigger is the database's own guard against any code path that forgets.
FORWARD = """
CREATE TRIGGER orders_ordertransition_append_only
    BEFORE UPDATE OR DELETE ON orders_ordertransition
    FOR EACH ROW EXECUTE FUNCTION market_forbid_update_delete();

CREATE TRIGGER orders_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON orders_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION market_forbid_update_delete();

CREATE OR REPLACE FUNCTION orders_ledger_guard() RETURNS trigger AS $$
DECLARE
    money_left bigint;
    money_committed bigint;
BEGIN
    SELECT
        COALESCE(SUM(CASE WHEN kind IN ('allocation', 'top_up', 'adjustment', 'release', 'refund') THEN amount_pence
                          WHEN kind = 'reservation' THEN -amount_pence ELSE 0 END), 0),
        COALESCE(SUM(CASE WHEN kind = 'reservation' THEN amount_pence
                          WHEN kind IN ('release', 'spend') THEN -amount_pence ELSE 0 END), 0)
      INTO money_left, money_committed
      FROM orders_ledgerentry WHERE budget_id = NEW.budget_id;
    IF money_left < 0 THEN
        RAISE EXCEPTION 'budget % would be overspent (left % pence)', NEW.budget_id, money_left
            USING ERRCODE = 'check_violation';
    END IF;
    IF money_committed < 0 THEN
        RAISE EXCEPTION 'budget % would release or spend more than it reserved', NEW.budget_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER orders_ledgerentry_never_overspent
    AFTER INSERT ON orders_ledgerentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION orders_ledger_guard();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS orders_ledgerentry_never_overspent ON orders_ledgerentry;
DROP FUNCTION IF EXISTS orders_ledger_guard();
DROP TRIGGER IF EXISTS orders_ledgerentry_append_only ON orders_ledgerentry;
DROP TRIGGER IF EXISTS orders_ordertransition_append_only ON orders_ordertransition;
"""


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial"), ("core", "0002_audit_append_only")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
