"""Permissions: default deny, role grants, ownership, AI limits and sensitive-field masking."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from core.bootstrap import App
from core.contracts import CallerType, Domain, Field, allow, define_entity
from core.errors import MetaSaasError
from core.jsonable import REDACTED, to_jsonable
from tests.support.engine_helpers import (
    AppFactory,
    audit_entries,
    caller,
    count,
    list_all,
    raises_code,
)

ADMIN = caller("alice")
MEMBER = caller("bob", roles=("operator",))
OTHER_MEMBER = caller("carol", roles=("operator",))
VIEWER = caller("vera", roles=("viewer",))
NOBODY = caller("nemo", roles=())
BOT = caller("alice", roles=("admin",), caller_type=CallerType.AI_AGENT)


def _memo_app(factory: AppFactory, *rules: Any) -> App:
    memo = define_entity(
        "Memo", plural="Memos", fields=(Field("body", "text"),), permissions=tuple(rules)
    )
    return factory(Domain(entities=(memo,)))


def test_no_matching_rule_means_deny_for_every_caller(
    app_factory: AppFactory,
) -> None:
    app = _memo_app(app_factory)
    for who in (ADMIN, MEMBER, app.system_caller()):
        with raises_code("forbidden"):
            app.bus.dispatch("memo.create", {"body": "hi"}, who)
        with raises_code("forbidden"):
            app.bus.dispatch("memo.list", {}, who)
    assert count(app, "memos") == 0
    entries = audit_entries(app)
    assert len(entries) == 6
    assert {e["outcome"] for e in entries} == {"denied"}
    assert {e["error_code"] for e in entries} == {"forbidden"}
    assert [e["action_id"] for e in entries[:2]] == ["memo.create", "memo.list"]


def test_unmatched_verbs_are_denied(app_factory: AppFactory) -> None:
    app = _memo_app(app_factory, allow("create", "list", roles=("admin",)))
    memo = app.bus.dispatch("memo.create", {"body": "hi"}, ADMIN)
    assert len(app.bus.dispatch("memo.list", {}, ADMIN)["items"]) == 1
    for action, payload in [
        ("memo.get", {"id": str(memo["id"])}),
        ("memo.update", {"id": str(memo["id"]), "body": "changed"}),
        ("memo.delete", {"id": str(memo["id"])}),
    ]:
        with raises_code("forbidden"):
            app.bus.dispatch(action, payload, ADMIN)
    with raises_code("forbidden"):
        app.bus.dispatch("memo.create", {"body": "hi"}, MEMBER)
    assert [e["outcome"] for e in audit_entries(app)].count("denied") == 4
    assert count(app, "memos") == 1


def test_viewer_reads_but_cannot_change(app: App) -> None:
    task = app.bus.dispatch("task.create", {"title": "Shared"}, ADMIN)
    tid = str(task["id"])
    assert app.bus.dispatch("task.get", {"id": tid}, VIEWER)["title"] == "Shared"
    assert len(list_all(app, "task.list", VIEWER)) == 1
    app.bus.dispatch("task.transitions", {"id": tid}, VIEWER)
    for action, payload in [
        ("task.create", {"title": "Nope"}),
        ("task.update", {"id": tid, "title": "Nope"}),
        ("task.transition", {"id": tid, "to": "in_progress"}),
        ("task.delete", {"id": tid}),
    ]:
        with raises_code("forbidden"):
            app.bus.dispatch(action, payload, VIEWER)
    got = app.bus.dispatch("task.get", {"id": tid}, ADMIN)
    assert (got["title"], got["status"], got["version"]) == ("Shared", "todo", 1)
    assert count(app, "tasks") == 1
    denied = [e for e in audit_entries(app) if e["outcome"] == "denied"]
    assert [e["action_id"] for e in denied] == [
        "task.create",
        "task.update",
        "task.transition",
        "task.delete",
    ]
    assert {e["actor_id"] for e in denied} == {"vera"}


def test_caller_without_roles_is_denied(app: App) -> None:
    with raises_code("forbidden"):
        app.bus.dispatch("task.list", {}, NOBODY)
    with raises_code("forbidden"):
        app.bus.dispatch("task.create", {"title": "x"}, caller("mallory", roles=("superuser",)))


def test_member_edits_any_task_but_deletes_only_own(app: App) -> None:
    alices = app.bus.dispatch("task.create", {"title": "Alice's"}, ADMIN)
    bobs = app.bus.dispatch("task.create", {"title": "Bob's"}, MEMBER)
    app.bus.dispatch("task.update", {"id": str(alices["id"]), "priority": "high"}, MEMBER)
    app.bus.dispatch("task.transition", {"id": str(alices["id"]), "to": "in_progress"}, MEMBER)
    with raises_code("forbidden"):
        app.bus.dispatch("task.delete", {"id": str(alices["id"])}, MEMBER)
    with raises_code("forbidden"):
        app.bus.dispatch("task.delete", {"id": str(bobs["id"])}, OTHER_MEMBER)
    assert count(app, "tasks") == 2
    app.bus.dispatch("task.delete", {"id": str(bobs["id"])}, MEMBER)
    assert [t["id"] for t in list_all(app, "task.list", ADMIN)] == [alices["id"]]
    denied = [e for e in audit_entries(app) if e["outcome"] == "denied"]
    assert [(e["actor_id"], e["record_id"]) for e in denied] == [
        ("bob", str(alices["id"])),
        ("carol", str(bobs["id"])),
    ]
    # Ownership follows the creator, not the last editor (bob edited alice's task above).
    assert app.bus.dispatch("task.get", {"id": str(alices["id"])}, ADMIN)["updated_by"] == "bob"


def test_ai_agent_never_deletes_even_as_admin(app: App) -> None:
    task = app.bus.dispatch("task.create", {"title": "Made by the bot"}, BOT)
    app.bus.dispatch("task.update", {"id": str(task["id"]), "priority": "low"}, BOT)
    company = app.bus.dispatch("company.create", {"name": "C"}, BOT)
    for action, payload in [
        ("task.delete", {"id": str(task["id"])}),
        ("company.delete", {"id": str(company["id"])}),
    ]:
        with raises_code("forbidden"):
            app.bus.dispatch(action, payload, BOT)
    assert count(app, "tasks") == 1 and count(app, "companies") == 1
    denied = [e for e in audit_entries(app) if e["outcome"] == "denied"]
    assert {e["caller_type"] for e in denied} == {"ai_agent"}
    assert len(denied) == 2


def test_system_caller_may_do_everything(app: App) -> None:
    system = app.system_caller()
    task = app.bus.dispatch("task.create", {"title": "Seeded"}, system)
    app.bus.dispatch("task.transition", {"id": str(task["id"]), "to": "in_progress"}, system)
    app.bus.dispatch("task.delete", {"id": str(task["id"])}, system)
    assert count(app, "tasks") == 0


@pytest.fixture
def patient(app: App) -> dict[str, Any]:
    return dict(
        app.bus.dispatch(
            "patient.create",
            {
                "full_name": "Jane Roe",
                "email": "jane@example.com",
                "date_of_birth": "1970-01-02",
                "insurance_number": "INS-123",
            },
            ADMIN,
        )
    )


def test_ai_agent_sees_sensitive_patient_fields_redacted(app: App, patient: dict[str, Any]) -> None:
    pid = str(patient["id"])
    seen_by_bot = app.bus.dispatch("patient.get", {"id": pid}, BOT)
    assert seen_by_bot["date_of_birth"] == REDACTED
    assert seen_by_bot["insurance_number"] == REDACTED
    assert seen_by_bot["full_name"] == "Jane Roe"
    assert seen_by_bot["email"] == "jane@example.com"
    [listed] = list_all(app, "patient.list", BOT)
    assert listed["id"] == patient["id"]
    assert (listed["date_of_birth"], listed["insurance_number"]) == (REDACTED, REDACTED)
    seen_by_admin = app.bus.dispatch("patient.get", {"id": pid}, ADMIN)
    assert str(seen_by_admin["date_of_birth"]) == "1970-01-02"
    assert seen_by_admin["insurance_number"] == "INS-123"
    # Sensitive fields are the admin's to read (issue 13): a viewer gets the mask too.
    assert app.bus.dispatch("patient.get", {"id": pid}, VIEWER)["insurance_number"] == REDACTED
    # A NULL stays NULL for the AI: redaction hides values, it does not invent them.
    bare = app.bus.dispatch("patient.create", {"full_name": "No DOB"}, ADMIN)
    got = app.bus.dispatch("patient.get", {"id": str(bare["id"])}, BOT)
    assert got["date_of_birth"] is None and got["insurance_number"] is None


def test_ai_agent_may_not_create_or_change_patients(app: App, patient: dict[str, Any]) -> None:
    pid = str(patient["id"])
    for action, payload in [
        ("patient.create", {"full_name": "Bot Made"}),
        ("patient.update", {"id": pid, "full_name": "Bot Edited"}),
        ("patient.delete", {"id": pid}),
    ]:
        with raises_code("forbidden"):
            app.bus.dispatch(action, payload, BOT)
    got = app.bus.dispatch("patient.get", {"id": pid}, ADMIN)
    assert (got["full_name"], got["version"]) == ("Jane Roe", 1)
    assert count(app, "patients") == 1


def _decoded(cursor: str | None) -> str:
    if cursor is None:
        return ""
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8", "replace")


def test_ai_agent_list_responses_never_carry_sensitive_values(app: App) -> None:
    """Not in the items, and not in the (merely encoded) cursor either."""
    secrets = {"1970-01-02", "1985-07-08", "INS-123", "INS-456"}
    for name, dob, ins in [("A", "1970-01-02", "INS-123"), ("B", "1985-07-08", "INS-456")]:
        payload = {"full_name": name, "date_of_birth": dob, "insurance_number": ins}
        app.bus.dispatch("patient.create", payload, ADMIN)
    leaks = {}
    for order_by in ["date_of_birth", "-date_of_birth", "insurance_number", "full_name"]:
        request = {"order_by": order_by, "limit": 1}
        try:
            page = app.bus.dispatch("patient.list", request, BOT)
        except MetaSaasError as exc:
            assert exc.code in ("invalid_input", "forbidden"), exc.to_dict()
            continue
        text = json.dumps(to_jsonable(page["items"])) + _decoded(page["next_cursor"])
        leaks[order_by] = sorted(s for s in secrets if s in text)
    assert leaks == dict.fromkeys(leaks, [])


def test_ai_agent_cannot_probe_sensitive_values_with_filters(app: App) -> None:
    """A filter on a masked field must not answer "is the value X?" for the AI."""
    payload = {"full_name": "A", "date_of_birth": "1970-01-02", "insurance_number": "INS-123"}
    app.bus.dispatch("patient.create", payload, ADMIN)
    probes = {
        "date_of_birth": ("1970-01-02", "1999-09-09"),
        "date_of_birth__lt": ("1971-01-01", "1969-01-01"),
        "insurance_number__contains": ("INS-1", "ZZZ"),
    }
    answers = {}
    for key, (right, wrong) in probes.items():
        outcome = []
        for guess in (right, wrong):
            try:
                page = app.bus.dispatch("patient.list", {"filters": {key: guess}}, BOT)
                outcome.append(len(page["items"]))
            except MetaSaasError as exc:
                outcome.append(exc.code)
        answers[key] = outcome[0] == outcome[1]
    assert answers == dict.fromkeys(probes, True), "True means the probe learns nothing"
