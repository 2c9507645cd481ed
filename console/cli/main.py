"""The `metasaas` command: global options, error translation and exit codes.

Imports stay light so a script can call the CLI thousands of times: nothing here loads
the AI layer, the TUI, or Alembic unless the command at hand needs it.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from console.cli.exit_codes import HELP_TEXT, ExitCode, exit_code_for
from console.cli.options import FORMATS, GLOBAL_FLAGS, GLOBAL_WITH_VALUE, LOCAL_FORMATS
from console.cli.state import CliState

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class RootGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        """`metasaas export task | head` closes the pipe early: stop quietly with exit 0.

        Click itself would turn the broken pipe into exit 1, which here means internal error.
        An internal or driver error is looked at here, while the app is still open: when
        the database is not migrated, that is what the command says.
        """
        from core.errors import MetaSaasError

        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _silence_stdout()
            raise click.exceptions.Exit(0) from None
        except Exception as exc:
            if not isinstance(exc, MetaSaasError) and not _from_the_database(exc):
                raise
            from console.cli.diagnose import explain

            better = explain(ctx.obj, exc)  # while the app is still open
            if better is exc:
                raise
            raise better from exc


def _from_the_database(exc: Exception) -> bool:
    """A driver error that escaped the bus (set-up commands read the database directly)."""
    return type(exc).__module__.split(".")[0] == "sqlalchemy"


@click.group(
    cls=RootGroup,
    invoke_without_command=True,
    context_settings=CONTEXT,
    epilog=HELP_TEXT + " Global options may also follow the command.",
)
@click.option("--db", metavar="URL", help="Database URL (overrides METASAAS_DATABASE_URL).")
@click.option("--tenant", metavar="T", help="Tenant to act in (default from settings).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format; default table on a terminal, json otherwise.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks on stderr.")
@click.version_option(package_name="metasaas", message="metasaas %(version)s")
@click.pass_context
def cli(
    ctx: click.Context, db: str | None, tenant: str | None, fmt: str | None, debug: bool
) -> None:
    """MetaSAAS Console: declared entities, one permissioned action bus, verifiable audit."""
    for option, value in (("--db", db), ("--tenant", tenant)):
        if value is not None and not value.strip():
            # A script whose variable is empty must not fall back to the default database
            # or tenant (and delete there).
            raise click.UsageError(f"{option} is empty: give a value or leave the option out")
    parent = ctx.obj if isinstance(ctx.obj, CliState) else None
    state = CliState(db=db, tenant=tenant, fmt=fmt, debug=debug, parent=parent)
    ctx.obj = state
    ctx.call_on_close(state.close)
    if ctx.invoked_subcommand is None:
        from console.cli.commands.admin import show_status

        if parent is not None:
            click.echo(ctx.get_help())
        elif sys.stdout.isatty() and sys.stdin.isatty() and not fmt:
            from console.tui.launch import run_tui

            run_tui(state)
        elif sys.stdout.isatty() or fmt:
            show_status(state)
        else:
            click.echo(ctx.get_help())


# Each module names its module-level click commands in `COMMANDS`; a new module is one more
# name here. Modules import only click at the top, so registering them all stays cheap.
COMMAND_MODULES = (
    "admin",
    "meta",
    "records",
    "batch",
    "transfer",
    "audit",
    "repl",
    "completion",
    "ai",
    "chat",
    "chats",
    "tui",
    "auth",
    "accounts",
)


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        module = importlib.import_module(f"console.cli.commands.{name}")
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def _fail(error: Any, debug: bool, fmt: str) -> int:
    from console.cli.logfile import log_path, show_causes
    from console.cli.output import emit_error

    if error.code == "internal" and "reference" in error.details:
        error.details["log_file"] = str(log_path())
    emit_error(error, fmt)
    if debug:
        show_causes(error)
    return int(exit_code_for(error))


def _usage(exc: click.ClickException, fmt: str) -> int:
    code = ExitCode.USAGE if exc.exit_code == 2 else exc.exit_code
    if fmt == "json":
        from console.cli.output import dumps

        error = {"code": "usage", "message": exc.format_message(), "details": {}}
        print(dumps({"error": error}), file=sys.stderr)
    else:
        exc.show()
    return int(code)


def invoke(args: list[str], obj: CliState | None = None) -> int:
    """Run one command line and return its exit code; every failure becomes a message.

    The console script and the REPL both come through here, so a command behaves the
    same in either place.
    """
    from console.cli.logfile import configure, internal_reference
    from core.errors import DefinitionError, InternalError, MetaSaasError

    args = hoist_global_options(args)
    fmt = _peek_format(args, obj)
    debug = "--debug" in args or (obj is not None and obj.debug)
    configure(debug)
    try:
        # Without standalone mode click returns the code of a `ctx.exit(n)` instead.
        returned = cli.main(args=args, prog_name="metasaas", standalone_mode=False, obj=obj)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.Abort as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):
            print("interrupted", file=sys.stderr)
            return 130
        print("aborted", file=sys.stderr)
        return int(ExitCode.USAGE)
    except click.ClickException as exc:
        return _usage(exc, fmt)
    except MetaSaasError as exc:
        return _fail(exc, debug, fmt)
    except DefinitionError as exc:
        return _fail(InternalError(f"bad entity definition: {exc}"), debug, fmt)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception as exc:
        reference = internal_reference(exc)
        error = InternalError(
            f"internal error (reference {reference}; run with --debug for details)",
            {"reference": reference},
        )
        error.__cause__ = exc
        return _fail(error, debug, fmt)
    return returned if isinstance(returned, int) and not isinstance(returned, bool) else 0


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the final flush at exit cannot fail again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def run(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    sys.exit(invoke(sys.argv[1:] if argv is None else argv))


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
        if _own_format(args, i):
            rest.append(arg)  # `chats export ID --format md`: the command's own option
        elif name in GLOBAL_WITH_VALUE:
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


def _own_format(args: list[str], i: int) -> bool:
    """`--format md` belongs to the command (a transcript export), not to the output."""
    arg = args[i]
    value = arg.split("=", 1)[1] if "=" in arg else (args[i + 1] if i + 1 < len(args) else "")
    return arg.split("=", 1)[0] == "--format" and value in LOCAL_FORMATS


def _peek_format(args: list[str], obj: CliState | None = None) -> str:
    for i, arg in enumerate(args):
        if arg == "--format" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--format="):
            return arg.split("=", 1)[1]
    if obj is not None:
        return obj.format
    return "table" if sys.stdout.isatty() else "json"


if __name__ == "__main__":
    run()
