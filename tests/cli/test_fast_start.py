"""Fast start: a headless command loads neither the AI layer nor a UI toolkit.

Checked on the real process with `-X importtime`, which names every module imported; the
REPL case proves the check can see prompt_toolkit when it is loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("litellm", "textual", "prompt_toolkit")


def imported(*args: str, stdin: str | None = None) -> tuple[set[str], str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "console.cli.main", *args],
        input=stdin or "",
        capture_output=True,
        text=True,
        timeout=120,
    )
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return modules, proc.stdout


def top_level(modules: set[str]) -> set[str]:
    return {m.split(".", 1)[0] for m in modules}


def test_list_as_json_imports_no_ai_and_no_ui(sqlite_db: str) -> None:
    modules, out = imported("list", "task", "--limit", "20", "--format", "json", "--db", sqlite_db)
    assert len(json.loads(out)["items"]) == 20
    assert "sqlalchemy" in top_level(modules)  # the probe sees what was imported
    assert not top_level(modules) & set(HEAVY)


def test_help_does_not_even_load_the_engine() -> None:
    modules, out = imported("--help")
    assert "Usage: metasaas" in out
    assert not top_level(modules) & {"sqlalchemy", "sqlmodel", "pydantic", *HEAVY}


def test_the_probe_sees_prompt_toolkit_when_the_repl_loads_it(sqlite_db: str) -> None:
    modules, _ = imported("repl", "--db", sqlite_db, stdin="exit\n")
    assert "prompt_toolkit" in top_level(modules)
