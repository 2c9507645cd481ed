"""Default-deny permission checks, and which field values a caller gets masked.

The first matching rule decides, no match is deny. Entity actions use their entity's
rules, platform actions their own; both go through `decide_rules`.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from core.contracts import Caller, CallerType, Entity, PermissionRule


class Decision(StrEnum):
    ALLOW = "allow"
    DENY = "deny"
    OWN = "own"  # allowed only on records the caller created


def matches(rule: PermissionRule, verb: str, caller: Caller) -> bool:
    if "*" not in rule.actions and verb not in rule.actions:
        return False
    if rule.caller_types and caller.caller_type not in rule.caller_types:
        return False
    return not rule.roles or bool(caller.roles.intersection(rule.roles))


def decide_rules(rules: Iterable[PermissionRule], verb: str, caller: Caller) -> Decision:
    for rule in rules:
        if matches(rule, verb, caller):
            if rule.effect == "deny":
                return Decision.DENY
            return Decision.OWN if rule.ownership == "own" else Decision.ALLOW
    return Decision.DENY


def decide(entity: Entity, verb: str, caller: Caller) -> Decision:
    return decide_rules(entity.permissions, verb, caller)


def hidden_fields(entity: Entity, caller: Caller) -> frozenset[str]:
    """The fields whose values `caller` gets as the mask, wherever they read them.

    A sensitive field is readable by the roles its field (or else its entity) names, by
    default `admin` only; AI agents never see one, whatever the roles of the user they act
    for; the system (seeding, platform jobs) sees every value it handles.
    """
    sensitive = entity.sensitive_fields
    if not sensitive or caller.caller_type is CallerType.SYSTEM:
        return frozenset()
    if caller.caller_type is CallerType.AI_AGENT:
        return sensitive
    return frozenset(n for n in sensitive if not caller.roles & entity.readers_of(n))
