"""The shell around the screens: start-up weight, the command palette, screens registered
by other layers, the help screen, the theme, and errors shown as notifications."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest
from textual.screen import Screen

from console.tui.screen_registry import SCREENS, ScreenSpec
from console.tui.screens.entity_table import EntityTableScreen
from console.tui.screens.help import HelpScreen
from core.settings import user_config_file
from tests.tui.flows import jump
from tests.tui.support import Harness, notices, screen_text, settle

pytestmark = pytest.mark.asyncio
HEAVY = ("sqlalchemy", "pydantic", "litellm", "alembic", "sqlmodel", "psycopg")


async def test_the_first_frame_needs_nothing_heavy() -> None:
    """What the TUI imports before its first frame: the CLI, Textual, the shell modules."""
    code = (
        "import sys; import console.cli.main, console.tui.app, console.tui.screens.home;"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_command_palette_opens_an_entity(harness: Harness) -> None:
    async with harness.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Open Tasks")
        await settle(pilot)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, EntityTableScreen)
        assert pilot.app.screen.entity.name == "Task"


async def test_ctrl_k_opens_the_palette_and_a_plan_reloads_the_table(harness: Harness) -> None:
    from console.tui.screens.palette import PaletteScreen

    async with harness.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await jump(pilot, "tasks")
        table = pilot.app.screen
        assert isinstance(table, EntityTableScreen) and table.count == 20
        await pilot.press("ctrl+k")
        await settle(pilot)
        palette = pilot.app.screen
        assert isinstance(palette, PaletteScreen)
        assert palette.caller == pilot.app.session.caller  # type: ignore[union-attr]
        palette.post_message(PaletteScreen.PlanRan(["task"]))
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is table and table.count == 20
        harness.call("task.create", {"title": "made by a plan"})
        palette_done = PaletteScreen.PlanRan(["task"])
        pilot.app.post_message(palette_done)
        await settle(pilot)
        await jump(pilot, "projects")
        await pilot.press("escape")
        await settle(pilot)
        assert table.count == 21


async def test_a_missing_screen_module_is_a_notification(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = SCREENS["chat"]
    missing = ScreenSpec("chat", "console.tui.screens.not_there:Chat", spec.key, "Chat")
    monkeypatch.setitem(SCREENS, "chat", missing)
    async with harness.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press(spec.key)
        await settle(pilot)
        assert "the chat screen is not available yet" in notices(pilot.app)


class FakeChat(Screen[None]):
    def __init__(self, session: object) -> None:
        super().__init__()
        self.session = session


async def test_a_registered_screen_opens_from_anywhere(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = SCREENS["chat"]
    monkeypatch.setitem(SCREENS, "chat", ScreenSpec("chat", FakeChat, spec.key, "Chat"))
    async with harness.app().run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await jump(pilot, "tasks")
        await pilot.press(spec.key)
        await settle(pilot)
        assert isinstance(pilot.app.screen, FakeChat)
        assert pilot.app.screen.session is pilot.app.session


async def test_help_lists_the_screen_bindings(harness: Harness) -> None:
    async with harness.app().run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await jump(pilot, "tasks")
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HelpScreen)
        shown = screen_text(pilot.app)
        for words in ("Filter", "Mark", "Export", "Jump", "Back"):
            assert words in shown
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, EntityTableScreen)


async def test_theme_is_remembered_in_the_user_config(harness: Harness) -> None:
    path = user_config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('log_level = "WARNING"\n')
    try:
        app = harness.app()
        app._remember_theme = True
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.theme = "nord"
            await settle(pilot)
        assert tomllib.loads(path.read_text()) == {"log_level": "WARNING", "tui": {"theme": "nord"}}
        again = harness.app()
        again._remember_theme = True
        async with again.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.pause(0.2)
            assert again.theme == "nord"
    finally:
        path.unlink(missing_ok=True)


async def test_a_database_that_cannot_open_is_a_notification(harness: Harness) -> None:
    def broken() -> object:
        from core.errors import InternalError

        raise InternalError("the database is unavailable or busy")

    async with harness.app(broken).run_test(size=(80, 24)) as pilot:  # type: ignore[arg-type]
        await settle(pilot)
        assert "the database is unavailable" in notices(pilot.app)
        assert "Traceback" not in screen_text(pilot.app)
