"""From a model's tool calls to plan steps, and from a step's result to what is shown,
stored and sent back to the model.

A tool call that names no offered tool, or whose arguments are not JSON, becomes no step:
its answer (an error) goes back to the model as a tool result. `lookup` (the palette's
read-ahead tool) is simply its read action here, since chat runs reads at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ai.plan import MAX_STEPS, Step
from ai.prompt import LOOKUP, masked
from ai.replies import ToolCall
from core.jsonable import to_jsonable

if TYPE_CHECKING:
    from core.bootstrap import App


@dataclass
class Call:
    """One tool call: the step it maps to, or why it maps to none."""

    id: str
    step: Step | None
    problem: str | None = None


def calls_from(tool_calls: list[ToolCall], names: dict[str, str], app: App) -> list[Call]:
    found: list[Call] = []
    for index, call in enumerate(tool_calls):
        call_id = call.id or f"call_{index}"
        if len([c for c in found if c.step is not None]) >= MAX_STEPS:
            found.append(Call(call_id, None, f"at most {MAX_STEPS} steps per answer"))
            continue
        found.append(_one(call_id, call, names, app))
    return found


def _one(call_id: str, call: ToolCall, names: dict[str, str], app: App) -> Call:
    try:
        data = json.loads(call.arguments or "{}")
    except ValueError:
        return Call(call_id, None, "the arguments are not JSON")
    if not isinstance(data, dict):
        return Call(call_id, None, "the arguments must be a JSON object")
    if call.name == LOOKUP:
        action_id, data = str(data.get("action_id", "")), data.get("input") or {}
        spec = app.registry.actions.get(action_id)
        if spec is None or spec.mutates or action_id not in names.values():
            return Call(call_id, None, "lookup runs the offered read actions only")
    elif call.name in names:
        action_id = names[call.name]
    else:
        return Call(call_id, None, f"{call.name} is not one of the offered tools")
    try:
        return Call(call_id, Step(action_id=action_id, input=data))
    except ValueError:
        return Call(call_id, None, "the input must be an object")


def hide_sensitive(app: App, steps: list[Step], text: str) -> str:
    """`text` (an explanation that may repeat what the user typed) without the values the
    steps write to sensitive fields: screens and events never show them."""
    from core.jsonable import REDACTED

    for step in steps:
        spec = app.registry.actions.get(step.action_id)
        hidden = spec.entity.sensitive_fields if spec is not None and spec.entity else set()
        for name, value in step.input.items():
            if name in hidden and value is not None and str(value):
                text = text.replace(str(value), REDACTED)
    return text


def hidden_fields(app: App) -> frozenset[str]:
    return frozenset().union(*(e.sensitive_fields for e in app.registry.entities.values()))


def shown_result(app: App, result: Any) -> Any:
    """The result as the user and the model see it: sensitive values masked at any depth."""
    return masked(to_jsonable(result), hidden_fields(app))


def record_of(app: App, action_id: str, result: Any) -> tuple[str, str] | None:
    spec = app.registry.actions.get(action_id)
    if spec is None or spec.entity is None or not spec.mutates:
        return None
    if isinstance(result, dict) and "id" in result and "version" in result:
        return spec.entity.name, str(result["id"])
    return None


def summary(app: App, action_id: str, result: Any) -> str:
    spec = app.registry.actions.get(action_id)
    entity = spec.entity if spec is not None else None
    if isinstance(result, dict) and isinstance(result.get("items"), list):
        return f"{len(result['items'])} record(s)"
    if entity is not None and isinstance(result, dict) and "id" in result:
        title = result.get(entity.ui.title_field) if entity.ui.title_field else None
        named = f" “{title}”" if title else ""
        return f"{spec.verb if spec else ''} {entity.name} {str(result['id'])[:8]}{named}".strip()
    text = json.dumps(to_jsonable(result), ensure_ascii=False)
    return text if len(text) <= 120 else text[:119] + "…"


def answer(call_id: str, content: str) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": content}


def refusal(text: str) -> str:
    return json.dumps({"ok": False, "error": text})
