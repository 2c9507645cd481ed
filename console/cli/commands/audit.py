"""`metasaas audit`: read and verify the tamper-evident audit log."""

from __future__ import annotations

import click

from console.cli.output import emit
from console.cli.state import CliState


def register(cli: click.Group) -> None:
    @cli.group()
    def audit() -> None:
        """Read and verify the audit log."""

    @audit.command("verify")
    @click.option("--all-tenants", is_flag=True, help="Verify every tenant's chain.")
    @click.pass_obj
    def verify(state: CliState, all_tenants: bool) -> None:
        """Recompute the hash chain; exit 1 and name the first broken entry if tampered."""
        from core.audit import verify as run_verify

        app = state.app
        tenant = None if all_tenants else app.settings.tenant
        with app.engine.connect() as conn:
            reports = run_verify(conn, tenant)
        data = {
            "ok": all(r.ok for r in reports),
            "chains": [
                {
                    "tenant": r.tenant_id,
                    "entries": r.entries,
                    "ok": r.ok,
                    "broken_at": r.broken_at,
                    "reason": r.reason,
                }
                for r in reports
            ],
        }
        if state.format == "json":
            emit(data, "json")
        else:
            if not reports:
                click.echo("no audit entries yet")
            for r in reports:
                if r.ok:
                    click.echo(f"tenant {r.tenant_id}: {r.entries} entries, chain intact")
                else:
                    click.echo(f"tenant {r.tenant_id}: BROKEN at entry {r.broken_at} ({r.reason})")
        if not data["ok"]:
            raise SystemExit(1)
