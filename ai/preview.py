"""A plan as the user sees it before it runs: each step's action, fields, tier and problems.

The palette, `metasaas ask` and chat all show this view, so what needs confirmation and
what the bus would refuse is visible before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ai import platform
from ai.plan import Plan
from ai.risk import Risk, assess
from core.errors import MetaSaasError
from core.jsonable import REDACTED

if TYPE_CHECKING:
    from core.bootstrap import App
    from core.contracts import Caller


@dataclass(frozen=True)
class StepView:
    number: int
    action_id: str
    fields: dict[str, Any]
    risk: Risk
    problem: str | None

    def public(self) -> dict[str, Any]:
        return {
            "step": self.number,
            "action_id": self.action_id,
            "input": self.fields,
            "tier": self.risk.tier.value,
            "needs_confirmation": self.risk.needs_confirmation,
            "reason": self.risk.reason,
            "problem": self.problem,
        }


def preview(app: App, user: Caller, plan: Plan) -> list[StepView]:
    """Checks run as the user's `ai_agent`, exactly as the steps will; nothing is written."""
    agent = platform.agent_caller(user)
    views = []
    for number, step in enumerate(plan.steps, start=1):
        problem = None
        try:
            platform.validate(app, step.action_id, step.input, agent)
        except MetaSaasError as exc:
            problem = f"{exc.code}: {exc.message}"
        views.append(
            StepView(number, step.action_id, _shown(app, step), assess(app, step), problem)
        )
    return views


def _shown(app: App, step: Any) -> dict[str, Any]:
    """The step's input with sensitive values hidden: screens never show them."""
    spec = app.registry.actions.get(step.action_id)
    entity = spec.entity if spec is not None else None
    hidden = entity.sensitive_fields if entity is not None else frozenset()
    return {k: (REDACTED if k in hidden else v) for k, v in step.input.items()}
