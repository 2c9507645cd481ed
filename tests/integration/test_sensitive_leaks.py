"""An AI agent never learns a sensitive value: not nested in a result, not by a count, not
through a unique conflict, not through an error message.

Each failed before issue 8: masking covered only the top-level keys of the action's own
entity, a custom action could count or return raw values, and errors were passed through.
"""

from __future__ import annotations

from typing import Any

import pytest

import entities
from core.contracts import (
    ActionContext,
    CallerType,
    CustomAction,
    DefinitionError,
    Field,
    HookContext,
    Hooks,
    InvalidInput,
    UIHints,
)
from core.jsonable import REDACTED
from entities.clinic import PATIENT
from entities.policies import STANDARD
from tests.support.engine_helpers import AppFactory, caller, domain_with, entity_with, raises_code

BOT = caller("alice", roles=("admin",), caller_type=CallerType.AI_AGENT)
BORN = "1961-04-12"
POLICY = "INS-SENTINEL-4471"


def test_a_sensitive_field_cannot_be_a_search_field() -> None:
    with pytest.raises(DefinitionError, match="sensitive"):
        entity_with(PATIENT, ui=UIHints(search_fields=("full_name", "insurance_number")))


def _report(ctx: ActionContext, data: dict[str, Any]) -> dict[str, Any]:
    """A custom action that hands back another entity's records, nested."""
    patients = ctx.records("patient")
    first = patients.find({}, limit=1)[0]
    return {
        "nested": {"deeper": [{"patient": patients.get(first["id"])}]},
        "all": patients.find({}),
        "count": patients.count({}),
    }


def _app_with_report(app_factory: AppFactory) -> Any:
    action = CustomAction("Project", "clinic_report", _report, description="nested records")
    app = app_factory(domain_with(entities.DOMAIN, actions=(*entities.DOMAIN.actions, action)))
    app.bus.dispatch(
        "patient.create",
        {"full_name": "Ada", "date_of_birth": BORN, "insurance_number": POLICY},
        caller(),
    )
    return app


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [str(value)]


def test_records_nested_in_a_custom_result_are_masked_for_ai_agents(
    app_factory: AppFactory,
) -> None:
    app = _app_with_report(app_factory)
    seen = app.bus.dispatch("project.clinic_report", {}, BOT)
    texts = _strings(seen)
    assert not any(BORN in t or POLICY in t for t in texts)
    assert seen["nested"]["deeper"][0]["patient"]["date_of_birth"] == REDACTED
    assert seen["all"][0]["insurance_number"] == REDACTED
    human = app.bus.dispatch("project.clinic_report", {}, caller())
    assert human["all"][0]["insurance_number"] == POLICY  # people see what they may read


def test_a_custom_action_cannot_count_by_a_sensitive_value_for_an_ai_agent(
    app_factory: AppFactory,
) -> None:
    def probe(ctx: ActionContext, data: dict[str, Any]) -> int:
        return ctx.records("patient").count({"insurance_number": data["guess"]})

    action = CustomAction(
        "Project", "probe", probe, input_fields=(Field("guess", "text", required=True),)
    )
    app = app_factory(domain_with(entities.DOMAIN, actions=(action,)))
    app.bus.dispatch("patient.create", {"full_name": "Ada", "insurance_number": POLICY}, caller())
    for guess in (POLICY, "INS-WRONG"):  # the same answer whether the guess is right or not
        with raises_code("forbidden"):
            app.bus.dispatch("project.probe", {"guess": guess}, BOT)
    assert app.bus.dispatch("project.probe", {"guess": POLICY}, caller()) == 1


def _unique_insurance(app_factory: AppFactory) -> Any:
    fields = tuple(
        f.model_copy(update={"unique": True}) if f.name == "insurance_number" else f
        for f in PATIENT.fields
    )
    patient = entity_with(PATIENT, fields=fields, permissions=STANDARD)
    return app_factory(domain_with(entities.DOMAIN, patient))


def test_a_unique_sensitive_value_does_not_answer_does_it_exist(app_factory: AppFactory) -> None:
    app = _unique_insurance(app_factory)
    app.bus.dispatch("patient.create", {"full_name": "Ada", "insurance_number": POLICY}, caller())
    answers = []
    for guess in (POLICY, "INS-FRESH-0001"):
        with raises_code("forbidden") as info:
            app.bus.dispatch("patient.create", {"full_name": "Bot", "insurance_number": guess}, BOT)
        answers.append(info.value.message)
    assert answers[0] == answers[1]
    with raises_code("conflict"):  # a person may learn it: they may read the field
        app.bus.dispatch(
            "patient.create", {"full_name": "Eve", "insurance_number": POLICY}, caller()
        )


def test_an_error_worded_with_a_sensitive_value_reaches_an_ai_agent_masked(
    app_factory: AppFactory,
) -> None:
    def refuse(ctx: HookContext) -> None:
        born = ctx.existing["date_of_birth"] if ctx.existing else None
        raise InvalidInput(f"cannot rename a patient born {born}", {"born": str(born)})

    patient = entity_with(PATIENT, permissions=STANDARD, hooks=Hooks(before_update=(refuse,)))
    app = app_factory(domain_with(entities.DOMAIN, patient))
    created = app.bus.dispatch(
        "patient.create", {"full_name": "Ada", "date_of_birth": BORN}, caller()
    )
    payload = {"id": str(created["id"]), "full_name": "Ada L."}
    with raises_code("invalid_input") as info:
        app.bus.dispatch("patient.update", payload, BOT)
    assert BORN not in info.value.message and BORN not in str(info.value.details)
    assert REDACTED in info.value.message
    with raises_code("invalid_input") as human:
        app.bus.dispatch("patient.update", payload, caller())
    assert BORN in human.value.message
