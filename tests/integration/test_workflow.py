"""Workflows: only declared moves happen, by target or trigger, and refusals say why."""

from __future__ import annotations

import itertools
from typing import Any

from core.bootstrap import App
from core.contracts import Caller
from tests.support.engine_helpers import code_of, raises_code

TASK_MOVES = {
    "todo": {"in_progress", "blocked"},
    "in_progress": {"review", "blocked"},
    "review": {"done", "in_progress", "blocked"},
    "blocked": {"todo", "in_progress"},
    "done": set(),
}
# A path from `todo` to each state, through allowed moves only.
PATH_TO = {
    "todo": [],
    "in_progress": ["in_progress"],
    "review": ["in_progress", "review"],
    "done": ["in_progress", "review", "done"],
    "blocked": ["blocked"],
}


def _task_in(app: App, who: Caller, state: str) -> dict[str, Any]:
    task = app.bus.dispatch("task.create", {"title": f"to {state}"}, who)
    for step in PATH_TO[state]:
        task = app.bus.dispatch("task.transition", {"id": str(task["id"]), "to": step}, who)
    assert task["status"] == state
    return task


def _state(app: App, who: Caller, task_id: Any) -> str:
    return str(app.bus.dispatch("task.get", {"id": str(task_id)}, who)["status"])


def test_task_moves_follow_the_declared_workflow(app: App, admin: Caller) -> None:
    for source, target in itertools.product(sorted(TASK_MOVES), sorted(TASK_MOVES)):
        task = _task_in(app, admin, source)
        payload = {"id": str(task["id"]), "to": target}
        if target in TASK_MOVES[source]:
            moved = app.bus.dispatch("task.transition", payload, admin)
            assert moved["status"] == target
            assert moved["version"] == task["version"] + 1
            assert _state(app, admin, task["id"]) == target
        else:
            with raises_code("conflict") as err:
                app.bus.dispatch("task.transition", payload, admin)
            allowed = sorted(TASK_MOVES[source])
            assert err.value.details["allowed"] == allowed
            for name in allowed:
                assert name in err.value.message
            if not allowed:
                assert "none" in err.value.message
            assert _state(app, admin, task["id"]) == source


def test_triggers_move_a_task(app: App, admin: Caller) -> None:
    task = app.bus.dispatch("task.create", {"title": "Triggered"}, admin)
    task_id = str(task["id"])
    for trigger, expected in [
        ("start", "in_progress"),
        ("block", "blocked"),
        ("resume", "in_progress"),
        ("submit", "review"),
        ("rework", "in_progress"),
        ("block", "blocked"),
        ("reset", "todo"),
        ("start", "in_progress"),
        ("submit", "review"),
        ("approve", "done"),
    ]:
        moved = app.bus.dispatch("task.transition", {"id": task_id, "trigger": trigger}, admin)
        assert moved["status"] == expected, trigger
    assert _state(app, admin, task_id) == "done"


def test_a_trigger_not_valid_from_the_current_state_conflicts(app: App, admin: Caller) -> None:
    task = app.bus.dispatch("task.create", {"title": "Early"}, admin)
    with raises_code("conflict") as err:
        app.bus.dispatch("task.transition", {"id": str(task["id"]), "trigger": "approve"}, admin)
    assert err.value.details["allowed"] == ["blocked", "in_progress"]
    # A target and a trigger that disagree are refused as well.
    with raises_code("conflict"):
        app.bus.dispatch(
            "task.transition", {"id": str(task["id"]), "to": "blocked", "trigger": "start"}, admin
        )
    assert _state(app, admin, task["id"]) == "todo"


def test_malformed_transition_requests_are_invalid(app: App, admin: Caller) -> None:
    task = app.bus.dispatch("task.create", {"title": "Malformed"}, admin)
    tid = str(task["id"])
    extras: list[dict[str, Any]] = [
        {},
        {"to": "archived"},
        {"trigger": "explode"},
        {"to": "done", "colour": "red"},
        {"to": "in_progress", "expected_version": 0},
        {"to": "in_progress", "workflow": "lifecycle"},
    ]
    outcomes = {
        repr(extra): code_of(app, "task.transition", {"id": tid, **extra}, admin)
        for extra in extras
    }
    assert outcomes == dict.fromkeys(outcomes, "invalid_input")
    assert _state(app, admin, task["id"]) == "todo"


def test_transition_with_a_stale_expected_version_conflicts(app: App, admin: Caller) -> None:
    task = app.bus.dispatch("task.create", {"title": "Racy"}, admin)
    app.bus.dispatch("task.update", {"id": str(task["id"]), "title": "Racy v2"}, admin)
    with raises_code("conflict"):
        app.bus.dispatch(
            "task.transition",
            {"id": str(task["id"]), "to": "in_progress", "expected_version": 1},
            admin,
        )
    assert _state(app, admin, task["id"]) == "todo"
    moved = app.bus.dispatch(
        "task.transition",
        {"id": str(task["id"]), "to": "in_progress", "expected_version": 2},
        admin,
    )
    assert moved["version"] == 3


