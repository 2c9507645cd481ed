"""`python -m tests.bench [--quick] [--only P1,P2]`: run the scenarios, print and save a table."""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from tests.bench.harness import Result, failed, table, write_json

SCENARIOS = {
    "P1": ("tests.bench.bench_p1_create", "task.create through the bus"),
    "P2": ("tests.bench.bench_p2_list", "task.list page on 1,000,000 rows"),
    "P3": ("tests.bench.bench_p3_cold", "cold `metasaas list task`"),
    "P5": ("tests.bench.bench_p5_ai", "AI: ask via the model path, offline interpreter, corpus"),
    "P6": ("tests.bench.bench_p6_verify", "audit verify over 1,000,000 entries"),
    "P7": ("tests.bench.bench_p7_concurrent", "8 processes creating tasks on PostgreSQL"),
    "P8": ("tests.bench.bench_p8_batch", "metasaas batch of 1,000,000 lines"),
    "P10": ("tests.bench.bench_p10_slow_subscribers", "slow subscribers do not slow actions"),
    "P4": ("tests.bench.bench_p4_tui", "TUI virtual table on 1,000,000 tasks"),
    "P9": ("tests.bench.bench_p9_tui_start", "cold `metasaas tui` to first frame"),
    "P11": ("tests.bench.bench_p11_chat", "chat screen: streamed tokens drawn, updates/s"),
}


def _isolate() -> None:
    """Keep the developer's own config and database out of the measurements."""
    home = Path(tempfile.mkdtemp(prefix="metasaas-bench-home-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    for key in [k for k in os.environ if k.startswith("METASAAS_")]:
        del os.environ[key]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("--quick", action="store_true", help="reduced sizes; under a minute")
    parser.add_argument("--only", default="", help="comma-separated scenario ids, e.g. P1,P6")
    parser.add_argument("--output", default="bench-results.json", type=Path)
    args = parser.parse_args(argv)
    _isolate()
    wanted = [s.strip().upper() for s in args.only.split(",") if s.strip()] or list(SCENARIOS)
    results: list[Result] = []
    for sid in wanted:
        module_name, title = SCENARIOS[sid]
        started = time.perf_counter()
        print(f"[{sid}] {title} ...", file=sys.stderr, flush=True)
        try:
            results += importlib.import_module(module_name).run(args.quick)
        except BaseException as exc:  # a skipped or failed scenario is still a row
            if isinstance(exc, KeyboardInterrupt):
                raise
            traceback.print_exc()
            results.append(failed(sid, title, "see issue 4", f"{type(exc).__name__}: {exc}"))
        print(f"[{sid}] {time.perf_counter() - started:.1f}s", file=sys.stderr, flush=True)
    print(table(results))
    write_json(results, args.output)
    return 0 if all(r.met for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
