"""The registry: the entities, actions and subscribers a domain declares, checked together.

Cross-entity rules (relationship targets, inverse sides, table-name clashes) are checked
here once at start-up; input models are built on first use so a short-lived CLI process
pays only for the actions it runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from core.contracts import (
    AICapability,
    CallerType,
    CustomAction,
    DefinitionError,
    Domain,
    Entity,
    PermissionRule,
    Subscriber,
    allow,
    deny,
)
from core.db.table_names import PLATFORM_TABLE_NAMES
from core.errors import InvalidInput, NotFound
from core.identifiers import ACTION_ID
from core.model.platform import ADMIN, PlatformAction

if TYPE_CHECKING:
    import sqlalchemy as sa

GENERATED_VERBS = ("create", "list", "count", "get", "update", "delete", "restore")
WORKFLOW_VERBS = ("transition", "transitions")
MUTATING_VERBS = frozenset({"create", "update", "delete", "transition", "restore"})
# Reading the allowed next states needs the same right as reading the record.
PERMISSION_VERB = {"transitions": "get", "count": "list"}
RECORDLESS_VERBS = frozenset({"create", "list", "count", "restore"})
# Restoring writes ids, timestamps, authors and states as given: a backup's trust, which
# only an admin (or the platform itself) has, whatever an entity's own rules say.
RESTORE_RULES: tuple[PermissionRule, ...] = (
    deny("restore", caller_types=(CallerType.AI_AGENT,)),
    allow("restore", caller_types=(CallerType.SYSTEM,)),
    allow("restore", roles=(ADMIN,)),
)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one spec per action
class ActionSpec:
    """One registered action: generated for an entity, an entity's custom one, or the platform's.

    `entity` is None for platform actions (`audit.list`), whose permission rules and input
    model come with their declaration instead of an entity's.
    """

    id: str
    entity: Entity | None
    verb: str
    description: str
    custom: CustomAction | None = None
    platform: PlatformAction | None = None
    capability: AICapability | None = None

    @property
    def mutates(self) -> bool:
        if self.platform is not None:
            return self.platform.mutates
        if self.custom is not None:
            return self.custom.writes
        return self.verb in MUTATING_VERBS

    @property
    def permission_verb(self) -> str:
        return PERMISSION_VERB.get(self.verb, self.verb)

    @property
    def rules(self) -> tuple[PermissionRule, ...]:
        if self.platform is not None:
            return self.platform.rules
        assert self.entity is not None
        if self.verb == "restore" and self.custom is None:
            return RESTORE_RULES
        return self.entity.permissions

    @property
    def takes_record(self) -> bool:
        if self.capability is not None:
            return True
        if self.platform is not None:
            return False
        if self.custom is not None:
            return self.custom.takes_record
        return self.verb not in RECORDLESS_VERBS

    @property
    def record_entity(self) -> Entity:
        """The entity of an entity action; platform actions have none."""
        if self.entity is None:
            raise TypeError(f"{self.id} is a platform action: it has no entity")
        return self.entity


class Registry:
    def __init__(self, domain: Domain, platform: tuple[PlatformAction, ...] = ()) -> None:
        self.domain = domain
        self.entities: dict[str, Entity] = {}
        self._tables: dict[str, sa.Table] = {}
        for entity in domain.entities:
            if not isinstance(entity, Entity):
                raise DefinitionError(f"{entity!r} is not an Entity; use define_entity()")
            if entity.name in self.entities:
                raise DefinitionError(f"entity {entity.name!r} is declared twice")
            self.entities[entity.name] = entity
        self._check_names()
        self._check_relationships()
        self.actions: dict[str, ActionSpec] = {}
        for entity in self.entities.values():
            self._add_generated(entity)
        for custom in domain.actions:
            self._add_custom(custom)
        for action in platform:
            self._add_platform(action)
        self.subscribers: dict[str, list[Subscriber]] = {}
        for sub in domain.subscribers:
            self.subscribers.setdefault(sub.event, []).append(sub)
        self._aliases = self._build_aliases()
        self._models: dict[str, type[BaseModel]] = {}

    def _check_names(self) -> None:
        tables: dict[str, str] = {}
        for entity in self.entities.values():
            if entity.table_name in PLATFORM_TABLE_NAMES:
                raise DefinitionError(
                    f"entity {entity.name!r}: table {entity.table_name!r} is a platform table"
                )
            if entity.table_name in tables:
                raise DefinitionError(
                    f"entity {entity.name!r}: table {entity.table_name!r} is also "
                    f"{tables[entity.table_name]!r}'s"
                )
            tables[entity.table_name] = entity.name

    def _check_relationships(self) -> None:
        for entity in self.entities.values():
            for rel in entity.relationships:
                target = self.entities.get(rel.target)
                if target is None:
                    raise DefinitionError(
                        f"entity {entity.name!r}: relationship {rel.name!r} targets unknown "
                        f"entity {rel.target!r}"
                    )
                if rel.kind == "has_many":
                    back = [r for r in target.belongs_to if r.target == entity.name]
                    if rel.inverse is not None:
                        back = [r for r in back if r.name == rel.inverse]
                    if not back:
                        raise DefinitionError(
                            f"entity {entity.name!r}: has_many {rel.name!r} needs a belongs_to "
                            f"on {target.name!r} pointing back"
                        )

    def _add(self, spec: ActionSpec) -> None:
        if not ACTION_ID.match(spec.id):
            raise DefinitionError(f"action id {spec.id!r} is malformed")
        if spec.id in self.actions:
            raise DefinitionError(f"action {spec.id!r} is registered twice")
        self.actions[spec.id] = spec

    def _add_generated(self, entity: Entity) -> None:
        verbs = GENERATED_VERBS + (WORKFLOW_VERBS if entity.workflows else ())
        for verb in verbs:
            self._add(ActionSpec(f"{entity.key}.{verb}", entity, verb, _describe(entity, verb)))
        for capability in entity.ai_capabilities:
            if capability.trigger == "on_demand":  # the others run after commit, as subscribers
                action_id = f"{entity.key}.{capability.id}"
                spec = ActionSpec(
                    action_id, entity, capability.id, capability.intent, capability=capability
                )
                self._add(spec)

    def _add_custom(self, custom: CustomAction) -> None:
        entity = self.entities.get(custom.entity)
        if entity is None:
            raise DefinitionError(
                f"custom action {custom.verb!r}: unknown entity {custom.entity!r}"
            )
        spec = ActionSpec(
            f"{entity.key}.{custom.verb}", entity, custom.verb, custom.description, custom
        )
        self._add(spec)

    def _add_platform(self, action: PlatformAction) -> None:
        namespace = action.id.split(".", 1)[0]
        clash = next((e for e in self.entities.values() if e.key == namespace), None)
        if clash is not None:
            raise DefinitionError(
                f"entity {clash.name!r}: its key {namespace!r} is a platform namespace"
            )
        verb = action.id.split(".", 1)[1]
        self._add(ActionSpec(action.id, None, verb, action.description, platform=action))

    def _build_aliases(self) -> dict[str, Entity]:
        aliases: dict[str, Entity] = {}
        for entity in self.entities.values():
            for alias in (entity.name, entity.plural, entity.key, entity.table_name):
                aliases[alias.lower()] = entity
        return aliases

    def entity(self, name: str) -> Entity:
        """Find an entity by name, plural or key, in any case."""
        found = self._aliases.get(name.lower()) if isinstance(name, str) else None
        if found is None:
            known = ", ".join(sorted(e.key for e in self.entities.values()))
            raise NotFound(f"unknown entity {name!r}; known: {known}", {"entities": known})
        return found

    def action(self, action_id: Any) -> ActionSpec:
        if not isinstance(action_id, str) or not ACTION_ID.match(action_id):
            raise InvalidInput(
                "action id must look like entity.verb (lowercase, e.g. task.create)",
                {"field": "action"},
            )
        spec = self.actions.get(action_id)
        if spec is None:
            raise NotFound(f"no action {action_id!r} is registered", {"action": action_id})
        return spec

    def actions_for(self, entity: Entity | None) -> Iterator[ActionSpec]:
        """An entity's actions, or (for None) the platform's."""
        return (a for a in self.actions.values() if a.entity is entity)

    def input_model(self, spec: ActionSpec) -> type[BaseModel]:
        model = self._models.get(spec.id)
        if model is None:
            model = self._models[spec.id] = _build_model(spec)
        return model

    @cached_property
    def metadata(self) -> sa.MetaData:
        """Every table, the platform's included: what migrations create and compare."""
        from core.db.schema import build_metadata

        return build_metadata(self.entities.values())

    @cached_property
    def entity_metadata(self) -> sa.MetaData:
        """Entity tables only: enough for actions, without loading the platform models."""
        from core.db.schema import build_metadata

        return build_metadata(self.entities.values(), platform=False)

    def table(self, entity: Entity) -> sa.Table:
        found = self._tables.get(entity.name)
        if found is None:  # the name's snake_case is a regex: worth doing once per entity
            found = self._tables[entity.name] = self.entity_metadata.tables[entity.table_name]
        return found


