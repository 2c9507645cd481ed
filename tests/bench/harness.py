"""Measure ours and a baseline in the same run, interleaved, and judge the ratio.

The machine is shared and noisy, so absolute numbers drift; running both sides in
alternating order over several rounds and comparing medians keeps the ratio honest.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Result:
    """One row of the table and of bench-results.json."""

    id: str
    scenario: str
    ours: float | None
    baseline: float | None
    ratio: float | None
    goal: str
    met: bool
    unit: str = ""
    note: str = ""


def interleave(variants: dict[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """Run each variant once per round, alternating the order; median per variant."""
    samples: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for r in range(rounds):
        for name in names if r % 2 == 0 else reversed(names):
            samples[name].append(variants[name]())
    return {name: statistics.median(values) for name, values in samples.items()}


def rate(
    n: int, fn: Callable[[int], None], finish: Callable[[], object] | None = None
) -> Callable[[], float]:
    """A variant that runs `fn(i)` n times, then `finish()`, and reports operations per second.

    `finish` is timed too: work an operation leaves for later (sealing audit entries) counts.
    """
    counter = [0]

    def run() -> float:
        start = time.perf_counter()
        base = counter[0]
        for i in range(base, base + n):
            fn(i)
        if finish is not None:
            finish()
        counter[0] = base + n
        return n / (time.perf_counter() - start)

    return run


def latency_ms(n: int, fn: Callable[[], object]) -> Callable[[], float]:
    """A variant that calls `fn` n times and reports the median call in milliseconds."""

    def run() -> float:
        times = []
        for _ in range(n):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    return run


def compare(
    id_: str,
    scenario: str,
    ours: float,
    baseline: float,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    unit: str,
    extra: str = "",
    extra_ok: bool = True,
    note: str = "",
) -> Result:
    """A row whose ratio is ours / baseline, judged against a floor or a ceiling."""
    ratio = ours / baseline if baseline else None
    if at_least is not None:
        goal, met = f">= {at_least}x", ratio is not None and ratio >= at_least
    else:
        assert at_most is not None
        goal, met = f"<= {at_most}x", ratio is not None and ratio <= at_most
    if extra:
        goal = f"{goal}; {extra}"
    return Result(id_, scenario, ours, baseline, ratio, goal, met and extra_ok, unit, note)


def failed(id_: str, scenario: str, goal: str, reason: str) -> Result:
    return Result(id_, scenario, None, None, None, goal, False, "", reason)


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def table(results: list[Result]) -> str:
    header = ("id", "scenario", "ours", "baseline", "ratio", "goal", "met")
    rows = [
        (
            r.id,
            r.scenario,
            f"{_fmt(r.ours)} {r.unit}".strip(),
            f"{_fmt(r.baseline)} {r.unit}".strip() if r.baseline is not None else "-",
            f"{r.ratio:.2f}x" if r.ratio is not None else "-",
            r.goal,
            "yes" if r.met else "NO",
        )
        for r in results
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    notes = [f"  {r.id}: {r.note}" for r in results if r.note]
    if notes:
        lines += ["", "notes:", *notes]
    return "\n".join(lines)


def write_json(results: list[Result], path: Path) -> None:
    path.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
