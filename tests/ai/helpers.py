"""Small helpers the AI tests share: records to act on, and the audit trail to check."""

from __future__ import annotations

from typing import Any

from core.bootstrap import App
from core.contracts import Caller, CallerType
from tests.conftest import make_caller

ADMIN = make_caller(user="root", roles=("admin",))


def create(
    app: App, action: str, payload: dict[str, Any], caller: Caller = ADMIN
) -> dict[str, Any]:
    result: dict[str, Any] = app.bus.dispatch(action, payload, caller)
    return result


def audit_entries(app: App, caller: Caller = ADMIN) -> list[dict[str, Any]]:
    """The tenant's audit entries, newest first, sealed first on PostgreSQL."""
    app.bus.seal_pending()
    if "audit.list" in app.registry.actions:
        page = app.bus.dispatch("audit.list", {"limit": 200}, caller)
        return list(page["items"])
    from core.trail.reader import audit_page

    return list(audit_page(app.engine, app.registry, caller, limit=200)["items"])


def ai_entries(app: App) -> list[dict[str, Any]]:
    return [e for e in audit_entries(app) if e["caller_type"] == CallerType.AI_AGENT.value]
