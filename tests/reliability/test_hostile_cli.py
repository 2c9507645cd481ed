"""The naughty strings through the CLI: JSON Lines into `metasaas batch`, and shell words.

`batch` takes every string once per entity (rotating over that entity's text fields) in
one process; `create KEY=VALUE` takes a sample chosen for what argv parsing could trip on.
Either way: stored and echoed back exactly, or refused with `invalid_input`; never an
internal error, never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.bootstrap import App
from core.contracts import Caller
from core.settings import SQLiteSettings
from tests.conftest import make_app
from tests.reliability.gang import ROOT
from tests.support.naughty import (
    explained,
    filler,
    naughty_strings,
    text_fields,
    unstorable,
)

METASAAS = str(Path(sys.executable).with_name("metasaas"))

pytestmark = pytest.mark.slow


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[App]:
    application = make_app(
        f"sqlite:///{tmp_path / 'cli.db'}", sqlite=SQLiteSettings(synchronous="NORMAL")
    )
    yield application
    application.close()


def cli(app: App, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    url = app.settings.resolved_database_url()
    env_free = [METASAAS, "--db", url, "--format", "json", *args]
    return subprocess.run(env_free, cwd=ROOT, input=stdin, capture_output=True, check=False)


def test_every_naughty_string_through_batch(sqlite_app: App, admin: Caller) -> None:
    app = sqlite_app
    strings = naughty_strings()
    plan: dict[int, tuple[str, str, str]] = {}
    lines = []
    for entity in app.registry.entities.values():
        fields = text_fields(entity)
        if not fields:
            continue
        refs = {
            r.column: filler(app, entity, admin)[r.column] for r in entity.belongs_to if r.required
        }
        for k, value in enumerate(strings):
            name = fields[k % len(fields)]
            payload = {**filler(app, entity, admin, refs), name: value}
            plan[len(lines)] = (entity.key, name, value)
            line = {"action": f"{entity.key}.create", "input": payload, "id": len(lines)}
            lines.append(json.dumps(line) + "\n")

    done = cli(app, "batch", stdin="".join(lines).encode("ascii"))
    stderr = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr
    assert done.returncode in (0, 3), stderr[-2000:]
    # JSON Lines end at "\n" only: str.splitlines() would also split at U+2028 and friends.
    results = [json.loads(raw) for raw in done.stdout.decode("utf-8").split("\n") if raw]
    assert [r["id"] for r in results] == list(plan)

    problems, stored = [], 0
    for result in results:
        key, name, value = plan[result["id"]]
        entity = app.registry.entity(key)
        if not result["ok"]:
            error = result["error"]
            if error["code"] != "invalid_input" or not explained(entity, name, value):
                problems.append(f"{key}.{name} {value!r}: {error['code']}: {error['message']}")
            continue
        got = app.bus.dispatch(f"{key}.get", {"id": result["data"]["id"]}, admin)
        if (result["data"][name], got[name]) != (value, value):
            problems.append(f"{key}.{name}: echoed {result['data'][name]!r}, sent {value!r}")
        stored += 1
    assert problems == [], "\n".join(problems[:40])
    assert stored > len(results) // 2


def argv_sample(strings: list[str]) -> list[str]:
    """One string for each thing a shell word could be misread as."""
    tests = [
        lambda s: s.startswith("-"),
        lambda s: "=" in s,
        lambda s: any(ord(c) < 32 for c in s),  # control characters
        lambda s: '"' in s and "'" in s,
        lambda s: "$" in s or "`" in s,
        lambda s: any(0x590 <= ord(c) <= 0x6FF for c in s),  # right-to-left scripts
        lambda s: any(ord(c) > 0xFFFF for c in s),  # emoji and other astral characters
        lambda s: s.strip() == "" and s != "",
        lambda s: s.lower() in ("true", "none", "nil", "undefined"),
    ]
    # NUL and lone surrogates cannot be argv at all; "null" is the CLI's way to clear a field.
    usable = [s for s in strings if not unstorable(s) and s != "null"]
    return [next(s for s in usable if test(s)) for test in tests]


def test_sample_of_naughty_strings_as_shell_words(sqlite_app: App, admin: Caller) -> None:
    app = sqlite_app
    problems: list[str] = []
    for value in argv_sample(naughty_strings()):
        done = cli(app, "create", "task", "title=naughty", f"description={value}")
        stderr = done.stderr.decode("utf-8", "replace")
        if "Traceback" in stderr or done.returncode not in (0, 3):
            problems.append(f"{value!r}: exit {done.returncode}: {stderr[-300:]}")
            continue
        if done.returncode == 3:
            problems.append(f"{value!r}: refused, though any text fits a description")
            continue
        created: dict[str, Any] = json.loads(done.stdout)
        got = app.bus.dispatch("task.get", {"id": created["id"]}, admin)
        if (created["description"], got["description"]) != (value, value):
            problems.append(f"{value!r}: stored {got['description']!r}")
    assert problems == [], "\n".join(problems)
