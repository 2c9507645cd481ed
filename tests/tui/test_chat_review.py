"""The chat review screens (Ctrl+R) and the record detail's AI capabilities, driven by pilot
and pinned by snapshots at 80x24.

The shell runs as the development admin (`dev-admin`), so olive's session is reviewed by
someone else: sensitive values come back masked and the access is audited.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from ai.capabilities import bootstrap_with_ai
from console.tui.messages import RecordChosen
from core.bootstrap import App as CoreApp
from core.bootstrap import bootstrap
from core.contracts import Caller, CallerType
from core.settings import Settings
from tests.tui.support import FIXED_NOW, Harness, fixed_clock, screen_text, settle

BORN = "1961-04-12"
OLIVE = Caller("olive", "default", frozenset({"operator"}))
OLIVE_AI = Caller("olive", "default", frozenset({"operator"}), CallerType.AI_AGENT)
SMALL = (80, 24)
asyncio = pytest.mark.asyncio


def conversation(harness: Harness) -> str:
    bus = harness.core.bus
    sid = str(
        bus.dispatch("chat.start", {"title": "Supplier follow-up", "model": "stub-1"}, OLIVE)["id"]
    )

    def append(caller: Caller = OLIVE_AI, **message: Any) -> None:
        bus.dispatch("chat.append", {"session_id": sid, **message}, caller)

    append(OLIVE, role="user", content=f"Ada was born on {BORN}; add a task to call her")
    plan = {
        "steps": [
            {
                "action_id": "patient.update",
                "input": {"id": "7d495a2b-a6db-4d13-9c35-ae6d56f484dc", "date_of_birth": BORN},
            }
        ],
        "explanation": "set the date of birth",
        "source": "offline",
    }
    append(role="assistant", content=f"Setting it to {BORN}.", plan=plan, model="stub-1")
    provenance = {"ai": True, "source": "chat", "session_id": sid, "step": 1}
    bus.dispatch("task.create", {"title": "Call Ada"}, OLIVE_AI, provenance=provenance)
    append(role="tool", content="created", action_id="task.create", result_summary="task created")
    append(role="tool", content="forbidden", error=True)
    earlier = bootstrap(
        Settings(database_url=harness.url),  # type: ignore[arg-type]
        clock=lambda: FIXED_NOW - dt.timedelta(days=1),  # listed after olive's, always
    )
    harness.opened.append(earlier)
    colin = Caller("colin", "default", frozenset())
    earlier.bus.dispatch("chat.start", {"title": "Quiet chat"}, colin)
    return sid


async def open_review(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)


async def open_transcript(pilot: Pilot[Any]) -> None:
    await open_review(pilot)
    await pilot.press("enter")  # the most recently active: olive's
    await settle(pilot)


@asyncio
async def test_review_lists_filters_and_opens_a_masked_transcript(
    harness: Harness, tmp_path: Path
) -> None:
    sid = conversation(harness)
    app = harness.app()
    async with app.run_test(size=SMALL) as pilot:
        await open_review(pilot)
        shown = screen_text(app)
        assert "Supplier follow-up" in shown and "Quiet chat" in shown
        for text, wanted, unwanted in (
            ("errors", "Supplier follow-up", "Quiet chat"),
            ("user=colin", "Quiet chat", "Supplier follow-up"),
            ("born", "Supplier follow-up", "Quiet chat"),
        ):
            app.screen.query_one("#review-filter", Input).value = text
            await pilot.press("slash", "enter")
            await settle(pilot)
            shown = screen_text(app)
            assert wanted in shown and unwanted not in shown, text
        app.screen.query_one("#review-filter", Input).value = ""
        await pilot.press("slash", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        shown = screen_text(app)
        assert "Setting it to" in shown and BORN not in shown  # masked for the reviewer
        assert "audit #" in shown and "task.create" in shown
        target = tmp_path / "out" / "t.md"
        await pilot.press("m")
        await settle(pilot)
        app.screen.query_one("#transcript-export-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert "written to" in screen_text(app)
    body = target.read_text()
    assert body.startswith("# Chat: Supplier follow-up") and BORN not in body
    entries = harness.call("audit.list", {"limit": 200})["items"]
    reviews = [e for e in entries if e["record_id"] == sid and "_review" in e["changes"]]
    assert [e["actor_id"] for e in reviews] == ["dev-admin"]


@asyncio
async def test_a_transcript_action_opens_its_record(harness: Harness) -> None:
    conversation(harness)
    app = harness.app()
    async with app.run_test(size=SMALL) as pilot:
        await open_transcript(pilot)
        links = app.screen.query_one("#transcript-links", OptionList)
        links.focus()
        links.highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        shown = screen_text(app)
        assert "Call Ada" in shown and "Title" in shown  # the task's detail


def test_snapshot_review_list(snap_compare: Any, harness: Harness) -> None:
    conversation(harness)
    assert snap_compare(harness.app(), terminal_size=SMALL, run_before=open_review)


def test_snapshot_transcript(snap_compare: Any, harness: Harness) -> None:
    conversation(harness)
    assert snap_compare(harness.app(), terminal_size=SMALL, run_before=open_transcript)


@asyncio
async def test_record_detail_offers_the_capabilities_and_shows_the_answer(
    harness: Harness,
) -> None:
    def connect() -> CoreApp:
        settings = Settings(database_url=harness.url, ai={"model": ""})  # type: ignore[arg-type]
        core = bootstrap_with_ai(settings, clock=fixed_clock)
        harness.opened.append(core)
        return core

    company = harness.call("company.list", {"limit": 1})["items"][0]
    app = harness.app(connect)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        app.post_message(RecordChosen("Company", str(company["id"])))
        await settle(pilot)
        links = app.screen.query_one("#links", OptionList)
        ids = [links.get_option_at_index(i).id for i in range(links.option_count)]
        assert "ai:classify_industry:" in ids
        links.focus()
        links.highlighted = ids.index("ai:classify_industry:")
        await pilot.press("enter")
        await settle(pilot)
        shown = str(app.screen.query_one("#ai-result").render())
        assert "classify_industry" in shown and "fallback" in shown and "other" in shown
