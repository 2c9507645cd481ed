"""The offline interpreter: a deterministic parser from a typed command to a one-step plan.

It answers when no model is configured, no key is set or the model fails, and gives the
same plan for the same words every time. It never imports litellm and never touches the
database: it reads only the registry's metadata, so planning takes well under 5 ms.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from ai.offline.grammar import parse
from ai.offline.lexicon import EntityWords, Lexicon, build
from ai.offline.scan import Unmapped
from ai.plan import Plan, Step, check_command, empty


@lru_cache(maxsize=8)
def lexicon(registry: Any) -> Lexicon:
    return build(registry)


def interpret(registry: Any, command: str, today: dt.date | None = None) -> Plan:
    """`registry` is `app.registry`. Unmappable commands give an empty plan saying why."""
    check_command(command)
    lex = lexicon(registry)
    try:
        action_id, payload, ew = parse(lex, command, today or dt.date.today())
    except Unmapped as exc:
        return empty(_help(lex, exc.message, exc.entity))
    return Plan(
        steps=[Step(action_id=action_id, input=payload)],
        explanation=explain(ew, action_id, payload),
        source="offline",
    )


def explain(ew: EntityWords, action_id: str, payload: dict[str, Any]) -> str:
    verb = action_id.split(".", 1)[1]
    name = ew.entity.name
    details = ", ".join(f"{k} {v}" for k, v in payload.items() if k not in ("id", "filters"))
    filters = payload.get("filters") or {}
    where = ", ".join(f"{k.replace('__', ' ')} {v}" for k, v in filters.items())
    target = f" {payload['id']}" if "id" in payload else ""
    text = {
        "create": f"Create a {name}",
        "list": f"List {ew.entity.plural}",
        "count": f"Count {ew.entity.plural}",
        "get": f"Show {name}{target}",
        "update": f"Update {name}{target}",
        "delete": f"Delete {name}{target}",
        "transition": f"Move {name}{target}",
        "transitions": f"Show the moves of {name}{target}",
    }.get(verb, f"Run {action_id}{target}")
    if where:
        text += f" where {where}"
    if details:
        text += f": {details}"
    return text + "."


def examples(lex: Lexicon, focus: EntityWords | None = None) -> list[str]:
    """One command of each kind (create, list, move, open) for this domain, from metadata."""
    entities = list(lex.by_key.values())
    if focus is not None:
        entities.remove(focus)
        entities.insert(0, focus)
    out: list[str] = []
    creatable = [e for e in entities if e.title_field and not _needs_more(e, e.title_field)]
    if creatable:
        out.append(f"create {creatable[0].key} called <{creatable[0].example_title()}>")
    for ew in entities:
        enum = next((f for f in ew.entity.fields if f.options), None)
        if enum is not None:
            option = enum.options[-1].replace("_", " ")
            out.append(f"list {ew.entity.plural.lower()} where {enum.name} is {option}")
            break
    flowing = [e for e in entities if e.state_field is not None]
    if flowing:
        state = flowing[0].entity.workflows[0].transitions[0].target
        out.append(f"move {flowing[0].key} <id> to {state.replace('_', ' ')}")
    out.append(f"open {entities[0].key} <id>")
    return out


def _needs_more(ew: EntityWords, title: str) -> bool:
    return any(
        f.required and f.default is None and f.name != title for f in ew.entity.fields
    ) or any(r.required for r in ew.entity.belongs_to)


def _help(lex: Lexicon, reason: str, focus: EntityWords | None) -> str:
    tries = "; ".join(f"`{e}`" for e in examples(lex, focus))
    return f"Could not plan this offline: {reason}. Try, for example: {tries}."
