"""Record shorthands (`list`, `get`, `create`, ...) and `run`, which dispatches any action.

Each command only maps shell words to one action's input and its result back to text;
the bus does the validating, permitting and writing.
"""

from __future__ import annotations

from typing import Any

import click

from console.cli.options import (
    ASSIGNMENTS,
    CURSOR,
    ENTITY_ARGUMENT,
    RECORD_ID,
    YES,
    complete_action,
    selection_options,
)
from console.cli.state import CliState


def _write(
    state: CliState,
    entity_name: str,
    verb: str,
    assignments: tuple[str, ...],
    fixed: dict[str, Any],
) -> None:
    from console.cli.common import dispatch, emit_record, resolve
    from console.cli.values import parse_assignments
    from core.errors import InvalidInput, field_error
    from core.model.describe import action_input_schema

    entity = resolve(state, entity_name)
    action_id = f"{entity.key}.{verb}"
    schema = action_input_schema(state.app.registry.action(action_id))
    payload = parse_assignments(assignments, schema)
    clash = sorted(set(payload) & set(fixed))
    if clash:  # `update task ID id=OTHER`: the record's id is not a field to change
        raise InvalidInput.of(
            [
                field_error(name, "immutable", "cannot be changed: it names the record")
                for name in clash
            ]
        )
    emit_record(state, dispatch(state, action_id, {**payload, **fixed}))


def _show_moves(state: CliState, result: dict[str, Any]) -> None:
    from console.cli.output import emit, render_table, visible

    if state.format != "table":
        emit(result, state.format)
        return
    for workflow in result["workflows"]:
        click.echo(visible(f"{workflow['field']}: {workflow['state']}"))
        rows = [
            {
                "to": m["to"],
                "trigger": m["trigger"],
                "missing": ", ".join(m["missing"]),
            }
            for m in workflow["moves"]
        ]
        click.echo(render_table(rows, ["to", "trigger", "missing"]) if rows else "(no moves)")


def _read_input(text: str | None, path: str | None) -> dict[str, Any]:
    """`--input` or `--input-file` as a JSON object; bounded in size and depth, and a file
    that is not UTF-8 JSON is named as such (exit 3), never an internal error."""
    import json
    import sys

    from core.errors import InvalidInput
    from core.jsonable import JSON_MAX_BYTES, loads_bounded

    if text is not None and path is not None:
        raise click.UsageError("give --input or --input-file, not both")
    source = "--input"
    data: str | bytes | None = text
    if path is not None:
        source = f"--input-file {path}"
        if path == "-":
            data = sys.stdin.buffer.read(JSON_MAX_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(JSON_MAX_BYTES + 1)
    if data is None:
        return {}
    try:
        parsed = loads_bounded(data)
    except UnicodeDecodeError:
        raise InvalidInput(f"{source}: is not UTF-8 text", {"reason": "not_text"}) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{source}: is not valid JSON: {exc.msg} at line {exc.lineno}",
            {"reason": "not_json"},
        ) from None
    except ValueError as exc:
        raise InvalidInput(f"{source}: {exc}", {"reason": "out_of_bounds"}) from None
    if not isinstance(parsed, dict):
        raise InvalidInput(f"{source}: must be a JSON object")
    return parsed


@click.command("list", short_help="List records of an entity.")
@ENTITY_ARGUMENT
@selection_options
@click.option("--limit", type=int, metavar="N", help="Records per page, 1..500 (default 50).")
@CURSOR
@click.option("--all", "follow", is_flag=True, help="Follow cursors and print every page.")
@click.pass_obj
def list_(
    state: CliState,
    entity_name: str,
    filters: tuple[str, ...],
    search: str | None,
    order_by: str | None,
    limit: int | None,
    cursor: str | None,
    follow: bool,
) -> None:
    """List records of ENTITY (json: {"items": [...], "next_cursor": ...})."""
    from console.cli.common import (
        dispatch,
        iter_items,
        list_request,
        output_columns,
        page_max,
        resolve,
        table_columns,
    )
    from console.cli.output import emit, stream_json_items, write_csv_stream

    entity = resolve(state, entity_name)
    request = list_request(entity, filters, search=search, order_by=order_by, cursor=cursor)
    if limit is not None or follow:
        request["limit"] = page_max() if limit is None else limit
    fmt = state.format
    if not follow:
        page = dispatch(state, f"{entity.key}.list", request)
        columns = output_columns(entity) if fmt == "csv" else table_columns(entity)
        emit(page, fmt, columns)
        return
    items = iter_items(state, entity, request, follow=True)
    if fmt == "json":
        stream_json_items(items, spool=True)
    elif fmt == "csv":
        write_csv_stream(items, output_columns(entity))
    else:
        emit({"items": list(items), "next_cursor": None}, fmt, table_columns(entity))


