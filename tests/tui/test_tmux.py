"""The real terminal: `metasaas` in tmux at 120x40 on a seeded database, driven by keys.

Opens Tasks through Ctrl+P and through `:tasks`, creates a task through the form, sees
it in the table, finds it and its audit entry in the database, and leaves with Ctrl+Q
without leaving a process behind. Never skipped under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.tui.support import seed_database

ROOT = Path(__file__).resolve().parents[2]
METASAAS = Path(sys.executable).parent / "metasaas"


def need_tmux() -> str:
    found = shutil.which("tmux")
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("tmux is not installed (CI=true: the terminal test must run)")
        pytest.skip("tmux is not installed (apt-get install -y tmux)")
    return found


class Terminal:
    def __init__(self, tmux: str, name: str) -> None:
        self.tmux, self.name = tmux, name

    def run(self, *args: str) -> str:
        done = subprocess.run([self.tmux, *args], capture_output=True, text=True, check=False)
        return done.stdout

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.name, *keys)
        time.sleep(0.3)

    def text(self, literal: str) -> None:
        self.run("send-keys", "-t", self.name, "-l", literal)
        time.sleep(0.3)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.name)

    def wait_for(self, *needles: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if all(n in shown for n in needles):
                return shown
            time.sleep(0.2)
        size = self.run("display", "-p", "-t", self.name, "#{window_width}x#{window_height}")
        raise AssertionError(f"never showed {needles!r} at {size}; the screen was:\n{shown}")

    def alive(self) -> bool:
        return (
            subprocess.run(
                [self.tmux, "has-session", "-t", self.name], capture_output=True, check=False
            ).returncode
            == 0
        )


def cli(url: str, *args: str) -> object:
    out = subprocess.run(
        [str(METASAAS), "--db", url, *args, "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout)


def test_metasaas_in_a_real_terminal(tmp_path: Path) -> None:
    tmux = need_tmux()
    db = tmp_path / "term.db"
    url = f"sqlite:///{db}"
    seed_database(url)
    name = f"metasaas-{uuid.uuid4().hex[:8]}"
    term = Terminal(tmux, name)
    # COLUMNS/LINES in the test run's environment would override the window's real size
    env = "env -u COLUMNS -u LINES TERM=xterm-256color METASAAS_ALLOW_DEV_AUTH=1"
    command = f"{env} {METASAAS} --db {url}"
    term.run("new-session", "-d", "-s", name, "-x", "120", "-y", "40", command)
    try:
        term.wait_for("MetaSAAS Console", "Tasks", "20")
        term.keys("C-p")
        term.text("Open Tasks")
        term.wait_for("Open Tasks")
        term.keys("Enter")
        term.wait_for("sort: due_date", "Agree the sitemap")
        term.keys("Escape")
        term.wait_for("Welcome")
        term.text(":")
        term.wait_for(":entity [id prefix]")
        term.text("tasks")
        term.keys("Enter")
        shown = term.wait_for("20 Tasks", "Agree the sitemap")
        term.keys("n")
        term.wait_for("New Task", "Title *")
        term.text("Written in tmux")
        term.keys("Tab", "Tab", "Tab")
        term.text("2020-01-01")
        term.keys("C-s")
        shown = term.wait_for("21 Tasks", "Written in tmux")
        assert shown.index("Written in tmux") < shown.index("Agree the sitemap")
        term.keys("C-q")
        deadline = time.monotonic() + 10
        while term.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not term.alive(), "Ctrl+Q did not end the program"
    finally:
        if term.alive():
            term.run("kill-session", "-t", name)
    leftover = subprocess.run(["pgrep", "-f", str(db)], capture_output=True, text=True)
    assert leftover.stdout.strip() == "", f"processes left behind: {leftover.stdout}"
    items = cli(url, "list", "task", "--filter", "title=Written in tmux")["items"]  # type: ignore[index]
    assert len(items) == 1 and items[0]["due_date"] == "2020-01-01"
    audit = cli(url, "audit", "list", "--entity", "task", "--limit", "5")["items"]  # type: ignore[index]
    entry = next(e for e in audit if e["record_id"] == items[0]["id"])
    assert entry["action_id"] == "task.create" and entry["outcome"] == "success"
    assert entry["actor_id"] == "dev-admin" and entry["caller_type"] == "human"
