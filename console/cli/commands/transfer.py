"""`metasaas export` and `metasaas import`: whole entities out as CSV or JSON, and back in.

Export streams page after page (memory stays flat); import sends every row through the
bus, so imported records are validated, permitted and audited like any other.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from console.cli.options import ENTITY_ARGUMENT, selection_options
from console.cli.state import CliState


def _show_report(state: CliState, data: dict[str, Any]) -> None:
    from console.cli.output import emit, visible

    if state.format != "table":
        emit(data, state.format if state.format == "json" else "json")
        return
    rejected = data["rejected"]
    if data["dry_run"]:
        head = f"dry run: {data['accepted']} of {data['rows']} row(s) would be imported"
    elif data["committed"]:
        head = f"imported {data['imported']} of {data['rows']} row(s) into {data['entity']}"
    else:
        head = "atomic import rolled back: nothing was imported"
    if data["skipped"]:
        head += f"; {data['skipped']} already imported (skipped)"
    click.echo(head + (f"; {len(rejected)} rejected:" if rejected else ""))
    for item in rejected:
        message = visible(item["error"]["message"])
        click.echo(f"  row {item['row']} (line {item['line']}): {message}")
    if any(item["error"]["details"].get("reason") == "exists" for item in rejected):
        click.echo("rows that exist were imported before: add --resume to skip them")


def _import(
    state: CliState, entity_name: str, path: str, atomic: bool, dry_run: bool, resume: bool
) -> None:
    from pathlib import Path

    from console.cli.common import resolve
    from console.cli.exit_codes import exit_code_for
    from console.cli.importing import (
        ImportReport,
        count_rows,
        file_digest,
        read_rows,
        row_id,
        run_import,
    )
    from core.model.describe import action_input_schema

    app = state.app
    entity = resolve(state, entity_name)
    caller = state.caller()
    file = Path(path)
    digest = file_digest(file)
    create = action_input_schema(app.registry.action(f"{entity.key}.create"))
    slots = create["properties"]
    rows = read_rows(file, entity, slots, lambda n: row_id(caller.tenant_id, entity, digest, n))
    report = ImportReport(entity.name, str(file), dry_run=dry_run, atomic=atomic)
    show_progress = sys.stderr.isatty()
    total = count_rows(file) if show_progress else 0
    bar = (
        click.progressbar(length=total, label=f"importing {entity.plural}", file=sys.stderr)
        if show_progress
        else None
    )

    def advance() -> None:
        if bar is not None:
            bar.update(1)

    try:
        run_import(app.bus, caller, entity, rows, report, resume=resume, advance=advance)
    finally:
        if bar is not None:
            bar.render_finish()
    _show_report(state, report.to_dict())
    if report.first_error is not None:
        raise SystemExit(int(exit_code_for(report.first_error)))


@click.command(short_help="Write all records of an entity as CSV or JSON.")
@ENTITY_ARGUMENT
@selection_options
@click.pass_obj
def export(
    state: CliState,
    entity_name: str,
    filters: tuple[str, ...],
    search: str | None,
    order_by: str | None,
) -> None:
    """Write every record of ENTITY as CSV (--format csv) or one JSON document.

    CSV follows RFC 4180; text cells starting with = + - @ are prefixed with ' so a
    spreadsheet never runs them as formulas (import removes the prefix again).
    """
    from console.cli.common import iter_items, list_request, output_columns, page_max, resolve
    from console.cli.output import stream_json_items, write_csv_stream

    entity = resolve(state, entity_name)
    request = list_request(entity, filters, search=search, order_by=order_by, limit=page_max())
    items = iter_items(state, entity, request, follow=True)
    if state.format == "json":
        stream_json_items(items, spool=False)
    else:
        write_csv_stream(items, output_columns(entity))


@click.command("import", short_help="Create records from a CSV file.")
@ENTITY_ARGUMENT
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--atomic", is_flag=True, help="All rows or none: any bad row rolls back all.")
@click.option("--dry-run", is_flag=True, help="Validate every row; write nothing.")
@click.option(
    "--resume",
    is_flag=True,
    help="Skip rows an earlier (interrupted) import of this file stored.",
)
@click.pass_obj
def import_(
    state: CliState, entity_name: str, path: str, atomic: bool, dry_run: bool, resume: bool
) -> None:
    """Create a record per CSV row (header row: field names) through the bus.

    Reports accepted and rejected rows, with the reason for each rejection; exit 0
    only when no row was rejected.
    """
    _import(state, entity_name, path, atomic, dry_run, resume)


COMMANDS = (export, import_)
