"""The public contracts: the only part of core that `entities/` may import."""

from core.contracts.behaviour import (
    AICapability,
    CallerType,
    Hooks,
    PermissionRule,
    Transition,
    UIHints,
    Workflow,
    allow,
    deny,
)
from core.contracts.entity import SYSTEM_COLUMNS, Entity, define_entity
from core.contracts.fields import (
    STRING_TYPES,
    Field,
    FieldType,
    Relationship,
    belongs_to,
    has_many,
)
from core.contracts.runtime import (
    ActionContext,
    Caller,
    CustomAction,
    Domain,
    DomainEvent,
    HookContext,
    RecordStore,
    SeedRecord,
    Subscriber,
)
from core.errors import Conflict, DefinitionError, Forbidden, InvalidInput, NotFound

__all__ = [
    "AICapability",
    "ActionContext",
    "Caller",
    "CallerType",
    "Conflict",
    "CustomAction",
    "DefinitionError",
    "Domain",
    "DomainEvent",
    "Entity",
    "Field",
    "FieldType",
    "Forbidden",
    "HookContext",
    "Hooks",
    "InvalidInput",
    "NotFound",
    "PermissionRule",
    "RecordStore",
    "Relationship",
    "STRING_TYPES",
    "SYSTEM_COLUMNS",
    "SeedRecord",
    "Subscriber",
    "Transition",
    "UIHints",
    "Workflow",
    "allow",
    "belongs_to",
    "define_entity",
    "deny",
    "has_many",
]
