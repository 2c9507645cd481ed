"""A bad entity declaration must fail at import time with a message naming entity and field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.contracts import (
    SYSTEM_COLUMNS,
    DefinitionError,
    Field,
    Transition,
    UIHints,
    Workflow,
    belongs_to,
    define_entity,
)
from tests.unit.builders import GOOD_FIELDS, make


def refused(*names: str, entity: str = "Widget", **overrides: Any) -> str:
    """Assert the declaration fails and its message names the entity and each of `names`."""
    with pytest.raises(DefinitionError) as info:
        make(entity, **overrides)
    message = str(info.value)
    assert f"entity {entity!r}" in message
    for name in names:
        assert name in message, f"{name!r} not named in {message!r}"
    return message


def with_field(*fields: Field) -> tuple[Field, ...]:
    return (*GOOD_FIELDS, *fields)


def test_baseline_declaration_is_accepted() -> None:
    entity = make()
    assert entity.key == "widget"
    assert entity.table_name == "widgets"


# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["widget", "my_widget", "WIDGET_X", "Widget-X"])
def test_entity_name_must_be_pascal_case(name: str) -> None:
    with pytest.raises(DefinitionError) as info:
        define_entity(name, plural="Widgets", fields=GOOD_FIELDS)
    assert name in str(info.value)


@pytest.mark.parametrize(
    "name",
    [
        "Bad Name",
        "Bad;Name",
        "Bad'Name",
        'Bad"Name',
        "Widget; DROP TABLE x",
        "1Widget",
        "W" * 64,
        "Select",
        "Table",
        "Group",
        "Order",
        "User",
    ],
)
def test_entity_name_metacharacters_length_and_keywords_refused(name: str) -> None:
    with pytest.raises(DefinitionError) as info:
        define_entity(name, plural="Widgets", fields=GOOD_FIELDS)
    assert name in str(info.value)


@pytest.mark.parametrize("plural", ["Widget s", "Widgets;", "Widgets'--", "W" * 64])
def test_bad_plural_refused(plural: str) -> None:
    refused(plural, plural=plural)


def test_plural_that_is_a_keyword_refused() -> None:
    refused("Order", entity="Purchase", plural="Order")


@pytest.mark.parametrize(
    "field_name",
    [
        "DueDate",
        "dueDate",
        "Title",
        "1title",
        "due-date",
        "name; DROP TABLE x",
        "na'me",
        'na"me',
        "na me",
        "name;",
        "a" * 64,
        "select",
        "order",
        "user",
        "group",
        "table",
        "Order",
        "title\n",
    ],
)
def test_bad_field_names_refused(field_name: str) -> None:
    refused(field_name.rstrip("\n"), fields=with_field(Field(field_name, "text")))


def test_field_name_of_63_characters_accepted() -> None:
    name = "a" * 63
    assert make(fields=with_field(Field(name, "text"))).field(name) is not None


@pytest.mark.parametrize("option", ["In Progress", "in-progress", "x'; DROP TABLE t; --", "Done"])
def test_bad_enum_options_refused(option: str) -> None:
    refused("kind", option, fields=with_field(Field("kind", "enum", options=("ok", option))))


def test_enum_without_options_refused() -> None:
    refused("kind", fields=with_field(Field("kind", "enum")))


def test_enum_duplicate_options_refused() -> None:
    refused("kind", fields=with_field(Field("kind", "enum", options=("a", "a"))))


def test_bad_relationship_name_refused() -> None:
    refused("bad-owner", relationships=(belongs_to("bad-owner", "Widget"),))


def test_unknown_field_attribute_refused() -> None:
    with pytest.raises(DefinitionError) as info:
        Field("title", "text", maxlength=10)
    assert "title" in str(info.value)
    assert "maxlength" in str(info.value)


def test_unknown_field_type_refused() -> None:
    with pytest.raises(DefinitionError) as info:
        Field("title", "varchar")
    assert "title" in str(info.value)


# --- defaults ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "shown"),
    [
        (Field("kind", "enum", options=("low", "high"), default="medium"), "medium"),
        (Field("size", "integer", default="5"), "'5'"),
        (Field("size", "integer", default=True), "True"),
        (Field("size", "integer", default=1.5), "1.5"),
        (Field("ratio", "number", default="0.5"), "'0.5'"),
        (Field("ratio", "number", default=False), "False"),
        (Field("flag", "boolean", default=1), "1"),
        (Field("flag", "boolean", default="true"), "'true'"),
        (Field("due_on", "date", default="2024-01-01"), "2024-01-01"),
        (Field("due_on", "date", default=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)), "due_on"),
        (Field("at_time", "datetime", default="2024-01-01T00:00:00"), "2024-01-01"),
        (Field("at_time", "datetime", default=dt.date(2024, 1, 1)), "at_time"),
        (Field("amount", "currency", default="ten"), "ten"),
        (Field("amount", "currency", default=True), "True"),
        (Field("label", "text", default=5), "5"),
        (Field("label", "text", max_length=3, default="long"), "long"),
        (Field("label", "text", default="a\x00b"), "label"),
    ],
)
def test_defaults_must_type_check(field: Field, shown: str) -> None:
    refused(field.name, shown, fields=with_field(field))


@pytest.mark.parametrize(
    "field",
    [
        Field("kind", "enum", options=("low", "high"), default="high"),
        Field("size", "integer", default=5),
        Field("ratio", "number", default=0.5),
        Field("flag", "boolean", default=False),
        Field("due_on", "date", default=dt.date(2024, 1, 1)),
        Field("at_time", "datetime", default=dt.datetime(2024, 1, 1, tzinfo=dt.UTC)),
        Field("amount", "currency", default="12.50"),
        Field("label", "text", default="x'); DROP TABLE widgets; --"),
    ],
)
def test_well_typed_defaults_accepted(field: Field) -> None:
    assert make(fields=with_field(field)).field(field.name) == field


# --- other field rules -------------------------------------------------------------------


def test_duplicate_field_refused() -> None:
    refused("title", "twice", fields=with_field(Field("title", "long_text")))


def test_field_clashing_with_relationship_column_refused() -> None:
    refused(
        "owner_id",
        fields=with_field(Field("owner_id", "text")),
        relationships=(belongs_to("owner", "Widget"),),
    )


@pytest.mark.parametrize("column", SYSTEM_COLUMNS)
def test_field_clashing_with_system_column_refused(column: str) -> None:
    refused(column, fields=with_field(Field(column, "text")))


def test_relationship_column_clashing_with_system_column_refused() -> None:
    refused("tenant_id", relationships=(belongs_to("tenant", "Widget"),))


@pytest.mark.parametrize(
    ("field", "named"),
    [
        (Field("size", "integer", max_length=5), "size"),
        (Field("size", "integer", pattern="^[0-9]+$"), "size"),
        (Field("label", "text", pattern="("), "label"),
        (Field("label", "text", max_length=0), "label"),
        (Field("size", "integer", min=5, max=1), "size"),
        (Field("flag", "boolean", min=0), "flag"),
        (Field("label", "text", options=("a",)), "label"),
    ],
)
def test_inconsistent_field_limits_refused(field: Field, named: str) -> None:
    refused(named, fields=with_field(field))


# --- workflows ---------------------------------------------------------------------------


def flow(*transitions: Transition, field: str = "state") -> tuple[Workflow, ...]:
    return (Workflow(field=field, transitions=transitions),)


def test_valid_workflow_accepted() -> None:
    entity = make(workflows=flow(Transition("open", "closed", requires=("due",))))
    assert entity.workflow_for("state") is not None


def test_workflow_on_non_enum_field_refused() -> None:
    refused("title", "enum", workflows=flow(Transition("a", "b"), field="title"))


def test_workflow_on_missing_field_refused() -> None:
    refused("phase", workflows=flow(Transition("open", "closed"), field="phase"))


@pytest.mark.parametrize(
    ("transition", "state"),
    [
        (Transition("open", "archived"), "archived"),
        (Transition("draft", "closed"), "draft"),
        (Transition(("open", "limbo"), "closed"), "limbo"),
    ],
)
def test_workflow_unknown_states_refused(transition: Transition, state: str) -> None:
    refused(state, "state", workflows=flow(transition))


def test_workflow_state_field_without_default_refused() -> None:
    fields = (Field("title", "text"), Field("state", "enum", options=("open", "closed")))
    refused("state", "default", fields=fields, workflows=flow(Transition("open", "closed")))


def test_workflow_requires_unknown_field_refused() -> None:
    refused("closed_on", workflows=flow(Transition("open", "closed", requires=("closed_on",))))


def test_two_workflows_on_one_field_refused() -> None:
    one = Workflow(field="state", transitions=(Transition("open", "closed"),))
    refused("state", workflows=(one, one))


def test_trigger_must_be_snake_case() -> None:
    with pytest.raises(ValueError, match="Close Now"):
        Transition("open", "closed", trigger="Close Now")


# --- UI hints ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ui", "named"),
    [
        (UIHints(list_columns=("title", "missing_col")), "missing_col"),
        (UIHints(search_fields=("missing_col",)), "missing_col"),
        (UIHints(search_fields=("count",)), "count"),
        (UIHints(search_fields=("state",)), "state"),
        (UIHints(default_sort="missing_col"), "missing_col"),
        (UIHints(default_sort="-missing_col"), "missing_col"),
        (UIHints(default_view="kanban", kanban_group_by="title"), "title"),
        (UIHints(default_view="kanban", kanban_group_by="missing_col"), "missing_col"),
        (UIHints(default_view="kanban"), "kanban_group_by"),
        (UIHints(default_view="calendar", calendar_date_field="title"), "title"),
        (UIHints(default_view="calendar", calendar_date_field="count"), "count"),
        (UIHints(default_view="calendar"), "calendar_date_field"),
        (UIHints(title_field="missing_col"), "missing_col"),
    ],
)
def test_ui_hints_must_reference_suitable_fields(ui: UIHints, named: str) -> None:
    refused(named, ui=ui)


def test_good_ui_hints_accepted() -> None:
    ui = UIHints(
        list_columns=("title", "count", "created_at"),
        search_fields=("title",),
        default_sort="-due",
        default_view="kanban",
        kanban_group_by="state",
        calendar_date_field="at",
    )
    assert make(ui=ui).ui == ui


def test_ai_capability_context_field_must_exist() -> None:
    from core.contracts import AICapability

    capability = AICapability(id="guess", kind="classify", intent="x", context_fields=("nope",))
    refused("nope", ai_capabilities=(capability,))


# --- relationships and the registry ------------------------------------------------------


def test_required_belongs_to_cannot_set_null() -> None:
    relationship = belongs_to("owner", "Widget", required=True, on_delete="set_null")
    refused("owner", "set_null", relationships=(relationship,))


@pytest.mark.parametrize("on_delete", ["cascade", "restrict"])
def test_required_belongs_to_with_cascade_or_restrict_accepted(on_delete: str) -> None:
    make(relationships=(belongs_to("owner", "Widget", required=True, on_delete=on_delete),))


def test_unknown_on_delete_refused() -> None:
    with pytest.raises(DefinitionError, match="owner"):
        belongs_to("owner", "Widget", on_delete="drop")
