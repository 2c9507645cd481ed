"""`metasaas repl`: an interactive prompt over the same commands."""

from __future__ import annotations

import click

from console.cli.state import CliState


@click.command(short_help="Interactive prompt with completion and history.")
@click.pass_obj
def repl(state: CliState) -> None:
    """Interactive prompt: commands without the `metasaas` prefix, Tab completion,
    history kept in the user data directory. Ctrl+D leaves."""
    if state.parent is not None and state.parent.in_repl:
        raise click.UsageError("already in the REPL")
    from console.cli.repl_session import run_repl

    run_repl(state)


COMMANDS = (repl,)
