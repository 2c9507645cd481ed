"""The offline interpreter's vocabulary, derived from the registry and nothing else.

Entity names (singular, plural, key, any case), field names and labels, enum options,
workflow states and triggers, relationship names and custom verbs become word phrases,
so a new entity is understood the moment it is declared; no entity name is written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.contracts import Entity, FieldType

Phrase = tuple[str, ...]


def words(text: str) -> Phrase:
    """`due_date`, `Due date`, `PurchaseOrder` -> ("due", "date") / ("purchase", "order")."""
    spaced = []
    for i, ch in enumerate(text):
        if ch.isupper() and i and text[i - 1].islower():
            spaced.append(" ")
        spaced.append(ch)
    cleaned = "".join(spaced).replace("_", " ").replace("(", " ").replace(")", " ")
    return tuple(w for w in cleaned.lower().split() if w)


@dataclass
class EntityWords:
    entity: Entity
    actions: dict[str, str]  # verb -> action id
    fields: dict[Phrase, str] = field(default_factory=dict)  # phrase -> column
    heads: dict[str, str] = field(default_factory=dict)  # a field's unique first word
    options: dict[Phrase, list[tuple[str, str]]] = field(default_factory=dict)
    states: dict[Phrase, str] = field(default_factory=dict)
    triggers: dict[Phrase, str] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)  # target entity -> column
    custom: dict[str, tuple[str, bool]] = field(default_factory=dict)  # verb -> (id, takes id)
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)  # core's schemas

    @property
    def key(self) -> str:
        return self.entity.key

    @property
    def title_field(self) -> str | None:
        return self.entity.ui.title_field

    @property
    def state_field(self) -> str | None:
        return self.entity.workflows[0].field if self.entity.workflows else None

    def field_type(self, column: str) -> FieldType | None:
        f = self.entity.field(column)
        return f.type if f is not None else None

    def is_reference(self, column: str) -> bool:
        return column in self.references.values()

    def example_title(self) -> str:
        return (self.title_field or "name").replace("_", " ")


@dataclass
class Lexicon:
    entities: dict[Phrase, EntityWords]
    by_key: dict[str, EntityWords]
    longest: int

    def entity_at(self, tokens: list[str], i: int) -> tuple[EntityWords, int] | None:
        """The entity named at tokens[i:], longest phrase first, and its length."""
        for n in range(min(self.longest, len(tokens) - i), 0, -1):
            found = self.entities.get(tuple(tokens[i : i + n]))
            if found is not None:
                return found, n
        return None


def build(registry: Any) -> Lexicon:
    """`registry` is `app.registry` (core's Registry; internal, so not imported here)."""
    entities: dict[Phrase, EntityWords] = {}
    by_key: dict[str, EntityWords] = {}
    for entity in registry.entities.values():
        actions = {
            spec.verb: spec.id for spec in registry.actions.values() if spec.entity is entity
        }
        ew = EntityWords(entity, actions)
        _fill(ew)
        if "create" in actions:
            from core.model.describe import action_input_schema

            schema = action_input_schema(registry.action(actions["create"]))
            ew.properties = dict(schema.get("properties", {}))
        ew.custom = {
            spec.verb: (spec.id, spec.takes_record)
            for spec in registry.actions.values()
            if spec.entity is entity and spec.custom is not None
        }
        by_key[entity.key] = ew
        for alias in (entity.name, entity.plural, entity.key, entity.table_name):
            entities.setdefault(words(alias), ew)
            entities.setdefault((alias.lower(),), ew)  # `PurchaseOrder` typed as one word
    longest = max((len(p) for p in entities), default=1)
    return Lexicon(entities, by_key, longest)


def _fill(ew: EntityWords) -> None:
    entity = ew.entity
    heads: dict[str, list[str]] = {}
    for f in entity.fields:
        for phrase in {words(f.name), words(f.display_label)}:
            if phrase:
                ew.fields.setdefault(phrase, f.name)
        heads.setdefault(words(f.name)[0], []).append(f.name)
        for option in f.options:
            ew.options.setdefault(words(option), []).append((f.name, option))
    for rel in entity.belongs_to:
        ew.fields.setdefault(words(rel.name), rel.column)
        ew.fields.setdefault(words(rel.column), rel.column)
        ew.references.setdefault(rel.target, rel.column)
    ew.heads = {w: names[0] for w, names in heads.items() if len(names) == 1 and len(w) > 2}
    for workflow in entity.workflows:
        state = entity.field(workflow.field)
        for option in state.options if state is not None else ():
            ew.states.setdefault(words(option), option)
        for transition in workflow.transitions:
            if transition.trigger:
                ew.triggers.setdefault(words(transition.trigger), transition.trigger)
