"""Hostile names and values: refused at definition time, or bound and stored verbatim."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

import core.records.repository
from core.bootstrap import App
from core.contracts import (
    Caller,
    DefinitionError,
    Domain,
    Field,
    belongs_to,
    define_entity,
)
from core.db.migrate import migrate
from core.errors import MetaSaasError
from entities import DOMAIN, TASK
from entities.policies import STANDARD
from tests.support.engine_helpers import (
    AppFactory,
    code_of,
    count,
    domain_with,
    entity_with,
    list_all,
    raises_code,
)

EVIL = "x'); DROP TABLE tasks; --"
BAD_NAMES = [
    "title; DROP TABLE tasks",
    "a'b",
    'a"b',
    "a-b",
    "a b",
    "1abc",
    "_hidden",
    "naïve",
    "a\x00b",
    "select",
    "order",
    "x" * 64,
    "",
]


@pytest.mark.parametrize("bad", BAD_NAMES, ids=repr)
def test_bad_field_names_fail_at_definition_naming_entity_and_field(bad: str) -> None:
    with pytest.raises(DefinitionError) as info:
        define_entity("Gadget", plural="Gadgets", fields=(Field(bad, "text"),))
    message = str(info.value)
    assert "Gadget" in message
    assert repr(bad) in message or bad in message


@pytest.mark.parametrize(
    "bad", ["Gadget; DROP", "Gad'get", "Select", "Table", "gadget", "G" * 64, "Gäd"], ids=repr
)
def test_bad_entity_names_fail_at_definition(bad: str) -> None:
    with pytest.raises(DefinitionError) as info:
        define_entity(bad, plural="Gadgets", fields=(Field("name", "text"),))
    assert repr(bad) in str(info.value)


@pytest.mark.parametrize("plural", ["Gadgets; --", "Users", "Order"])
def test_bad_or_clashing_plurals_fail_at_definition(plural: str) -> None:
    def build() -> None:
        gadget = define_entity("Gadget", plural=plural, fields=(Field("name", "text"),))
        from core.model.registry import Registry

        Registry(Domain(entities=(gadget,)))

    with pytest.raises(DefinitionError) as info:
        build()
    assert "Gadget" in str(info.value)


def test_bad_relationship_and_enum_option_names_fail_at_definition() -> None:
    with pytest.raises(DefinitionError) as info:
        define_entity(
            "Gadget",
            plural="Gadgets",
            fields=(Field("name", "text"),),
            relationships=(belongs_to("owner; --", "Company"),),
        )
    assert "owner; --" in str(info.value)
    with pytest.raises(DefinitionError) as info:
        define_entity(
            "Gadget", plural="Gadgets", fields=(Field("kind", "enum", options=("a'); --",)),)
        )
    assert "Gadget" in str(info.value) and "kind" in str(info.value)


@pytest.mark.parametrize(
    ("field_kwargs"),
    [
        {"type": "integer", "default": "1; DROP TABLE tasks"},
        {"type": "enum", "options": ("a", "b"), "default": "a' OR '1'='1"},
        {"type": "boolean", "default": "true; --"},
        {"type": "date", "default": "2026-01-01'); --"},
        {"type": "text", "default": "nul\x00byte"},
        {"type": "text", "max_length": 5, "default": "too long default"},
    ],
    ids=lambda kw: f"{kw['type']}",
)
def test_defaults_that_do_not_type_check_fail_at_definition(field_kwargs: dict[str, Any]) -> None:
    kwargs = dict(field_kwargs)
    kind = kwargs.pop("type")
    with pytest.raises(DefinitionError) as info:
        define_entity("Gadget", plural="Gadgets", fields=(Field("setting", kind, **kwargs),))
    assert "Gadget" in str(info.value) and "setting" in str(info.value)


def test_text_default_with_sql_is_bound_verbatim(app_factory: AppFactory, admin: Caller) -> None:
    gadget = define_entity(
        "Gadget",
        plural="Gadgets",
        fields=(Field("name", "text"), Field("motto", "text", default=EVIL)),
        permissions=STANDARD,
    )
    app = app_factory(Domain(entities=(gadget,)))
    made = app.bus.dispatch("gadget.create", {"name": "g"}, admin)
    assert app.bus.dispatch("gadget.get", {"id": str(made["id"])}, admin)["motto"] == EVIL


def test_added_column_default_with_sql_backfills_verbatim(
    app_factory: AppFactory, admin: Caller
) -> None:
    old = app_factory()
    task = old.bus.dispatch("task.create", {"title": "existing"}, admin)
    motto = Field("motto", "text", required=True, default=EVIL)
    new = app_factory(domain_with(DOMAIN, entity_with(TASK, fields=(*TASK.fields, motto))))
    assert new.bus.dispatch("task.get", {"id": str(task["id"])}, admin)["motto"] == EVIL
    assert count(new, "tasks") == 1
    assert migrate(new.engine, new.registry.metadata).steps == []


HOSTILE_VALUES = [
    EVIL,
    "Robert'); DROP TABLE tasks;--",
    "' OR '1'='1",
    '" OR ""="',
    "\\'; --",
    "%_%",
    "$1; SELECT pg_sleep(10)",
    "x' || (SELECT sqlite_version()) || '",
]


def test_hostile_text_values_round_trip_byte_for_byte(app: App, admin: Caller) -> None:
    created = {}
    for value in HOSTILE_VALUES:
        task = app.bus.dispatch("task.create", {"title": value, "description": value}, admin)
        created[value] = task["id"]
    for value, task_id in created.items():
        got = app.bus.dispatch("task.get", {"id": str(task_id)}, admin)
        assert (got["title"], got["description"]) == (value, value)
        found = list_all(app, "task.list", admin, filters={"title": value})
        assert [t["id"] for t in found] == [task_id]
    assert count(app, "tasks") == len(HOSTILE_VALUES)
    assert "tasks" in sa.inspect(app.engine).get_table_names()


HOSTILE_LIST_INPUTS: list[dict[str, Any]] = [
    {"filters": {"title; DROP TABLE tasks": "x"}},
    {"filters": {"title__eq' OR 1=1 --": "x"}},
    {"filters": {"title) OR (1=1": "x"}},
    {"filters": {"tenant_id": "other"}},
    {"filters": {"title__in": ["a", {"$ne": 1}]}},
    {"filters": {"estimate_hours__gt": "0 OR 1=1"}},
    {"filters": {"due_date": "2026-01-01' --"}},
    {"order_by": "title; DROP TABLE tasks"},
    {"order_by": "(SELECT 1)"},
    {"order_by": "title, tenant_id"},
    {"cursor": "' OR 1=1 --"},
    {"search": "x\x00y"},
    {"filters": {"title": "a\x00b"}},
    {"filters": {"title__in": ["a", "b\x00"]}},
    {"filters": {"title__contains": "\x00"}},
    {"cursor": "\x00"},
    {"search": "\ud800"},
    {"limit": "1; --"},
]


def test_hostile_list_inputs_are_invalid(app: App, admin: Caller) -> None:
    app.bus.dispatch("task.create", {"title": "present"}, admin)
    outcomes = {json.dumps(p): code_of(app, "task.list", p, admin) for p in HOSTILE_LIST_INPUTS}
    assert outcomes == dict.fromkeys(outcomes, "invalid_input")
    assert count(app, "tasks") == 1


def test_text_no_column_can_hold_is_refused_or_matches_nothing(app: App, admin: Caller) -> None:
    """NUL or a lone surrogate in a text filter: invalid_input or an empty page, never internal."""
    app.bus.dispatch("task.create", {"title": "present"}, admin)
    outcomes = {}
    for column in ("title", "description", "created_by", "updated_by"):
        for bad in ("\x00", "a\x00b", "\ud800"):
            payload = {"filters": {column: bad}}
            try:
                outcomes[f"{column}={bad!r}"] = len(list_all(app, "task.list", admin, **payload))
            except MetaSaasError as exc:
                outcomes[f"{column}={bad!r}"] = exc.code
    allowed = {0, "invalid_input"}
    assert {k: v for k, v in outcomes.items() if v not in allowed} == {}


HOSTILE_TERMS = ["' OR '1'='1", "%", "_", "'; DROP TABLE tasks; --", '"', "\\"]


def test_hostile_search_terms_match_literally(app: App, admin: Caller) -> None:
    app.bus.dispatch("task.create", {"title": "ordinary"}, admin)
    holders = {
        term: app.bus.dispatch("task.create", {"title": f"has {term} inside"}, admin)["id"]
        for term in HOSTILE_TERMS
    }
    found = {}
    for term in HOSTILE_TERMS:
        for payload in ({"search": term}, {"filters": {"title__contains": term}}):
            got = list_all(app, "task.list", admin, **payload)
            found[f"{term} via {next(iter(payload))}"] = [t["id"] for t in got]
    # What a literal (case-insensitive) substring match finds, with no wildcard meaning.
    expected = {}
    titles = {term: f"has {term} inside" for term in HOSTILE_TERMS}
    for term in HOSTILE_TERMS:
        ids = sorted(
            (holders[t] for t in HOSTILE_TERMS if term.lower() in titles[t].lower()), key=str
        )
        for via in ("search", "filters"):
            expected[f"{term} via {via}"] = ids
    assert {k: sorted(v, key=str) for k, v in found.items()} == expected


UNKNOWN_FIELDS: list[tuple[str, dict[str, Any], str]] = [
    ("task.create", {"title": "x", "colour": "red"}, "colour"),
    ("task.create", {"title": "x", "tenant_id": "other"}, "tenant_id"),
    ("task.create", {"title": "x", "created_by": "mallory"}, "created_by"),
    ("task.create", {"title": "x", "version": 7}, "version"),
    ("task.update", {"id": str(uuid.uuid4()), "owner": "eve"}, "owner"),
    ("task.get", {"id": str(uuid.uuid4()), "include": "secrets"}, "include"),
    ("task.list", {"where": "1=1"}, "where"),
    ("task.transition", {"id": str(uuid.uuid4()), "to": "done", "force": True}, "force"),
    ("project.summary", {"id": str(uuid.uuid4()), "deep": True}, "deep"),
]


def test_unknown_input_fields_are_rejected_and_named(app: App, admin: Caller) -> None:
    for action, payload, field in UNKNOWN_FIELDS:
        with raises_code("invalid_input") as err:
            app.bus.dispatch(action, payload, admin)
        assert field in err.value.message, action
        assert field in [e["field"] for e in err.value.details["errors"]], action
    assert count(app, "tasks") == 0


BAD_UUIDS = ["not-a-uuid", "1", "", "' OR 1=1 --", "0" * 33, "g" * 32, 12345, None, ["x"]]
RECORD_ACTIONS: list[tuple[str, dict[str, Any]]] = [
    ("task.get", {}),
    ("task.update", {"title": "x"}),
    ("task.delete", {}),
    ("task.transition", {"to": "in_progress"}),
    ("task.transitions", {}),
    ("project.summary", {}),
]


def test_malformed_uuids_are_invalid_input(app: App, admin: Caller) -> None:
    outcomes = {}
    for bad in BAD_UUIDS:
        for action, extra in RECORD_ACTIONS:
            outcomes[f"{action} id={bad!r}"] = code_of(app, action, {"id": bad, **extra}, admin)
        if bad is None:
            continue  # a null reference or id is allowed on create and in filters
        for label, action, payload in [
            ("project_id", "task.create", {"title": "x", "project_id": bad}),
            ("id", "task.create", {"title": "x", "id": bad}),
            ("filter", "task.list", {"filters": {"project_id": bad}}),
        ]:
            outcomes[f"{action} {label}={bad!r}"] = code_of(app, action, payload, admin)
    assert outcomes == dict.fromkeys(outcomes, "invalid_input")
    assert count(app, "tasks") == 0


def test_non_object_payloads_and_bad_action_ids(app: App, admin: Caller) -> None:
    outcomes = {
        repr(p): code_of(app, "task.create", p, admin)
        for p in (["title", "x"], "title=x", 42, b"{}")
    }
    assert outcomes == dict.fromkeys(outcomes, "invalid_input")
    expected = {
        "task.create; DROP TABLE tasks": "invalid_input",
        "Task.Create": "invalid_input",
        "task": "invalid_input",
        "task.explode": "not_found",
        "audit_log.delete": "not_found",
    }
    assert {a: code_of(app, a, {}, admin) for a in expected} == expected


SECRET = "hunter2-SECRET-TOKEN"


def _assert_clean(err: Any) -> None:
    text = json.dumps(err.to_dict()) + err.message + str(err)
    for leak in (SECRET, "Traceback", "SELECT", "INSERT", "tasks.", 'File "'):
        assert leak not in text, leak
    assert err.__cause__ is None
    assert err.__suppress_context__


def test_internal_errors_leak_no_detail(
    app: App, admin: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(self: Any, row: dict[str, Any]) -> None:
        raise RuntimeError(f"INSERT INTO tasks failed: password={SECRET}")

    monkeypatch.setattr(core.records.repository.EntityRepository, "insert", explode)
    with raises_code("internal") as err:
        app.bus.dispatch("task.create", {"title": "x"}, admin)
    _assert_clean(err.value)
    assert "reference" in err.value.details


def test_database_errors_leak_no_sql(
    app: App, admin: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(self: Any, *args: Any, **kwargs: Any) -> None:
        raise sa.exc.OperationalError(
            f"SELECT * FROM tasks WHERE secret='{SECRET}'", {"p": SECRET}, Exception(SECRET)
        )

    monkeypatch.setattr(core.records.repository.EntityRepository, "get", unavailable)
    with raises_code("internal") as err:
        app.bus.dispatch("task.get", {"id": str(uuid.uuid4())}, admin)
    _assert_clean(err.value)


def test_integrity_errors_become_conflicts_without_sql(
    app: App, admin: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two writers racing past the unique check hit the index; the caller sees conflict only."""
    app.bus.dispatch("company.create", {"name": "Racer"}, admin)
    monkeypatch.setattr(core.records.repository.EntityRepository, "taken", lambda *a, **k: False)
    with raises_code("conflict") as err:
        app.bus.dispatch("company.create", {"name": "Racer"}, admin)
    text = json.dumps(err.value.to_dict())
    assert "INSERT" not in text and "uq_companies" not in text and "Racer" not in text
    assert count(app, "companies") == 1
