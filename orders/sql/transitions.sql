-- Order and visit transitions: every change of status is one appended row (who, acting for whom and in what
-- capacity, when, why), written only by these two functions. orders.services calls them (_move, _visits_move),
-- and so does orders_order_place (orders/sql/placement.sql) for a new order's "placed" row. Which moves are
-- allowed is orders/transitions.py's; the rows cannot be changed or deleted afterwards.

CREATE OR REPLACE TRIGGER orders_ordertransition_append_only
    BEFORE UPDATE OR DELETE ON orders_ordertransition
    FOR EACH ROW EXECUTE FUNCTION market_forbid_update_delete();

CREATE OR REPLACE TRIGGER orders_visittransition_append_only
    BEFORE UPDATE OR DELETE ON orders_visittransition
    FOR EACH ROW EXECUTE FUNCTION market_forbid_update_delete();

-- One order moved from p_from_status ('' for a new order) to p_to_status; returns the row's id.
CREATE OR REPLACE FUNCTION orders_order_transition_record(
    p_order_id bigint, p_from_status text, p_to_status text, p_actor_id bigint, p_on_behalf_of_id bigint,
    p_capacity text, p_reason text, p_at timestamptz
) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
BEGIN
    INSERT INTO orders_ordertransition (order_id, from_status, to_status, actor_id, on_behalf_of_id, capacity, reason,
                                        at)
    VALUES (p_order_id, coalesce(p_from_status, ''), p_to_status, p_actor_id, p_on_behalf_of_id, p_capacity,
            left(coalesce(p_reason, ''), 500), p_at)
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;

-- Visits moved to p_to_status, each from its own status in p_from_statuses ('' for a visit just booked), for one
-- reason and by one actor (an order's booked visits are cancelled together); returns how many rows it wrote.
CREATE OR REPLACE FUNCTION orders_visit_transitions_record(
    p_visit_ids bigint[], p_from_statuses text[], p_to_status text, p_actor_id bigint, p_on_behalf_of_id bigint,
    p_capacity text, p_reason text, p_at timestamptz
) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_count integer;
BEGIN
    INSERT INTO orders_visittransition (visit_id, from_status, to_status, actor_id, on_behalf_of_id, capacity, reason,
                                        at)
    SELECT v.visit_id, coalesce(v.from_status, ''), p_to_status, p_actor_id, p_on_behalf_of_id, p_capacity,
           left(coalesce(p_reason, ''), 500), p_at
      FROM unnest(p_visit_ids, p_from_statuses) AS v(visit_id, from_status)
     ORDER BY v.visit_id;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;
