"""Default-deny permission checks: the first matching rule decides, no match is deny."""

from __future__ import annotations

from enum import StrEnum

from core.contracts import Caller, Entity, PermissionRule


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


def decide(entity: Entity, verb: str, caller: Caller) -> Decision:
    for rule in entity.permissions:
        if matches(rule, verb, caller):
            if rule.effect == "deny":
                return Decision.DENY
            return Decision.OWN if rule.ownership == "own" else Decision.ALLOW
    return Decision.DENY
