"""The Big List of Naughty Strings, stored in every free-text field, renders in the table,
the detail and the edit form as plain data: no markup error, no terminal control."""

from __future__ import annotations

import pytest

from console.tui.screens.entity_table import EntityTableScreen
from console.tui.screens.record_detail import RecordDetailScreen
from console.tui.screens.record_form import RecordFormScreen
from console.tui.text import safe_text
from console.tui.widgets.field_editor import FieldEditor
from console.tui.widgets.record_table import RecordTable
from tests.support.naughty import naughty_strings, unstorable
from tests.tui.flows import jump
from tests.tui.support import ADMIN, Harness, screen_text, settle

pytestmark = pytest.mark.asyncio


def store_all(h: Harness) -> list[str]:
    """Each storable string as a task title and description and a company's name and
    notes, in one transaction; returns the ids of the tasks."""
    ids = []
    with h.core.bus.atomic(ADMIN) as batch:
        for index, value in enumerate(naughty_strings()):
            if unstorable(value):
                continue
            title = value[:200] or f"empty {index}"
            task = batch.dispatch(
                "task.create", {"title": title, "description": value, "due_date": "2020-01-01"}
            )
            ids.append(str(task["id"]))
            batch.dispatch("company.create", {"name": f"{index} {value}"[:200], "notes": value})
    return ids


async def test_naughty_strings_render_everywhere(harness: Harness) -> None:
    ids = store_all(harness)
    assert len(ids) > 400
    async with harness.app().run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for name in ("tasks", "companies"):
            await jump(pilot, name)
            screen = pilot.app.screen
            assert isinstance(screen, EntityTableScreen)
            table = screen.query_one(RecordTable)
            while table.cursor < (screen.count or 0) - 1:
                await pilot.press("pagedown")
                await settle(pilot)
            text = screen_text(pilot.app)
            assert "\x1b" not in text and "\x00" not in text
            await pilot.press("escape")
            await settle(pilot)
        for record_id in ids[::100]:
            await jump(pilot, f"task {record_id}")
            detail = pilot.app.screen
            assert isinstance(detail, RecordDetailScreen) and detail.record is not None
            assert "\x1b" not in screen_text(pilot.app)
            await pilot.press("e")
            await settle(pilot)
            form = pilot.app.screen
            assert isinstance(form, RecordFormScreen)
            title = form.query_one("#field-title", FieldEditor)
            assert not title.changed  # shown as stored, nothing to save
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)


async def test_markup_like_title_is_shown_literally(harness: Harness) -> None:
    harness.call("task.create", {"title": "[bold red]not bold[/] [/]", "due_date": "2000-01-01"})
    async with harness.app().run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await jump(pilot, "tasks")
        assert "[bold red]not bold[/] [/]" in screen_text(pilot.app)
    assert safe_text("[/]").plain == "[/]"
