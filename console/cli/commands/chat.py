"""`metasaas chat "..." [--session ID] [--yes]`: one chat turn from a script or a shell.

Tokens are printed as they arrive; with `--format json` every event is one JSON line,
flushed as it happens (`token`, `plan`, `action`, `result`, `error`, `done`, the last with
the session id and usage), so a script can follow the answer live. A step that needs
confirmation runs only with `--yes` (or a `y` on a terminal); otherwise nothing of that
plan runs and the exit code is 2.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from console.cli.commands.ask import EXIT_CONFIRM, _finish, _guarded
from console.cli.state import CliState

if TYPE_CHECKING:
    from ai.chat import Event


@click.command("chat")
@click.argument("words", nargs=-1, required=True)
@click.option("--session", "session_id", metavar="ID", help="Continue this chat session.")
@click.option("--yes", "-y", is_flag=True, help="Confirm steps that need it.")
@click.pass_context
def chat(ctx: click.Context, words: tuple[str, ...], session_id: str | None, yes: bool) -> None:
    """Ask, or tell the console to act, in a chat that streams its answer."""
    state: CliState = ctx.obj
    text = " ".join(words)

    def body() -> int:
        from ai.chat import ChatEngine

        engine = ChatEngine(state.app, state.caller(), session_id=session_id)
        for warning in engine.gateway.warnings:
            click.echo(warning, err=True)
        printer = _Printer(state.format, yes)
        for event in engine.turn(text):
            printer.show(event)
        return printer.code

    _finish(ctx, state, _guarded(state, body))


class _Printer:
    """Prints each event as it comes and remembers the exit code the turn deserves."""

    def __init__(self, fmt: str, yes: bool) -> None:
        self.json = fmt == "json"
        self.yes = yes
        self.code = 0
        self.mid_line = False

    def show(self, event: Event) -> None:
        from ai.chat import ErrorEvent, PlanEvent, ResultEvent

        if isinstance(event, PlanEvent) and event.awaiting:
            self._decide(event)
        if isinstance(event, ErrorEvent):
            self._error_code(event.code, event.fatal)
        if isinstance(event, ResultEvent) and not event.ok and self.code == 0:
            self._error_code(str((event.error or {}).get("code", "internal")), True)
        if self.json:
            from console.cli.output import emit_json

            emit_json(event.public())
            sys.stdout.flush()
            return
        getattr(self, f"_text_{event.type}")(event)

    def _decide(self, event: Any) -> None:
        if self.yes:
            event.decide(True)
        elif not self.json and sys.stdin.isatty():
            self._text_plan(event)
            event.decide(click.confirm("Run this plan?", default=False, err=True))

    def _error_code(self, code: str, fatal: bool) -> None:
        from console.cli.exit_codes import _BY_CODE, ExitCode

        if code == "confirmation_needed":
            self.code = EXIT_CONFIRM
        elif fatal and self.code == 0:
            self.code = int(_BY_CODE.get(code, ExitCode.INTERNAL))

    def _line(self, text: str, err: bool = False) -> None:
        if self.mid_line:
            click.echo("")
            self.mid_line = False
        click.echo(text, err=err)

    def _text_token(self, event: Any) -> None:
        click.echo(event.text, nl=False)
        sys.stdout.flush()
        self.mid_line = True

    def _text_plan(self, event: Any) -> None:
        for step in event.steps:
            flag = (
                "needs confirmation: " + step["reason"]
                if step["needs_confirmation"]
                else step["tier"]
            )
            fields = " ".join(f"{k}={v}" for k, v in step["input"].items())
            self._line(f"  plan {step['step']}. {step['action_id']} {fields}  [{flag}]")

    def _text_action(self, event: Any) -> None:
        self._line(f"  run  {event.step}. {event.action_id}")

    def _text_result(self, event: Any) -> None:
        mark = "ok" if event.ok else "failed"
        self._line(f"  {mark:<4} {event.step}. {event.action_id}: {event.summary}")

    def _text_error(self, event: Any) -> None:
        hint = " Re-run with --yes to confirm." if event.code == "confirmation_needed" else ""
        self._line(f"! {event.message}{hint}", err=True)

    def _text_done(self, event: Any) -> None:
        usage = event.usage
        self._line(
            f"[session {event.session_id} · {event.model} · "
            f"{usage.get('total_tokens', 0)} tokens{' · stopped' if event.stopped else ''}]",
            err=True,
        )


COMMANDS = (chat,)
