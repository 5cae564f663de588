-- The community credits ledger (community.models.CreditEntry) is append-only, like the budget ledger: corrections
-- are new entries. And no insert may leave an account below zero: community.services.credits locks the account row
-- (SELECT ... FOR UPDATE) before it reads the balance and writes, so concurrent spends queue; this trigger is the
-- database's own guard behind that lock.

CREATE OR REPLACE FUNCTION community_credit_entry_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The credits ledger is append-only: % is refused (add a correcting entry instead)', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE OR REPLACE TRIGGER community_credit_entry_append_only
    BEFORE UPDATE OR DELETE ON community_creditentry
    FOR EACH ROW EXECUTE FUNCTION community_credit_entry_refuse_change();

CREATE OR REPLACE FUNCTION community_credit_entry_not_below_zero() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.credits < 0
       AND (SELECT coalesce(sum(e.credits), 0) FROM community_creditentry e WHERE e.account_id = NEW.account_id) < 0
    THEN
        RAISE EXCEPTION 'Not enough community credits on account %', NEW.account_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER community_credit_entry_balance
    AFTER INSERT ON community_creditentry
    FOR EACH ROW EXECUTE FUNCTION community_credit_entry_not_below_zero();
