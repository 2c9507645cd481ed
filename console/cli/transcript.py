"""A chat session as a reviewer reads it: its messages, the audit entries of the actions
they ran, and the same as Markdown or JSON for export.

Shared by `metasaas chats` and the TUI's review screen, so a transcript exported from
either is the same file. Everything comes through the bus: `chat.show` (which masks
sensitive values for everyone but the owner and audits a reviewer's access) and
`audit.list` (whose own visibility rules decide which action entries a reader sees).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from core.jsonable import to_jsonable

if TYPE_CHECKING:
    from core.bootstrap import App
    from core.contracts import Caller

FORMATS = ("md", "json")
AUDIT_PAGES = 5  # pages of 200 entries looked at for a session's actions


def load(app: App, caller: Caller, session_id: str) -> dict[str, Any]:
    """`{"session", "messages", "actions"}`: actions are the audit entries whose AI
    provenance names this session, oldest first."""
    shown: dict[str, Any] = app.bus.dispatch("chat.show", {"session_id": session_id}, caller)
    shown["actions"] = session_actions(app, caller, shown["session"])
    return shown


def session_actions(app: App, caller: Caller, session: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Audit entries made by the AI for this session (the chat's plan steps)."""
    from core.errors import MetaSaasError

    wanted = str(session["id"])
    since = to_jsonable(session["created_at"])
    found: list[dict[str, Any]] = []
    payload: dict[str, Any] = {
        "caller_type": "ai_agent",
        "actor": str(session["owner_id"]),
        "since": since,
        "limit": 200,
    }
    for _ in range(AUDIT_PAGES):
        try:
            page = app.bus.dispatch("audit.list", payload, caller)
        except MetaSaasError:
            return found  # a reader who may not list the audit log sees the transcript only
        for entry in page["items"]:
            provenance = (entry.get("changes") or {}).get("_provenance") or {}
            if str(provenance.get("session_id")) == wanted:
                found.append(_action(entry, provenance))
        if not page.get("next_cursor"):
            break
        payload["cursor"] = page["next_cursor"]
    return sorted(found, key=lambda a: a["audit_seq"])


def _action(entry: Mapping[str, Any], provenance: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "audit_seq": entry["seq"],
        "action_id": entry["action_id"],
        "entity": entry.get("entity"),
        "record_id": entry.get("record_id"),
        "outcome": entry.get("outcome"),
        "occurred_at": entry.get("occurred_at"),
        "step": provenance.get("step"),
        "confirmed_by": provenance.get("confirmed_by"),
    }


def link_actions(data: Mapping[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Each message with the audit entries of the action it names, matched in order."""
    waiting: dict[str, list[dict[str, Any]]] = {}
    for action in data.get("actions", []):
        waiting.setdefault(str(action["action_id"]), []).append(action)
    linked = []
    for message in data["messages"]:
        entries: list[dict[str, Any]] = []
        queue = waiting.get(str(message.get("action_id")), [])
        if message.get("action_id") and queue:
            entries.append(queue.pop(0))
        linked.append((dict(message), entries))
    return linked


def to_json(data: Mapping[str, Any]) -> str:
    body = {
        "session": data["session"],
        "messages": data["messages"],
        "actions": data.get("actions", []),
    }
    return json.dumps(to_jsonable(body), ensure_ascii=False, indent=2) + "\n"


def _fence(text: str) -> str:
    """Text inside a fence longer than any backtick run it holds: stored words stay data."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def to_markdown(data: Mapping[str, Any]) -> str:
    session = to_jsonable(data["session"])
    lines = [
        f"# Chat: {session['title']}",
        "",
        f"- Session: `{session['id']}`",
        f"- Owner: {session['owner_id']}",
        f"- Model: {session.get('model') or '-'}",
        f"- Created: {session['created_at']}",
        f"- Last active: {session['last_active_at']}",
        f"- Messages: {session['messages']}, actions: {session['actions']}, "
        f"errors: {session['errors']}",
        "",
    ]
    for message, entries in link_actions(data):
        m = to_jsonable(message)
        flags = [f for f in ("error", "partial") if m.get(f)]
        head = f"## {m['seq']}. {m['role']} · {m['created_at']}"
        if m.get("model"):
            head += f" · {m['model']}"
        if flags:
            head += " · " + ", ".join(flags)
        lines += [head, "", _fence(m.get("content") or ""), ""]
        if m.get("action_id"):
            lines.append(f"- Action: `{m['action_id']}`")
        if m.get("plan"):
            lines += ["- Plan:", "", _fence(json.dumps(m["plan"], ensure_ascii=False)), ""]
        if m.get("result_summary"):
            lines.append(f"- Result: {m['result_summary']}")
        for entry in to_jsonable(entries):
            record = (
                f", record {entry['entity']} `{entry['record_id']}`" if entry["record_id"] else ""
            )
            lines.append(f"- Audit entry #{entry['audit_seq']} ({entry['outcome']}){record}")
        if m.get("action_id") or m.get("plan") or m.get("result_summary") or entries:
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def render(data: Mapping[str, Any], fmt: str) -> str:
    return to_markdown(data) if fmt == "md" else to_json(data)
