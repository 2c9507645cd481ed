"""Triggers that keep the audit trail append-only, whoever holds a database connection.

`audit_log` rows are never updated or deleted. `audit_pending` rows (PostgreSQL: entries
committed with their action, not yet chained) are never updated, and leave only by being
sealed: the sealer's transaction says so with `metasaas.sealing`, and any other DELETE
or TRUNCATE is refused. SQLite chains every entry as it writes it, so there nothing may
leave `audit_pending` at all. Statements are constants, never assembled from input.
"""

from __future__ import annotations

SEALING_SETTING = "metasaas.sealing"

_SQLITE = (
    (
        "audit_log_no_update",
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    ),
    (
        "audit_log_no_delete",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    ),
    (
        "audit_log_moves_head",
        "CREATE TRIGGER audit_log_moves_head AFTER INSERT ON audit_log BEGIN "
        "UPDATE audit_chain_heads SET seq = NEW.seq, hash = NEW.hash "
        "WHERE tenant_id = NEW.tenant_id; END",
    ),
    (
        "audit_pending_no_update",
        "CREATE TRIGGER audit_pending_no_update BEFORE UPDATE ON audit_pending "
        "BEGIN SELECT RAISE(ABORT, 'audit_pending entries do not change'); END",
    ),
    (
        "audit_pending_no_delete",
        "CREATE TRIGGER audit_pending_no_delete BEFORE DELETE ON audit_pending "
        "BEGIN SELECT RAISE(ABORT, 'audit_pending entries leave only by being sealed'); END",
    ),
)

_POSTGRESQL = (
    (
        "metasaas_audit_append_only",
        "CREATE OR REPLACE FUNCTION metasaas_audit_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    ),
    (
        "metasaas_audit_pending_guard",
        "CREATE OR REPLACE FUNCTION metasaas_audit_pending_guard() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'DELETE' AND current_setting('metasaas.sealing', true) = 'on' "
        "THEN RETURN OLD; END IF; "
        "RAISE EXCEPTION 'audit_pending entries do not change and leave only by being sealed'; "
        "END $$",
    ),
    (
        "audit_log_no_update",
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION metasaas_audit_append_only()",
    ),
    (
        "audit_log_no_truncate",
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION metasaas_audit_append_only()",
    ),
    (
        "audit_pending_guard",
        "CREATE TRIGGER audit_pending_guard BEFORE UPDATE OR DELETE ON audit_pending "
        # Once per statement: a seal deletes its whole batch in one statement, and a
        # per-row check of the same setting would cost every writer of the tenant.
        "FOR EACH STATEMENT EXECUTE FUNCTION metasaas_audit_pending_guard()",
    ),
    (
        "audit_pending_no_truncate",
        "CREATE TRIGGER audit_pending_no_truncate BEFORE TRUNCATE ON audit_pending "
        "FOR EACH STATEMENT EXECUTE FUNCTION metasaas_audit_pending_guard()",
    ),
)

AUDIT_TRIGGERS: dict[str, tuple[tuple[str, str], ...]] = {
    "sqlite": _SQLITE,
    "postgresql": _POSTGRESQL,
}
