"""Each demo role x each demo entity x each action verb, dispatched for real on the bus.

The expectation is written from what the roles mean (README: admin everything; operator
read, create, update, transition and delete what they created; viewer and support read
only), not computed from the rules, so a rule that drifts from its meaning fails here.
"Allowed" means the bus did not refuse with `forbidden` (a workflow conflict or a restrict
still proves the permission passed); "denied" means `forbidden` and nothing changed.
Task runs on both databases; the whole matrix runs on SQLite.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

import entities
from core.bootstrap import App
from core.contracts import Caller, CallerType, Entity
from core.errors import MetaSaasError
from core.jsonable import to_jsonable
from core.seeding import seed
from tests.support.engine_helpers import AppFactory

ROLES = ("admin", "operator", "viewer", "support")
# On-demand AI capabilities the demo entities grant to every reader (entities/policies.py).
CAPABILITY_READS = {"summarize", "classify_industry", "draft_intro_email"}
READS = {"list", "count", "get", "transitions", "summary", *CAPABILITY_READS}
EDITS = {"create", "update", "transition"}
SYSTEM = Caller("system", "default", frozenset(), CallerType.SYSTEM)
_serial = itertools.count()


def meaning(role: str, verb: str) -> str:
    """'allow', 'own' (only on records the caller created) or 'deny', from the README.

    On-demand AI capabilities are the admin's unless an entity grants them by name; the
    demo entities grant theirs (`task.summarize`, ...) to every role that reads them.
    """
    if role == "admin":
        return "allow"
    if verb in READS:
        return "allow"
    if role == "operator" and verb in EDITS:
        return "allow"
    if role == "operator" and verb == "delete":
        return "own"
    return "deny"


def who(role: str) -> Caller:
    return Caller(f"{role}-user", "default", frozenset({role}))


def _verbs(app: App, entity: Entity) -> list[str]:
    return sorted(s.verb for s in app.registry.actions.values() if s.entity is entity)


def _sample(app: App, entity: Entity) -> dict[str, Any]:
    """A seeded record: created by the system, so no role under test owns it."""
    page = app.bus.dispatch(f"{entity.key}.list", {"limit": 200}, SYSTEM)
    seeded = [r for r in page["items"] if r["created_by"] == "system"]
    assert seeded, f"the demo seed has no {entity.plural}"
    return dict(seeded[0])


def _create_payload(entity: Entity, sample: dict[str, Any]) -> dict[str, Any]:
    states = {w.field for w in entity.workflows}
    payload = {
        k: to_jsonable(sample[k])
        for k in entity.column_names()
        if sample.get(k) is not None and k not in states
    }
    n = next(_serial)
    for f in entity.fields:
        if f.unique and f.name in payload:
            payload[f.name] = f"matrix{n}@example.com" if f.type == "email" else f"Matrix {n}"
    return payload


def _payload(app: App, entity: Entity, verb: str, record: dict[str, Any]) -> dict[str, Any]:
    rid = str(record["id"])
    if verb in ("list", "count"):
        return {}
    if verb == "create":
        return _create_payload(entity, record)
    if verb == "transition":
        states = entity.workflow_states()
        return {"id": rid, "to": states[-1]}
    if verb == "restore":
        full = {k: to_jsonable(v) for k, v in record.items() if k != "tenant_id"}
        return full
    return {"id": rid}


def _outcome(app: App, action: str, payload: dict[str, Any], caller: Caller) -> str:
    try:
        app.bus.dispatch(action, payload, caller)
    except MetaSaasError as exc:
        return "denied" if exc.code == "forbidden" else f"allowed ({exc.code})"
    return "allowed"


def _exists(app: App, entity: Entity, rid: Any) -> bool:
    try:
        app.bus.dispatch(f"{entity.key}.get", {"id": str(rid)}, SYSTEM)
    except MetaSaasError:
        return False
    return True


def check_entity(app: App, entity: Entity) -> list[str]:
    """Every (role, verb) of `entity` whose outcome differs from the written meaning."""
    wrong: list[str] = []
    for role, verb in itertools.product(ROLES, _verbs(app, entity)):
        caller, action = who(role), f"{entity.key}.{verb}"
        sample = _sample(app, entity)
        expected = meaning(role, verb)
        if expected == "own":
            # someone else's record is refused and stays; their own goes
            if _outcome(app, action, {"id": str(sample["id"])}, caller) != "denied":
                wrong.append(f"{role} {verb} of another's record: not denied")
            if not _exists(app, entity, sample["id"]):
                wrong.append(f"{role} {verb} of another's record removed it")
            mine = app.bus.dispatch(f"{entity.key}.create", _create_payload(entity, sample), caller)
            got = _outcome(app, action, {"id": str(mine["id"])}, caller)
            if got != "allowed" or _exists(app, entity, mine["id"]):
                wrong.append(f"{role} {verb} of own record: {got}")
            continue
        got = _outcome(app, action, _payload(app, entity, verb, sample), caller)
        if got.startswith("allowed") != (expected == "allow"):
            wrong.append(f"{role} {verb}: expected {expected}, got {got}")
        if expected == "deny" and verb == "delete" and not _exists(app, entity, sample["id"]):
            wrong.append(f"{role} {verb}: refused but the record is gone")
    return wrong


def _seeded(app_factory: AppFactory) -> App:
    app = app_factory()
    seed(app.bus, SYSTEM, list(app.registry.domain.seed()))
    return app


def test_the_written_meaning_covers_every_verb_of_the_registry(app_factory: AppFactory) -> None:
    """A new verb must be given a meaning here: no verb is allowed by accident."""
    known = READS | EDITS | {"delete", "restore"}
    app = app_factory()
    verbs = {
        s.verb
        for s in app.registry.actions.values()
        if s.entity is not None and s.capability is None
    }
    assert verbs <= known, verbs - known


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_task_matrix_on_both_databases(app_factory: AppFactory) -> None:
    app = _seeded(app_factory)
    assert check_entity(app, app.registry.entity("Task")) == []


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("entity", [e.name for e in entities.DOMAIN.entities if e.name != "Task"])
def test_matrix_of_every_other_demo_entity(app_factory: AppFactory, entity: str) -> None:
    app = _seeded(app_factory)
    assert check_entity(app, app.registry.entity(entity)) == []


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_role_that_no_longer_means_anything_gets_nothing(app_factory: AppFactory) -> None:
    """`member` became `operator`: a caller still holding `member` is refused everything."""
    app = _seeded(app_factory)
    stale = Caller("old", "default", frozenset({"member"}))
    task = _sample(app, app.registry.entity("Task"))
    assert _outcome(app, "task.list", {}, stale) == "denied"
    assert _outcome(app, "task.get", {"id": str(task["id"])}, stale) == "denied"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_support_and_admin_read_every_chat_session_of_the_tenant(
    app_factory: AppFactory,
) -> None:
    """Support's one power beyond a viewer's: reading colleagues' chats (not changing them)."""
    app = app_factory()
    owner = who("operator")
    session = app.bus.dispatch("chat.start", {"title": "Owner's chat"}, owner)
    sid = str(session["id"])
    app.bus.dispatch("chat.append", {"session_id": sid, "role": "user", "content": "hi"}, owner)
    for role, sees in (("admin", True), ("support", True), ("viewer", False)):
        reader = Caller(f"other-{role}", "default", frozenset({role}))
        listed = app.bus.dispatch("chat.sessions", {}, reader)["items"]
        assert (sid in {str(s["id"]) for s in listed}) is sees, role
        outcome = _outcome(app, "chat.show", {"session_id": sid}, reader)
        # others' sessions do not exist for a viewer: not_found, nothing revealed
        assert outcome == ("allowed" if sees else "allowed (not_found)"), (role, outcome)
    with pytest.raises(MetaSaasError):  # reading is not writing into someone else's chat
        app.bus.dispatch(
            "chat.append",
            {"session_id": sid, "role": "user", "content": "x"},
            Caller("other-support", "default", frozenset({"support"})),
        )
