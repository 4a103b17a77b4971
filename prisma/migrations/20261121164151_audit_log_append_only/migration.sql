-- audit_log is append-only: manual actions are inserted once and never changed or removed.
-- Prisma's schema language has no triggers, so this part of the schema lives only here.

CREATE FUNCTION "audit_log_refuse_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'raise_exception',
              HINT = 'Record a new entry instead of changing an old one.';
END;
$$;

-- Row triggers catch UPDATE and DELETE; TRUNCATE bypasses them and needs a statement trigger.
CREATE TRIGGER "audit_log_no_update_or_delete"
    BEFORE UPDATE OR DELETE ON "audit_log"
    FOR EACH ROW EXECUTE FUNCTION "audit_log_refuse_change"();

CREATE TRIGGER "audit_log_no_truncate"
    BEFORE TRUNCATE ON "audit_log"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_refuse_change"();
