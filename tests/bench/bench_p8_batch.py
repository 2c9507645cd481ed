"""P8: `metasaas batch` over a million JSON lines keeps its memory flat.

The peak RSS of a batch process fed 1,000,000 lines is compared with one fed 10,000;
lines mix creates (one in ten), gets and small list pages, and the output is read and
checked as it streams. Durability is relaxed to synchronous=NORMAL: memory, not fsync,
is what this scenario measures.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from tests.bench.harness import Result, compare
from tests.bench.support import ROOT, TENANT, fresh_sqlite, make_app, workdir

METASAAS = str(ROOT / ".venv" / "bin" / "metasaas")
NAMESPACE = uuid.UUID("6c0b1d1e-3f5a-4c8e-9b7d-2a4e6f8c0d13")


def lines(n: int) -> Iterator[str]:
    for i in range(n):
        anchor = str(uuid.uuid5(NAMESPACE, str(i - i % 10)))
        if i % 10 == 0:
            line: dict[str, Any] = {
                "action": "task.create",
                "input": {"id": anchor, "title": f"Batch task {i}", "priority": "high"},
            }
        elif i % 10 < 7:
            line = {"action": "task.get", "input": {"id": anchor}}
        else:
            line = {"action": "task.list", "input": {"order_by": "-created_at", "limit": 5}}
        yield json.dumps({**line, "id": i}) + "\n"


def _count(stream: IO[str], tally: dict[str, int]) -> None:
    for raw in stream:
        tally["ok" if json.loads(raw)["ok"] else "failed"] += 1


def peak_rss_mb(n: int) -> float:
    """Run one batch of n lines in a fresh process on a fresh database; its peak RSS."""
    source = workdir() / f"p8-{n}.jsonl"
    if not source.exists():
        with source.open("w") as fh:
            fh.writelines(lines(n))
    url = fresh_sqlite(f"p8-{n}.db")
    make_app(url).close()
    env = {**os.environ, "METASAAS_SQLITE__SYNCHRONOUS": "NORMAL", "METASAAS_ALLOW_DEV_AUTH": "1"}
    argv = [METASAAS, "--db", url, "--tenant", TENANT, "--format", "json", "batch"]
    tally = {"ok": 0, "failed": 0}
    with source.open() as stdin:
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdin=stdin, stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        reader = threading.Thread(target=_count, args=(proc.stdout, tally))
        reader.start()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        reader.join()
    Path(url.removeprefix("sqlite:///")).unlink()
    if proc.returncode != 0 or tally != {"ok": n, "failed": 0}:
        raise RuntimeError(f"batch of {n} lines: exit {proc.returncode}, results {tally}")
    return usage.ru_maxrss / 1024


def run(quick: bool) -> list[Result]:
    small, large = (2_000, 10_000) if quick else (10_000, 1_000_000)
    rss_small = peak_rss_mb(small)
    rss_large = peak_rss_mb(large)
    return [
        compare(
            "P8",
            f"metasaas batch: peak RSS at {large:,} lines vs at {small:,} lines",
            rss_large,
            rss_small,
            at_most=1.2,
            unit="MB",
        )
    ]
