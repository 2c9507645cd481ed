"""Helpers for driving the TUI in tests: a seeded database, the app on it, and `settle`.

Seeded data comes from the demo domain (fixed keys, so fixed ids) written with a fixed
clock, so snapshots do not drift with the calendar.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

import entities
from console.tui.app import MetaSaasApp
from core.bootstrap import App as CoreApp
from core.bootstrap import bootstrap
from core.contracts import Caller, CallerType
from core.db.migrate import migrate
from core.seeding import seed
from core.settings import Settings

FIXED_NOW = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC)
ADMIN = Caller("dev-admin", "default", frozenset({"admin"}), CallerType.HUMAN)


def fixed_clock() -> dt.datetime:
    return FIXED_NOW


def seed_database(url: str) -> None:
    core = bootstrap(Settings(database_url=url), clock=fixed_clock)  # type: ignore[arg-type]
    try:
        migrate(core.engine, core.registry.metadata)
        seed(core.bus, core.system_caller(), list(entities.DOMAIN.seed()))  # type: ignore[misc]
    finally:
        core.close()


def copy_sqlite(template: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{template}{suffix}")
        if source.exists():
            shutil.copyfile(source, f"{target}{suffix}")


class Harness:
    """One TUI app on one database, with a core app of its own for assertions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opened: list[CoreApp] = []
        self.core = self.connect()

    def connect(self) -> CoreApp:
        settings = Settings(database_url=self.url, allow_dev_auth=True)  # type: ignore[arg-type]
        core = bootstrap(settings, clock=fixed_clock)
        self.opened.append(core)
        return core

    def app(self, connect: Callable[[], CoreApp] | None = None) -> MetaSaasApp:
        return MetaSaasApp(connect or self.connect, remember_theme=False)

    def call(self, action: str, payload: dict[str, Any] | None = None) -> Any:
        return self.core.bus.dispatch(action, payload or {}, ADMIN)

    def close(self) -> None:
        for core in self.opened:
            core.close()


def busy(app: MetaSaasApp) -> bool:
    from console.tui.screens.sign_in import SignInScreen

    waiting = isinstance(app.screen, SignInScreen)  # for a person, not for the bus
    if app.session is None and app.failure is None and not waiting:
        return True
    if any(getattr(s, "busy", False) for s in app.screen_stack):
        return True
    return any(w.is_running for w in app.workers if w.group != "palette-records")


async def settle(pilot: Pilot[Any], rounds: int = 600) -> None:
    """Wait until the session is open, no bus call is pending and the screen is drawn.

    Idle must be seen three times in a row: between one screen's answer and the next
    screen's first call (a jump that opens a record) there is a moment with nothing
    pending.
    """
    app = pilot.app
    assert isinstance(app, MetaSaasApp)
    quiet = 0
    for _ in range(rounds):
        await pilot.pause(0.01)
        quiet = 0 if busy(app) else quiet + 1
        if quiet >= 3:
            break
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    for field in app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def screen_text(app: MetaSaasApp) -> str:
    """Everything the screen shows (modals and notifications included), as plain text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def notices(app: MetaSaasApp) -> str:
    """The notifications on screen now (title and message), one a line."""
    return "\n".join(f"{n.title}: {n.message}" for n in app._notifications)
