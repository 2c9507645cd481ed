"""What each screen looks like in its key states, at 80x24 (and one at 160x50).

Seeded demo data with fixed ids, written with a fixed clock; the database is a relative
path, so the header is the same in every run. Update with `--snapshot-update` after a
deliberate change, and look at the SVGs before committing them.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.tui.flows import filter_table, jump
from tests.tui.support import Harness, settle

SMALL = (80, 24)


def check(snap_compare: Any, harness: Harness, steps: Any, size: tuple[int, int] = SMALL) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await steps(pilot)
        await settle(pilot)

    assert snap_compare(harness.app(), terminal_size=size, run_before=run_before)


async def _nothing(pilot: Pilot[Any]) -> None:
    pass


async def _tasks(pilot: Pilot[Any]) -> None:
    await jump(pilot, "tasks")


def test_shell(snap_compare: Any, harness: Harness) -> None:
    check(snap_compare, harness, _nothing)


def test_table(snap_compare: Any, harness: Harness) -> None:
    check(snap_compare, harness, _tasks)


def test_table_wide(snap_compare: Any, harness: Harness) -> None:
    check(snap_compare, harness, _tasks, size=(160, 50))


def test_filtered_table(snap_compare: Any, harness: Harness) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await _tasks(pilot)
        await filter_table(pilot, "status=todo priority!=low")

    check(snap_compare, harness, steps)


def test_filter_bar_completion_and_invalid_filter(snap_compare: Any, harness: Harness) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await _tasks(pilot)
        await filter_table(pilot, "colour=red")
        field = pilot.app.screen.query_one("#filter")
        field.value = "status=in"  # type: ignore[attr-defined]
        field.cursor_position = len("status=in")  # type: ignore[attr-defined]

    check(snap_compare, harness, steps)


async def _mark_two(pilot: Pilot[Any]) -> None:
    await _tasks(pilot)
    await pilot.press("down", "down", "down", "space", "space")


def test_marked_rows_and_bulk_confirmation(snap_compare: Any, harness: Harness) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await _mark_two(pilot)
        await pilot.press("d")

    check(snap_compare, harness, steps)


def test_bulk_result(snap_compare: Any, harness: Harness) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await _tasks(pilot)
        await pilot.press("space", "down", "down", "space")  # a done task and one in progress
        await pilot.press("t")
        await settle(pilot)
        choices = pilot.app.screen.query_one("#choices")
        choices.highlighted = [o.id for o in choices.options].index("review")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")

    check(snap_compare, harness, steps)


def test_detail(snap_compare: Any, harness: Harness) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await jump(pilot, "task 259b26a9")

    check(snap_compare, harness, steps)


def test_create_form_with_validation_error(snap_compare: Any, harness: Harness) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await _tasks(pilot)
        await pilot.press("n")
        await settle(pilot)
        pilot.app.screen.query_one("#input-estimate_hours").value = "-3"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")

    check(snap_compare, harness, steps)


def test_edit_form(snap_compare: Any, harness: Harness) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await jump(pilot, "projects")
        await pilot.press("e")

    check(snap_compare, harness, steps)


def test_delete_confirmation(snap_compare: Any, harness: Harness) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await jump(pilot, "project a9ef7eb5")
        await pilot.press("d")

    check(snap_compare, harness, steps)


def test_jump_line_with_completion(snap_compare: Any, harness: Harness) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await pilot.press("colon", "p")

    check(snap_compare, harness, steps)


def test_help_screen(snap_compare: Any, harness: Harness) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await _tasks(pilot)
        await pilot.press("question_mark")

    check(snap_compare, harness, steps)


def test_error_notification(snap_compare: Any, harness: Harness) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await jump(pilot, "invoices")

    check(snap_compare, harness, steps)
