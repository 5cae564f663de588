-- A budget's ledger in the database (docs/adr/0001-money.md, 0002-budget-locking.md).
--
-- What an entry does to its budget's money is defined once, by orders_ledgerentry's generated columns
-- (allocated_pence, committed_pence, spent_pence, left_pence, from orders.models.ENTRY_EFFECTS). Everything here
-- sums those columns: the per-period totals, and through them the affordability rule and the overspend guard.

-- Entries are never changed or deleted: corrections are new entries.
CREATE OR REPLACE TRIGGER orders_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON orders_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION market_forbid_update_delete();

-- Each budget period's running totals (orders_budgetperiodtotal), a cache the database keeps from the ledger: every
-- insert adds its entries' own left and committed money in the same statement (insert is the only change an
-- append-only ledger has). The totals are locked only here, always after the budget row (ADR 0002).
CREATE OR REPLACE FUNCTION orders_ledger_totals_add() RETURNS trigger AS $$
BEGIN
    INSERT INTO orders_budgetperiodtotal AS total (budget_id, period_starts_on, left_pence, committed_pence)
    SELECT budget_id, period_starts_on, SUM(left_pence), SUM(committed_pence)
      FROM new_entries
     GROUP BY budget_id, period_starts_on
     ORDER BY budget_id, period_starts_on
    ON CONFLICT (budget_id, period_starts_on) DO UPDATE
       SET left_pence = total.left_pence + EXCLUDED.left_pence,
           committed_pence = total.committed_pence + EXCLUDED.committed_pence;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE TRIGGER orders_ledgerentry_totals
    AFTER INSERT ON orders_ledgerentry
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION orders_ledger_totals_add();

-- Nothing else writes the totals.
CREATE OR REPLACE FUNCTION orders_totals_derived_only() RETURNS trigger AS $$
BEGIN
    IF pg_trigger_depth() < 2 THEN  -- 1 is a direct write; the ledger's trigger writes at depth 2
        RAISE EXCEPTION 'budget period totals are derived from the ledger: insert a ledger entry instead'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE TRIGGER orders_budgetperiodtotal_derived_only
    BEFORE INSERT OR UPDATE OR DELETE ON orders_budgetperiodtotal
    FOR EACH ROW EXECUTE FUNCTION orders_totals_derived_only();

-- The period rule, written once: savings carry forward, future money cannot be spent early. Taking p_amounts from
-- the periods starting p_periods is affordable only if, in every period of the plan, the running total of the
-- periods' own money left (savings from earlier periods included) stays at or above zero afterwards.
--
-- No row: affordable. Otherwise one row for the first period that would go below zero: when it starts, how much
-- too little there would be, and how much could still be taken from it then (the smallest running total, before
-- the new debits, from that period to the end of the plan; negative if it is already short).
-- Used by the Python affordability check (orders.selectors.budget_shortfall, under the budget's lock), by order
-- placement (orders_order_place) and by the overspend guard below (with no new debits).
CREATE OR REPLACE FUNCTION orders_budget_shortfall(p_budget_id bigint, p_periods date[], p_amounts bigint[])
RETURNS TABLE (period_starts_on date, short_pence bigint, available_pence bigint)
LANGUAGE sql STABLE AS $$
    WITH per_period AS (
        SELECT lines.starts, SUM(lines.money_left) AS money_left, SUM(lines.debit) AS debit
          FROM (SELECT t.period_starts_on, t.left_pence, 0::bigint
                  FROM orders_budgetperiodtotal t
                 WHERE t.budget_id = p_budget_id
                UNION ALL
                SELECT d.starts, 0::bigint, d.amount
                  FROM unnest(p_periods, p_amounts) AS d(starts, amount)
               ) AS lines(starts, money_left, debit)
         GROUP BY lines.starts
    ), running AS (
        SELECT starts,
               SUM(money_left) OVER (ORDER BY starts) AS available,
               SUM(money_left - debit) OVER (ORDER BY starts) AS after
          FROM per_period
    ), onwards AS (
        SELECT starts, after, MIN(available) OVER (ORDER BY starts DESC) AS available_onwards
          FROM running
    )
    SELECT starts, (-after)::bigint, available_onwards::bigint
      FROM onwards
     WHERE after < 0
     ORDER BY starts
     LIMIT 1
$$;

-- The database's own guard, whatever code path wrote the ledger: at commit, no budget may break the period rule,
-- nor release or spend more than it reserved. A second line of defence: only the budget's row lock makes "exactly
-- the affordable orders succeed" true (ADR 0002).
CREATE OR REPLACE FUNCTION orders_ledger_guard() RETURNS trigger AS $$
DECLARE
    v_starts date;
    v_short bigint;
    v_committed bigint;
BEGIN
    SELECT s.period_starts_on, s.short_pence INTO v_starts, v_short
      FROM orders_budget_shortfall(NEW.budget_id, '{}'::date[], '{}'::bigint[]) AS s;
    IF FOUND THEN
        RAISE EXCEPTION 'budget % would be overspent (short by % pence in the period from %)', NEW.budget_id, v_short,
            v_starts USING ERRCODE = 'check_violation';
    END IF;
    SELECT COALESCE(SUM(t.committed_pence), 0) INTO v_committed
      FROM orders_budgetperiodtotal t WHERE t.budget_id = NEW.budget_id;
    IF v_committed < 0 THEN
        RAISE EXCEPTION 'budget % would release or spend more than it reserved', NEW.budget_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- (A constraint trigger cannot be replaced in place.)
DROP TRIGGER IF EXISTS orders_ledgerentry_never_overspent ON orders_ledgerentry;
CREATE CONSTRAINT TRIGGER orders_ledgerentry_never_overspent
    AFTER INSERT ON orders_ledgerentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION orders_ledger_guard();
