"""Entity AI capabilities run by the platform, with a fake model runner (the AI layer's
real runner is tested against the stub server in tests/ai)."""

from __future__ import annotations

import threading
from typing import Any

from core.bootstrap import App
from core.contracts import CallerType, CapabilityRequest
from tests.support.engine_helpers import (
    AppFactory,
    audit_entries,
    caller,
    delivery_rows,
    raises_code,
)

ADMIN = caller("alice")


class Model:
    """Answers each capability from its own script; records what it was asked."""

    def __init__(self, **answers: list[Any]) -> None:
        self.answers = answers
        self.asked: list[CapabilityRequest] = []

    def __call__(self, request: CapabilityRequest) -> Any:
        self.asked.append(request)
        script = self.answers.get(request.capability.id, [])
        answer = script.pop(0) if script else RuntimeError("no more answers")
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def asked_for(self, capability: str) -> list[CapabilityRequest]:
        return [r for r in self.asked if r.capability.id == capability]


def _app(app_factory: AppFactory, model: Model | None) -> App:
    return app_factory(capabilities=model)


def test_an_on_demand_capability_is_an_action_answering_with_the_output(
    app_factory: AppFactory,
) -> None:
    model = Model(summarize=["Write the launch report by Friday."])
    app = _app(app_factory, model)
    task = app.bus.dispatch("task.create", {"title": "Report", "description": "launch"}, ADMIN)
    answer = app.bus.dispatch("task.summarize", {"id": str(task["id"])}, ADMIN)
    assert answer == {
        "capability": "summarize",
        "record_id": task["id"],
        "output": "Write the launch report by Friday.",
        "source": "model",
    }
    (request,) = model.asked_for("summarize")
    assert set(request.context) == {"title", "description", "status", "priority", "due_date"}
    assert request.context["title"] == "Report" and request.record_id == str(task["id"])


def test_an_invalid_or_failed_answer_gives_the_fallback_or_nothing(app_factory: AppFactory) -> None:
    model = Model(summarize=["x" * 501, RuntimeError("timeout")])  # too long, then a failure
    app = _app(app_factory, model)
    task = app.bus.dispatch("task.create", {"title": "Report"}, ADMIN)
    for _ in range(2):  # summarize declares no fallback: nothing
        answer = app.bus.dispatch("task.summarize", {"id": str(task["id"])}, ADMIN)
        assert (answer["output"], answer["source"]) == (None, "none")
    company = app.bus.dispatch("company.create", {"name": "Acme"}, ADMIN)
    fallback = app.bus.dispatch("company.classify_industry", {"id": str(company["id"])}, ADMIN)
    assert (fallback["output"], fallback["source"]) == ("other", "fallback")  # no more answers


def test_on_demand_capabilities_follow_the_permission_rules(app_factory: AppFactory) -> None:
    app = _app(app_factory, Model(summarize=["summary"]))
    task = app.bus.dispatch("task.create", {"title": "Report"}, ADMIN)
    with raises_code("forbidden"):
        app.bus.dispatch("task.summarize", {"id": str(task["id"])}, caller("nemo", roles=()))
    with raises_code("not_found"):
        app.bus.dispatch("task.summarize", {"id": str(task["id"])}, caller(tenant="other"))


def test_on_create_sets_its_field_through_the_bus_as_an_ai_agent(app_factory: AppFactory) -> None:
    model = Model(suggest_priority=["high"])
    app = _app(app_factory, model)
    task = app.bus.dispatch("task.create", {"title": "Server is down"}, ADMIN)
    assert task["priority"] == "medium"  # the action returned before any model was asked
    assert app.bus.dispatcher.drain()
    assert app.bus.dispatch("task.get", {"id": str(task["id"])}, ADMIN)["priority"] == "high"
    (write,) = [e for e in audit_entries(app) if e["action_id"] == "task.update"]
    assert write["caller_type"] == CallerType.AI_AGENT.value and write["actor_id"] == "alice"
    provenance = write["changes"]["_provenance"]
    assert provenance["capability"] == "suggest_priority" and provenance["answered_by"] == "model"
    assert model.asked[0].context == {"title": "Server is down", "description": None}


def test_on_create_leaves_a_value_the_person_chose(app_factory: AppFactory) -> None:
    model = Model(suggest_priority=["high"])
    app = _app(app_factory, model)
    task = app.bus.dispatch("task.create", {"title": "Chosen", "priority": "low"}, ADMIN)
    assert app.bus.dispatcher.drain()
    assert app.bus.dispatch("task.get", {"id": str(task["id"])}, ADMIN)["priority"] == "low"
    assert model.asked == []


def test_on_create_with_an_invalid_answer_uses_the_fallback(app_factory: AppFactory) -> None:
    app = _app(app_factory, Model(suggest_priority=["urgent"]))  # not one of the options
    task = app.bus.dispatch("task.create", {"title": "Unclear"}, ADMIN)
    assert app.bus.dispatcher.drain()
    assert app.bus.dispatch("task.get", {"id": str(task["id"])}, ADMIN)["priority"] == "medium"
    assert not [e for e in audit_entries(app) if e["action_id"] == "task.update"]


def test_on_create_is_delivered_once_after_a_crash_between_commit_and_delivery(
    app_factory: AppFactory,
) -> None:
    release = threading.Event()

    class Stuck(Model):
        def __call__(self, request: CapabilityRequest) -> Any:
            release.wait(5)
            raise RuntimeError("the process died mid-answer")

    first = _app(app_factory, Stuck())
    task = first.bus.dispatch("task.create", {"title": "Left behind"}, ADMIN)
    first.bus.dispatcher.close(timeout=0.1)  # the process ends before the model answered
    model = Model(suggest_priority=["high"])
    second = _app(app_factory, model)
    second.bus.dispatch("project.create", {"name": "first write sweeps"}, ADMIN)
    assert second.bus.dispatcher.drain()
    release.set()
    assert second.bus.dispatch("task.get", {"id": str(task["id"])}, ADMIN)["priority"] == "high"
    assert len(model.asked_for("suggest_priority")) == 1
    runs = [
        d for d in delivery_rows(second) if d["subscriber"] == "capability:task.suggest_priority"
    ]
    assert len(runs) == 1
    writes = [e for e in audit_entries(second) if e["action_id"] == "task.update"]
    assert len(writes) == 1