def test_transitions_lists_the_allowed_moves(app: App, admin: Caller) -> None:
    for state, moves in TASK_MOVES.items():
        task = _task_in(app, admin, state)
        answer = app.bus.dispatch("task.transitions", {"id": str(task["id"])}, admin)
        [workflow] = answer["workflows"]
        assert workflow["field"] == "status"
        assert workflow["state"] == state
        assert {m["to"] for m in workflow["moves"]} == moves
        triggers = {m["trigger"] for m in workflow["moves"]}
        assert None not in triggers
    fresh = app.bus.dispatch("task.create", {"title": "fresh"}, admin)
    moves = app.bus.dispatch("task.transitions", {"id": str(fresh["id"])}, admin)
    by_target = {m["to"]: m["trigger"] for m in moves["workflows"][0]["moves"]}
    assert by_target == {"in_progress": "start", "blocked": "block"}


def test_transitions_is_a_read(app: App, admin: Caller) -> None:
    task = app.bus.dispatch("task.create", {"title": "Look only"}, admin)
    app.bus.dispatch("task.transitions", {"id": str(task["id"])}, admin)
    fetched = app.bus.dispatch("task.get", {"id": str(task["id"])}, admin)
    assert (fetched["status"], fetched["version"]) == ("todo", 1)


def test_create_in_a_non_initial_state_is_invalid(app: App, admin: Caller) -> None:
    for status in ["in_progress", "review", "done", "blocked"]:
        with raises_code("invalid_input") as err:
            app.bus.dispatch("task.create", {"title": "Skip ahead", "status": status}, admin)
        assert "status" in err.value.message
    assert app.bus.dispatch("task.list", {}, admin)["items"] == []
    task = app.bus.dispatch("task.create", {"title": "Explicit", "status": "todo"}, admin)
    assert task["status"] == "todo"


def _appointment(app: App, who: Caller) -> dict[str, Any]:
    doctor = app.bus.dispatch("doctor.create", {"full_name": "Dr. House"}, who)
    patient = app.bus.dispatch("patient.create", {"full_name": "Pat"}, who)
    return dict(
        app.bus.dispatch(
            "appointment.create",
            {
                "starts_at": "2026-06-01T10:00:00Z",
                "patient_id": str(patient["id"]),
                "doctor_id": str(doctor["id"]),
            },
            who,
        )
    )


def test_appointment_workflow_happy_path(app: App, admin: Caller) -> None:
    appt = _appointment(app, admin)
    assert appt["status"] == "scheduled"
    for trigger, state in [
        ("confirm", "confirmed"),
        ("check_in", "checked_in"),
        ("complete", "completed"),
    ]:
        moved = app.bus.dispatch(
            "appointment.transition", {"id": str(appt["id"]), "trigger": trigger}, admin
        )
        assert moved["status"] == state
    with raises_code("conflict") as err:
        app.bus.dispatch(
            "appointment.transition", {"id": str(appt["id"]), "to": "cancelled"}, admin
        )
    assert err.value.details["allowed"] == []


def test_appointment_cancellation_only_before_check_in(app: App, admin: Caller) -> None:
    scheduled = _appointment(app, admin)
    cancelled = app.bus.dispatch(
        "appointment.transition", {"id": str(scheduled["id"]), "to": "cancelled"}, admin
    )
    assert cancelled["status"] == "cancelled"
    confirmed = _appointment(app, admin)
    app.bus.dispatch(
        "appointment.transition", {"id": str(confirmed["id"]), "to": "confirmed"}, admin
    )
    app.bus.dispatch(
        "appointment.transition", {"id": str(confirmed["id"]), "to": "cancelled"}, admin
    )
    checked_in = _appointment(app, admin)
    for step in ("confirmed", "checked_in"):
        app.bus.dispatch("appointment.transition", {"id": str(checked_in["id"]), "to": step}, admin)
    with raises_code("conflict") as err:
        app.bus.dispatch(
            "appointment.transition", {"id": str(checked_in["id"]), "trigger": "cancel"}, admin
        )
    assert err.value.details["allowed"] == ["completed"]
    assert "completed" in err.value.message


def test_appointment_created_in_a_later_state_is_invalid(app: App, admin: Caller) -> None:
    appt = _appointment(app, admin)
    payload = {
        "starts_at": "2026-06-02T10:00:00Z",
        "patient_id": str(appt["patient_id"]),
        "doctor_id": str(appt["doctor_id"]),
        "status": "confirmed",
    }
    with raises_code("invalid_input"):
        app.bus.dispatch("appointment.create", payload, admin)
    with raises_code("invalid_input"):
        app.bus.dispatch(
            "appointment.update", {"id": str(appt["id"]), "status": "completed"}, admin
        )
