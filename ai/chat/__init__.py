"""Streaming chat with tool use (issue 12): one user turn in, typed events out.

`ChatEngine.turn(text)` yields `Token`, `PlanEvent`, `ActionEvent`, `ResultEvent`,
`ErrorEvent` and finally `Done`, as plain data. The TUI chat screen and `metasaas chat`
both read the same events; nothing here imports the console.
"""

from __future__ import annotations

from ai.chat.engine import ChatEngine
from ai.chat.events import ActionEvent, Done, ErrorEvent, Event, PlanEvent, ResultEvent, Token

__all__ = [
    "ActionEvent",
    "ChatEngine",
    "Done",
    "ErrorEvent",
    "Event",
    "PlanEvent",
    "ResultEvent",
    "Token",
]
