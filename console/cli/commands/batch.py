"""`metasaas batch`: many actions from JSON Lines on stdin, for scripts and pipelines."""

from __future__ import annotations

import sys

import click

from console.cli.state import CliState


@click.command(short_help="Run actions from JSON Lines on stdin.")
@click.option(
    "--atomic",
    is_flag=True,
    help="One transaction for all lines: the first failure rolls everything back.",
)
@click.pass_obj
def batch(state: CliState, atomic: bool) -> None:
    """Run actions read as JSON Lines from stdin, one result line each, in order.

    \b
    in:  {"action": "task.create", "input": {"title": "Ship"}, "id": 1}
    out: {"id": 1, "ok": true, "data": {...}}
         {"id": 2, "ok": false, "error": {"code": ..., "message": ..., "details": ...}}

    Exit 0 when every line succeeded, else the exit code of the first failure.
    """
    from console.cli.batching import read_lines, run_atomic, run_each
    from console.cli.diagnose import explain
    from console.cli.exit_codes import exit_code_for
    from console.cli.output import emit_error

    app = state.app
    caller = state.caller()
    lines = read_lines(sys.stdin.buffer)
    out = sys.stdout
    if atomic:
        failure = run_atomic(app.bus, caller, lines, out)
        if failure is not None:
            emit_error(explain(state, failure), state.format)
    else:
        failure = run_each(app.bus, caller, lines, out)
    if failure is not None:
        raise SystemExit(int(exit_code_for(failure)))


COMMANDS = (batch,)
