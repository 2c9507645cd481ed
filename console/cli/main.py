"""The `metasaas` command: global options, error translation and exit codes.

Imports stay light so a script can call the CLI thousands of times: nothing here loads
the AI layer, the TUI, or Alembic unless the command at hand needs it.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any

import click

from console.cli.exit_codes import HELP_TEXT, ExitCode, exit_code_for
from console.cli.state import CliState

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(
    invoke_without_command=True,
    context_settings=CONTEXT,
    epilog=HELP_TEXT + " Global options may also follow the command.",
)
@click.option("--db", metavar="URL", help="Database URL (overrides METASAAS_DATABASE_URL).")
@click.option("--tenant", metavar="T", help="Tenant to act in (default from settings).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "table", "csv"]),
    help="Output format; default table on a terminal, json otherwise.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks on stderr.")
@click.version_option(package_name="metasaas", message="metasaas %(version)s")
@click.pass_context
def cli(
    ctx: click.Context, db: str | None, tenant: str | None, fmt: str | None, debug: bool
) -> None:
    """MetaSAAS Console: declared entities, one permissioned action bus, verifiable audit."""
    state = CliState(db=db, tenant=tenant, fmt=fmt, debug=debug)
    ctx.obj = state
    ctx.call_on_close(state.close)
    if ctx.invoked_subcommand is None:
        from console.cli.commands.admin import show_status

        if sys.stdout.isatty() or fmt:
            show_status(state)
        else:
            click.echo(ctx.get_help())


def _register() -> None:
    from console.cli.commands import admin, audit

    for module in (admin, audit):
        module.register(cli)


_register()


def _fail(error: Any, state: CliState | None, fmt: str) -> int:
    from console.cli.output import emit_error

    emit_error(error, fmt)
    if state is not None and state.debug:
        traceback.print_exc()
    return int(exit_code_for(error))


def run(argv: list[str] | None = None) -> None:
    """Console-script entry point: every failure becomes a message and an exit code."""
    from core.errors import DefinitionError, InternalError, MetaSaasError

    args = hoist_global_options(sys.argv[1:] if argv is None else argv)
    fmt = _peek_format(args)
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="metasaas", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(ExitCode.USAGE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.USAGE if exc.exit_code == 2 else exc.exit_code)
    except MetaSaasError as exc:
        sys.exit(_fail(exc, _state(debug), fmt))
    except DefinitionError as exc:
        sys.exit(_fail(InternalError(f"bad entity definition: {exc}"), _state(debug), fmt))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception:
        error = InternalError("internal error; nothing was saved (run with --debug for details)")
        sys.exit(_fail(error, _state(debug), fmt))


GLOBAL_WITH_VALUE = ("--db", "--tenant", "--format")
GLOBAL_FLAGS = ("--debug",)


def hoist_global_options(args: list[str]) -> list[str]:
    """Let global options appear anywhere (`metasaas list task --format json`).

    Click wants them before the subcommand; they are moved there, up to a `--`.
    """
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_WITH_VALUE:
            if "=" in arg:
                front.append(arg)
            else:
                front.extend(args[i : i + 2])
                i += 1
        elif arg in GLOBAL_FLAGS:
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


def _state(debug: bool) -> CliState:
    return CliState(debug=debug)


def _peek_format(args: list[str]) -> str:
    for i, arg in enumerate(args):
        if arg == "--format" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--format="):
            return arg.split("=", 1)[1]
    return "table" if sys.stdout.isatty() else "json"


if __name__ == "__main__":
    run()
