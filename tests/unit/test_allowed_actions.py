"""`bus.allowed_actions`: what each role and caller type may run, for every demo entity.

The expected sets are written from the demo policy's meaning (entities/policies.py), not
computed from the rules, so a rule that drifts from what the roles mean fails here.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import entities
from core.actions.bus import Bus
from core.bootstrap import build_registry
from core.contracts import Caller, CallerType
from core.db.uow import UnitOfWork

REGISTRY = build_registry(entities.DOMAIN)
BUS = Bus(REGISTRY, UnitOfWork(sa.create_engine("sqlite://")))  # never connects
READS = {"list", "count", "get", "transitions"}
EDITS = {"create", "update", "transition"}
# On-demand AI capabilities answer about a record and write nothing: readers may ask.
EXTRA_READS = {
    "Project": {"summary"},
    "Task": {"summarize"},
    "Company": {"classify_industry"},
    "Contact": {"draft_intro_email"},
}


def _verbs(entity: str) -> set[str]:
    return {s.verb for s in REGISTRY.actions.values() if s.entity and s.entity.name == entity}


def expected(entity: str, roles: set[str], kind: CallerType) -> tuple[set[str], set[str]]:
    """(verbs allowed, verbs allowed on own records only) under the demo policy."""
    every = _verbs(entity)
    reads = (READS | EXTRA_READS.get(entity, set())) & every
    if kind is CallerType.SYSTEM:
        return every, set()
    if kind is CallerType.AI_AGENT:
        if entity == "Patient":  # medical data: an AI may read, never write
            ai_reads = reads if roles & {"admin", "operator", "viewer", "support"} else set()
            return ai_reads, set()
        if "admin" in roles:
            # An AI never deletes, nor restores a backup (core.model.registry.RESTORE_RULES).
            return every - {"delete", "restore"}, set()
        if "operator" in roles:
            return reads | (EDITS & every), set()
        return (reads if roles & {"viewer", "support"} else set()), set()
    if "admin" in roles:
        return every, set()
    if "operator" in roles:
        return reads | (EDITS & every) | {"delete"}, {"delete"}
    if roles & {"viewer", "support"}:
        return reads, set()
    return set(), set()


CASES = [
    (roles, kind)
    for roles in ({"admin"}, {"operator"}, {"viewer"}, {"support"}, {"member"}, set())
    for kind in (CallerType.HUMAN, CallerType.SCRIPT, CallerType.AI_AGENT, CallerType.SYSTEM)
]


@pytest.mark.parametrize("entity", [e.name for e in entities.DOMAIN.entities])
@pytest.mark.parametrize(("roles", "kind"), CASES, ids=[f"{sorted(r)}-{k}" for r, k in CASES])
def test_allowed_actions_follow_the_demo_policy(
    entity: str, roles: set[str], kind: CallerType
) -> None:
    who = Caller("u", "default", frozenset(roles), kind)
    allowed = BUS.allowed_actions(who, entity)
    verbs, own = expected(entity, roles, kind)
    assert {a.verb for a in allowed} == verbs
    assert {a.verb for a in allowed if a.own_only} == own
    for action in allowed:
        assert action.entity == entity
        assert action.input_schema["type"] == "object"
        assert action.mutates == REGISTRY.action(action.id).mutates


def test_without_an_entity_the_platform_actions_are_listed_too() -> None:
    viewer = Caller("v", "default", frozenset({"viewer"}))
    ids = {a.id for a in BUS.allowed_actions(viewer)}
    assert {"audit.list", "audit.changes", "task.list"} <= ids
    assert "audit.verify" not in ids  # admins only
    assert "audit.verify" in {a.id for a in BUS.allowed_actions(Caller("a", "default", {"admin"}))}


def test_input_schemas_carry_labels_limits_options_and_sensitivity() -> None:
    admin = Caller("a", "default", frozenset({"admin"}))
    schemas = {a.id: a.input_schema for a in BUS.allowed_actions(admin)}
    create = schemas["task.create"]["properties"]
    assert create["title"]["maxLength"] == 200 and create["title"]["title"] == "Title"
    hours = create["estimate_hours"]["anyOf"][0]
    assert hours["title"] == "Estimate (hours)" and hours["maximum"] == 10_000
    assert create["priority"]["anyOf"][0]["enum"] == ["low", "medium", "high"]
    assert create["project_id"]["anyOf"][0]["x-references"] == "Project"
    assert schemas["task.create"]["required"] == ["title"]
    dob = schemas["patient.create"]["properties"]["date_of_birth"]["anyOf"][0]
    assert dob["x-sensitive"] is True and dob["format"] == "date"
    transition = schemas["task.transition"]["properties"]
    assert "review" in transition["to"]["enum"] and "start" in transition["trigger"]["enum"]
    count = schemas["task.count"]["properties"]
    assert "status" in count["filters"]["x-filterable"] and "order_by" not in count
