"""Chat history written and read through the bus (`chat.start`, `chat.append`,
`chat.show`, `chat.sessions`), as the user, so it is permission-checked and audited like
every other write and the visibility and masking rules of core hold."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from ai.chat.history import clip

if TYPE_CHECKING:
    from core.bootstrap import App
    from core.contracts import Caller

STORED_MAX = 100_000
SUMMARY_MAX = 4_000
TITLE_MAX = 60


def start(app: App, user: Caller, first_message: str, model: str | None) -> str:
    title = " ".join(first_message.split())[:TITLE_MAX] or "New chat"
    payload: dict[str, Any] = {"title": title}
    if model:
        payload["model"] = model[:200]
    found = app.bus.dispatch("chat.start", payload, user)
    return str(found["id"])


def append(app: App, user: Caller, session_id: str, role: str, content: str, **extra: Any) -> None:
    payload: dict[str, Any] = {
        "session_id": uuid.UUID(session_id),
        "role": role,
        "content": clip(content, STORED_MAX),
    }
    for key, value in extra.items():
        if value is None or value is False or value == 0:
            continue
        payload[key] = clip(value, SUMMARY_MAX) if key == "result_summary" else value
    app.bus.dispatch("chat.append", payload, user)


def messages(app: App, user: Caller, session_id: str) -> list[dict[str, Any]]:
    shown = app.bus.dispatch("chat.show", {"session_id": uuid.UUID(session_id)}, user)
    return list(shown["messages"])


def sessions(app: App, user: Caller, limit: int = 50) -> list[dict[str, Any]]:
    """The user's sessions, newest first (support and admin see the tenant's)."""
    page = app.bus.dispatch("chat.sessions", {"limit": limit, "user": user.user_id}, user)
    return list(page["items"])
