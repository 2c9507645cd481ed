"""From a typed command to a validated plan: the model when one can answer, else offline.

The command is length-checked before anything sees it. Each configured model is tried in
order; its answer must be a valid plan (known actions this user may run, inputs that
validate), and an invalid one is asked again at most twice with the validation errors.
Transport failures are retried inside the gateway and never reach the prompt. When
every model fails the offline interpreter answers, and only when it cannot map the
command either is the result `ai_unavailable`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ai import offline, platform, prompt
from ai.config import from_settings
from ai.gateway import Gateway
from ai.plan import MAX_STEPS, Plan, check_command, describe_errors
from ai.replies import ProviderError, Reply, Route, Usage
from core.errors import AIUnavailable, InvalidInput, MetaSaasError, NotFound

if TYPE_CHECKING:
    from core.bootstrap import App
    from core.contracts import Caller

log = logging.getLogger(__name__)
MAX_REASKS = 2
MAX_LOOKUPS = 3
FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


class InvalidPlan(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class Interpretation:
    plan: Plan
    model: str  # the model that planned, or "offline"
    notice: str | None = None  # why offline, or which model failed first


def make_gateway(app: App, user: Caller) -> Gateway:
    """The gateway for this user, metering each call on the background metering thread."""
    from ai import metering

    agent = platform.agent_caller(user)

    def meter(usage: Usage) -> None:
        entry = usage.entry()
        metering.submit(lambda: platform.record_usage(app, agent, entry))

    return Gateway(from_settings(app.settings), meter=meter)


class Interpreter:
    def __init__(
        self, app: App, user: Caller, gateway: Gateway | None = None, today: dt.date | None = None
    ) -> None:
        self.app = app
        self.user = user
        self.gateway = gateway if gateway is not None else make_gateway(app, user)
        self.today = today
        self._tools: tuple[list[dict[str, Any]], dict[str, str]] | None = None

    def offline(self, command: str) -> Plan:
        return offline.interpret(self.app.registry, command, self.today)

    def interpret(self, command: str) -> Interpretation:
        check_command(command)
        routes, reason = self.gateway.routes()
        if not routes:
            return Interpretation(self.offline(command), "offline", f"offline: {reason}")
        # One AI command against the caller's AI rate limit, before any model sees it
        # (offline planning is free: it never leaves the machine).
        self.app.limits.check_ai(self.user)
        failures: list[str] = []
        for route in routes:
            try:
                plan = self._ask(route, command)
            except ProviderError as exc:
                failures.append(str(exc))
            except InvalidPlan as exc:
                failures.append(f"{route.model}: invalid plan ({exc})")
            else:
                notice = None
                if failures:
                    notice = f"{'; '.join(failures)}; answered by {route.model}"
                    log.warning("AI fallback: %s", notice)
                return Interpretation(plan, route.model, notice)
        summary = "; ".join(failures)
        log.warning("AI models failed, planning offline: %s", summary)
        plan = self.offline(command)
        if plan.steps:
            return Interpretation(plan, "offline", f"{summary}; planned offline")
        raise AIUnavailable(
            f"no model could answer ({summary}) and the offline interpreter could not map "
            "the command",
            {"failures": failures, "offline": plan.explanation},
        )

    def tools(self) -> tuple[list[dict[str, Any]], dict[str, str]]:
        if self._tools is None:
            self._tools = prompt.tools(self.app, self.user)
        return self._tools

    def _ask(self, route: Route, command: str) -> Plan:
        tools, names = self.tools()
        today = self.today or dt.date.today()
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": prompt.system_prompt(today, MAX_STEPS)},
            {"role": "user", "content": command},
        ]
        reasks = lookups = 0
        while True:
            reply = self.gateway.complete(route, messages, tools)
            asked = [c for c in reply.tool_calls if c.name == prompt.LOOKUP]
            if asked and lookups < MAX_LOOKUPS:
                self._meter(reply, "ok")
                messages.append(_assistant(reply))
                messages += [self._lookup(c.id, c.arguments) for c in reply.tool_calls]
                lookups += 1
                continue
            try:
                plan = self._plan(reply, names)
            except InvalidPlan as exc:
                self._meter(reply, "invalid_output")
                if reasks >= MAX_REASKS:
                    raise
                reasks += 1
                messages.append(_assistant(reply))
                messages += [
                    _tool_answer(c.id, "not run: the plan was invalid") for c in reply.tool_calls
                ]
                messages.append({"role": "user", "content": _reask(exc)})
                continue
            self._meter(reply, "ok")
            return plan

    def _meter(self, reply: Reply, outcome: str) -> None:
        self.gateway.record(reply.usage(outcome))

    def _lookup(self, call_id: str, arguments: str) -> dict[str, Any]:
        """Run a read for the model now, as the user's `ai_agent`; values come back masked."""
        try:
            data = json.loads(arguments or "{}")
            action_id, payload = data["action_id"], data.get("input") or {}
            spec = self.app.registry.action(action_id)
            if spec.mutates:
                return _tool_answer(call_id, "lookup runs read actions only")
            agent = platform.agent_caller(self.user)
            result = platform.dispatch(self.app, action_id, payload, agent)
        except MetaSaasError as exc:
            return _tool_answer(call_id, f"{exc.code}: {exc.message}")
        except (ValueError, KeyError, TypeError):
            return _tool_answer(call_id, "lookup takes {action_id, input}")
        return {
            "role": "tool",
            "tool_call_id": call_id,
            "content": prompt.tool_result(self.app, result),
        }

    def _plan(self, reply: Reply, names: dict[str, str]) -> Plan:
        if reply.tool_calls:
            steps = [_step_from_call(c.name, c.arguments, names) for c in reply.tool_calls]
            data: dict[str, Any] = {"steps": steps, "explanation": reply.text.strip()[:2000]}
        else:
            data = _json_plan(reply.text)
        data["source"] = "model"
        try:
            plan = Plan.model_validate(data)
        except ValidationError as exc:
            raise InvalidPlan(
                [f"{e['field']}: {e['message']}" for e in describe_errors(exc)]
            ) from None
        self._check_steps(plan, set(names.values()))
        return plan

    def _check_steps(self, plan: Plan, allowed: set[str]) -> None:
        errors: list[str] = []
        agent = platform.agent_caller(self.user)
        for number, step in enumerate(plan.steps, start=1):
            if step.action_id not in allowed:
                errors.append(f"step {number}: {step.action_id} is not one of the offered tools")
                continue
            try:
                platform.validate(self.app, step.action_id, step.input, agent)
            except (InvalidInput, NotFound) as exc:
                problems = exc.details.get("errors") or [{"field": "", "message": exc.message}]
                errors += [
                    f"step {number} {p.get('field', '')}: {p.get('message', '')}" for p in problems
                ]
            except MetaSaasError:
                pass  # forbidden, conflict and the like show in the preview and at run time
        if errors:
            raise InvalidPlan(errors)


def _step_from_call(name: str, arguments: str, names: dict[str, str]) -> dict[str, Any]:
    try:
        data = json.loads(arguments or "{}")
    except ValueError:
        raise InvalidPlan([f"{name}: the arguments are not JSON"]) from None
    if name not in names:
        raise InvalidPlan([f"{name} is not one of the offered tools"])
    return {"action_id": names[name], "input": data}


def _json_plan(text: str) -> dict[str, Any]:
    body = FENCE.sub("", text.strip())
    try:
        data = json.loads(body)
    except ValueError:
        raise InvalidPlan(["answer with tool calls or with the JSON plan only"]) from None
    if not isinstance(data, dict):
        raise InvalidPlan(["the JSON plan must be an object with steps and explanation"])
    return data


def _assistant(reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in reply.tool_calls
        ]
    return message


def _tool_answer(call_id: str, text: str) -> dict[str, Any]:
    return {
        "role": "tool",
        "tool_call_id": call_id,
        "content": json.dumps({"ok": False, "error": text}),
    }


def _reask(exc: InvalidPlan) -> str:
    errors = "\n".join(f"- {e}" for e in exc.errors[:20])
    return f"That plan is invalid:\n{errors}\nAnswer again with a valid plan."
