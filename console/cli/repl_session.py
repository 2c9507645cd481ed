"""The REPL loop: the CLI's own commands, typed without the `metasaas` prefix.

Each line goes through the same `invoke()` as the console script, with the session's
state as parent, so output, errors and exit codes match the shell exactly and the app is
built once per session. Imported only by `metasaas repl`: prompt_toolkit stays out of
every other command's start-up.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import click
from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory

from console.cli.state import CliState

BANNER = (
    "MetaSAAS REPL: commands as in the shell, without `metasaas`. Tab completes; "
    "`help` lists commands; Ctrl+C cancels the line; Ctrl+D leaves."
)
LEAVE = frozenset({"exit", "quit"})


def history_path() -> Path:
    from core.settings import user_data_dir

    return user_data_dir() / "repl_history"


def words(line: str) -> list[str]:
    """Shell words of a line; a leading `metasaas` is tolerated, `help X` is `X --help`."""
    args = shlex.split(line)
    if args and args[0] == "metasaas":
        args = args[1:]
    if args and args[0] == "help":
        args = [*args[1:], "--help"]
    return args


def make_session(state: CliState, **io: Any) -> PromptSession[str]:
    from console.cli.completer import ReplCompleter
    from console.cli.main import cli
    from core.settings import private_dir, private_file

    path = history_path()
    private_dir(path.parent)
    private_file(path)  # what was typed may include values of sensitive fields
    return PromptSession(
        "metasaas> ",
        history=FileHistory(str(path)),
        completer=ReplCompleter(cli, state.app.registry),
        complete_while_typing=False,
        **io,
    )


def run_repl(state: CliState, session: PromptSession[str] | None = None) -> None:
    """Read, run, print until Ctrl+D or `exit`; tests pass a session on a pipe input."""
    from console.cli.main import invoke

    state.in_repl = True
    session = session or make_session(state)
    click.echo(BANNER)
    while True:
        try:
            line = session.prompt()
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        if line.strip() in LEAVE:
            break
        try:
            args = words(line)
        except ValueError as exc:
            click.echo(f"error: {exc}", err=True)
            continue
        if args:
            code = invoke(args, obj=state)
            if code:
                click.echo(f"(exit {code})", err=True)
