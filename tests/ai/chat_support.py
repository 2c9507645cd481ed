"""Helpers the chat tests share: an engine on the stub with quick retries, and the
stored transcript of a session."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from ai.chat import ChatEngine, Event, PlanEvent
from ai.config import from_settings
from ai.gateway import Gateway
from ai.interpreter import make_gateway
from core.bootstrap import App
from core.contracts import Caller
from tests.ai.conftest import fast


def engine(app: App, user: Caller, **kw: Any) -> ChatEngine:
    metered = make_gateway(app, user)
    gateway = Gateway(fast(from_settings(app.settings), max_retries=0), meter=metered.meter)
    return ChatEngine(app, user, gateway=gateway, **kw)


def run(
    chat: ChatEngine,
    text: str,
    decide: bool | None = None,
    on: Callable[[Event], None] | None = None,
) -> list[Event]:
    events: list[Event] = []
    for event in chat.turn(text):
        events.append(event)
        if isinstance(event, PlanEvent) and event.awaiting and decide is not None:
            event.decide(decide)
        if on is not None:
            on(event)
    return events


def kinds(events: list[Event]) -> list[str]:
    """Event types with runs of tokens folded into one."""
    out: list[str] = []
    for event in events:
        if not (event.type == "token" and out and out[-1] == "token"):
            out.append(event.type)
    return out


def transcript(app: App, user: Caller, session_id: str) -> list[dict[str, Any]]:
    shown = app.bus.dispatch("chat.show", {"session_id": uuid.UUID(session_id)}, user)
    return list(shown["messages"])
