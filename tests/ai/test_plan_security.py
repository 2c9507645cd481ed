"""Adversarial plans, as a model or a stored plan file could propose them, all refused by
the bus (denials audited); stepwise runs that stop and report; provenance; no key stored."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from ai import metering, platform
from ai.plan import Plan, Step, load
from ai.runner import Origin, provenance, run_plan
from core.bootstrap import App
from core.contracts import Caller, CallerType
from core.errors import InvalidInput
from tests.ai import stub_server as s
from tests.ai.conftest import SECRET_KEY, interpreter
from tests.ai.helpers import ADMIN, ai_entries, create
from tests.ai.stub_server import StubModel
from tests.conftest import make_caller

ORIGIN = Origin("palette", "do it", "openai/gpt-4o-mini")
OTHER_TENANT = make_caller(tenant="other", user="eve", roles=("admin",))


def one(action_id: str, payload: dict) -> Plan:
    return Plan(steps=[Step(action_id=action_id, input=payload)], source="model")


def failure(app: App, user: Caller, plan: Plan) -> dict:
    report = run_plan(app, user, plan, ORIGIN, confirmed_by=user.user_id)
    assert not report.completed
    error = report.results[-1].error
    assert error is not None
    return error


def test_unknown_action_is_refused(ai_app: App, user: Caller) -> None:
    assert failure(ai_app, user, one("task.purge_all", {}))["code"] == "not_found"


@pytest.mark.parametrize(
    ("action_id", "payload_of"),
    [
        ("task.delete", lambda ids: {"id": ids["task"]}),  # an AI agent never deletes
        ("patient.create", lambda ids: {"full_name": "New"}),  # nor writes medical records
        ("patient.update", lambda ids: {"id": ids["patient"], "insurance_number": "X"}),
    ],
    ids=["delete", "patient-create", "patient-sensitive-write"],
)
def test_an_action_the_user_may_not_run_is_refused_and_audited(
    ai_app: App, user: Caller, action_id: str, payload_of: object
) -> None:
    ids = {
        "task": str(create(ai_app, "task.create", {"title": "Keep me"})["id"]),
        "patient": str(create(ai_app, "patient.create", {"full_name": "P"})["id"]),
    }
    error = failure(ai_app, user, one(action_id, payload_of(ids)))  # type: ignore[operator]
    assert error["code"] == "forbidden"
    denied = [e for e in ai_entries(ai_app) if e["outcome"] == "denied"]
    assert [(e["action_id"], e["actor_id"]) for e in denied] == [(action_id, "alice")]
    assert ai_app.bus.dispatch("task.count", {}, ADMIN)["count"] == 1


def test_another_tenants_record_is_not_found(ai_app: App, user: Caller) -> None:
    theirs = create(ai_app, "task.create", {"title": "Theirs"}, OTHER_TENANT)
    for action_id, payload in (
        ("task.get", {"id": str(theirs["id"])}),
        ("task.update", {"id": str(theirs["id"]), "title": "Mine now"}),
        ("task.transition", {"id": str(theirs["id"]), "trigger": "start"}),
    ):
        assert failure(ai_app, user, one(action_id, payload))["code"] == "not_found"
    assert ai_app.bus.dispatch("task.get", {"id": str(theirs["id"])}, OTHER_TENANT)["title"] == (
        "Theirs"
    )


def test_extra_fields_and_oversized_values_are_invalid(ai_app: App, user: Caller) -> None:
    extra = failure(ai_app, user, one("task.create", {"title": "t", "tenant_id": "other"}))
    assert extra["code"] == "invalid_input"
    huge = failure(ai_app, user, one("task.create", {"title": "x" * 5000}))
    assert huge["code"] == "invalid_input"
    assert ai_app.bus.dispatch("task.count", {}, ADMIN)["count"] == 0


def test_probing_a_sensitive_field_is_refused_and_audited(ai_app: App, user: Caller) -> None:
    create(ai_app, "patient.create", {"full_name": "P", "date_of_birth": "1960-01-01"})
    plan = one("patient.list", {"filters": {"date_of_birth": "1960-01-01"}})
    assert failure(ai_app, user, plan)["code"] == "forbidden"
    assert any(e["action_id"] == "patient.list" for e in ai_entries(ai_app))
    read = run_plan(ai_app, user, one("patient.list", {}), ORIGIN)
    assert read.results[0].result["items"][0]["date_of_birth"] == "[redacted]"


def test_a_failing_step_stops_the_plan_and_says_which_ran(ai_app: App, user: Caller) -> None:
    plan = Plan(
        steps=[
            Step(action_id="task.create", input={"title": "first"}),
            Step(action_id="task.create", input={"title": "second", "status": "done"}),
            Step(action_id="task.create", input={"title": "third"}),
        ],
        source="offline",
    )
    report = run_plan(ai_app, user, plan, ORIGIN)
    summary = report.public()
    assert (summary["ran"], summary["failed_step"], summary["not_run"]) == ([1], 2, [3])
    titles = {r["title"] for r in ai_app.bus.dispatch("task.list", {}, ADMIN)["items"]}
    assert titles == {"first"}


def test_apply_after_losing_the_permission_is_refused(ai_app: App, user: Caller) -> None:
    stored = one("task.create", {"title": "Planned while an operator"}).model_dump_json()
    demoted = make_caller(user="alice", roles=("viewer",))
    plan = load(stored)
    assert failure(ai_app, demoted, plan)["code"] == "forbidden"
    assert ai_app.bus.dispatch("task.count", {}, ADMIN)["count"] == 0


def test_a_plan_file_accepts_only_the_public_form() -> None:
    with pytest.raises(InvalidInput):
        load(json.dumps({"steps": [], "explanation": "", "source": "model", "api_base": "x"}))
    with pytest.raises(InvalidInput):
        load(json.dumps({"steps": [{"action_id": "task.list", "input": {}, "as": "system"}]}))
    with pytest.raises(InvalidInput):
        load(json.dumps({"steps": [{"action_id": "task.list"}] * 11}))
    with pytest.raises(InvalidInput):
        load("not json")


def test_each_ai_action_carries_its_provenance(ai_app: App, user: Caller) -> None:
    plan = Plan(
        steps=[
            Step(action_id="task.list", input={}),
            Step(action_id="task.create", input={"title": "From the palette"}),
        ],
        source="model",
    )
    run_plan(ai_app, user, plan, ORIGIN, confirmed_by="alice")
    entry = next(e for e in ai_entries(ai_app) if e["action_id"] == "task.create")
    provenance = entry["changes"]["_provenance"]
    assert provenance["source"] == "palette" and provenance["model"] == "openai/gpt-4o-mini"
    assert provenance["step"] == 2 and provenance["confirmed_by"] == "alice"
    assert provenance["command"] == "do it" and len(provenance["prompt_sha256"]) == 64


def test_a_sensitive_value_in_the_command_is_not_kept_in_provenance(ai_app: App) -> None:
    plan = one("patient.update", {"id": "3f1c2d4e-1111-4222-8333-444455556666",
                                  "insurance_number": "INS-1"})  # fmt: skip
    origin = Origin("cli", "set insurance number of patient … to INS-1", "offline")
    trail = provenance(ai_app, plan, origin, 1, "alice")
    assert trail["command"] == "[redacted]" and "INS-1" not in json.dumps(trail)


def test_no_key_in_any_database_row_plan_or_usage_line(
    ai_app: App, stub: StubModel, user: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET_KEY)
    stub.enqueue(s.tools(("task__create", {"title": "Keyless"})))
    found = interpreter(ai_app, user).interpret("create a task called Keyless")
    run_plan(ai_app, user, found.plan, Origin("cli", "create a task called Keyless", found.model))
    metering.flush()
    ai_app.bus.seal_pending()
    dump = []
    with ai_app.engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            rows = conn.execute(sa.text(f'SELECT * FROM "{table}"')).fetchall()
            dump += [repr(tuple(r)) for r in rows]
    text = "\n".join(dump)
    assert "Keyless" in text  # the probe sees the rows
    assert "gpt-4o-mini" in text  # the usage row is there too
    assert SECRET_KEY not in text and SECRET_KEY not in found.plan.canonical()


def test_the_agent_acts_with_the_users_roles_only() -> None:
    agent = platform.agent_caller(make_caller(user="bob", roles=("viewer",)))
    assert (agent.user_id, agent.roles, agent.caller_type) == (
        "bob",
        frozenset({"viewer"}),
        CallerType.AI_AGENT,
    )
