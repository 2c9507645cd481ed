"""`metasaas ask` and `metasaas apply`: plain-language commands, and stored plans run later.

`ask` plans (with the model when one can answer, else offline), shows the plan, and runs
it unless `--dry-run`; steps that need confirmation wait for `--yes` (or a `y` on a
terminal). `apply` runs a stored plan exactly, re-validated and re-authorised by the bus,
with no model call. A process that imported litellm ends with a flushed `os._exit`,
which skips the second its interpreter would spend tearing litellm down.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from console.cli.state import CliState

if TYPE_CHECKING:
    from ai.plan import Plan
    from ai.preview import StepView
    from ai.runner import Origin, RunReport

HARD_EXIT = True  # tests that run the CLI in-process switch this off
EXIT_CONFIRM = 2
EXIT_UNMAPPED = 3


@click.command("ask")
@click.argument("words", nargs=-1, required=True)
@click.option("--yes", "-y", is_flag=True, help="Confirm steps that need it (deletes, ...).")
@click.option("--dry-run", is_flag=True, help="Print the plan; run nothing.")
@click.option("--offline", is_flag=True, help="Use the offline interpreter, never a model.")
@click.pass_context
def ask(
    ctx: click.Context, words: tuple[str, ...], yes: bool, dry_run: bool, offline: bool
) -> None:
    """Turn a plain-language command into actions: `metasaas ask "add a task called X"`."""
    state: CliState = ctx.obj
    command = " ".join(words)

    def body() -> int:
        from ai.interpreter import Interpreter
        from ai.runner import Origin

        app, user = state.app, state.caller()
        interpreter = Interpreter(app, user)
        if offline:
            plan, model, notice = interpreter.offline(command), "offline", None
        else:
            found = interpreter.interpret(command)
            plan, model, notice = found.plan, found.model, found.notice
        for warning in interpreter.gateway.warnings:
            click.echo(warning, err=True)
        if notice:
            click.echo(notice, err=True)
        origin = Origin("cli", command, model)
        return _handle(state, plan, origin, yes=yes, dry_run=dry_run)

    _finish(ctx, state, _guarded(state, body))


@click.command("apply")
@click.argument("source", type=click.File("rb"), metavar="PLAN.json|-")
@click.option("--yes", "-y", is_flag=True, help="Confirm steps that need it.")
@click.option("--dry-run", is_flag=True, help="Check and show the plan; run nothing.")
@click.pass_context
def apply(ctx: click.Context, source: Any, yes: bool, dry_run: bool) -> None:
    """Run a stored plan (from `ask --dry-run --format json`) exactly; no model is asked."""
    state: CliState = ctx.obj

    def body() -> int:
        from ai.plan import MAX_PLAN_BYTES, load
        from ai.runner import Origin

        plan = load(source.read(MAX_PLAN_BYTES + 1))
        origin = Origin("cli", None, "offline" if plan.source == "offline" else "model")
        return _handle(state, plan, origin, yes=yes, dry_run=dry_run)

    _finish(ctx, state, _guarded(state, body))


def _guarded(state: CliState, body: Any) -> int:
    """Run `body`, turning a platform error into its message and exit code here, so the
    hard exit below still reports it."""
    from console.cli.exit_codes import exit_code_for
    from console.cli.output import emit_error
    from core.errors import MetaSaasError

    try:
        return int(body())
    except MetaSaasError as exc:
        emit_error(exc, state.format)
        return int(exit_code_for(exc))


def _finish(ctx: click.Context, state: CliState, code: int) -> None:
    from ai import metering
    from ai.gateway import imported

    metering.flush()  # usage lines are written before the app (and the process) ends
    if HARD_EXIT and imported() and state.parent is None and not state.in_repl:
        state.close()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    ctx.exit(code)


def _handle(state: CliState, plan: Plan, origin: Origin, *, yes: bool, dry_run: bool) -> int:
    from ai.preview import preview
    from ai.runner import ConfirmationNeeded, run_plan

    app, user = state.app, state.caller()
    views = preview(app, user, plan)
    fmt = state.format
    if dry_run:
        _show_plan(plan, views, fmt, public_only=True)
        return 0 if plan.steps else EXIT_UNMAPPED
    if not plan.steps:
        _show_plan(plan, views, fmt)
        return EXIT_UNMAPPED
    confirmed_by = user.user_id if yes else None
    waiting = [v for v in views if v.risk.needs_confirmation]
    if waiting and not yes and sys.stdin.isatty() and fmt == "table":
        _show_plan(plan, views, fmt)
        if click.confirm("Run this plan?", default=False, err=True):
            confirmed_by = user.user_id
    try:
        report = run_plan(app, user, plan, origin, confirmed_by=confirmed_by)
    except ConfirmationNeeded as exc:
        _show_plan(plan, views, fmt, needs=exc.steps)
        click.echo(
            f"step {', '.join(map(str, exc.steps))} need confirmation "
            f"({'; '.join(exc.reasons)}); nothing was run. Re-run with --yes to confirm.",
            err=True,
        )
        return EXIT_CONFIRM
    _show_run(plan, views, report, fmt, origin)
    return _exit_for(report)


def _exit_for(report: RunReport) -> int:
    from console.cli.exit_codes import exit_code_for

    error = report.error
    return 0 if error is None else int(exit_code_for(error))


def _show_plan(
    plan: Plan,
    views: list[StepView],
    fmt: str,
    *,
    public_only: bool = False,
    needs: list[int] | None = None,
) -> None:
    from console.cli.output import emit_json

    if fmt == "json":
        if public_only:
            emit_json(plan.public())
        else:
            out: dict[str, Any] = {"plan": plan.public(), "preview": [v.public() for v in views]}
            if needs is not None:
                out["needs_confirmation"] = needs
            emit_json(out)
        return
    click.echo(f"Plan ({plan.source}): {plan.explanation}")
    for view in views:
        click.echo("  " + describe_step(view))


def describe_step(view: StepView) -> str:
    fields = " ".join(f"{k}={_short(v)}" for k, v in view.fields.items())
    flag = (
        "needs confirmation: " + view.risk.reason
        if view.risk.needs_confirmation
        else view.risk.tier.value
    )
    problem = f"  !! {view.problem}" if view.problem else ""
    return f"{view.number}. {view.action_id} {fields}  [{flag}]{problem}"


def _short(value: Any) -> str:
    import json

    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"


def _show_run(
    plan: Plan, views: list[StepView], report: RunReport, fmt: str, origin: Origin
) -> None:
    from console.cli.output import emit, emit_json

    if fmt == "json":
        emit_json({"plan": plan.public(), "model": origin.model, "run": report.public()})
        return
    _show_plan(plan, views, fmt)
    summary = report.public()
    click.echo(f"Ran {len(summary['ran'])} of {report.total} step(s).", err=True)
    for result in report.results:
        if result.ok:
            emit(result.result, fmt)
        else:
            error = result.error or {}
            click.echo(f"step {result.step} failed: {error.get('message')}", err=True)
            if summary["not_run"]:
                click.echo(f"not run: step {', '.join(map(str, summary['not_run']))}", err=True)
