-- The audit trail in the database: append-only, and one way to write a row.
-- market.core.audit.audit_record calls market_audit_record(); so does SQL that records what it did itself
-- (orders_order_place, orders/sql/placement.sql). Applied by market/core/migrations (RunSQLFile).

-- Refuses any update or delete of a row: for every append-only table (the audit trail, the budget ledger, order
-- and visit transitions).
CREATE OR REPLACE FUNCTION market_forbid_update_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: add a correcting row instead of changing or deleting one', TG_TABLE_NAME;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION market_forbid_update_delete();

-- Append one audit event; returns its id. The summary is cut to the column's 300 characters.
CREATE OR REPLACE FUNCTION market_audit_record(
    p_action text, p_actor_id bigint, p_on_behalf_of_id bigint, p_object_type text, p_object_id text,
    p_summary text, p_data jsonb, p_at timestamptz
) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
BEGIN
    INSERT INTO core_auditevent (at, actor_id, on_behalf_of_id, action, object_type, object_id, summary, data)
    VALUES (p_at, p_actor_id, p_on_behalf_of_id, p_action, coalesce(p_object_type, ''), coalesce(p_object_id, ''),
            left(coalesce(p_summary, ''), 300), coalesce(p_data, '{}'::jsonb))
    RETURNING id INTO v_id;
    RETURN v_id;
END
$$;