def _build_model(spec: ActionSpec) -> type[BaseModel]:
    from core.model import inputs

    if spec.platform is not None:
        return spec.platform.input_model
    if spec.capability is not None:
        return inputs.IdInput
    entity = spec.record_entity
    if spec.custom is not None:
        name = f"{entity.name}{spec.verb.title().replace('_', '')}Input"
        return inputs.custom_input(entity, name, spec.custom.input_fields, spec.custom.takes_record)
    builders = {
        "create": inputs.create_input,
        "update": inputs.update_input,
        "transition": inputs.transition_input,
        "restore": inputs.restore_input,
    }
    if spec.verb in builders:
        return builders[spec.verb](entity)
    if spec.verb == "list":
        return inputs.ListInput
    if spec.verb == "count":
        return inputs.CountInput
    return inputs.IdInput


def _describe(entity: Entity, verb: str) -> str:
    return {
        "create": f"Create {_article(entity.name)} {entity.name}.",
        "list": f"List {entity.plural} with filters, search, sort and cursor pagination.",
        "count": f"Count {entity.plural} matching filters and search.",
        "get": f"Read one {entity.name} by id.",
        "update": f"Change fields of {_article(entity.name)} {entity.name}.",
        "delete": f"Delete {_article(entity.name)} {entity.name}.",
        "transition": f"Move {_article(entity.name)} {entity.name} along its workflow.",
        "transitions": f"The workflow moves {_article(entity.name)} {entity.name} can make now.",
        "restore": f"Put back {_article(entity.name)} {entity.name} from a backup, as it was "
        "stored (admins only).",
    }[verb]


def _article(name: str) -> str:
    return "an" if name[:1].lower() in "aeiou" else "a"


def load_domain(module: str) -> Domain:
    """Import the domain package named in settings and return its `DOMAIN`."""
    try:
        imported = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is None or not (module + ".").startswith(exc.name + "."):
            raise  # the domain exists but imports something missing: a bug in it, not a setting
        from core.settings import SettingsError, source_of

        raise SettingsError(
            f"{source_of(('domain',))}: no module named {module!r}; it must name a package "
            "with DOMAIN = Domain(...) (default: entities)"
        ) from None
    domain = getattr(imported, "DOMAIN", None)
    if not isinstance(domain, Domain):
        raise DefinitionError(f"module {module!r} has no DOMAIN = Domain(...)")
    return domain
