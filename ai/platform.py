"""The one place the AI layer meets core's platform API (issue 8, CORE_API.md).

Everything the AI needs from core goes through here: the actions a caller may run with
their input schemas, dry validation, dispatch with provenance, and usage metering. Core
landed each piece on main; this module keeps the AI's view of them (which actions make
tools, how usage numbers are typed) in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from core.contracts import Caller, CallerType
from core.model.describe import AllowedAction, action_input_schema

if TYPE_CHECKING:
    from core.bootstrap import App

__all__ = ["AllowedAction"]


def agent_caller(caller: Caller) -> Caller:
    """The AI acts as `ai_agent` with the roles of the user it acts for, never more."""
    return Caller(caller.user_id, caller.tenant_id, caller.roles, CallerType.AI_AGENT)


def allowed_actions(app: App, caller: Caller, entity: str | None = None) -> list[AllowedAction]:
    """Every action `caller` may run, with its decision and its input schema."""
    return list(app.bus.allowed_actions(caller, entity))


def input_schema(app: App, action_id: str) -> dict[str, Any]:
    return dict(action_input_schema(app.registry.action(action_id)))


def validate(app: App, action_id: str, payload: Mapping[str, Any], caller: Caller) -> None:
    """Every check dispatch makes, writing nothing; raises as dispatch would."""
    app.bus.validate(action_id, dict(payload), caller)


def dispatch(
    app: App,
    action_id: str,
    payload: Mapping[str, Any],
    caller: Caller,
    provenance: dict[str, Any] | None = None,
) -> Any:
    """`bus.dispatch` with the AI's provenance recorded in the action's audit entry."""
    return app.bus.dispatch(action_id, dict(payload), caller, provenance=provenance)


def record_usage(app: App, caller: Caller, entry: Mapping[str, Any]) -> None:
    """One model call's metering, through `ai_usage.record` as the user's `ai_agent`."""
    payload = dict(entry)
    cost = payload.get("cost_usd")
    payload["cost_usd"] = None if cost is None else Decimal(f"{float(cost):.6f}")
    app.bus.dispatch("ai_usage.record", payload, caller)


def usage_summary(app: App, caller: Caller, since: str | None, by: str) -> dict[str, Any]:
    payload: dict[str, Any] = {"by": by}
    if since:
        payload["since"] = since
    result: dict[str, Any] = app.bus.dispatch("ai_usage.summary", payload, caller)
    return result
