"""`metasaas tui`: open the Textual console with the same global options (--db, --tenant)."""

from __future__ import annotations

import click

from console.cli.state import CliState


@click.command("tui")
@click.pass_obj
def tui(state: CliState) -> None:
    """Open the full-screen console: tables, records, forms (keyboard first; ? for keys)."""
    from console.tui.launch import run_tui

    run_tui(state)


COMMANDS = (tui,)
