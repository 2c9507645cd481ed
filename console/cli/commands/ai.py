"""`metasaas ai usage`, and the list of every AI command (ask, apply, keys, ai).

`COMMANDS` lives here so that `console/cli/main.py` names one module for the AI layer.
"""

from __future__ import annotations

import click

from console.cli.state import CliState


@click.group("ai")
def ai() -> None:
    """The AI layer: usage and cost of model calls."""


@ai.command("usage")
@click.option("--since", metavar="T", help="ISO date/datetime, or an age: 12h, 7d.")
@click.option("--by", type=click.Choice(["user", "model"]), default="model", show_default=True)
@click.pass_obj
def usage(state: CliState, since: str | None, by: str) -> None:
    """Model calls, tokens, cost and latency, grouped by user or model (admins: the tenant)."""
    from ai import platform
    from console.cli.output import emit

    summary = platform.usage_summary(state.app, state.caller(), since, by)
    columns = [
        "key",
        "calls",
        "errors",
        "prompt_tokens",
        "completion_tokens",
        "cost_usd",
        "avg_latency_ms",
    ]
    emit({"items": summary["items"], "next_cursor": None}, state.format, columns)


def _commands() -> tuple[click.Command, ...]:
    from console.cli.commands.ask import apply, ask
    from console.cli.commands.keys import keys

    return (ask, apply, keys, ai)


# The AI layer's commands, registered by `console/cli/main.py` (COMMAND_MODULES).
COMMANDS = _commands()
