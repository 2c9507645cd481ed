"""`metasaas entities` and `metasaas actions`: what the domain declares, for people and tools.

Both read the registry only; they work on a database that was never migrated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from console.cli.options import complete_entity, entity_option
from console.cli.state import CliState

if TYPE_CHECKING:
    from core.contracts import Entity, Field


def _limits(field: Field) -> str:
    parts = []
    if field.min is not None:
        parts.append(f"min {field.min}")
    if field.max is not None:
        parts.append(f"max {field.max}")
    if field.max_length is not None:
        parts.append(f"max length {field.max_length}")
    if field.pattern:
        parts.append(f"pattern {field.pattern}")
    if field.options:
        parts.append("one of " + ", ".join(field.options))
    return "; ".join(parts)


def _describe_entity(entity: Entity, actions: list[str]) -> None:
    from console.cli.output import render_table

    click.echo(f"{entity.name} ({entity.plural}): {entity.description}")
    rows: list[dict[str, Any]] = [
        {
            "field": f.name,
            "type": f.type.value,
            "required": f.required,
            "default": f.default,
            "flags": " ".join(
                flag for flag, on in (("unique", f.unique), ("sensitive", f.sensitive)) if on
            ),
            "limits": _limits(f),
        }
        for f in entity.fields
    ]
    click.echo(render_table(rows, ["field", "type", "required", "default", "flags", "limits"]))
    for rel in entity.relationships:
        extra = f", on delete {rel.on_delete}" if rel.kind == "belongs_to" else ""
        click.echo(f"relationship {rel.name}: {rel.kind} {rel.target}{extra}")
    for workflow in entity.workflows:
        click.echo(f"workflow on {workflow.field}:")
        for t in workflow.transitions:
            trigger = f" ({t.trigger})" if t.trigger else ""
            click.echo(f"  {' | '.join(t.sources)} -> {t.target}{trigger}")
    click.echo("permissions (first match wins, else deny):")
    for rule in entity.permissions:
        who = ", ".join([*(c.value for c in rule.caller_types), *rule.roles]) or "anyone"
        own = " (own records)" if rule.ownership == "own" else ""
        click.echo(f"  {rule.effect} {', '.join(rule.actions)} to {who}{own}")
    click.echo("actions: " + ", ".join(actions))


@click.command(short_help="The declared entities, or one in detail.")
@click.argument("name", required=False, metavar="[NAME]", shell_complete=complete_entity)
@click.pass_obj
def entities(state: CliState, name: str | None) -> None:
    """The declared entities, or one entity's fields, workflow and permissions.

    With --format json: a JSON Schema per entity.
    """
    from console.cli.output import emit, render_table
    from core.model.describe import entity_schema

    registry = state.app.registry
    chosen = [registry.entity(name)] if name else list(registry.entities.values())

    def actions_of(entity: Entity) -> list[str]:
        return [a.id for a in registry.actions_for(entity)]

    if state.format == "json":
        schemas = [entity_schema(e, actions_of(e)) for e in chosen]
        emit(schemas[0] if name else {"items": schemas, "next_cursor": None}, "json")
    elif name:
        _describe_entity(chosen[0], actions_of(chosen[0]))
    else:
        rows: list[dict[str, Any]] = [
            {
                "entity": e.key,
                "plural": e.plural,
                "fields": len(e.fields),
                "workflow": ", ".join(w.field for w in e.workflows),
                "description": e.description,
            }
            for e in chosen
        ]
        columns = ["entity", "plural", "fields", "workflow", "description"]
        if state.format == "csv":
            emit({"items": rows, "next_cursor": None}, "csv", columns)
        else:
            click.echo(render_table(rows, columns))


@click.command()
@entity_option("Only this entity's actions.")
@click.pass_obj
def actions(state: CliState, entity_name: str | None) -> None:
    """The actions you may run, with their input schemas (json)."""
    from console.cli.output import emit

    allowed = state.app.bus.allowed_actions(state.caller(), entity_name)
    rows: list[dict[str, Any]] = [
        {
            "id": a.id,
            "entity": a.entity,
            "verb": a.verb,
            "mutates": a.mutates,
            "own_only": a.own_only,
            "description": a.description,
        }
        for a in allowed
    ]
    if state.format != "table":
        for row, action in zip(rows, allowed, strict=True):
            row["input_schema"] = action.input_schema
    columns = ["id", "mutates", "description"]
    emit({"items": rows, "next_cursor": None}, state.format, columns)


COMMANDS = (entities, actions)
