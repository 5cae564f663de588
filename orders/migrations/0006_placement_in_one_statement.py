# Order placement's locked write part in one statement (docs/adr/0002-budget-locking.md, "Measured").
#
# 1. orders_budgetperiodtotal: each budget period's running totals, kept by the database from the ledger.
#    An AFTER INSERT statement trigger on the ledger adds the new entries' amounts (the ledger is append-only,
#    so an insert is the only change it can have); any other write to the totals is refused. The ledger stays
#    the source of truth: existing entries are summed into it here, and tests reconcile the two.
# 2. orders_ledger_guard (the deferred overspend guard, 0002) reads the budget's few total rows at commit
#    instead of summing every ledger entry. Same rule: the budget's money left, and its committed money,
#    never below zero.
# 3. orders_order_place(...): lock the budget row (always the first lock), return the first order for a
#    repeated idempotency key, check every period's running balance against the new reservations, and only
#    then insert the order, its reservation rows (one per period), its "placed" transition and its audit
#    event. Called by orders.services.order_place after every rule that needs no lock has passed.

import django.db.models.deletion
from django.db import migrations, models

LEFT = ("CASE WHEN kind IN ('allocation', 'top_up', 'adjustment', 'release', 'refund') THEN amount_pence "
        "WHEN kind = 'reservation' THEN -amount_pence ELSE 0 END")
COMMITTED = ("CASE WHEN kind = 'reservation' THEN amount_pence "
             "WHEN kind IN ('release', 'spend') THEN -amount_pence ELSE 0 END")

