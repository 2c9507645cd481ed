"""P4: the entity table is virtual. A 1,000,000-row Task table opens as fast as a 100-row
one, a key press that moves one row costs the same on both, and paging through 100,000
rows leaves memory flat.

Headless (`run_test`), both tables in the same run, alternating rounds. Timings start
when the table is asked for and stop when its first rows are drawn.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from console.tui.app import MetaSaasApp
from console.tui.messages import EntityChosen
from console.tui.screens.entity_table import EntityTableScreen
from core.bootstrap import bootstrap
from core.settings import Settings
from tests.bench import bench_p2_list
from tests.bench.harness import Result, compare
from tests.bench.support import TENANT


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _app(url: str) -> MetaSaasApp:
    settings = Settings(database_url=url, tenant=TENANT)  # type: ignore[arg-type]
    return MetaSaasApp(lambda: bootstrap(settings), remember_theme=False)


async def _until(pilot: Any, ready: Any, limit: float = 120.0) -> None:
    deadline = time.perf_counter() + limit
    while not ready():
        if time.perf_counter() > deadline:
            raise TimeoutError("the TUI did not get there in time")
        await asyncio.sleep(0.001)


def _table_ready(app: MetaSaasApp) -> bool:
    screen = app.screen
    return (
        isinstance(screen, EntityTableScreen)
        and bool(screen.query("RecordTable"))
        and screen.table.source.row(0) is not None
        and not any(p.group == "query" for p in screen._pending.values())
    )


async def _measure(url: str, opens: int, presses: int) -> tuple[list[float], list[float]]:
    """Per open: ms from asking for the Task table to its first rows drawn; then the ms
    of each one-row key press (key handled and the screen redrawn)."""
    app = _app(url)
    first: list[float] = []
    keys: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: app.session is not None)
        await pilot.pause(0.2)
        for _ in range(opens):
            start = time.perf_counter()
            app.post_message(EntityChosen("Task"))
            await _until(pilot, lambda: _table_ready(app))
            await pilot.pause()
            first.append((time.perf_counter() - start) * 1000)
            await pilot.pause(0.05)
            for i in range(presses):
                start = time.perf_counter()
                await pilot.press("down" if i % 2 == 0 else "up")
                keys.append((time.perf_counter() - start) * 1000)
            await pilot.press("escape")
            await pilot.pause(0.05)
    return first, keys


async def _scroll(url: str, rows: int) -> tuple[float, float]:
    """Page down through `rows` rows of the big table; RSS before and after, in MB."""
    app = _app(url)
    async with app.run_test(size=(120, 200)) as pilot:
        await _until(pilot, lambda: app.session is not None)
        app.post_message(EntityChosen("Task"))
        await _until(pilot, lambda: _table_ready(app))
        screen = app.screen
        assert isinstance(screen, EntityTableScreen)
        table = screen.table
        before = rss_mb()
        while table.cursor < rows:
            await pilot.press("pagedown")
            top = round(table.scroll_offset.y)
            await _until(pilot, lambda top=top: table.source.row(top) is not None, limit=60)
            await pilot.pause()
        after = rss_mb()
    return before, after


def run(quick: bool) -> list[Result]:
    big_rows = 100_000 if quick else 1_000_000
    scroll_rows = 20_000 if quick else 100_000
    rounds, opens, presses = (2, 3, 20) if quick else (4, 5, 40)
    big, small = bench_p2_list._database(big_rows), bench_p2_list._database(100)
    samples: dict[str, list[float]] = {"big": [], "small": [], "big_key": [], "small_key": []}
    for r in range(rounds):
        order = [("big", big), ("small", small)]
        for name, url in order if r % 2 == 0 else reversed(order):
            first, keys = asyncio.run(_measure(url, opens, presses))
            samples[name] += first
            samples[f"{name}_key"] += keys
    m = {name: statistics.median(values) for name, values in samples.items()}
    before, after = asyncio.run(_scroll(big, scroll_rows))
    growth = after - before
    label = f"{big_rows:,}-row"
    return [
        compare(
            "P4-first",
            f"TUI first screen of a {label} Task table vs a 100-row one (headless)",
            m["big"],
            m["small"],
            at_most=1.2,
            unit="ms",
        ),
        compare(
            "P4-key",
            f"TUI one-row key press, {label} table vs 100-row table",
            m["big_key"],
            m["small_key"],
            at_most=1.2,
            unit="ms",
        ),
        compare(
            "P4-rss",
            f"TUI RSS growth paging through {scroll_rows:,} rows vs the 50 MB bound",
            growth,
            50.0,
            at_most=1.0,
            unit="MB",
            note=f"RSS {before:.0f} MB -> {after:.0f} MB",
        ),
    ]
