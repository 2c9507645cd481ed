"""Pieces every record command shares: entity arguments, dispatch, paging, record output.

Nothing here imports the engine at module level; `metasaas --help` and shell completion
stay cheap.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import click

from console.cli.state import CliState

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from core.contracts import Entity
    from core.model.registry import Registry

PAGE_MAX = 500
SYSTEM_OUTPUT_COLUMNS = ("created_at", "updated_at", "created_by", "updated_by", "version")


def _registry_for_completion() -> Registry | None:
    """The declared domain, without touching the database (shell completion runs often)."""
    try:
        from core.model.registry import Registry, load_domain
        from core.settings import Settings

        return Registry(load_domain(Settings().domain))
    except Exception:
        return None


def complete_entity(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    registry = _registry_for_completion()
    if registry is None:
        return []
    keys = sorted(e.key for e in registry.entities.values())
    return [CompletionItem(k) for k in keys if k.startswith(incomplete.lower())]


def complete_action(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    registry = _registry_for_completion()
    if registry is None:
        return []
    return [CompletionItem(a) for a in sorted(registry.actions) if a.startswith(incomplete)]


ENTITY_ARGUMENT = click.argument("entity_name", metavar="ENTITY", shell_complete=complete_entity)


def selection_options(command: Any) -> Any:
    """--filter, --search and --order-by: which records, and in what order (list, export)."""
    for option in reversed(
        (
            click.option(
                "--filter",
                "filters",
                multiple=True,
                metavar="FIELD[__OP]=VALUE",
                help="Keep matching records; OP is eq ne lt lte gt gte in contains. Repeatable.",
            ),
            click.option("--search", metavar="TEXT", help="Text search over the search fields."),
            click.option(
                "--order-by", metavar="[-]FIELD", help="Sort field; a leading - sorts descending."
            ),
        )
    ):
        command = option(command)
    return command


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


def output_columns(entity: Entity) -> list[str]:
    """Every column a record comes back with, in a stable order for CSV headers."""
    return ["id", *entity.column_names(), *SYSTEM_OUTPUT_COLUMNS]


def table_columns(entity: Entity) -> list[str]:
    """What fits a terminal: the id and the declared list columns but references (more
    uuids would leave no room for the text); `get` and `--format json` show them."""
    references = {r.column for r in entity.belongs_to}
    declared = [c for c in entity.ui.list_columns if c not in references]
    return ["id", *(declared or [c for c in entity.column_names() if c not in references][:4])]


def emit_record(state: CliState, record: Any) -> None:
    from console.cli.output import emit

    emit(record, state.format)
