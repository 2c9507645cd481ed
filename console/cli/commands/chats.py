"""`metasaas chats`: review chat history headless (list, show, export) and purge it.

Everything goes through the chat actions on the bus, so the same visibility holds as in
the TUI: your own sessions, or (support, admin) every session of your tenant; opening
someone else's is audited and their sensitive values come back masked.
"""

from __future__ import annotations

from typing import Any

import click

from console.cli.options import CURSOR
from console.cli.output import emit
from console.cli.state import CliState

TABLE_COLUMNS = ["id", "owner", "active", "msg", "act", "err", "title"]
MESSAGE_COLUMNS = ["seq", "role", "created_at", "action_id", "error", "content"]


@click.group()
def chats() -> None:
    """Review chat sessions (support staff) and purge old ones (admin)."""


@chats.command("list")
@click.option("--user", metavar="U", help="Only sessions of this user id.")
@click.option("--since", metavar="T", help="Active since: ISO date/datetime, or an age: 7d.")
@click.option("--errors", is_flag=True, help="Only sessions where something failed.")
@click.option("--actions", "ran_actions", is_flag=True, help="Only sessions that ran actions.")
@click.option("--model", metavar="M", help="Only sessions with this model.")
@click.option("--search", metavar="TEXT", help="Title or any message containing TEXT.")
@click.option("--limit", type=int, default=50, show_default=True, metavar="N", help="1..200.")
@CURSOR
@click.pass_obj
def list_(
    state: CliState,
    user: str | None,
    since: str | None,
    errors: bool,
    ran_actions: bool,
    model: str | None,
    search: str | None,
    limit: int,
    cursor: str | None,
) -> None:
    """Chat sessions you may see, most recently active first."""
    from console.cli.common import dispatch

    request = {
        "user": user,
        "since": since,
        "errors": True if errors else None,
        "ran_actions": True if ran_actions else None,
        "model": model,
        "search": search,
        "limit": limit,
        "cursor": cursor,
    }
    page = dispatch(state, "chat.sessions", {k: v for k, v in request.items() if v is not None})
    if state.format == "table":  # narrow headers and minute times: fits 80 columns
        rows = [_row(item) for item in page["items"]]
        emit({"items": rows, "next_cursor": page["next_cursor"]}, "table", TABLE_COLUMNS)
    else:
        emit(page, state.format)


def _row(item: dict[str, Any]) -> dict[str, Any]:
    active = item["last_active_at"]
    return {
        "id": item["id"],
        "owner": item["owner_id"],
        "active": active.strftime("%Y-%m-%d %H:%M") if active is not None else "",
        "msg": item["messages"],
        "act": item["actions"],
        "err": item["errors"],
        "title": item["title"],
    }


@chats.command("show")
@click.argument("session_id")
@click.pass_obj
def show(state: CliState, session_id: str) -> None:
    """One session and its messages (someone else's: audited, sensitive values masked)."""
    from console.cli import transcript
    from console.cli.output import render_mapping, render_table

    data = transcript.load(state.app, state.caller(), session_id)
    if state.format == "json":
        emit(data, "json")
        return
    if state.format == "csv":
        emit({"items": data["messages"], "next_cursor": None}, "csv", MESSAGE_COLUMNS)
        return
    click.echo(render_mapping(data["session"]))
    click.echo("")
    click.echo(render_table(data["messages"], MESSAGE_COLUMNS))
    if data["actions"]:
        click.echo("")
        columns = ["audit_seq", "action_id", "record_id", "outcome", "step"]
        click.echo(render_table(data["actions"], columns, fixed=("record_id",)))


@chats.command("export")
@click.argument("session_id")
@click.option(
    "--format",
    "export_format",
    type=click.Choice(("md", "json")),
    help="md (Markdown, for people; the default) or json (for tools).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file instead of stdout.",
)
@click.pass_obj
def export(state: CliState, session_id: str, export_format: str | None, output: str | None) -> None:
    """A session's transcript, with the audit entries of the actions it ran."""
    from console.cli import transcript

    # `--format json` anywhere is taken as the global output format: it means JSON here too
    export_format = export_format or ("json" if state.fmt == "json" else "md")

    text = transcript.render(transcript.load(state.app, state.caller(), session_id), export_format)
    if output is None:
        click.echo(text, nl=False)
        return
    with open(output, "w", encoding="utf-8") as handle:
        handle.write(text)
    click.echo(f"wrote {output}", err=True)


@chats.command("purge")
@click.option("--older-than", required=True, metavar="AGE", help="e.g. 90d: inactive longer.")
@click.pass_obj
def purge(state: CliState, older_than: str) -> None:
    """Remove sessions inactive for longer than AGE (admin only; audited)."""
    from console.cli.common import dispatch

    result = dispatch(state, "chat.purge", {"older_than": older_than})
    if state.format == "json":
        emit(result, "json")
    else:
        click.echo(
            f"removed {result['removed']} chat session(s) inactive since before "
            f"{result['cutoff'].isoformat()}"
        )


COMMANDS = (chats,)
