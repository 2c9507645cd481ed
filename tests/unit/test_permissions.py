"""Default deny, first match wins: the order of rules is part of their meaning."""

from __future__ import annotations

import pytest

from core.contracts import Caller, CallerType, PermissionRule, allow, deny
from core.model.permissions import Decision, decide
from tests.unit.builders import make


def caller(*roles: str, kind: CallerType = CallerType.HUMAN) -> Caller:
    return Caller("alice", "default", frozenset(roles), kind)


def decision(rules: tuple[PermissionRule, ...], verb: str, who: Caller) -> Decision:
    return decide(make(permissions=rules), verb, who)


@pytest.mark.parametrize("verb", ["create", "list", "get", "update", "delete", "transition"])
@pytest.mark.parametrize("kind", list(CallerType))
def test_no_rules_means_deny_for_everyone(verb: str, kind: CallerType) -> None:
    assert decision((), verb, caller("admin", kind=kind)) is Decision.DENY


def test_unmatched_verb_is_denied() -> None:
    rules = (allow("list", "get", roles=("viewer",)),)
    assert decision(rules, "get", caller("viewer")) is Decision.ALLOW
    assert decision(rules, "delete", caller("viewer")) is Decision.DENY


def test_first_matching_rule_wins() -> None:
    allow_first = (allow("get", roles=("operator",)), deny("get", roles=("operator",)))
    deny_first = (deny("get", roles=("operator",)), allow("get", roles=("operator",)))
    assert decision(allow_first, "get", caller("operator")) is Decision.ALLOW
    assert decision(deny_first, "get", caller("operator")) is Decision.DENY


def test_deny_placed_before_a_broad_allow_takes_precedence() -> None:
    rules = (
        deny("delete", caller_types=(CallerType.AI_AGENT,)),
        allow("*", roles=("admin",)),
    )
    assert decision(rules, "delete", caller("admin", kind=CallerType.AI_AGENT)) is Decision.DENY
    assert decision(rules, "update", caller("admin", kind=CallerType.AI_AGENT)) is Decision.ALLOW
    assert decision(rules, "delete", caller("admin")) is Decision.ALLOW


def test_non_matching_rules_are_skipped_until_one_matches() -> None:
    rules = (
        deny("get", roles=("banned",)),
        deny("get", caller_types=(CallerType.SCRIPT,)),
        allow("get", roles=("viewer",)),
    )
    assert decision(rules, "get", caller("viewer")) is Decision.ALLOW
    assert decision(rules, "get", caller("viewer", "banned")) is Decision.DENY


def test_wildcard_matches_any_verb_including_custom() -> None:
    rules = (allow("*", roles=("admin",)),)
    for verb in ("create", "delete", "summary", "transitions"):
        assert decision(rules, verb, caller("admin")) is Decision.ALLOW


def test_roles_must_intersect() -> None:
    rules = (allow("update", roles=("operator", "admin")),)
    assert decision(rules, "update", caller("operator")) is Decision.ALLOW
    assert decision(rules, "update", caller("viewer", "admin")) is Decision.ALLOW
    assert decision(rules, "update", caller("viewer")) is Decision.DENY
    assert decision(rules, "update", caller()) is Decision.DENY


def test_empty_roles_match_any_caller() -> None:
    rules = (allow("list"),)
    assert decision(rules, "list", caller()) is Decision.ALLOW
    assert decision(rules, "list", caller("anything")) is Decision.ALLOW


def test_caller_types_must_match() -> None:
    rules = (allow("*", caller_types=(CallerType.SYSTEM, CallerType.SCRIPT)),)
    assert decision(rules, "create", caller(kind=CallerType.SYSTEM)) is Decision.ALLOW
    assert decision(rules, "create", caller(kind=CallerType.SCRIPT)) is Decision.ALLOW
    assert decision(rules, "create", caller(kind=CallerType.HUMAN)) is Decision.DENY
    assert decision(rules, "create", caller(kind=CallerType.AI_AGENT)) is Decision.DENY


def test_roles_and_caller_types_must_both_match() -> None:
    rules = (allow("update", roles=("operator",), caller_types=(CallerType.HUMAN,)),)
    assert decision(rules, "update", caller("operator")) is Decision.ALLOW
    assert decision(rules, "update", caller("operator", kind=CallerType.AI_AGENT)) is Decision.DENY
    assert decision(rules, "update", caller("viewer")) is Decision.DENY


def test_ownership_own_gives_own_decision() -> None:
    rules = (allow("delete", roles=("operator",), ownership="own"),)
    assert decision(rules, "delete", caller("operator")) is Decision.OWN
    assert decision(rules, "delete", caller("viewer")) is Decision.DENY


def test_an_earlier_any_rule_beats_a_later_own_rule() -> None:
    rules = (allow("delete", roles=("admin",)), allow("delete", ownership="own"))
    assert decision(rules, "delete", caller("admin")) is Decision.ALLOW
    assert decision(rules, "delete", caller("operator")) is Decision.OWN


def test_deny_with_ownership_own_is_still_deny() -> None:
    rules = (deny("delete", ownership="own"), allow("delete"))
    assert decision(rules, "delete", caller("admin")) is Decision.DENY


def test_permission_verbs_are_validated() -> None:
    with pytest.raises(ValueError, match="Delete Everything"):
        allow("Delete Everything")


def test_demo_policy_ai_agent_never_deletes() -> None:
    from entities.policies import PATIENT_RULES, STANDARD

    agent = caller("admin", kind=CallerType.AI_AGENT)
    assert decision(STANDARD, "delete", agent) is Decision.DENY
    assert decision(STANDARD, "update", agent) is Decision.ALLOW
    for verb in ("create", "update", "delete", "transition"):
        assert decision(PATIENT_RULES, verb, agent) is Decision.DENY
    assert decision(PATIENT_RULES, "get", agent) is Decision.ALLOW


def test_demo_policy_roles() -> None:
    from entities.policies import STANDARD

    assert decision(STANDARD, "delete", caller("operator")) is Decision.OWN
    assert decision(STANDARD, "update", caller("operator")) is Decision.ALLOW
    assert decision(STANDARD, "update", caller("viewer")) is Decision.DENY
    assert decision(STANDARD, "list", caller("viewer")) is Decision.ALLOW
    assert decision(STANDARD, "delete", caller(kind=CallerType.SYSTEM)) is Decision.ALLOW
    assert decision(STANDARD, "get", caller()) is Decision.DENY
