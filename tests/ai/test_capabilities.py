"""The model-backed capability runner against the local stub: answers, fallbacks, metering,
what the model is told, and an on_create capability delivered once across a crash."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import entities
from ai import metering
from ai.capabilities import ModelCapabilityRunner, bootstrap_with_ai
from core.bootstrap import App
from core.contracts import AICapability, CallerType
from core.db.migrate import migrate
from core.settings import Settings
from entities.clinic import PATIENT
from tests.ai.helpers import ADMIN, ai_entries
from tests.ai.stub_server import StubModel, stall, status, text
from tests.conftest import make_caller
from tests.support.engine_helpers import delivery_rows, domain_with, entity_with

DOB = "1961-04-12"
DEV = make_caller(user="dev-admin", roles=("admin",))  # the configured user of Settings()


def _app(db_url: str, stub: StubModel | None, **ai: Any) -> App:
    settings: dict[str, Any] = {"ai": {"model": ""}}  # none configured
    if stub is not None:
        settings = {
            "ai": {
                "model": "openai/gpt-4o-mini",
                "api_base": stub.base_url,
                "timeout_seconds": 2,
                "max_retries": 0,
                **ai,
            }
        }
    app = bootstrap_with_ai(Settings(database_url=db_url, **settings), **ai.pop("_kw", {}))
    migrate(app.engine, app.registry.metadata)
    return app


@pytest.fixture
def apps(db_url: str) -> Iterator[list[App]]:
    made: list[App] = []
    yield made
    metering.flush()
    for app in made:
        app.close()


def _usage(app: App) -> list[dict[str, Any]]:
    metering.flush()
    summary = app.bus.dispatch("ai_usage.summary", {"by": "model"}, ADMIN)
    return list(summary["items"])


def _summarize(app: App) -> dict[str, Any]:
    task = app.bus.dispatch(
        "task.create", {"title": "Call the supplier", "priority": "high"}, ADMIN
    )
    result: dict[str, Any] = app.bus.dispatch("task.summarize", {"id": str(task["id"])}, ADMIN)
    return result


def test_a_capability_answered_by_the_model(db_url: str, stub: StubModel, apps: list[App]) -> None:
    apps.append(app := _app(db_url, stub))
    stub.enqueue(text("Call the supplier about the late delivery."))
    answer = _summarize(app)
    assert (answer["output"], answer["source"]) == (
        "Call the supplier about the late delivery.",
        "model",
    )
    (request,) = stub.requests
    system, user = request["messages"]
    assert "Summarise the task" in system["content"] and '"maxLength": 500' in system["content"]
    assert json.loads(user["content"])["title"] == "Call the supplier"
    usage = _usage(app)
    assert usage and usage[0]["calls"] >= 1


def test_an_enum_answer_is_matched_to_the_declared_option(
    db_url: str, stub: StubModel, apps: list[App]
) -> None:
    apps.append(app := _app(db_url, stub))
    stub.enqueue(text('"Software"'))
    company = app.bus.dispatch("company.create", {"name": "Acme"}, ADMIN)
    answer = app.bus.dispatch("company.classify_industry", {"id": str(company["id"])}, ADMIN)
    assert (answer["output"], answer["source"]) == ("software", "model")


def test_invalid_output_gives_the_declared_fallback(
    db_url: str, stub: StubModel, apps: list[App]
) -> None:
    apps.append(app := _app(db_url, stub))
    stub.enqueue(text("spaceships"))  # not one of the industries
    company = app.bus.dispatch("company.create", {"name": "Acme"}, ADMIN)
    answer = app.bus.dispatch("company.classify_industry", {"id": str(company["id"])}, ADMIN)
    assert (answer["output"], answer["source"]) == ("other", "fallback")
    assert len(stub.requests) == 1


def test_without_a_fallback_nothing_is_answered_or_written(
    db_url: str, stub: StubModel, apps: list[App]
) -> None:
    apps.append(app := _app(db_url, stub))
    stub.enqueue(text("x" * 600))  # longer than the declared maxLength
    answer = _summarize(app)
    assert (answer["output"], answer["source"]) == (None, "none")


@pytest.mark.parametrize("failure", [stall(4), status(500)], ids=["timeout", "provider_error"])
def test_a_timeout_or_provider_error_gives_the_fallback(
    db_url: str, stub: StubModel, apps: list[App], failure: Any
) -> None:
    apps.append(app := _app(db_url, stub, timeout_seconds=1))
    stub.enqueue(failure)
    company = app.bus.dispatch("company.create", {"name": "Acme"}, ADMIN)
    answer = app.bus.dispatch("company.classify_industry", {"id": str(company["id"])}, ADMIN)
    assert (answer["output"], answer["source"]) == ("other", "fallback")
    assert [u["errors"] for u in _usage(app)] == [1]


def test_no_model_configured_gives_the_fallback_without_a_call(
    db_url: str, apps: list[App]
) -> None:
    apps.append(app := _app(db_url, None))
    company = app.bus.dispatch("company.create", {"name": "Acme"}, ADMIN)
    answer = app.bus.dispatch("company.classify_industry", {"id": str(company["id"])}, ADMIN)
    assert (answer["output"], answer["source"]) == ("other", "fallback")
    assert _usage(app) == []


def test_the_on_demand_verbs_are_reads_for_every_role_that_reads_the_entity(
    db_url: str, stub: StubModel, apps: list[App]
) -> None:
    apps.append(app := _app(db_url, stub))
    stub.default = text("A summary.")
    task = app.bus.dispatch("task.create", {"title": "Report"}, ADMIN)
    for role in ("operator", "viewer", "support"):
        reader = make_caller(user="bob", roles=(role,))
        answer = app.bus.dispatch("task.summarize", {"id": str(task["id"])}, reader)
        assert answer["output"] == "A summary."
    company = app.bus.dispatch("company.create", {"name": "Acme"}, ADMIN)
    contact = app.bus.dispatch("contact.create", {"first_name": "Ada", "last_name": "L"}, ADMIN)
    viewer = make_caller(user="bob", roles=("viewer",))
    app.bus.dispatch("company.classify_industry", {"id": str(company["id"])}, viewer)
    app.bus.dispatch("contact.draft_intro_email", {"id": str(contact["id"])}, viewer)
    nobody = make_caller(user="nemo", roles=())
    with pytest.raises(Exception, match="not allowed|forbidden|may not"):
        app.bus.dispatch("task.summarize", {"id": str(task["id"])}, nobody)


def test_the_model_is_told_the_context_fields_only_never_a_sensitive_value(
    db_url: str, stub: StubModel, apps: list[App]
) -> None:
    capability = AICapability(
        id="triage_note",
        kind="summarize",
        intent="Summarise the patient's notes.",
        context_fields=("full_name", "phone"),
        output_schema={"type": "string"},
    )
    patient = entity_with(PATIENT, ai_capabilities=(capability,))
    domain = domain_with(entities.DOMAIN, patient)
    apps.append(app := _app(db_url, stub, _kw={"domain": domain}))
    stub.enqueue(text("Fine."))
    created = app.bus.dispatch(
        "patient.create",
        {
            "full_name": "Ada Lovelace",
            "email": "ada@example.com",
            "phone": "+44 20 7946 0000",
            "date_of_birth": DOB,
            "insurance_number": "INS-SENTINEL-42",
        },
        ADMIN,
    )
    answer = app.bus.dispatch("patient.triage_note", {"id": str(created["id"])}, ADMIN)
    assert answer["output"] == "Fine."
    sent = stub.received_text()
    assert "Ada Lovelace" in sent and "7946" in sent  # the context did reach the model
    for kept_back in (DOB, "INS-SENTINEL-42", "ada@example.com"):
        assert kept_back not in sent


def test_on_create_writes_the_answer_back_as_the_ai_agent(
    db_url: str, stub: StubModel, apps: list[App]
) -> None:
    apps.append(app := _app(db_url, stub))
    stub.enqueue(text("high"))
    task = app.bus.dispatch("task.create", {"title": "Server is down"}, DEV)
    assert app.bus.dispatcher.drain()
    assert app.bus.dispatch("task.get", {"id": str(task["id"])}, ADMIN)["priority"] == "high"
    (write,) = [e for e in ai_entries(app) if e["action_id"] == "task.update"]
    assert write["changes"]["_provenance"]["capability"] == "suggest_priority"
    assert write["caller_type"] == CallerType.AI_AGENT.value


def test_on_create_is_delivered_once_after_a_crash_between_commit_and_delivery(
    db_url: str, stub: StubModel, apps: list[App]
) -> None:
    stub.enqueue(stall(1.5))  # the first process is still waiting when it ends
    apps.append(first := _app(db_url, stub, timeout_seconds=5))
    task = first.bus.dispatch("task.create", {"title": "Left behind"}, DEV)
    worker = first.bus.dispatcher._worker
    first.bus.dispatcher.close(timeout=0.1)
    stub.enqueue(text("high"))
    apps.append(second := _app(db_url, stub))
    second.bus.dispatch("project.create", {"name": "first write sweeps"}, ADMIN)
    assert second.bus.dispatcher.drain()
    if worker is not None:
        worker.join(10)  # the first process's late answer changes nothing
    assert second.bus.dispatch("task.get", {"id": str(task["id"])}, ADMIN)["priority"] == "high"
    runs = [
        d for d in delivery_rows(second) if d["subscriber"] == "capability:task.suggest_priority"
    ]
    assert len(runs) == 1
    writes = [e for e in ai_entries(second) if e["action_id"] == "task.update"]
    assert len(writes) == 1


def test_the_runner_refuses_without_routes_so_core_falls_back() -> None:
    from ai.capabilities import CapabilityFailed
    from core.contracts import CapabilityRequest

    runner = ModelCapabilityRunner(Settings(ai={"model": ""}))

    capability = entities.projects.TASK.ai_capabilities[1]
    with pytest.raises(CapabilityFailed, match="no model"):
        runner(CapabilityRequest("default", "alice", "Task", "x", capability, {"title": "t"}))


def test_metasaas_run_asks_the_model_and_meters_the_call(tmp_path: Any) -> None:
    from tests.cli.conftest import ADMIN as CLI_ADMIN
    from tests.cli.conftest import dispatch, prepare, run_cli

    url = f"sqlite:///{tmp_path / 'run.db'}"
    prepare(url, seeded=False)
    task = dispatch(url, "task.create", {"title": "Ship it", "priority": "low"}, CLI_ADMIN)
    with StubModel() as stub:
        stub.enqueue(text("Ship the release."))
        env = {
            "METASAAS_AI__MODEL": "openai/gpt-4o-mini",
            "METASAAS_AI__API_BASE": stub.base_url,
            "METASAAS_AI__MAX_RETRIES": "0",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
        result = run_cli("run", "task.summarize", f"id={task['id']}", "--format", "json",
                         db=url, env=env)  # fmt: skip
    assert result.code == 0, result.stderr
    assert (result.json()["output"], result.json()["source"]) == ("Ship the release.", "model")
    usage = dispatch(url, "ai_usage.summary", {"by": "model"}, CLI_ADMIN)["items"]
    assert [(u["calls"], u["errors"]) for u in usage] == [(1, 0)]  # written before exit


def _add_user(app: App, username: str, roles: list[str]) -> None:
    import datetime as dt
    import uuid

    from core.db.platform_tables import users

    row = {
        "id": uuid.uuid4(),
        "tenant_id": "default",
        "username": username,
        "display_name": username,
        "roles": roles,
        "created_at": dt.datetime.now(dt.UTC),
    }
    with app.engine.begin() as conn:
        conn.execute(users.insert().values(**row))


def test_on_create_acts_with_the_stored_roles_of_the_user_not_the_process(
    db_url: str, stub: StubModel, apps: list[App]
) -> None:
    apps.append(app := _app(db_url, stub))
    stub.default = text("high")
    _add_user(app, "vera", ["operator"])
    vera = make_caller(user="vera", roles=("operator",))
    stranger = make_caller(user="stan", roles=("operator",))  # in no users row
    written = app.bus.dispatch("task.create", {"title": "Vera's"}, vera)
    skipped = app.bus.dispatch("task.create", {"title": "Stan's"}, stranger)
    assert app.bus.dispatcher.drain()
    get = lambda t: app.bus.dispatch("task.get", {"id": str(t["id"])}, ADMIN)  # noqa: E731
    assert get(written)["priority"] == "high"
    assert get(skipped)["priority"] == "medium"  # no roles: the AI may not even read it
    assert len(stub.requests) == 1
    (write,) = [e for e in ai_entries(app) if e["action_id"] == "task.update"]
    assert write["actor_id"] == "vera"
