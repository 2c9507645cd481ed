"""The chat screen (Ctrl+T): a conversation that streams Markdown and can act.

The engine (`ai.chat`) runs each turn on a worker thread and its events arrive here as
messages, in order: tokens go into a Markdown stream, tool calls become collapsible
blocks with their plan and result (Ctrl+O opens the record a step created or changed),
a step that needs confirmation asks in place (y / n), and Esc stops a running answer (it
is stored as partial). The user's sessions are listed on the side; choosing one shows
its transcript and continues it.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Collapsible, Input, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from console.tui.messages import RecordChosen, RecordsChanged

if TYPE_CHECKING:
    from textual.widgets._markdown import MarkdownStream

    from ai.chat import ChatEngine, Event
    from ai.gateway import Gateway
    from core.bootstrap import App as CoreApp
    from core.contracts import Caller

NEW = "new"
KEYS = "Enter send · Esc stop/close · ^N new · ^O open record"


class ChatScreen(Screen[None]):
    CSS_PATH = "chat.tcss"
    BINDINGS = [
        Binding("escape", "stop_or_close", "Stop", id="chat.stop", tooltip="Stop or close"),
        Binding("ctrl+n", "new_chat", "New chat", id="chat.new", tooltip="Start a new chat"),
        Binding("ctrl+o", "open_record", "Open", id="chat.open", tooltip="Open the record"),
        Binding("y", "confirm(True)", "Yes", id="chat.yes", tooltip="Run the plan", show=False),
        Binding("n", "confirm(False)", "No", id="chat.no", tooltip="Run nothing", show=False),
    ]

    class EventArrived(Message):
        def __init__(self, event: Event) -> None:
            super().__init__()
            self.event = event

    class TokensArrived(Message):
        """Text is waiting in `ChatScreen._pending`; one message however many tokens."""

    class SessionsLoaded(Message):
        def __init__(self, items: list[dict[str, Any]]) -> None:
            super().__init__()
            self.items = items

    class TranscriptLoaded(Message):
        def __init__(self, session_id: str, messages: list[dict[str, Any]]) -> None:
            super().__init__()
            self.session_id = session_id
            self.messages = messages

    def __init__(
        self, app_core: Any, caller: Caller | None = None, *, gateway: Gateway | None = None
    ) -> None:
        """`ChatScreen(session)` from the shell's registry, or `ChatScreen(core, caller)`."""
        super().__init__()
        if caller is None:
            app_core, caller = app_core.core, app_core.caller
        assert caller is not None
        self.core: CoreApp = app_core
        self.caller: Caller = caller
        self.gateway = gateway
        self.engine = self._engine(None)
        self.running = False
        self.awaiting: Any = None  # the PlanEvent waiting for y or n
        self.opened: tuple[str, str] | None = None
        self._gate: threading.Event | None = None
        self._stream: MarkdownStream | None = None
        self._answer: Markdown | None = None
        self._steps: dict[int, Collapsible] = {}
        self._plan_block: Collapsible | None = None
        self._batches: deque[list[str]] = deque()  # token batches, one TokensArrived each
        self._batch_open = False
        self._lock = threading.Lock()

    def _engine(self, session_id: str | None) -> ChatEngine:
        from ai.chat import ChatEngine

        return ChatEngine(self.core, self.caller, session_id=session_id, gateway=self.gateway)

    def compose(self) -> ComposeResult:
        yield OptionList(Option("+ New chat", id=NEW), id="chat-sessions")
        with Vertical(id="chat-main"):
            yield Static("Chat", id="chat-title")
            yield VerticalScroll(id="chat-log")
            yield Static("", id="chat-confirm")
            yield Static("", id="chat-status")
            yield Input(placeholder="Ask, or tell the console what to do", id="chat-input",
                        max_length=4000)  # fmt: skip
            yield Static(KEYS, id="chat-keys")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._status("checking for a model…")
        self._prepare()
        self._load_sessions()

    def on_unmount(self) -> None:
        """Leaving the screen ends a running answer (stored as partial) and a question."""
        if self.running:
            self.engine.stop()
        if self._gate is not None:
            self._gate.set()

    # -- workers: the model check, the session list, a transcript, a turn --------------------
    @work(thread=True, exclusive=True, group="chat-prepare")
    def _prepare(self) -> None:
        routes, reason = self.engine.gateway.routes()
        if not routes:
            self.app.call_from_thread(self._status, f"offline: {reason}")
            return
        from ai.gateway import Gateway, warm

        self.app.call_from_thread(self._status, f"model: {routes[0].model} (loading…)")
        if isinstance(self.engine.gateway, Gateway):
            warm()
        self.app.call_from_thread(self._status, f"model: {routes[0].model}")

    @work(thread=True, exclusive=True, group="chat-sessions")
    def _load_sessions(self) -> None:
        from ai.chat import store

        try:
            items = store.sessions(self.core, self.caller)
        except Exception as exc:  # the list is a convenience; the chat works without it
            self.app.call_from_thread(self._status, f"sessions: {exc}")
            return
        self.post_message(self.SessionsLoaded(items))

    @work(thread=True, exclusive=True, group="chat-transcript")
    def _load_transcript(self, session_id: str) -> None:
        from ai.chat import store

        messages = store.messages(self.core, self.caller, session_id)
        self.post_message(self.TranscriptLoaded(session_id, messages))

    @work(thread=True, exclusive=True, group="chat-turn")
    def _turn(self, engine: ChatEngine, text: str) -> None:
        from ai.chat import PlanEvent

        for event in engine.turn(text):
            if event.type == "token":
                self._queue_token(event.text)  # type: ignore[union-attr]
                continue
            with self._lock:
                self._batch_open = False  # later tokens are drawn after this event
            if isinstance(event, PlanEvent) and event.awaiting:
                gate = self._gate = threading.Event()
                self.post_message(self.EventArrived(event))
                gate.wait()
                continue
            self.post_message(self.EventArrived(event))

    def _queue_token(self, text: str) -> None:
        """From the worker: tokens that come faster than frames are drawn together."""
        with self._lock:
            post = not self._batch_open
            if post:
                self._batches.append([])
                self._batch_open = True
            self._batches[-1].append(text)
        if post:
            self.post_message(self.TokensArrived())

    @on(TokensArrived)
    async def _tokens(self, message: TokensArrived) -> None:
        with self._lock:
            text = "".join(self._batches.popleft()) if self._batches else ""
            if not self._batches:
                self._batch_open = False
        if text:
            stream = self._stream or await self._open_answer()
            await stream.write(text)
            self.query_one("#chat-log", VerticalScroll).scroll_end(animate=False)

    # -- sending -------------------------------------------------------------------------
    @on(Input.Submitted, "#chat-input")
    async def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text or self.running:
            return
        event.input.value = ""
        self.running = True
        self.opened = None
        await self._say(text)
        await self._open_answer()  # ready before the first token, which then only appends
        self._status("answering… (Esc stops)")
        self._turn(self.engine, text)

    async def _say(self, text: str) -> None:
        log = self.query_one("#chat-log", VerticalScroll)
        await log.mount(Static(Text("You: " + text), classes="you"))
        log.scroll_end(animate=False)

    # -- events from the engine ------------------------------------------------------------------
    @on(EventArrived)
    async def _arrived(self, message: EventArrived) -> None:
        handler = getattr(self, f"_on_{message.event.type}")
        await handler(message.event)
        self.query_one("#chat-log", VerticalScroll).scroll_end(animate=False)

    async def _open_answer(self) -> MarkdownStream:
        if self._stream is None:
            self._answer = Markdown(classes="answer")
            await self.query_one("#chat-log", VerticalScroll).mount(self._answer)
            self._stream = Markdown.get_stream(self._answer)
        return self._stream

    async def _end_answer(self) -> None:
        if self._stream is not None:
            await self._stream.stop()
        if self._answer is not None and not self._answer.source:
            await self._answer.remove()  # no text came (a tool call, an error)
        self._stream = None
        self._answer = None

    async def _on_plan(self, event: Any) -> None:
        await self._end_answer()
        count = len(event.plan.steps)
        title = f"Plan · {count} step{'s' if count != 1 else ''}"
        if event.awaiting:
            title += " · needs confirmation"
        block = Collapsible(Static(render_plan(event)), title=title, collapsed=not event.awaiting)
        await self.query_one("#chat-log", VerticalScroll).mount(block)
        if event.awaiting:
            self.awaiting = event
            self._plan_block = block
            self.set_focus(None)  # y and n answer the question, not the input
            steps = ", ".join(map(str, event.needs_confirmation))
            bar = self.query_one("#chat-confirm", Static)
            bar.update(
                Text.assemble(("Confirm: ", "bold"), f"step {steps} needs your confirmation. "
                              "Run it? ", ("y", "bold"), " yes · ", ("n", "bold"), " no")
            )  # fmt: skip
            bar.add_class("shown")
            self._status("waiting for your answer: y or n (Esc stops)")

    async def _on_action(self, event: Any) -> None:
        shown = json.dumps(event.input, ensure_ascii=False, default=str)
        block = Collapsible(
            Static(Text(f"input: {shown[:600]}")),
            title=f"… {event.step}. {event.action_id}",
            collapsed=True,
        )
        self._steps[event.step] = block
        await self.query_one("#chat-log", VerticalScroll).mount(block)

    async def _on_result(self, event: Any) -> None:
        block = self._steps.get(event.step)
        if block is None:
            return
        mark = "✓" if event.ok else "✗"
        block.title = f"{mark} {event.step}. {event.action_id} — {event.summary}"[:200]
        body = json.dumps(event.result if event.ok else event.error, ensure_ascii=False,
                          default=str, indent=1)  # fmt: skip
        text = Text(body[:1500] + ("…" if len(body) > 1500 else ""))
        if event.record is not None:
            self.opened = event.record
            text.append("\nCtrl+O opens the record", style="dim")
            self.app.post_message(RecordsChanged(event.record[0]))
        await block.query_one(Collapsible.Contents).mount(Static(text))

    async def _on_error(self, event: Any) -> None:
        await self._end_answer()
        log = self.query_one("#chat-log", VerticalScroll)
        await log.mount(Static(Text(f"⚠ {event.message}"), classes="problem"))

    async def _on_done(self, event: Any) -> None:
        await self._end_answer()
        self.running = False
        self._steps = {}
        self._hide_confirm()
        tokens = event.usage.get("total_tokens", 0)
        said = "stopped; the partial answer is stored" if event.stopped else "done"
        self._status(f"{said} · {event.model} · {tokens} tokens")
        self.query_one(Input).focus()
        self._load_sessions()

    # -- sessions ------------------------------------------------------------------------
    @on(SessionsLoaded)
    def _sessions(self, message: SessionsLoaded) -> None:
        listing = self.query_one("#chat-sessions", OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_option(Option("+ New chat", id=NEW))
        for item in message.items:
            title = str(item.get("title") or "chat")
            shown = Text(title[:60], no_wrap=True, overflow="ellipsis")
            listing.add_option(Option(shown, id=str(item["id"])))
        if highlighted is not None and highlighted < listing.option_count:
            listing.highlighted = highlighted

    @on(OptionList.OptionSelected, "#chat-sessions")
    async def _chosen(self, event: OptionList.OptionSelected) -> None:
        if self.running:
            self.notify("an answer is still running (Esc stops it)", markup=False)
            return
        if event.option.id == NEW:
            await self.action_new_chat()
            return
        if event.option.id is not None:
            self._load_transcript(event.option.id)

    @on(TranscriptLoaded)
    async def _transcript(self, message: TranscriptLoaded) -> None:
        log = self.query_one("#chat-log", VerticalScroll)
        await log.remove_children()
        for item in message.messages:
            await log.mount(*stored_widgets(item))
        self.engine = self._engine(message.session_id)
        self.query_one("#chat-title", Static).update(f"Chat · {message.session_id[:8]}")
        log.scroll_end(animate=False)
        self.query_one(Input).focus()

    # -- keys ----------------------------------------------------------------------------
    def action_stop_or_close(self) -> None:
        if self.running:
            self.engine.stop()
            self._decided(None)
            self._status("stopping…")
            return
        self.dismiss(None)

    def action_confirm(self, yes: bool) -> None:
        if self.awaiting is None:
            return
        self._decided(yes)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":
            return self.awaiting is not None
        return True

    def _decided(self, yes: bool | None) -> None:
        if self.awaiting is not None and yes is not None:
            self.awaiting.decide(yes)
        if self.awaiting is not None and self._plan_block is not None:
            said = "confirmed" if yes else "declined"
            self._plan_block.title = self._plan_block.title.replace("needs confirmation", said)
            self._plan_block = None
        self.awaiting = None
        self._hide_confirm()
        if self._gate is not None:
            self._gate.set()
            self._gate = None
        self.query_one(Input).focus()

    def _hide_confirm(self) -> None:
        self.query_one("#chat-confirm", Static).remove_class("shown")

    async def action_new_chat(self) -> None:
        if self.running:
            return
        self.engine = self._engine(None)
        await self.query_one("#chat-log", VerticalScroll).remove_children()
        self.query_one("#chat-title", Static).update("Chat")
        self.query_one(Input).focus()

    def action_open_record(self) -> None:
        if self.opened is not None:
            entity, record_id = self.opened
            self.app.post_message(RecordChosen(entity, record_id))

    def _status(self, text: str) -> None:
        self.query_one("#chat-status", Static).update(Text(text))


def render_plan(event: Any) -> Text:
    text = Text()  # the plan's explanation is the answer's text, already shown above
    for step in event.steps:
        text.append(f"{step['step']}  ", style="bold")
        text.append(step["action_id"], style="cyan")
        fields = " · ".join(f"{k}={_short(v)}" for k, v in step["input"].items())
        text.append(f"  {fields}" if fields else "")
        if step["needs_confirmation"]:
            text.append(f"  ⚠ needs confirmation: {step['reason']}", style="yellow")
        text.append("\n")
        if step.get("problem"):
            text.append(f"   ✗ {step['problem']}\n", style="red")
    return text


def stored_widgets(message: dict[str, Any]) -> list[Any]:
    """A stored message as the screen shows it (reloading a session)."""
    role, content = message.get("role"), str(message.get("content") or "")
    if role == "user":
        return [Static(Text("You: " + content), classes="you")]
    if role == "tool":
        mark = "✗" if message.get("error") else "✓"
        action = message.get("action_id") or "not run"
        title = f"{mark} {action} — {message.get('result_summary') or ''}"
        return [Collapsible(Static(Text(content[:1500])), title=title[:200], collapsed=True)]
    widgets: list[Any] = []
    if content:
        widgets.append(Markdown(content + (" *(stopped)*" if message.get("partial") else "")))
    return widgets


def _short(value: Any) -> str:
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= 40 else shown[:39] + "…"
