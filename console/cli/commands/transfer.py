"""`metasaas export` and `metasaas import`: whole entities out as CSV or JSON, and back in.

Export streams page after page (memory stays flat); import sends every row through the
bus, so imported records are validated, permitted and audited like any other.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

import click

from console.cli.options import ENTITY_ARGUMENT, selection_options
from console.cli.state import CliState

if TYPE_CHECKING:
    from core.contracts import Entity


def _show_report(state: CliState, data: dict[str, Any]) -> None:
    from console.cli.output import emit, visible

    if state.format != "table":
        emit(data, state.format if state.format == "json" else "json")
        return
    rejected = data["rejected"]
    if data["dry_run"]:
        head = f"dry run: {data['accepted']} of {data['rows']} row(s) would be imported"
    elif data["committed"]:
        done = "restored" if data["restore"] else "imported"
        head = f"{done} {data['imported']} of {data['rows']} row(s) into {data['entity']}"
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


@contextmanager
def _open_text(path: str) -> Iterator[IO[str]]:
    """The file, or standard input for `-`, read once as UTF-8 (a BOM is dropped)."""
    if path == "-":
        stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
        try:
            yield stream
        finally:
            stream.detach()
        return
    with open(path, encoding="utf-8-sig", newline="") as handle:
        yield handle


@contextmanager
def _progress(path: str, entity: Entity) -> Iterator[Callable[[], None]]:
    """A bar on a terminal's stderr, sized by a first pass over a real file."""
    if not sys.stderr.isatty() or path == "-":
        yield lambda: None
        return
    with open(path, encoding="utf-8-sig", newline="") as handle:
        total = max(sum(1 for _ in csv.reader(handle)) - 1, 0)
    bar = click.progressbar(length=total, label=f"importing {entity.plural}", file=sys.stderr)
    try:
        yield lambda: bar.update(1)
    finally:
        bar.render_finish()


def _show_interrupted(state: CliState, report: dict[str, Any]) -> None:
    """Ctrl+C: say on stderr how many rows were stored, so a script can resume knowingly."""
    from console.cli.output import dumps

    stored = report["imported"]
    message = (
        f"interrupted: {stored} row(s) stored of {report['rows']} read; "
        "the same import with --resume imports the rest"
    )
    if state.format == "json":
        error = {"code": "interrupted", "message": message, "details": report}
        print(dumps({"error": error}), file=sys.stderr)
    else:
        print(message, file=sys.stderr)


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


@click.command("import", short_help="Create (or restore) records from a CSV file.")
@ENTITY_ARGUMENT
@click.argument(
    "path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, allow_dash=True)
)
@click.option("--atomic", is_flag=True, help="All rows or none: any bad row rolls back all.")
@click.option("--dry-run", is_flag=True, help="Validate every row; write nothing.")
@click.option(
    "--resume",
    is_flag=True,
    help="Skip rows an earlier (interrupted) import of this file stored.",
)
@click.option(
    "--restore",
    is_flag=True,
    help="Put back exported records as they were: ids, states, timestamps (admins only).",
)
@click.pass_obj
def import_(
    state: CliState,
    entity_name: str,
    path: str,
    atomic: bool,
    dry_run: bool,
    resume: bool,
    restore: bool,
) -> None:
    """Create a record per CSV row (header row: field names) through the bus; FILE may be
    - for standard input.

    Reports accepted and rejected rows, with the reason for each rejection; exit 0
    only when no row was rejected. With --restore each row is a whole exported record
    (`export --format csv`), put back with its id, workflow states, timestamps and
    authors; restore referenced entities first (companies before contacts).
    """
    from console.cli.common import resolve
    from console.cli.exit_codes import exit_code_for
    from console.cli.import_runner import run_import, stop_between_rows
    from console.cli.importing import ImportReport, read_rows, row_id
    from core.model.describe import action_input_schema

    app = state.app
    entity = resolve(state, entity_name)
    caller = state.caller()
    action = f"{entity.key}.{'restore' if restore else 'create'}"
    slots = action_input_schema(app.registry.action(action))["properties"]
    report = ImportReport(entity.name, path, dry_run=dry_run, atomic=atomic, restore=restore)

    def make_id(content: str, occurrence: int) -> str:
        return row_id(caller.tenant_id, entity, content, occurrence)

    try:
        with _open_text(path) as handle, _progress(path, entity) as advance:
            with stop_between_rows() as stop:
                rows = read_rows(handle, slots, make_id)
                run_import(
                    app.bus,
                    caller,
                    entity,
                    action,
                    rows,
                    report,
                    resume=resume,
                    advance=advance,
                    stop=stop,
                )
    except KeyboardInterrupt:
        report.interrupted = True
        _show_interrupted(state, report.to_dict())
        raise SystemExit(130) from None
    _show_report(state, report.to_dict())
    if report.first_error is not None:
        raise SystemExit(int(exit_code_for(report.first_error)))


COMMANDS = (export, import_)
