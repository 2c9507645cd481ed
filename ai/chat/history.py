"""What of a conversation goes to the model: validated and bounded.

Only the roles user, assistant and tool pass; each message is cut to 4,000 characters;
at most the last 10 earlier messages are sent, older ones are dropped (not summarised: a
summary costs another model call per turn, and it would lift text that arrived as data,
inside a tool result, into a message the model trusts more). A tool message whose
assistant call was cut off, or an assistant call with no answer, is removed so that
every provider accepts the conversation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ai.prompt import tool_name

ROLES = frozenset({"user", "assistant", "tool"})
MAX_MESSAGES = 10
MAX_CHARS = 4_000
CUT = " …(cut)"


def clip(text: str | None, limit: int = MAX_CHARS) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - len(CUT)] + CUT


def bound(messages: Iterable[dict[str, Any]], limit: int = MAX_MESSAGES) -> list[dict[str, Any]]:
    """The last `limit` valid messages, each clipped, with tool calls and answers paired."""
    valid = [clip_message(m) for m in messages if m.get("role") in ROLES]
    return _paired(valid[-limit:] if limit > 0 else [])


def clip_message(message: dict[str, Any]) -> dict[str, Any]:
    out = {"role": message["role"], "content": clip(message.get("content"))}
    if message["role"] == "tool":
        out["tool_call_id"] = str(message.get("tool_call_id") or "")
    if message["role"] == "assistant" and message.get("tool_calls"):
        out["tool_calls"] = [dict(c) for c in message["tool_calls"]]
    return out


def _paired(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    answered = {m["tool_call_id"] for m in messages if m["role"] == "tool"}
    out: list[dict[str, Any]] = []
    pending: set[str] = set()
    for message in messages:
        if message["role"] == "tool":
            if message["tool_call_id"] in pending:
                pending.discard(message["tool_call_id"])
                out.append(message)
            continue
        pending = set()
        if message["role"] == "assistant" and "tool_calls" in message:
            calls = [c for c in message["tool_calls"] if c.get("id") in answered]
            if calls:
                message["tool_calls"] = calls
                pending = {c["id"] for c in calls}
            else:
                del message["tool_calls"]
        out.append(message)
    return out


def from_stored(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored chat messages (`chat.show`) as model messages: an assistant message with a
    plan becomes its tool calls, and the tool messages after it answer them in order."""
    out: list[dict[str, Any]] = []
    waiting: list[str] = []
    for row in rows:
        role = row.get("role")
        if role not in ROLES:
            continue
        if role == "tool":
            call_id = waiting.pop(0) if waiting else f"orphan_{row.get('seq')}"
            out.append({"role": "tool", "tool_call_id": call_id, "content": row.get("content")})
            continue
        message: dict[str, Any] = {"role": role, "content": row.get("content") or ""}
        waiting = []
        steps = (row.get("plan") or {}).get("steps") if role == "assistant" else None
        if isinstance(steps, list) and steps:
            calls = []
            for i, step in enumerate(steps):
                if not isinstance(step, dict):
                    continue
                call_id = f"call_{row.get('seq')}_{i}"
                arguments = json.dumps(step.get("input") or {})
                function = {"name": tool_name(str(step.get("action_id"))), "arguments": arguments}
                calls.append({"id": call_id, "type": "function", "function": function})
                waiting.append(call_id)
            message["tool_calls"] = calls
        out.append(message)
    return out
