"""P9: cold start of `metasaas tui` to its first drawn screen, against a bare Textual app
that draws one `Static`, measured the same way in the same run.

Each side is a fresh interpreter that runs its app headless at 80x24; a probe wraps
`App.run` and `App._display` identically for both, notes the first frame the app would
write to the terminal, and reports the wall time since the parent started the process.
The TUI side must not have loaded litellm, Alembic or SQLModel by then (the database is
opened after that frame).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import entities
from core.seeding import seed
from tests.bench.harness import Result, compare, interleave
from tests.bench.support import ROOT, TENANT, fresh_sqlite, make_app

FORBIDDEN = ("litellm", "alembic", "sqlmodel")
PROBE = r"""
import sys, time
started = float(sys.argv[2])
from textual.app import App
from textual.widgets import Static

report = {}
original_run, original_display = App.run, App._display


def display(self, screen, renderable):
    # The first frame the app would write to a terminal: a full update, outside a batch.
    if renderable is not None and not self._batch_count and "ms" not in report:
        report["ms"] = (time.time() - started) * 1000
        report["loaded"] = sorted({m.split(".")[0] for m in sys.modules} & set(FORBIDDEN))
        self.call_later(self.exit)
    return original_display(self, screen, renderable)


def run(self, *args, **kwargs):
    return original_run(self, headless=True, size=(80, 24))


App.run, App._display = run, display

if sys.argv[1] == "bare":
    class Bare(App):
        def compose(self):
            yield Static("MetaSAAS Console")
    Bare().run()
else:
    from console.cli.main import run as cli
    try:
        cli(["--db", sys.argv[3], "--tenant", "default", "tui"])
    except SystemExit:
        pass
import json
sys.stderr.write("\nP9 " + json.dumps(report) + "\n")
""".replace("FORBIDDEN", repr(FORBIDDEN))
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["METASAAS_ALLOW_DEV_AUTH"] = "1"  # development authentication on PostgreSQL too


def _probe(mode: str, url: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, mode, repr(time.time()), url],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in out.stderr.splitlines() if line.startswith("P9 ")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"{mode} probe failed ({out.returncode}): {out.stderr[-2000:]}")
    report: dict[str, object] = json.loads(lines[-1][3:])
    return report


def run(quick: bool) -> list[Result]:
    rounds = 5 if quick else 15
    url = fresh_sqlite("p9.db")
    app = make_app(url)
    seed(app.bus, app.system_caller(), list(entities.DOMAIN.seed()))  # type: ignore[misc]
    app.close()
    loaded: set[str] = set()

    def ours() -> float:
        report = _probe("tui", url)
        loaded.update(report["loaded"])  # type: ignore[arg-type]
        return float(report["ms"])  # type: ignore[arg-type]

    def bare() -> float:
        return float(_probe("bare", url)["ms"])  # type: ignore[arg-type]

    ours(), bare()  # warm the bytecode caches of both
    m = interleave({"ours": ours, "bare": bare}, rounds)
    return [
        compare(
            "P9",
            f"cold `metasaas tui` to first drawn screen vs a bare Textual app ({TENANT})",
            m["ours"],
            m["bare"],
            at_most=1.5,
            unit="ms",
            extra="no litellm/alembic/sqlmodel before it",
            extra_ok=not loaded,
            note=f"loaded before the first frame: {sorted(loaded) or 'none'}",
        )
    ]