@click.command()
@ENTITY_ARGUMENT
@RECORD_ID
@click.option(
    "--reveal",
    "reveal",
    multiple=True,
    metavar="FIELD",
    help="Show this sensitive field unmasked (if your roles may read it); audited.",
)
@click.pass_obj
def get(state: CliState, entity_name: str, record_id: str, reveal: tuple[str, ...]) -> None:
    """Show one record; sensitive fields you may not read are masked."""
    from console.cli.common import dispatch, emit_record, resolve

    entity = resolve(state, entity_name)
    fields = sorted({n.strip() for r in reveal for n in r.split(",") if n.strip()})
    if fields:  # the audited reveal first: a refusal shows nothing of the record
        revealed = dispatch(
            state, "record.reveal", {"entity": entity.name, "id": record_id, "fields": fields}
        )
    record = dispatch(state, f"{entity.key}.get", {"id": record_id})
    if fields:
        record = {**record, **{k: v for k, v in revealed.items() if k != "id"}}
    emit_record(state, record)


@click.command(short_help="Create a record from KEY=VALUE pairs.")
@ENTITY_ARGUMENT
@ASSIGNMENTS
@click.pass_obj
def create(state: CliState, entity_name: str, assignments: tuple[str, ...]) -> None:
    """Create a record: `metasaas create task title="Write it" priority=high`.

    Each VALUE is read as its field's declared type: integers and numbers, true/false,
    YYYY-MM-DD dates, ISO 8601 datetimes, one of an enum's options, JSON for json
    fields, a UUID for `<relation>_id`; `null` leaves the field empty.
    """
    _write(state, entity_name, "create", assignments, {})


@click.command(short_help="Change fields of a record.")
@ENTITY_ARGUMENT
@RECORD_ID
@ASSIGNMENTS
@click.pass_obj
def update(state: CliState, entity_name: str, record_id: str, assignments: tuple[str, ...]) -> None:
    """Change fields: `metasaas update task ID due_date=2025-06-30 description=null`.

    Values are read as in `create`; `null` clears a field; `expected_version=N` makes
    the update fail with a conflict if the record changed since version N.
    """
    _write(state, entity_name, "update", assignments, {"id": record_id})


@click.command()
@ENTITY_ARGUMENT
@RECORD_ID
@YES
@click.pass_obj
def delete(state: CliState, entity_name: str, record_id: str, yes: bool) -> None:
    """Delete a record (asks first on a terminal)."""
    import sys

    from console.cli.common import dispatch, emit_record, resolve

    entity = resolve(state, entity_name)
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError("refusing to delete without --yes: stdin is not a terminal")
        click.confirm(f"Delete {entity.name} {record_id}?", abort=True, err=True)
    emit_record(state, dispatch(state, f"{entity.key}.delete", {"id": record_id}))


@click.command(short_help="Move a record to another workflow state.")
@ENTITY_ARGUMENT
@RECORD_ID
@click.argument("target", metavar="STATE")
@click.option("--expected-version", type=int, metavar="N", help="Fail if the record moved on.")
@click.pass_obj
def transition(
    state: CliState, entity_name: str, record_id: str, target: str, expected_version: int | None
) -> None:
    """Move a record along its workflow to STATE (a state or a trigger name)."""
    from console.cli.common import dispatch, emit_record, resolve

    entity = resolve(state, entity_name)
    states, triggers = entity.workflow_states(), entity.workflow_triggers()
    payload: dict[str, Any] = {"id": record_id}
    # A trigger name (`start`) reads as well as a state (`in_progress`).
    payload["trigger" if target in triggers and target not in states else "to"] = target
    if expected_version is not None:
        payload["expected_version"] = expected_version
    emit_record(state, dispatch(state, f"{entity.key}.transition", payload))


@click.command()
@ENTITY_ARGUMENT
@RECORD_ID
@click.pass_obj
def transitions(state: CliState, entity_name: str, record_id: str) -> None:
    """The workflow moves a record can make now."""
    from console.cli.common import dispatch, resolve

    entity = resolve(state, entity_name)
    _show_moves(state, dispatch(state, f"{entity.key}.transitions", {"id": record_id}))


@click.command(short_help="Dispatch any action by its id.")
@click.argument("action_id", shell_complete=complete_action)
@ASSIGNMENTS
@click.option("--input", "input_text", metavar="JSON", help="The action's input as JSON.")
@click.option(
    "--input-file",
    metavar="F",
    type=click.Path(exists=True, dir_okay=False, allow_dash=True),
    help="Read the JSON input from F (- for stdin).",
)
@click.pass_obj
def run(
    state: CliState,
    action_id: str,
    assignments: tuple[str, ...],
    input_text: str | None,
    input_file: str | None,
) -> None:
    """Dispatch any action: `metasaas run project.summary id=...` (KEY=VALUE wins over JSON)."""
    from console.cli.common import dispatch, emit_record
    from console.cli.values import parse_assignments
    from core.model.describe import action_input_schema

    payload = _read_input(input_text, input_file)
    if assignments:
        spec = state.app.registry.action(action_id)
        payload.update(parse_assignments(assignments, action_input_schema(spec)))
    emit_record(state, dispatch(state, action_id, payload))


COMMANDS = (list_, get, create, update, delete, transition, transitions, run)
