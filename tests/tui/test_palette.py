"""The palette (Ctrl+K): pilot flows that check the database, and snapshots of its states.

The app runs with no model configured, so every plan is the offline interpreter's and
each picture is the same on every machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ai import history
from console.tui.screens.palette import PaletteScreen
from core.bootstrap import App as CoreApp
from core.contracts import Caller
from core.seeding import seed
from tests.conftest import make_app, make_caller
from tests.tui.palette_app import PaletteApp

SIZE = (100, 30)
asyncio = pytest.mark.asyncio


@pytest.fixture
def core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CoreApp]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = make_app(f"sqlite:///{tmp_path / 'palette.db'}", ai={"model": ""})
    seed(app.bus, app.system_caller(), list(app.registry.domain.seed()))  # type: ignore[misc]
    yield app
    app.close()


@pytest.fixture
def operator() -> Caller:
    return make_caller(user="alice", roles=("operator",))


def review_task(core: CoreApp) -> str:
    items = core.bus.dispatch(
        "task.list", {"filters": {"status": "review"}, "order_by": "title", "limit": 1},
        core.system_caller(),
    )["items"]  # fmt: skip
    return str(items[0]["id"])


async def settle(pilot: object) -> None:
    from textual.widgets import Input

    app = pilot.app  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    # A blinking cursor would make a snapshot depend on the moment it is taken.
    for field in app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()  # type: ignore[attr-defined]


@asyncio
async def test_typing_previews_and_enter_runs(core: CoreApp, operator: Caller) -> None:
    app = PaletteApp(core, operator)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"create a high priority task called Buy milk")
        screen = app.screen
        assert isinstance(screen, PaletteScreen)
        assert screen.plan is not None and screen.plan.steps[0].action_id == "task.create"
        await pilot.press("enter")
        await settle(pilot)
        assert app.ran == [["task"]]
        await pilot.press("ctrl+o")
        await pilot.pause()
    entity, record_id = app.opened[0]
    assert entity == "Task"
    stored = core.bus.dispatch("task.get", {"id": record_id}, core.system_caller())
    assert (stored["title"], stored["priority"], stored["created_by"]) == (
        "Buy milk",
        "high",
        "alice",
    )


@asyncio
async def test_confirmation_is_asked_and_n_runs_nothing(core: CoreApp, operator: Caller) -> None:
    task_id = review_task(core)
    app = PaletteApp(core, operator)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*f"mark task {task_id} as done", "enter")
        await settle(pilot)
        assert app.screen.awaiting_confirmation  # type: ignore[attr-defined]
        await pilot.press("n")
        await settle(pilot)
        assert (
            core.bus.dispatch("task.get", {"id": task_id}, core.system_caller())["status"]
            == "review"
        )
        await pilot.press("enter", "y")
        await settle(pilot)
    assert core.bus.dispatch("task.get", {"id": task_id}, core.system_caller())["status"] == "done"


@asyncio
async def test_up_recalls_earlier_commands_per_user(core: CoreApp, operator: Caller) -> None:
    history.remember("default", "alice", "list tasks")
    history.remember("default", "alice", "count companies")
    history.remember("default", "bob", "bob's own command")
    app = PaletteApp(core, operator)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("up")
        assert app.screen.query_one("#palette-input").value == "count companies"  # type: ignore[attr-defined]
        await pilot.press("up")
        assert app.screen.query_one("#palette-input").value == "list tasks"  # type: ignore[attr-defined]
        await pilot.press("down", "down")
        assert app.screen.query_one("#palette-input").value == ""  # type: ignore[attr-defined]


def test_snapshot_empty(snap_compare: object, core: CoreApp, operator: Caller) -> None:
    assert snap_compare(PaletteApp(core, operator), terminal_size=SIZE, run_before=settle)  # type: ignore[operator]


def test_snapshot_plan_shown(snap_compare: object, core: CoreApp, operator: Caller) -> None:
    async def typed(pilot: object) -> None:
        await settle(pilot)
        await pilot.press(*"add a high priority task to call the supplier due 2025-03-01")  # type: ignore[attr-defined]

    assert snap_compare(PaletteApp(core, operator), terminal_size=SIZE, run_before=typed)  # type: ignore[operator]


def test_snapshot_confirmation(snap_compare: object, core: CoreApp, operator: Caller) -> None:
    task_id = review_task(core)

    async def confirm(pilot: object) -> None:
        await settle(pilot)
        await pilot.press(*f"mark task {task_id} as done", "enter")  # type: ignore[attr-defined]
        await settle(pilot)

    assert snap_compare(PaletteApp(core, operator), terminal_size=SIZE, run_before=confirm)  # type: ignore[operator]


def test_snapshot_error(snap_compare: object, core: CoreApp, operator: Caller) -> None:
    task_id = review_task(core)

    async def refused(pilot: object) -> None:
        await settle(pilot)
        await pilot.press(*f"delete task {task_id}", "enter", "y")  # type: ignore[attr-defined]
        await settle(pilot)

    assert snap_compare(PaletteApp(core, operator), terminal_size=SIZE, run_before=refused)  # type: ignore[operator]


@asyncio
async def test_with_a_model_enter_asks_it_and_enter_again_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, operator: Caller
) -> None:
    from tests.ai import stub_server as s
    from tests.ai.stub_server import StubModel

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with StubModel() as stub:
        core = make_app(
            f"sqlite:///{tmp_path / 'model.db'}",
            ai={"model": "openai/gpt-4o-mini", "api_base": stub.base_url, "timeout_seconds": 5},
        )
        stub.enqueue(s.tools(("task__create", {"title": "Asked the model", "priority": "low"})))
        try:
            app = PaletteApp(core, operator)
            async with app.run_test(size=SIZE) as pilot:
                await settle(pilot)
                screen = app.screen
                assert isinstance(screen, PaletteScreen) and screen.model_ready
                await pilot.press(*"please note a low key task", "enter")
                await settle(pilot)
                assert screen.plan is not None and screen.plan.source == "model"
                assert stub.requests  # the model was asked once, in a worker
                await pilot.press("enter")
                await settle(pilot)
            found = core.bus.dispatch(
                "task.list", {"search": "Asked the model"}, core.system_caller()
            )
            assert [t["priority"] for t in found["items"]] == ["low"]
            assert len(stub.requests) == 1
        finally:
            from ai import metering

            metering.flush()
            core.close()
