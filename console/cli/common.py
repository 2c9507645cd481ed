"""Pieces every record command shares: entity lookup, dispatch, paging, record output.

Nothing here imports the engine at module level; `metasaas --help` and shell completion
stay cheap.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from console.cli.state import CliState

if TYPE_CHECKING:
    from core.contracts import Entity


def resolve(state: CliState, name: str) -> Entity:
    """Entity by name, plural or key in any case: `Task`, `tasks`, `TASK`."""
    return state.app.registry.entity(name)


def list_request(entity: Entity, filters: tuple[str, ...], **options: Any) -> dict[str, Any]:
    """A `<entity>.list` input from `--filter` strings and the options that were given."""
    from console.cli.values import parse_filters

    request: dict[str, Any] = {"filters": parse_filters(entity, filters)}
    request.update({k: v for k, v in options.items() if v is not None})
    return request


def dispatch(state: CliState, action_id: str, payload: Mapping[str, Any]) -> Any:
    return state.app.bus.dispatch(action_id, dict(payload), state.caller())


def iter_items(
    state: CliState, entity: Entity, request: dict[str, Any], *, follow: bool
) -> Iterator[dict[str, Any]]:
    """Items of a list request, following cursors page after page when `follow`."""
    payload = dict(request)
    while True:
        page = dispatch(state, f"{entity.key}.list", payload)
        yield from page["items"]
        cursor = page.get("next_cursor")
        if not follow or not cursor:
            return
        payload["cursor"] = cursor


def page_max() -> int:
    """The most records one list request may ask for (core's bound)."""
    from core.model.inputs import LIMIT_MAX

    return LIMIT_MAX


def output_columns(entity: Entity) -> list[str]:
    """Every column a record comes back with, in a stable order for CSV headers."""
    from core.model.describe import SYSTEM_PROPERTIES

    system = [c for c in SYSTEM_PROPERTIES if c != "id"]
    return ["id", *entity.column_names(), *system]


def table_columns(entity: Entity) -> list[str]:
    """What fits a terminal: the id and the declared list columns but references (more
    uuids would leave no room for the text); `get` and `--format json` show them."""
    references = {r.column for r in entity.belongs_to}
    declared = [c for c in entity.ui.list_columns if c not in references]
    return ["id", *(declared or [c for c in entity.column_names() if c not in references][:4])]


def emit_record(state: CliState, record: Any) -> None:
    from console.cli.output import emit

    emit(record, state.format)
