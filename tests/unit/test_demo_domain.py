"""The demo domain as the issue names it: scripts and examples rely on these exact fields."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest

import entities
from core.contracts import Entity, FieldType, SeedRecord
from core.model import inputs
from core.model.registry import Registry
from core.model.workflow import check_transition


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry(entities.DOMAIN)


@pytest.fixture(scope="module")
def seeds() -> list[SeedRecord]:
    assert entities.DOMAIN.seed is not None
    return list(entities.DOMAIN.seed())


def field_type(entity: Entity, name: str) -> FieldType:
    field = entity.field(name)
    assert field is not None, f"{entity.name} has no field {name!r}"
    return field.type


def belongs_to_targets(entity: Entity) -> set[str]:
    return {r.target for r in entity.belongs_to}


def moves(entity: Entity, field: str) -> set[tuple[str, str]]:
    workflow = entity.workflow_for(field)
    assert workflow is not None
    return {(s, t.target) for t in workflow.transitions for s in t.sources}


def test_domain_builds_a_registry_with_every_entity(registry: Registry) -> None:
    names = set(registry.entities)
    assert {"Company", "Contact", "Project", "Task", "Doctor", "Patient", "Appointment"} <= names
    for key in ("company", "contact", "project", "task", "doctor", "patient", "appointment"):
        for verb in ("create", "list", "get", "update", "delete"):
            assert f"{key}.{verb}" in registry.actions
    assert "project.summary" in registry.actions
    for key in ("task", "appointment"):
        assert f"{key}.transition" in registry.actions
        assert f"{key}.transitions" in registry.actions


def test_every_action_has_an_input_model(registry: Registry) -> None:
    for spec in registry.actions.values():
        assert registry.input_model(spec).model_config.get("extra") == "forbid", spec.id


def test_company(registry: Registry) -> None:
    company = registry.entity("Company")
    name = company.field("name")
    assert name is not None
    assert name.unique
    assert field_type(company, "website") is FieldType.URL
    assert field_type(company, "industry") is FieldType.ENUM
    assert field_type(company, "employees") is FieldType.INTEGER


def test_contact(registry: Registry) -> None:
    contact = registry.entity("Contact")
    for name in ("first_name", "last_name"):
        assert field_type(contact, name) is FieldType.TEXT
    assert field_type(contact, "email") is FieldType.EMAIL
    assert field_type(contact, "phone") is FieldType.PHONE
    assert belongs_to_targets(contact) == {"Company"}


def test_project(registry: Registry) -> None:
    project = registry.entity("Project")
    assert field_type(project, "name") is FieldType.TEXT
    assert field_type(project, "description") is FieldType.LONG_TEXT
    assert field_type(project, "status") is FieldType.ENUM
    assert field_type(project, "start_date") is FieldType.DATE
    assert field_type(project, "end_date") is FieldType.DATE


def test_task_fields(registry: Registry) -> None:
    task = registry.entity("Task")
    title = task.field("title")
    assert title is not None
    assert title.type is FieldType.TEXT
    assert title.required
    assert title.effective_max_length == 200
    assert field_type(task, "description") is FieldType.LONG_TEXT
    priority = task.field("priority")
    assert priority is not None
    assert set(priority.options) == {"low", "medium", "high"}
    assert priority.default == "medium"
    assert field_type(task, "due_date") is FieldType.DATE
    assert field_type(task, "estimate_hours") is FieldType.NUMBER
    assert belongs_to_targets(task) == {"Project"}


def test_task_workflow_is_exactly_the_issues(registry: Registry) -> None:
    task = registry.entity("Task")
    status = task.field("status")
    assert status is not None
    assert status.type is FieldType.ENUM
    assert status.default == "todo"
    assert set(status.options) == {"todo", "in_progress", "review", "done", "blocked"}
    assert moves(task, "status") == {
        ("todo", "in_progress"),
        ("in_progress", "review"),
        ("review", "done"),
        ("review", "in_progress"),
        ("todo", "blocked"),
        ("in_progress", "blocked"),
        ("review", "blocked"),
        ("blocked", "todo"),
        ("blocked", "in_progress"),
    }


def test_task_board_is_kanban_by_status(registry: Registry) -> None:
    task = registry.entity("Task")
    assert task.ui.default_view == "kanban"
    assert task.ui.kanban_group_by == "status"


def test_doctor_and_patient(registry: Registry) -> None:
    doctor = registry.entity("Doctor")
    assert field_type(doctor, "full_name") is FieldType.TEXT
    assert field_type(doctor, "specialty") is FieldType.ENUM
    assert field_type(doctor, "email") is FieldType.EMAIL
    patient = registry.entity("Patient")
    assert field_type(patient, "full_name") is FieldType.TEXT
    assert field_type(patient, "email") is FieldType.EMAIL
    assert field_type(patient, "phone") is FieldType.PHONE
    assert field_type(patient, "date_of_birth") is FieldType.DATE
    assert {"date_of_birth", "insurance_number"} <= patient.sensitive_fields


def test_appointment(registry: Registry) -> None:
    appointment = registry.entity("Appointment")
    assert belongs_to_targets(appointment) == {"Patient", "Doctor"}
    assert field_type(appointment, "starts_at") is FieldType.DATETIME
    assert appointment.ui.default_view == "calendar"
    assert appointment.ui.calendar_date_field == "starts_at"
    status = appointment.field("status")
    assert status is not None
    assert status.default == "scheduled"
    assert set(status.options) == {"scheduled", "confirmed", "checked_in", "completed", "cancelled"}
    allowed = moves(appointment, "status")
    assert {
        ("scheduled", "confirmed"),
        ("confirmed", "checked_in"),
        ("checked_in", "completed"),
        ("scheduled", "cancelled"),
    } <= allowed
    assert not any(source in ("completed", "cancelled") for source, _ in allowed)


def test_seed_has_at_least_50_records_with_unique_keys(seeds: list[SeedRecord]) -> None:
    assert len(seeds) >= 50
    duplicates = [k for k, n in Counter(s.key for s in seeds).items() if n > 1]
    assert duplicates == []
    assert len({s.entity for s in seeds}) == 7


def test_seed_refs_point_to_earlier_records_of_the_right_entity(
    registry: Registry, seeds: list[SeedRecord]
) -> None:
    seen: dict[str, str] = {}
    for record in seeds:
        entity = registry.entity(record.entity)
        targets = {r.name: r.target for r in entity.belongs_to}
        for rel, key in record.refs.items():
            assert rel in targets, f"{record.key}: no relationship {rel!r}"
            assert seen.get(key) == targets[rel], f"{record.key}: {key!r} is not an earlier record"
        seen[record.key] = entity.name


def test_seed_values_pass_the_create_input_model(
    registry: Registry, seeds: list[SeedRecord]
) -> None:
    for record in seeds:
        entity = registry.entity(record.entity)
        model = registry.input_model(registry.actions[f"{entity.key}.create"])
        payload = {**record.values, **{f"{rel}_id": str(uuid.uuid4()) for rel in record.refs}}
        inputs.validate(model, payload)


def test_seed_transition_paths_follow_the_workflows(
    registry: Registry, seeds: list[SeedRecord]
) -> None:
    for record in (s for s in seeds if s.transitions):
        entity = registry.entity(record.entity)
        workflow = entity.workflows[0]
        state_field = entity.field(workflow.field)
        assert state_field is not None
        state = {**record.values, workflow.field: state_field.default}
        for target in record.transitions:
            check_transition(entity, workflow, state, target, None)
            state[workflow.field] = target
