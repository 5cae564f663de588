-- Placing an order (docs/adr/0002-budget-locking.md, "Measured"): the facts its rules need about the service, and
-- the placement itself in one statement. orders.services.order_place calls orders_order_place; the facts are also
-- asked on their own (orders.selectors.service_facts) for a quote and to word a refusal.

-- What the placement rules need to know about a service for a budget, on a day: is the service listed (the listing
-- rule itself, providers/sql/listing.sql), does it cover the holder's neighbourhood (its own areas if it has any,
-- else its provider's), does the budget's plan allow its category (a plan without categories allows any), and has
-- it published weekly availability at all. No row: no such service.
CREATE OR REPLACE FUNCTION orders_service_facts(p_service_id bigint, p_budget_id bigint, p_neighbourhood_id bigint,
                                                p_on date)
RETURNS TABLE (listed boolean, covers boolean, category_allowed boolean, has_slots boolean)
LANGUAGE sql STABLE AS $$
    SELECT providers_service_listed_during(s.id) @> p_on,
           p_neighbourhood_id IS NOT NULL AND CASE
               WHEN EXISTS (SELECT FROM providers_service_neighbourhoods sn WHERE sn.service_id = s.id)
                   THEN EXISTS (SELECT FROM providers_service_neighbourhoods sn
                                 WHERE sn.service_id = s.id AND sn.neighbourhood_id = p_neighbourhood_id)
               ELSE EXISTS (SELECT FROM providers_provider_neighbourhoods pn
                             WHERE pn.provider_id = s.provider_id AND pn.neighbourhood_id = p_neighbourhood_id)
           END,
           NOT EXISTS (SELECT FROM orders_budget_allowed_categories bc WHERE bc.budget_id = p_budget_id)
               OR EXISTS (SELECT FROM orders_budget_allowed_categories bc
                           WHERE bc.budget_id = p_budget_id AND bc.category_id = s.category_id),
           EXISTS (SELECT FROM providers_serviceavailability a WHERE a.service_id = s.id)
      FROM providers_service s
     WHERE s.id = p_service_id
$$;

-- Placing an order, once every rule that needs no database has passed in Python, in one statement:
-- 1. unless the caller has just checked them (p_service_checked), the service's facts (orders_service_facts, no lock):
--    if one fails, nothing is written ('refused') and Python asks them again to word the refusal; a service that
--    publishes weekly availability goes back to Python to be checked against it first ('check_availability'), and
--    is placed by a second call with p_service_checked;
-- 2. lock the budget row (always the first lock). Every statement below runs after the wait, on a fresh snapshot
--    (PL/pgSQL, READ COMMITTED), so it sees what the previous lock holder committed;
-- 3. the same idempotency key again: the first order, nothing written ('existing');
-- 4. the period rule (orders_budget_shortfall, orders/sql/ledger.sql) for the new reservations: if short, nothing
--    is written and the shortfall is returned ('short'), from which Python words the refusal;
-- 5. the order, its reservation rows (one per budget period), its "placed" transition and its audit event, the
--    last two through the same functions every other service uses (orders/sql/transitions.sql,
--    market/core/sql/audit.sql).
CREATE OR REPLACE FUNCTION orders_order_place(
    p_budget_id bigint, p_idempotency_key uuid, p_holder_id bigint, p_service_id bigint, p_provider_id bigint,
    p_kind text, p_first_visit_on date, p_last_visit_on date, p_weekdays smallint[], p_visit_starts_at time,
    p_duration_minutes integer, p_items_per_visit smallint, p_unit text, p_unit_price_pence bigint,
    p_visit_count integer, p_block_minutes integer, p_total_pence bigint, p_notes text,
    p_pays_household_relative boolean, p_placed_by_id bigint, p_placed_as text, p_now timestamptz,
    p_periods date[], p_days date[], p_amounts bigint[], p_audit_summary text, p_audit_data jsonb,
    p_neighbourhood_id bigint, p_on date, p_service_checked boolean
) RETURNS TABLE (order_id bigint, outcome text, funding_route text, short_period_starts_on date, short_pence bigint,
                 available_pence bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
    v_route text;
    v_starts date;
    v_short bigint;
    v_available bigint;
    v_facts record;
BEGIN
    IF NOT p_service_checked THEN
        SELECT f.listed, f.covers, f.category_allowed, f.has_slots INTO v_facts
          FROM orders_service_facts(p_service_id, p_budget_id, p_neighbourhood_id, p_on) AS f;
        IF NOT FOUND OR NOT (v_facts.listed AND v_facts.covers AND v_facts.category_allowed) THEN
            RETURN QUERY SELECT NULL::bigint, 'refused'::text, NULL::text, NULL::date, NULL::bigint, NULL::bigint;
            RETURN;
        END IF;
        IF v_facts.has_slots THEN
            RETURN QUERY SELECT NULL::bigint, 'check_availability'::text, NULL::text, NULL::date, NULL::bigint,
                                NULL::bigint;
            RETURN;
        END IF;
    END IF;

    SELECT b.funding_route INTO v_route FROM orders_budget b WHERE b.id = p_budget_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no budget %', p_budget_id USING ERRCODE = 'foreign_key_violation';
    END IF;

    SELECT o.id INTO v_id FROM orders_order o WHERE o.idempotency_key = p_idempotency_key;
    IF FOUND THEN
        RETURN QUERY SELECT v_id, 'existing'::text, v_route, NULL::date, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;

    IF cardinality(p_periods) > 0 THEN
        SELECT s.period_starts_on, s.short_pence, s.available_pence INTO v_starts, v_short, v_available
          FROM orders_budget_shortfall(p_budget_id, p_periods, p_amounts) AS s;
        IF FOUND THEN
            RETURN QUERY SELECT NULL::bigint, 'short'::text, v_route, v_starts, v_short, v_available;
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
        RETURN QUERY SELECT v_id, 'existing'::text, v_route, NULL::date, NULL::bigint, NULL::bigint;
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

    PERFORM orders_order_transition_record(v_id, '', 'placed', p_placed_by_id, p_holder_id, p_placed_as, '', p_now);
    PERFORM market_audit_record('order.placed', p_placed_by_id, p_holder_id, 'orders.order', v_id::text,
                                p_audit_summary, p_audit_data, p_now);

    RETURN QUERY SELECT v_id, 'placed'::text, v_route, NULL::date, NULL::bigint, NULL::bigint;
END
$$;
