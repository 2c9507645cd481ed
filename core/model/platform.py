"""Platform actions: what the platform itself offers on the bus beside the entities' actions.

Audit reading, AI usage metering and (next) chat history and user administration are
actions like any other: resolved, validated, permission-checked (default deny) and, when
they write, audited. They are declared here as data; their handlers live with the bus.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from core.contracts import CallerType, PermissionRule, allow
from core.identifiers import ACTION_ID

# Role names the platform itself gives meaning to; a domain's roles may add others.
ADMIN = "admin"
SUPPORT = "support"

EVERY_CALLER = (CallerType.HUMAN, CallerType.SCRIPT, CallerType.AI_AGENT, CallerType.SYSTEM)


@dataclass(frozen=True)
class PlatformAction:
    id: str
    description: str
    input_model: type[BaseModel]
    handler: Callable[[Any, Any], Any]
    rules: tuple[PermissionRule, ...]
    mutates: bool = False

    def __post_init__(self) -> None:
        if not ACTION_ID.match(self.id):
            raise ValueError(f"platform action id {self.id!r} must look like namespace.verb")


def anyone(verb: str) -> tuple[PermissionRule, ...]:
    """Every caller may run it; the handler scopes what each one sees."""
    return (allow(verb, caller_types=EVERY_CALLER),)


def admins(verb: str) -> tuple[PermissionRule, ...]:
    return (allow(verb, caller_types=(CallerType.SYSTEM,)), allow(verb, roles=(ADMIN,)))


def system_only(verb: str) -> tuple[PermissionRule, ...]:
    """Run by the platform on someone's behalf (signing in, redeeming a reset token)."""
    return (allow(verb, caller_types=(CallerType.SYSTEM,)),)


def people(verb: str) -> tuple[PermissionRule, ...]:
    """Every signed-in person or script, never an AI agent (signing out)."""
    return (allow(verb, caller_types=(CallerType.HUMAN, CallerType.SCRIPT, CallerType.SYSTEM)),)


def account_admins(verb: str) -> tuple[PermissionRule, ...]:
    """Who may manage accounts: the platform, and admins acting themselves; never an AI
    agent, whatever roles the person it acts for has."""
    people_types = (CallerType.HUMAN, CallerType.SCRIPT)
    return (
        allow(verb, caller_types=(CallerType.SYSTEM,)),
        allow(verb, roles=(ADMIN,), caller_types=people_types),
    )
