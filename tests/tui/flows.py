"""Key sequences shared by the pilot and snapshot tests."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.tui.support import settle


async def start(pilot: Pilot[Any]) -> None:
    await settle(pilot)


async def jump(pilot: Pilot[Any], text: str) -> None:
    await pilot.press("colon")
    await pilot.press(*text)
    await pilot.press("enter")
    await settle(pilot)


async def type_text(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*text)


async def filter_table(pilot: Pilot[Any], text: str) -> None:
    await pilot.press("slash")
    await pilot.press("ctrl+u") if False else None
    field = pilot.app.screen.query_one("#filter")
    field.value = text  # type: ignore[attr-defined]
    await pilot.press("enter")
    await settle(pilot)
