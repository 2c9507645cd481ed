"""`metasaas audit`: read and verify the tamper-evident audit log."""

from __future__ import annotations

import click

from console.cli.options import CALLER_TYPES, CURSOR, entity_option
from console.cli.output import emit
from console.cli.state import CliState

TABLE_COLUMNS = ["seq", "occurred_at", "actor_id", "action_id", "record_id", "outcome", "fields"]


@click.group()
def audit() -> None:
    """Read and verify the audit log."""


@audit.command("list")
@entity_option("Only entries about this entity.")
@click.option("--actor", metavar="U", help="Only entries by this user id.")
@click.option(
    "--caller-type",
    type=click.Choice(CALLER_TYPES),
    help="Only entries by this kind of caller (ai_agent: what the AI did).",
)
@click.option("--since", metavar="T", help="ISO date/datetime, or an age: 30m, 12h, 7d.")
@click.option(
    "--limit",
    type=int,
    default=50,
    show_default=True,
    metavar="N",
    help="Entries per page, 1..1000.",
)
@CURSOR
@click.pass_obj
def list_(
    state: CliState,
    entity_name: str | None,
    actor: str | None,
    caller_type: str | None,
    since: str | None,
    limit: int,
    cursor: str | None,
) -> None:
    """Audit entries of your tenant, newest first."""
    from console.cli.common import dispatch

    request = {
        "entity": entity_name,
        "actor": actor,
        "caller_type": caller_type,
        "since": since,
        "limit": limit,
        "cursor": cursor,
    }
    page = dispatch(state, "audit.list", {k: v for k, v in request.items() if v is not None})
    if state.format == "table":
        for item in page["items"]:
            item["fields"] = ", ".join(k for k in item["changes"] if not k.startswith("_"))
        emit(page, "table", TABLE_COLUMNS)
    else:
        emit(page, state.format, list(page["items"][0]) if page["items"] else [])


@audit.command("verify")
@click.option("--all-tenants", is_flag=True, help="Verify every tenant's chain.")
@click.pass_obj
def verify(state: CliState, all_tenants: bool) -> None:
    """Recompute the hash chain; exit 1 and name the first broken entry if tampered."""
    from console.cli.common import dispatch

    data = dispatch(state, "audit.verify", {"all_tenants": all_tenants})
    if state.format == "json":
        emit(data, "json")
    else:
        if not data["chains"]:
            click.echo("no audit entries yet")
        for r in data["chains"]:
            waiting = f", {r['pending']} awaiting their seal" if r["pending"] else ""
            if r["ok"]:
                click.echo(f"tenant {r['tenant']}: {r['entries']} entries, chain intact{waiting}")
            else:
                click.echo(
                    f"tenant {r['tenant']}: BROKEN at entry {r['broken_at']} ({r['reason']})"
                )
    if not data["ok"]:
        raise SystemExit(1)


COMMANDS = (audit,)
