"""The chat screen: pilot flows on the real model path (the stub server) that check the
database, and snapshots of its states drawn from a scripted gateway."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from console.tui.screens.chat import ChatScreen
from core.bootstrap import App as CoreApp
from core.contracts import Caller
from core.seeding import seed
from tests.ai import stub_server as s
from tests.ai.stub_server import StubModel
from tests.conftest import make_app, make_caller
from tests.tui.chat_app import ChatApp, FakeGateway, Scripted

SIZE = (80, 24)
asyncio = pytest.mark.asyncio


@pytest.fixture
def stub() -> Iterator[StubModel]:
    with StubModel() as server:
        yield server


def _core(url: str, **ai: Any) -> CoreApp:
    app = make_app(url, ai={"model": "", **ai})
    seed(app.bus, app.system_caller(), list(app.registry.domain.seed()))  # type: ignore[misc]
    return app


@pytest.fixture
def core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stub: StubModel) -> Iterator[CoreApp]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = _core(
        f"sqlite:///{tmp_path / 'chat.db'}",
        model="openai/gpt-4o-mini",
        api_base=stub.base_url,
        timeout_seconds=5,
        max_retries=0,
    )
    yield app
    app.close()


@pytest.fixture
def operator() -> Caller:
    return make_caller(user="alice", roles=("operator",))


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def in_review(core: CoreApp) -> str:
    page = core.bus.dispatch(
        "task.list", {"filters": {"status": "review"}, "order_by": "title", "limit": 1},
        core.system_caller(),
    )  # fmt: skip
    return str(page["items"][0]["id"])


def stored(core: CoreApp, user: Caller) -> list[dict[str, Any]]:
    sessions = core.bus.dispatch("chat.sessions", {"limit": 5}, user)["items"]
    shown = core.bus.dispatch("chat.show", {"session_id": uuid.UUID(str(sessions[0]["id"]))}, user)
    return list(shown["messages"])


def folded(types: list[str]) -> list[str]:
    out: list[str] = []
    for kind in types:
        if not (kind == "token" and out and out[-1] == "token"):
            out.append(kind)
    return out


async def send(pilot: Any, text: str) -> None:
    screen = pilot.app.screen
    screen.query_one("#chat-input").value = text
    await pilot.press("enter")


@asyncio
async def test_events_arrive_in_order_and_the_record_opens(
    core: CoreApp, operator: Caller, stub: StubModel
) -> None:
    stub.enqueue(
        s.tools(("task__create", {"title": "Chat made this"})), s.text("Done: *Chat made this*.")
    )
    app = ChatApp(core, operator)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "add a task called Chat made this")
        await settle(pilot)
        assert folded(app.events) == ["plan", "action", "result", "token", "done"]
        screen = app.screen
        assert isinstance(screen, ChatScreen) and screen.opened is not None
        await pilot.press("ctrl+o")
        await pilot.pause()
        answers = [m.source for m in screen.query("Markdown.answer")]  # type: ignore[attr-defined]
        assert answers == ["Done: *Chat made this*."]
    entity, record_id = app.opened[0]
    assert entity == "Task" and app.changed == ["Task"]
    task = core.bus.dispatch("task.get", {"id": record_id}, core.system_caller())
    assert task["title"] == "Chat made this" and task["created_by"] == "alice"
    assert [m["role"] for m in stored(core, operator)] == ["user", "assistant", "tool", "assistant"]


@asyncio
async def test_n_declines_and_nothing_runs(
    core: CoreApp, operator: Caller, stub: StubModel
) -> None:
    task = in_review(core)
    stub.enqueue(s.tools(("task__transition", {"id": task, "to": "done"})))
    app = ChatApp(core, operator)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, f"close task {task}")
        for _ in range(200):
            await pilot.pause(0.02)
            if app.screen.awaiting is not None:  # type: ignore[attr-defined]
                break
        assert "confirmation" in str(app.screen.query_one("#chat-confirm").render())
        await pilot.press("n")
        await settle(pilot)
        assert folded(app.events) == ["plan", "error", "done"]
    status = core.bus.dispatch("task.get", {"id": task}, core.system_caller())["status"]
    assert status == "review" and len(stub.requests) == 1


@asyncio
async def test_y_confirms_and_the_step_runs(
    core: CoreApp, operator: Caller, stub: StubModel
) -> None:
    task = in_review(core)
    stub.enqueue(s.tools(("task__transition", {"id": task, "to": "done"})), s.text("Closed."))
    app = ChatApp(core, operator)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, f"close task {task}")
        for _ in range(200):
            await pilot.pause(0.02)
            if app.screen.awaiting is not None:  # type: ignore[attr-defined]
                break
        await pilot.press("y")
        await settle(pilot)
        assert folded(app.events) == ["plan", "action", "result", "token", "done"]
    assert core.bus.dispatch("task.get", {"id": task}, core.system_caller())["status"] == "done"


@asyncio
async def test_esc_stops_the_answer_and_it_is_stored_as_partial(
    core: CoreApp, operator: Caller, stub: StubModel
) -> None:
    stub.enqueue(s.words(400, delay=0.01))
    app = ChatApp(core, operator)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "tell me everything")
        for _ in range(500):
            await pilot.pause(0.02)
            if len(app.answer().split()) >= 5:
                break
        await pilot.press("escape")
        await settle(pilot)
        assert app.events[-1] == "done" and isinstance(app.screen, ChatScreen)
        assert "stopped" in str(app.screen.query_one("#chat-status").render())
    last = stored(core, operator)[-1]
    assert last["role"] == "assistant" and last["partial"] is True
    assert 5 <= len(last["content"].split()) < 400


@asyncio
async def test_the_session_list_reopens_a_conversation(
    core: CoreApp, operator: Caller, stub: StubModel
) -> None:
    stub.default = s.text("Noted.")
    app = ChatApp(core, operator)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "remember the milk")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        screen = app.screen
        listing = screen.query_one("#chat-sessions")
        assert listing.option_count == 2  # type: ignore[attr-defined]
        listing.focus()
        listing.highlighted = 1  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        shown = [str(w.render()) for w in screen.query(".you")]
        assert shown == ["You: remember the milk"]
        await send(pilot, "and the eggs")
        await settle(pilot)
    sent = stub.requests[-1]["messages"]
    assert [m["content"] for m in sent if m["role"] == "user"] == [
        "remember the milk",
        "and the eggs",
    ]


# -- snapshots (scripted gateway: no network, the same picture every run) -------------------


def _snap_core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CoreApp:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return _core("sqlite:///snap.db")


def _snap(snap_compare: Any, app: ChatApp, text: str, until: Any) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await send(pilot, text)
        for _ in range(300):
            await pilot.pause(0.02)
            if until(app):
                break
        # A blinking cursor would make the picture depend on the moment it is taken.
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause(0.2)

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    finally:
        if isinstance(app.gateway, FakeGateway):
            app.gateway.release.set()


MARKDOWN = ["# Overdue\n\n", "Three tasks are **late**:\n\n", "- Call the bank\n", "- Pay rent\n"]


def test_snapshot_streaming(snap_compare: Any, tmp_path: Path, monkeypatch: Any) -> None:
    core = _snap_core(tmp_path, monkeypatch)
    gateway = FakeGateway(Scripted(MARKDOWN, hold=True))
    app = ChatApp(core, make_caller(user="alice", roles=("operator",)), gateway)
    _snap(snap_compare, app, "what is overdue?", lambda a: "Pay rent" in a.answer())
    core.close()


def test_snapshot_tool_call(snap_compare: Any, tmp_path: Path, monkeypatch: Any) -> None:
    core = _snap_core(tmp_path, monkeypatch)
    listing = ("task__list", json.dumps({"filters": {"status": "review"}, "limit": 3}))
    gateway = FakeGateway(Scripted(calls=[listing]), Scripted(["Two tasks wait for *review*."]))
    app = ChatApp(core, make_caller(user="alice", roles=("operator",)), gateway)
    _snap(snap_compare, app, "what waits for review?", lambda a: "done" in a.events)
    core.close()


def test_snapshot_confirmation(snap_compare: Any, tmp_path: Path, monkeypatch: Any) -> None:
    core = _snap_core(tmp_path, monkeypatch)
    task = in_review(core)
    close = ("task__transition", json.dumps({"id": task, "to": "done"}))
    gateway = FakeGateway(Scripted(["I will close it."], calls=[close]))
    app = ChatApp(core, make_caller(user="alice", roles=("operator",)), gateway)
    try:
        _snap(snap_compare, app, "close the first review task", lambda a: "plan" in a.events)
    finally:
        core.close()


def test_snapshot_error(snap_compare: Any, tmp_path: Path, monkeypatch: Any) -> None:
    core = _snap_core(tmp_path, monkeypatch)
    gateway = FakeGateway(Scripted(fail=True))
    app = ChatApp(core, make_caller(user="alice", roles=("operator",)), gateway)
    _snap(snap_compare, app, "cheer up the team", lambda a: "done" in a.events)
    core.close()


@asyncio
async def test_a_stream_dropped_half_way_keeps_the_text_and_answers_offline(
    core: CoreApp, operator: Caller, stub: StubModel
) -> None:
    stub.enqueue(s.cut("alpha beta gamma delta epsilon zeta"))
    app = ChatApp(core, operator)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "list tasks")
        await settle(pilot)
        assert folded(app.events)[:2] == ["token", "error"]
        assert app.events[-1] == "done"
        screen = app.screen
        problems = [str(w.render()) for w in screen.query(".problem")]
        assert any("broke off" in p for p in problems)
        answers = [m.source for m in screen.query("Markdown.answer")]  # type: ignore[attr-defined]
        assert answers[0].startswith("alpha beta gamma")
    first = stored(core, operator)[1]
    assert first["partial"] and first["error"]
