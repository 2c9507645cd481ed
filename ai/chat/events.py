"""The events one chat turn yields, as plain data with a public JSON form.

`metasaas chat --format json` prints `public()` of each as one JSON line; the TUI draws
them. A `PlanEvent` that awaits a decision is answered by calling `decide()` before the
next event is asked for; an unanswered one counts as declined, so nothing runs by default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ai.plan import Plan
from core.jsonable import to_jsonable


@dataclass
class Token:
    """A piece of the answer's text, as the model streamed it."""

    text: str
    type: str = field(default="token", init=False)

    def public(self) -> dict[str, Any]:
        return {"type": self.type, "text": self.text}


@dataclass
class PlanEvent:
    """The steps the model asked for, each with its risk tier; `awaiting` when a person
    must confirm before anything runs."""

    plan: Plan
    steps: list[dict[str, Any]]
    awaiting: bool
    decision: bool | None = None
    type: str = field(default="plan", init=False)

    def decide(self, yes: bool) -> None:
        self.decision = bool(yes)

    @property
    def needs_confirmation(self) -> list[int]:
        return [s["step"] for s in self.steps if s["needs_confirmation"]]

    def public(self) -> dict[str, Any]:
        """The plan with each step's input as previewed: sensitive values hidden."""
        plan = self.plan.public()
        plan["steps"] = [{"action_id": s["action_id"], "input": s["input"]} for s in self.steps]
        return {
            "type": self.type,
            "plan": plan,
            "steps": self.steps,
            "awaiting_confirmation": self.awaiting,
            "needs_confirmation": self.needs_confirmation,
        }


@dataclass
class ActionEvent:
    """A step is about to run on the bus as the user's `ai_agent`."""

    step: int
    action_id: str
    input: dict[str, Any]
    type: str = field(default="action", init=False)

    def public(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "step": self.step,
            "action_id": self.action_id,
            "input": to_jsonable(self.input),
        }


@dataclass
class ResultEvent:
    """What a step gave back (masked as for any `ai_agent`), or why it failed."""

    step: int
    action_id: str
    ok: bool
    summary: str
    result: Any = None
    error: dict[str, Any] | None = None
    record: tuple[str, str] | None = None  # (entity, id) of a created or changed record
    type: str = field(default="result", init=False)

    def public(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type,
            "step": self.step,
            "action_id": self.action_id,
            "ok": self.ok,
            "summary": self.summary,
        }
        if self.ok:
            out["result"] = to_jsonable(self.result)
        else:
            out["error"] = self.error
        if self.record is not None:
            out["record"] = {"entity": self.record[0], "id": self.record[1]}
        return out


@dataclass
class ErrorEvent:
    """Something the user should know: the model failed (answering offline), the stream
    broke off, a confirmation was declined. `fatal` when the turn could not go on."""

    code: str
    message: str
    fatal: bool = False
    type: str = field(default="error", init=False)

    def public(self) -> dict[str, Any]:
        return {"type": self.type, "code": self.code, "message": self.message, "fatal": self.fatal}


@dataclass
class Done:
    """The turn ended: its session, who answered, the tokens and time it cost."""

    session_id: str
    model: str
    usage: dict[str, int] = field(default_factory=dict)
    stopped: bool = False
    type: str = field(default="done", init=False)

    def public(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "session_id": self.session_id,
            "model": self.model,
            "usage": self.usage,
            "stopped": self.stopped,
        }


Event = Token | PlanEvent | ActionEvent | ResultEvent | ErrorEvent | Done
