"""The names of the platform's own tables, light enough for the registry to check against.

`core.db.platform_tables` declares the tables (and checks it declares exactly these); the
registry refuses an entity whose table would take one of the names.
"""

from __future__ import annotations

PLATFORM_TABLE_NAMES = frozenset(
    {
        "tenants",
        "users",
        "audit_log",
        "audit_chain_heads",
        "audit_pending",
        "event_outbox",
        "event_deliveries",
        "ai_usage",
        "chat_sessions",
        "chat_messages",
        "rate_counters",
        "auth_sessions",
        "auth_failures",
        "auth_reset_tokens",
    }
)