FORWARD = f"""
INSERT INTO orders_budgetperiodtotal (budget_id, period_starts_on, left_pence, committed_pence)
SELECT budget_id, period_starts_on, SUM({LEFT}), SUM({COMMITTED})
  FROM orders_ledgerentry GROUP BY budget_id, period_starts_on;

CREATE FUNCTION orders_ledger_totals_add() RETURNS trigger AS $$
BEGIN
    INSERT INTO orders_budgetperiodtotal AS total (budget_id, period_starts_on, left_pence, committed_pence)
    SELECT budget_id, period_starts_on, SUM({LEFT}), SUM({COMMITTED})
      FROM new_entries
     GROUP BY budget_id, period_starts_on
     ORDER BY budget_id, period_starts_on
    ON CONFLICT (budget_id, period_starts_on) DO UPDATE
       SET left_pence = total.left_pence + EXCLUDED.left_pence,
           committed_pence = total.committed_pence + EXCLUDED.committed_pence;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER orders_ledgerentry_totals
    AFTER INSERT ON orders_ledgerentry
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION orders_ledger_totals_add();

CREATE FUNCTION orders_totals_derived_only() RETURNS trigger AS $$
BEGIN
    IF pg_trigger_depth() < 2 THEN  -- 1 is a direct write; the ledger's trigger writes at depth 2
        RAISE EXCEPTION 'budget period totals are derived from the ledger: insert a ledger entry instead'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER orders_budgetperiodtotal_derived_only
    BEFORE INSERT OR UPDATE OR DELETE ON orders_budgetperiodtotal
    FOR EACH ROW EXECUTE FUNCTION orders_totals_derived_only();

CREATE OR REPLACE FUNCTION orders_ledger_guard() RETURNS trigger AS $$
DECLARE
    money_left bigint;
    money_committed bigint;
BEGIN
    SELECT COALESCE(SUM(left_pence), 0), COALESCE(SUM(committed_pence), 0)
      INTO money_left, money_committed
      FROM orders_budgetperiodtotal WHERE budget_id = NEW.budget_id;
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

CREATE FUNCTION orders_order_place(
    p_budget_id bigint, p_idempotency_key uuid, p_holder_id bigint, p_service_id bigint, p_provider_id bigint,
    p_kind text, p_first_visit_on date, p_last_visit_on date, p_weekdays smallint[], p_visit_starts_at time,
    p_duration_minutes integer, p_items_per_visit smallint, p_unit text, p_unit_price_pence bigint,
    p_visit_count integer, p_block_minutes integer, p_total_pence bigint, p_notes text,
    p_pays_household_relative boolean, p_placed_by_id bigint, p_placed_as text, p_now timestamptz,
    p_periods date[], p_days date[], p_amounts bigint[], p_audit_summary text, p_audit_data jsonb
) RETURNS TABLE (order_id bigint, outcome text, funding_route text, period_starts date[], period_left bigint[])
LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
    v_route text;
    v_short boolean;
    v_starts date[];
    v_left bigint[];
BEGIN
    -- The budget's row lock first, always (ADR 0002). Every statement below runs after the wait, on a fresh
    -- snapshot (PL/pgSQL, READ COMMITTED), so it sees what the previous lock holder committed.
    SELECT b.funding_route INTO v_route FROM orders_budget b WHERE b.id = p_budget_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no budget %', p_budget_id USING ERRCODE = 'foreign_key_violation';
    END IF;

    -- The same form submitted twice: the first order, nothing reserved again.
    SELECT o.id INTO v_id FROM orders_order o WHERE o.idempotency_key = p_idempotency_key;
    IF FOUND THEN
        RETURN QUERY SELECT v_id, 'existing'::text, v_route, NULL::date[], NULL::bigint[];
        RETURN;
    END IF;

    -- Savings carry forward, future money cannot be spent early (ADR 0001): after the new reservations,
    -- the running total of every period's own money left, in order, must never go below zero.
    IF cardinality(p_periods) > 0 THEN
        SELECT bool_or(running < 0) INTO v_short FROM (
            SELECT SUM(amount) OVER (ORDER BY starts) AS running FROM (
                SELECT starts, SUM(amount) AS amount FROM (
                    SELECT t.period_starts_on, t.left_pence
                      FROM orders_budgetperiodtotal t WHERE t.budget_id = p_budget_id
                    UNION ALL
                    SELECT r.starts, -r.amount FROM unnest(p_periods, p_amounts) AS r(starts, amount)
                ) AS lines(starts, amount) GROUP BY starts
            ) AS per_period
        ) AS runs;
        IF v_short THEN
            SELECT array_agg(t.period_starts_on ORDER BY t.period_starts_on),
                   array_agg(t.left_pence ORDER BY t.period_starts_on)
              INTO v_starts, v_left
              FROM orders_budgetperiodtotal t WHERE t.budget_id = p_budget_id;
            RETURN QUERY SELECT NULL::bigint, 'short'::text, v_route, v_starts, v_left;
            RETURN;
        END IF;
    END IF;

    INSERT INTO orders_order (
        holder_id, budget_id, funding_route, service_id, provider_id, kind, status, first_visit_on,
        last_visit_on, weekdays, visit_starts_at, duration_minutes, items_per_visit, unit, unit_price_pence,
        visit_count, block_minutes, total_pence, notes, pays_household_relative, idempotency_key, placed_by_id,
        placed_as, proposed_unit_price_pence, proposed_first_visit_on, proposed_visit_starts_at, proposal_note,
        created_at, updated_at, provider_told_at
    ) VALUES (
        p_holder_id, p_budget_id, v_route, p_service_id, p_provider_id, p_kind, 'placed', p_first_visit_on,
        p_last_visit_on, p_weekdays, p_visit_starts_at, p_duration_minutes, p_items_per_visit, p_unit,
        p_unit_price_pence, p_visit_count, p_block_minutes, p_total_pence, p_notes, p_pays_household_relative,
        p_idempotency_key, p_placed_by_id, p_placed_as, NULL, NULL, NULL, '', p_now, p_now, NULL
    )
    ON CONFLICT (idempotency_key) DO NOTHING  -- the same key placed at this moment against another budget
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        SELECT o.id INTO v_id FROM orders_order o WHERE o.idempotency_key = p_idempotency_key;
        RETURN QUERY SELECT v_id, 'existing'::text, v_route, NULL::date[], NULL::bigint[];
        RETURN;
    END IF;

    IF cardinality(p_periods) > 0 THEN
        INSERT INTO orders_ledgerentry (
            budget_id, kind, amount_pence, effective_on, period_starts_on, order_id, visit_id, reason, actor_id,
            on_behalf_of_id, created_at
        )
        SELECT p_budget_id, 'reservation', r.amount, r.day, r.starts, v_id, NULL,
               'ORD-' || lpad(v_id::text, greatest(6, length(v_id::text)), '0') || ' placed',
               p_placed_by_id, p_holder_id, p_now
          FROM unnest(p_periods, p_days, p_amounts) AS r(starts, day, amount)
         ORDER BY r.starts;
    END IF;

    INSERT INTO orders_ordertransition (order_id, from_status, to_status, actor_id, on_behalf_of_id, capacity,
                                        reason, at)
    VALUES (v_id, '', 'placed', p_placed_by_id, p_holder_id, p_placed_as, '', p_now);

    INSERT INTO core_auditevent (at, actor_id, on_behalf_of_id, action, object_type, object_id, summary, data)
    VALUES (p_now, p_placed_by_id, p_holder_id, 'order.placed', 'orders.order', v_id::text,
            left(p_audit_summary, 300), p_audit_data);

    RETURN QUERY SELECT v_id, 'placed'::text, v_route, NULL::date[], NULL::bigint[];
END
$$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS orders_order_place(bigint, uuid, bigint, bigint, bigint, text, date, date, smallint[], time,
    integer, smallint, text, bigint, integer, integer, bigint, text, boolean, bigint, text, timestamptz, date[], date[],
    bigint[], text, jsonb);
DROP TRIGGER IF EXISTS orders_ledgerentry_totals ON orders_ledgerentry;
DROP FUNCTION IF EXISTS orders_ledger_totals_add();
DROP TRIGGER IF EXISTS orders_budgetperiodtotal_derived_only ON orders_budgetperiodtotal;
DROP FUNCTION IF EXISTS orders_totals_derived_only();
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
"""


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0005_order_provider_told_at"),
        ("core", "0002_audit_append_only"),
    ]

    operations = [
        migrations.CreateModel(
            name="BudgetPeriodTotal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("period_starts_on", models.DateField()),
                ("left_pence", models.BigIntegerField()),
                ("committed_pence", models.BigIntegerField()),
                ("budget", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                             related_name="period_totals", to="orders.budget")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("budget", "period_starts_on"),
                                                        name="budget_period_total_one_per_period")],
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
