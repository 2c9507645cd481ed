"""P6: `metasaas audit verify` over a million entries against the raw driver hashing rows.

Both sides run as fresh processes over the same database file; the chain is generated
with the product's own `link_hash`, so verify must find it intact.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from tests.bench import bulk
from tests.bench.harness import Result, compare, interleave
from tests.bench.support import ROOT, TENANT, make_app, workdir

METASAAS = str(ROOT / ".venv" / "bin" / "metasaas")
_CACHE: dict[int, str] = {}


def _database(entries: int) -> str:
    if entries not in _CACHE:
        path = workdir() / f"p6-{entries}.db"
        url = f"sqlite:///{path}"
        if not path.exists():
            app = make_app(url)
            bulk.load_audit(app.engine, entries)
            app.close()
        _CACHE[entries] = url
    return _CACHE[entries]


def _timed(argv: list[str], check: object) -> float:
    start = time.perf_counter()
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited {out.returncode}: {out.stderr[-2000:]}")
    assert callable(check)
    check(out.stdout)
    return elapsed


def run(quick: bool) -> list[Result]:
    entries = 200_000 if quick else 1_000_000
    rounds = 3 if quick else 5
    url = _database(entries)

    def intact(stdout: str) -> None:
        report = json.loads(stdout)
        assert report["ok"] and report["chains"][0]["entries"] == entries, report

    def counted(stdout: str) -> None:
        assert int(stdout) == entries, stdout

    ours = [METASAAS, "--db", url, "--tenant", TENANT, "audit", "verify", "--format", "json"]
    raw = [sys.executable, "-m", "tests.bench.raw_verify", url, TENANT]
    m = interleave(
        {"ours": lambda: _timed(ours, intact), "raw": lambda: _timed(raw, counted)}, rounds
    )
    ours_rate, raw_rate = entries / m["ours"], entries / m["raw"]
    return [
        compare(
            "P6",
            f"audit verify, {entries:,} entries (SQLite), cold process",
            ours_rate,
            raw_rate,
            at_least=0.5,
            unit="entries/s",
            extra=">= 100,000 entries/s",
            extra_ok=ours_rate >= 100_000,
            note=f"wall time ours {m['ours']:.2f}s, raw {m['raw']:.2f}s",
        )
    ]
