"""A bare Textual app that opens the chat screen, and a scripted gateway for snapshots.

Pilot tests drive the real model path against the stub server; snapshots use
`FakeGateway`, which can hold an answer half-streamed so the picture is the same on
every run."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Static

from ai.replies import ProviderError, Reply, Route, ToolCall
from console.tui.messages import RecordChosen, RecordsChanged
from console.tui.screens.chat import ChatScreen
from core.bootstrap import App as CoreApp
from core.contracts import Caller


@dataclass
class Scripted:
    tokens: list[str] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (tool name, JSON arguments)
    hold: bool = False  # stop after the tokens until released
    fail: bool = False


class FakeGateway:
    def __init__(self, *replies: Scripted) -> None:
        self.replies = deque(replies)
        self.warnings: list[str] = []
        self.release = threading.Event()
        self.requests: list[list[dict[str, Any]]] = []

    def routes(self) -> tuple[list[Route], str | None]:
        return [Route("fake/model", None)], None

    def stream(self, route: Route, messages: Any, tools: Any = None, **_: Any) -> Iterator[Any]:
        self.requests.append(messages)
        reply = self.replies.popleft() if self.replies else Scripted(["(no more script)"])
        if reply.fail:
            raise ProviderError(route.model, "unavailable")
        yield from reply.tokens
        if reply.hold:
            self.release.wait(30)
        calls = [ToolCall(f"call_{i}", n, a) for i, (n, a) in enumerate(reply.calls)]
        yield Reply(route.model, "".join(reply.tokens), calls, 120, 30, None, 5)

    def record(self, usage: Any) -> None:
        pass


class ChatApp(App[None]):
    def __init__(self, core: CoreApp, caller: Caller, gateway: Any = None) -> None:
        super().__init__()
        self.core, self.caller, self.gateway = core, caller, gateway
        self.opened: list[tuple[str, str]] = []
        self.changed: list[str] = []
        self.events: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("MetaSAAS Console")

    def on_mount(self) -> None:
        self.push_screen(ChatScreen(self.core, self.caller, gateway=self.gateway))

    def on_unmount(self) -> None:
        if isinstance(self.gateway, FakeGateway):
            self.gateway.release.set()

    def on_chat_screen_event_arrived(self, message: Any) -> None:
        self.events.append(message.event.type)

    def on_chat_screen_tokens_arrived(self, message: Any) -> None:
        self.events.append("token")

    def answer(self) -> str:
        """The text drawn in the answer being streamed (or the last one)."""
        found = list(self.screen.query("Markdown.answer"))
        return str(found[-1].source) if found else ""  # type: ignore[attr-defined]

    def on_record_chosen(self, message: RecordChosen) -> None:
        self.opened.append((message.entity, message.record_id))

    def on_records_changed(self, message: RecordsChanged) -> None:
        self.changed.append(message.entity)
