"""The sign-in screen: shown under `local` authentication without a kept session; a wrong
password keeps it up with the one error message, the right one opens the shell."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keyring
import pytest
from textual.pilot import Pilot

from console.tui.app import MetaSaasApp
from console.tui.screens.sign_in import SignInScreen
from core.bootstrap import App as CoreApp
from core.bootstrap import bootstrap
from core.contracts import Caller, CallerType
from core.settings import AuthSettings, Settings
from tests.ai.memory_keyring import MemoryKeyring
from tests.tui.support import Harness, fixed_clock, screen_text, settle

PASSWORD = "a long enough passphrase"
SMALL = (80, 24)


@pytest.fixture
def local(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    monkeypatch.delenv("METASAAS_TOKEN", raising=False)
    saved = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    system = Caller("system", "default", frozenset(), CallerType.SYSTEM)
    payload = {"email": "olga@example.com", "roles": ["operator"], "password": PASSWORD}
    harness.core.bus.dispatch("users.add", payload, system)
    yield harness
    keyring.set_keyring(saved)


def _app(harness: Harness) -> MetaSaasApp:
    def connect() -> CoreApp:
        settings = Settings(database_url=harness.url, auth=AuthSettings(provider="local"))  # type: ignore[arg-type]
        core = bootstrap(settings, clock=fixed_clock)
        harness.opened.append(core)
        return core

    return MetaSaasApp(connect, remember_theme=False)


async def _fill(pilot: Pilot[Any], email: str, password: str) -> None:
    await pilot.click("#email")
    await pilot.press(*email)
    await pilot.click("#password")
    await pilot.press(*password)
    await pilot.press("enter")
    await settle(pilot)


def test_sign_in_screen(snap_compare: Any, local: Harness) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)

    assert snap_compare(_app(local), terminal_size=SMALL, run_before=run_before)


@pytest.mark.asyncio
async def test_wrong_then_right_password(local: Harness) -> None:
    app = _app(local)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        await _fill(pilot, "olga@example.com", "not the password")
        assert isinstance(app.screen, SignInScreen) and app.session is None
        assert "the email or the password is wrong" in screen_text(app)
        assert "not the password" not in screen_text(app)
        await _fill(pilot, "", PASSWORD)
        assert app.session is not None
        assert app.session.caller.user_id == "olga@example.com"
        assert app.session.caller.roles == {"operator"}
        assert "olga@example.com (operator)" in screen_text(app)
        assert "DEV MODE" not in screen_text(app)


@pytest.mark.asyncio
async def test_dev_mode_says_so_in_the_header(harness: Harness) -> None:
    app = harness.app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert "DEV MODE" in screen_text(app).splitlines()[0]


def test_an_ended_session_stops_the_tui_at_its_next_call(local: Harness) -> None:
    from console.tui.session import Session
    from core.errors import Unauthenticated

    settings = Settings(database_url=local.url, auth=AuthSettings(provider="local"))  # type: ignore[arg-type]
    core = bootstrap(settings, clock=fixed_clock)
    local.opened.append(core)
    system = Caller("system", "default", frozenset(), CallerType.SYSTEM)
    payload = {"email": "adam@example.com", "roles": ["admin"], "password": PASSWORD}
    local.core.bus.dispatch("users.add", payload, system)
    signed = core.auth.sign_in("adam@example.com", PASSWORD, "default")
    session = Session.of(core, signed.identity, signed.token)
    assert "items" in session.call("audit.list", {"limit": 1})
    local.core.bus.dispatch("users.disable", {"email": "adam@example.com"}, system)
    with pytest.raises(Unauthenticated):
        session.call("audit.list", {"limit": 1})
