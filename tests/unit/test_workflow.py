"""Workflow enforcement: a move is allowed or refused with the allowed moves named."""

from __future__ import annotations

import pytest

from core.contracts import Field, Transition, Workflow
from core.errors import Conflict, InvalidInput
from core.model.workflow import allowed_moves, check_transition, missing_fields, pick_workflow
from tests.unit.builders import make

FLOW = Workflow(
    field="state",
    transitions=(
        Transition("draft", "review", trigger="submit"),
        Transition("review", "published", trigger="publish", requires=("title", "due")),
        Transition("review", "draft", trigger="reject"),
        Transition(("draft", "review"), "archived", trigger="archive"),
    ),
)


ENTITY = make(
    "Article",
    fields=(
        Field("title", "text"),
        Field("due", "date"),
        Field(
            "state", "enum", options=("draft", "review", "published", "archived"), default="draft"
        ),
    ),
    workflows=(FLOW,),
)


def at(state: str, **values: object) -> dict[str, object]:
    return {"state": state, **values}


def test_allowed_move_by_target() -> None:
    transition = check_transition(ENTITY, FLOW, at("draft"), "review", None)
    assert transition.target == "review"


def test_allowed_move_by_trigger() -> None:
    assert check_transition(ENTITY, FLOW, at("review"), None, "reject").target == "draft"


def test_multi_source_transition_applies_from_each_source() -> None:
    assert check_transition(ENTITY, FLOW, at("draft"), "archived", None).target == "archived"
    assert check_transition(ENTITY, FLOW, at("review"), "archived", None).target == "archived"


def test_target_and_trigger_must_agree() -> None:
    with pytest.raises(Conflict):
        check_transition(ENTITY, FLOW, at("review"), "draft", "publish")
    assert check_transition(ENTITY, FLOW, at("review"), "draft", "reject").target == "draft"


def test_denied_move_is_a_conflict_naming_allowed_states() -> None:
    with pytest.raises(Conflict) as info:
        check_transition(ENTITY, FLOW, at("draft"), "published", None)
    error = info.value
    assert error.code == "conflict"
    assert "archived" in error.message
    assert "review" in error.message
    assert "published" in error.message
    assert error.details["allowed"] == ["archived", "review"]
    assert error.details["from"] == "draft"


def test_unknown_trigger_from_this_state_is_a_conflict() -> None:
    with pytest.raises(Conflict) as info:
        check_transition(ENTITY, FLOW, at("draft"), None, "publish")
    assert "publish" in info.value.message
    assert "review" in info.value.message


def test_terminal_state_allows_nothing() -> None:
    with pytest.raises(Conflict) as info:
        check_transition(ENTITY, FLOW, at("archived"), "draft", None)
    assert info.value.details["allowed"] == []
    assert "none" in info.value.message


def test_staying_in_place_is_not_a_move() -> None:
    with pytest.raises(Conflict):
        check_transition(ENTITY, FLOW, at("draft"), "draft", None)


def test_neither_target_nor_trigger_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        check_transition(ENTITY, FLOW, at("draft"), None, None)


def test_requires_refuses_when_fields_missing() -> None:
    with pytest.raises(Conflict) as info:
        check_transition(ENTITY, FLOW, at("review", title="Launch"), "published", None)
    assert info.value.details["missing"] == ["due"]
    assert "due" in info.value.message


def test_requires_treats_empty_string_as_missing() -> None:
    with pytest.raises(Conflict) as info:
        check_transition(ENTITY, FLOW, at("review", title="", due=None), "published", None)
    assert info.value.details["missing"] == ["title", "due"]


def test_requires_met_allows_the_move() -> None:
    record = at("review", title="Launch", due="2024-01-01")
    assert check_transition(ENTITY, FLOW, record, None, "publish").target == "published"


def test_requires_accepts_falsy_but_present_values() -> None:
    record = at("review", title="0", due=0)
    assert missing_fields(FLOW.transitions[1], record) == []


def test_allowed_moves_lists_targets_triggers_and_missing() -> None:
    moves = allowed_moves(FLOW, at("review", title="Launch"))
    by_target = {m["to"]: m for m in moves}
    assert set(by_target) == {"published", "draft", "archived"}
    assert by_target["published"]["trigger"] == "publish"
    assert by_target["published"]["requires"] == ["title", "due"]
    assert by_target["published"]["missing"] == ["due"]
    assert by_target["draft"]["missing"] == []


def test_allowed_moves_from_terminal_state_is_empty() -> None:
    assert allowed_moves(FLOW, at("published")) == []


def test_pick_workflow() -> None:
    entity = make(workflows=(Workflow(field="state", transitions=(Transition("open", "closed"),)),))
    assert pick_workflow(entity, None).field == "state"
    assert pick_workflow(entity, "state").field == "state"
    with pytest.raises(InvalidInput):
        pick_workflow(entity, "other")


def test_task_workflow_refuses_skipping_review() -> None:
    from entities.projects import TASK, TASK_WORKFLOW

    with pytest.raises(Conflict) as info:
        check_transition(TASK, TASK_WORKFLOW, {"status": "in_progress"}, "done", None)
    assert info.value.details["allowed"] == ["blocked", "review"]


def test_a_trigger_sent_as_a_state_says_to_send_it_as_a_trigger() -> None:
    with pytest.raises(InvalidInput) as info:
        check_transition(ENTITY, FLOW, at("draft"), "submit", None)
    assert "trigger" in info.value.message and "submit" in info.value.message


def test_target_and_trigger_that_disagree_say_where_the_trigger_leads() -> None:
    with pytest.raises(Conflict) as info:
        check_transition(ENTITY, FLOW, at("review"), "archived", "reject")
    message = info.value.message
    assert "'reject' leads to 'draft'" in message  # what was asked, and why it cannot be
    assert "it is 'review'" in message  # what is current
    assert "published (trigger publish)" in message  # what is allowed
