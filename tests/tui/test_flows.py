"""Every flow of the console through the keyboard, checked on the screen and in the
database, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from console.tui.screens.entity_table import EntityTableScreen
from console.tui.screens.record_detail import RecordDetailScreen
from console.tui.screens.record_form import RecordFormScreen
from console.tui.widgets.field_editor import FieldEditor
from console.tui.widgets.record_table import RecordTable
from tests.tui.flows import filter_table, jump
from tests.tui.support import Harness, notices, screen_text, settle

pytestmark = pytest.mark.asyncio
SIZE = (100, 30)


def task_count(h: Harness, **filters: object) -> int:
    return int(h.call("task.count", {"filters": filters})["count"])


async def test_create_with_validation_error_then_success(any_harness: Harness) -> None:
    h = any_harness
    before = task_count(h)
    async with h.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await jump(pilot, "tasks")
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, RecordFormScreen)
        await pilot.press("ctrl+s")  # no title: the bus names the field
        await settle(pilot)
        assert "Field required" in screen_text(pilot.app)
        assert task_count(h) == before
        await pilot.press(*"Call the supplier")
        form.query_one("#input-estimate_hours").value = "2.5"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, EntityTableScreen)
    assert task_count(h) == before + 1
    found = h.call("task.list", {"filters": {"title": "Call the supplier"}})["items"]
    assert found[0]["estimate_hours"] == 2.5


async def test_typed_values_survive_a_refused_submit(harness: Harness) -> None:
    async with harness.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await jump(pilot, "tasks")
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        form.query_one("#input-title").value = "Kept title"  # type: ignore[attr-defined]
        form.query_one("#input-estimate_hours").value = "99999"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        editor = form.query_one("#field-estimate_hours", FieldEditor)
        assert "less than or equal to 10000" in screen_text(pilot.app)
        assert editor.raw() == "99999"
        assert form.query_one("#field-title", FieldEditor).raw() == "Kept title"


async def test_edit(any_harness: Harness) -> None:
    h = any_harness
    async with h.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await jump(pilot, "tasks")
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, RecordFormScreen)
        record = form.record
        assert record is not None
        form.query_one("#input-title").value = "Agree the sitemap (v2)"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
    stored = h.call("task.get", {"id": str(record["id"])})
    assert stored["title"] == "Agree the sitemap (v2)"
    assert stored["version"] == record["version"] + 1


async def test_stale_edit_shows_the_conflict_and_reloads(any_harness: Harness) -> None:
    h = any_harness
    async with h.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await jump(pilot, "tasks")
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, RecordFormScreen) and form.record is not None
        record_id = str(form.record["id"])
        h.call("task.update", {"id": record_id, "title": "Changed elsewhere"})
        form.query_one("#input-title").value = "Mine"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = screen_text(pilot.app)
        assert "Reload the record?" in shown and "older than" in shown
        await pilot.press("y")  # reload
        await settle(pilot)
        assert form.query_one("#field-title", FieldEditor).raw() == "Changed elsewhere"
    assert h.call("task.get", {"id": record_id})["title"] == "Changed elsewhere"


async def test_delete_names_the_record_and_what_cascades(any_harness: Harness) -> None:
    h = any_harness
    projects = h.call("project.count")["count"]
    async with h.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await jump(pilot, "projects")
        table = pilot.app.screen.query_one(RecordTable)
        current = table.current
        assert current is not None
        children = task_count(h, project_id=str(current["id"]))
        await pilot.press("d")
        await settle(pilot)
        shown = screen_text(pilot.app)
        assert current["name"] in shown
        assert f"{children} Tasks (project) will be deleted with it" in shown
        await pilot.press("y")
        await settle(pilot)
    assert h.call("project.count")["count"] == projects - 1
    assert task_count(h, project_id=str(current["id"])) == 0


async def test_delete_declined_changes_nothing(harness: Harness) -> None:
    before = task_count(harness)
    async with harness.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await jump(pilot, "tasks")
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
    assert task_count(harness) == before


async def test_filter_by_field_and_by_text(any_harness: Harness) -> None:
    h = any_harness
    async with h.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await jump(pilot, "tasks")
        screen = pilot.app.screen
        assert isinstance(screen, EntityTableScreen)
        await filter_table(pilot, "status=todo,review priority!=low")
        expected = task_count(h, status__in=["todo", "review"], priority__ne="low")
        assert screen.count == expected
        statuses = {screen.table.source.row(i)["status"] for i in range(expected)}  # type: ignore[index]
        assert statuses <= {"todo", "review"}
        await filter_table(pilot, "sitemap")
        assert screen.count == 1
        assert screen.table.current["title"] == "Agree the sitemap"  # type: ignore[index]
        assert "filter: sitemap" in screen_text(pilot.app)


async def test_invalid_filter_shows_the_bus_message_and_keeps_rows(any_harness: Harness) -> None:
    async with any_harness.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await jump(pilot, "tasks")
        screen = pilot.app.screen
        assert isinstance(screen, EntityTableScreen)
        before = screen.table.source
        await filter_table(pilot, "colour=red")
        assert "cannot filter on 'colour'" in screen_text(pilot.app)
        assert screen.table.source is before and screen.count == 20
        await filter_table(pilot, "due_date<soon")
        assert "due_date: expected a date" in screen_text(pilot.app)
        assert screen.table.source is before


async def test_sort_by_key_and_header_click_toggles(any_harness: Harness) -> None:
    async with any_harness.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await jump(pilot, "tasks")
        screen = pilot.app.screen
        assert isinstance(screen, EntityTableScreen)
        await pilot.press("s")  # the focused column is the title
        await settle(pilot)
        assert screen.query_state.order_by == "title"
        assert screen.table.current["title"] == "Add privacy-friendly analytics"  # type: ignore[index]
        await pilot.press("s")
        await settle(pilot)
        assert screen.query_state.order_by == "-title"
        assert screen.table.current["title"] == "Write product page copy"  # type: ignore[index]
        header = screen.query_one("#table-header")
        column = next(c for c in header.columns if c.name == "priority")  # type: ignore[attr-defined]
        left = 2 + sum(c.width + 1 for c in header.columns[: header.columns.index(column)])  # type: ignore[attr-defined]
        await pilot.click("#table-header", offset=(left + 1, 0))
        await settle(pilot)
        assert screen.query_state.order_by == "priority"


async def test_mark_and_bulk_transition_reports_the_failure(any_harness: Harness) -> None:
    h = any_harness
    async with h.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await jump(pilot, "tasks")
        await filter_table(pilot, "status=todo,done")
        screen = pilot.app.screen
        assert isinstance(screen, EntityTableScreen)
        # rows by due date: done, done, done, ... todo: mark one done and two todo
        rows = [screen.table.source.row(i) for i in range(screen.count or 0)]
        done_index = next(i for i, r in enumerate(rows) if r and r["status"] == "done")
        todo = [i for i, r in enumerate(rows) if r and r["status"] == "todo"][:2]
        for index in [done_index, *todo]:
            screen.table.cursor = index
            await pilot.press("space")
        await settle(pilot)
        assert "3 marked" in screen_text(pilot.app)
        await pilot.press("t")
        await settle(pilot)
        choices = pilot.app.screen.query_one("#choices")
        choices.highlighted = [o.id for o in choices.options].index("in_progress")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert "Move 3 Tasks to in_progress?" in screen_text(pilot.app)
        await pilot.press("y")
        await settle(pilot)
        report = screen_text(pilot.app)
        assert "2 of 3 Tasks moved to in_progress." in report
        assert rows[done_index]["title"] in report and "conflict" in report  # type: ignore[index]
    for index in todo:
        assert h.call("task.get", {"id": str(rows[index]["id"])})["status"] == "in_progress"  # type: ignore[index]
    assert h.call("task.get", {"id": str(rows[done_index]["id"])})["status"] == "done"  # type: ignore[index]


async def test_follow_belongs_to_and_has_many(any_harness: Harness) -> None:
    async with any_harness.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await jump(pilot, "tasks")
        await pilot.press("enter")
        await settle(pilot)
        detail = pilot.app.screen
        assert isinstance(detail, RecordDetailScreen) and detail.entity.name == "Task"
        links = detail.query_one("#links")
        links.focus()
        links.highlighted = 0  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        project = pilot.app.screen
        assert isinstance(project, RecordDetailScreen) and project.entity.name == "Project"
        assert project.record is not None and project.record["name"] == "Website relaunch"
        children = project.query_one("#links")
        children.focus()
        children.highlighted = 1  # type: ignore[attr-defined]  (0 is the "tasks (n)" header)
        await pilot.press("enter")
        await settle(pilot)
        child = pilot.app.screen
        assert isinstance(child, RecordDetailScreen) and child.entity.name == "Task"
        assert child.record is not None
        assert str(child.record["project_id"]) == str(project.record["id"])
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, RecordDetailScreen)
        assert pilot.app.screen.entity.name == "Task"


async def test_jump_line_opens_entities_and_records_by_id_prefix(any_harness: Harness) -> None:
    async with any_harness.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await jump(pilot, "PATIENT")
        assert isinstance(pilot.app.screen, EntityTableScreen)
        assert pilot.app.screen.entity.name == "Patient"
        await jump(pilot, "task ca6b9c7a")
        detail = pilot.app.screen
        assert isinstance(detail, RecordDetailScreen)
        assert detail.record is not None
        assert detail.record["title"] == "Collect clinic requirements"
        await jump(pilot, "task 0000")
        assert "no Task id starts with 0000" in notices(pilot.app)


async def test_double_submit_creates_one_record(any_harness: Harness) -> None:
    h = any_harness
    before = task_count(h)
    async with h.app().run_test(size=SIZE) as pilot:
        await settle(pilot)
        await jump(pilot, "tasks")
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        form.query_one("#input-title").value = "Only once"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s", "ctrl+s", "ctrl+s")
        form.action_submit()  # type: ignore[attr-defined]
        await settle(pilot)
    assert task_count(h) == before + 1
    assert task_count(h, title="Only once") == 1


async def test_detail_shows_the_audit_history(any_harness: Harness) -> None:
    h = any_harness
    h.call("task.update", {"id": "259b26a9-ef14-5fd8-a53a-2eb42575ad38", "priority": "low"})
    h.core.bus.seal_pending()  # PostgreSQL chains entries shortly after commit
    async with h.app().run_test(size=(140, 50)) as pilot:
        await settle(pilot)
        await jump(pilot, "task 259b26a9")
        shown = screen_text(pilot.app)
        assert "task.update  priority: high → low" in shown
        assert "task.create" in shown
