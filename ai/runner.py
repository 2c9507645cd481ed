"""Run a plan: step by step on the bus as the user's `ai_agent`, each with its provenance.

Steps run in order, each in its own transaction; the first failing step stops the plan
and the report says which steps ran (a plan is not one transaction: a read between two
writes must see the first, and a partial run is reported, never hidden). Nothing runs
when a step needs confirmation and nobody confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ai import platform
from ai.plan import Plan, command_sha256
from ai.risk import assess_plan, writes_sensitive
from core.errors import MetaSaasError
from core.jsonable import REDACTED, to_jsonable

if TYPE_CHECKING:
    from core.bootstrap import App
    from core.contracts import Caller

Source = Literal["palette", "cli", "chat"]


class ConfirmationNeeded(Exception):
    """The plan has steps that wait for a person; nothing was run."""

    def __init__(self, steps: list[int], reasons: list[str]) -> None:
        super().__init__("confirmation needed for step " + ", ".join(str(s) for s in steps))
        self.steps = steps
        self.reasons = reasons


@dataclass
class StepResult:
    step: int
    action_id: str
    ok: bool
    result: Any = None
    error: dict[str, Any] | None = None
    exception: MetaSaasError | None = field(default=None, repr=False, compare=False)

    def public(self) -> dict[str, Any]:
        out: dict[str, Any] = {"step": self.step, "action_id": self.action_id, "ok": self.ok}
        if self.ok:
            out["result"] = to_jsonable(self.result)
        else:
            out["error"] = self.error
        return out


@dataclass
class RunReport:
    results: list[StepResult] = field(default_factory=list)
    total: int = 0

    @property
    def completed(self) -> bool:
        return len(self.results) == self.total and all(r.ok for r in self.results)

    @property
    def error(self) -> MetaSaasError | None:
        return next((r.exception for r in self.results if not r.ok), None)

    def public(self) -> dict[str, Any]:
        ran = [r.step for r in self.results if r.ok]
        failed = next((r.step for r in self.results if not r.ok), None)
        return {
            "completed": self.completed,
            "ran": ran,
            "failed_step": failed,
            "not_run": [i for i in range(1, self.total + 1) if i not in ran and i != failed],
            "results": [r.public() for r in self.results],
        }


@dataclass(frozen=True)
class Origin:
    """Where a plan came from, for the provenance of each action it runs."""

    source: Source
    command: str | None
    model: str  # the model's name, or "offline"
    session_id: str | None = None


def provenance(
    app: App, plan: Plan, origin: Origin, step: int, confirmed_by: str | None
) -> dict[str, Any]:
    text = origin.command if origin.command is not None else plan.canonical()
    # The command may carry the sensitive value the plan writes; the hash still names it.
    shown = REDACTED if writes_sensitive(app, plan) else origin.command
    return {
        "ai": True,
        "source": origin.source,
        "model": origin.model,
        "prompt_sha256": command_sha256(text),
        "command": shown,
        "step": step,
        "confirmed_by": confirmed_by,
        "session_id": origin.session_id,
    }


def run_plan(
    app: App,
    user: Caller,
    plan: Plan,
    origin: Origin,
    *,
    confirmed_by: str | None = None,
) -> RunReport:
    """Run every step, or none when confirmation is needed and `confirmed_by` is None."""
    risks = assess_plan(app, plan)
    waiting = [i + 1 for i, r in enumerate(risks) if r.needs_confirmation]
    if waiting and confirmed_by is None:
        raise ConfirmationNeeded(waiting, [risks[i - 1].reason for i in waiting])
    agent = platform.agent_caller(user)
    report = RunReport(total=len(plan.steps))
    for index, step in enumerate(plan.steps, start=1):
        trail = provenance(app, plan, origin, index, confirmed_by)
        try:
            result = platform.dispatch(app, step.action_id, step.input, agent, trail)
        except MetaSaasError as exc:
            failed = StepResult(index, step.action_id, False, None, exc.to_dict(), exc)
            report.results.append(failed)
            break
        report.results.append(StepResult(index, step.action_id, True, result))
    return report
