"""P3: a cold `metasaas list task --limit 20 --format json` against a cold `import sqlmodel`.

Both are fresh interpreters, run alternately; the CLI also has to prove it never loads
the AI layer or a UI toolkit just to print a list.
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

METASAAS = str(ROOT / ".venv" / "bin" / "metasaas")
HEAVY = ("litellm", "textual", "prompt_toolkit")
PROBE = """
import sys
from console.cli.main import run
try:
    run(sys.argv[1:])
except SystemExit as exc:
    if exc.code not in (0, None):
        raise
loaded = sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))
sys.stderr.write(" ".join(loaded) + "\\n")
""".replace("HEAVY", repr(HEAVY))


# A cold process, not a cold bytecode cache: an installed package has its .pyc files, so
# both sides may write and reuse them (this environment may set PYTHONDONTWRITEBYTECODE).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["METASAAS_ALLOW_DEV_AUTH"] = "1"  # development authentication on PostgreSQL too


def _timed(argv: list[str]) -> float:
    start = time.perf_counter()
    out = subprocess.run(argv, cwd=ROOT, env=ENV, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"{argv} exited {out.returncode}: {out.stderr[-2000:]}")
    return elapsed


def heavy_modules(args: list[str]) -> list[str]:
    """The UI or AI packages the CLI had imported by the time it finished `args`."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stderr.strip().splitlines()[-1].split() if out.stderr.strip() else []


def run(quick: bool) -> list[Result]:
    rounds = 5 if quick else 15
    url = fresh_sqlite("p3.db")
    app = make_app(url)
    seed(app.bus, app.system_caller(), list(entities.DOMAIN.seed()))  # type: ignore[misc]
    app.close()
    args = ["--db", url, "--tenant", TENANT, "list", "task", "--limit", "20", "--format", "json"]
    page = json.loads(  # also the warm-up that writes the bytecode cache
        subprocess.run([METASAAS, *args], cwd=ROOT, env=ENV, capture_output=True, check=True).stdout
    )
    assert len(page["items"]) == 20, page
    m = interleave(
        {
            "ours": lambda: _timed([METASAAS, *args]),
            "baseline": lambda: _timed([sys.executable, "-c", "import sqlmodel"]),
        },
        rounds,
    )
    loaded = heavy_modules(args)
    return [
        compare(
            "P3",
            "cold `metasaas list task --limit 20 --format json` vs `python -c 'import sqlmodel'`",
            m["ours"] * 1000,
            m["baseline"] * 1000,
            at_most=1.3,
            unit="ms",
            extra="no litellm/textual/prompt_toolkit loaded",
            extra_ok=not loaded,
            note=f"heavy modules loaded: {loaded or 'none'}",
        )
    ]
