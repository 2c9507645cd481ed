"""Every command is a module-level function: importable, and runnable alone with click's
test runner (no 100-line `register()` closure to go through)."""

from __future__ import annotations

import importlib
import json

import click
from click.testing import CliRunner

from console.cli.main import COMMAND_MODULES, cli
from console.cli.state import CliState


def _walk(group: click.Group) -> list[click.Command]:
    found: list[click.Command] = []
    for command in group.commands.values():
        found.append(command)
        if isinstance(command, click.Group):
            found.extend(_walk(command))
    return found


def test_every_command_is_a_module_level_function() -> None:
    commands = _walk(cli)
    assert len(commands) > 15
    for command in commands:
        callback = command.callback
        assert callback is not None
        assert "<locals>" not in callback.__qualname__, command.name
        module = importlib.import_module(callback.__module__)
        assert getattr(module, callback.__name__).callback is callback


def test_every_registered_command_comes_from_a_listed_module() -> None:
    listed = {
        command
        for name in COMMAND_MODULES
        for command in importlib.import_module(f"console.cli.commands.{name}").COMMANDS
    }
    assert set(cli.commands.values()) == listed


def test_a_command_runs_alone(sqlite_db: str) -> None:
    from console.cli.commands.records import get, list_

    state = CliState(db=sqlite_db, fmt="json")
    try:
        listed = CliRunner().invoke(list_, ["task", "--limit", "1"], obj=state)
        assert listed.exit_code == 0, listed.output
        record = json.loads(listed.output)["items"][0]
        got = CliRunner().invoke(get, ["task", record["id"]], obj=state)
        assert got.exit_code == 0, got.output
        assert json.loads(got.output)["id"] == record["id"]
    finally:
        state.close()
