"""Random payloads through the whole bus, on a real database: never an internal error.

Unlike the validation property in tests/unit, these payloads reach permissions, hooks,
workflows, list queries and the database, with ids of records that exist, so what the
database itself would refuse has to be caught and named before it becomes `internal`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import entities
from core.bootstrap import App
from core.contracts import Caller, CallerType, Entity, FieldType
from core.errors import MetaSaasError
from core.model.filters import FILTER_OPERATORS as OPERATORS
from core.model.registry import Registry
from core.seeding import seed
from core.settings import SQLiteSettings
from tests.conftest import make_app

REGISTRY = Registry(entities.DOMAIN)
ACTION_IDS = sorted(REGISTRY.actions)
CALLERS = [
    Caller("alice", "default", frozenset({"admin"})),
    Caller("bob", "default", frozenset({"operator"})),
    Caller("vera", "default", frozenset({"viewer"})),
    Caller("robot", "default", frozenset({"admin"}), CallerType.AI_AGENT),
    Caller("mallory", "default", frozenset()),
    Caller("alice", "other", frozenset({"admin"})),
]

text = st.text(max_size=30) | st.sampled_from(["", "\x00", "\ud800", "%", "_", "'", "a" * 300])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(dt.date.isoformat),
    st.datetimes(timezones=st.none() | st.timezones()).map(dt.datetime.isoformat),
    st.uuids().map(str),
    text,
)
anything = st.recursive(
    scalars,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(text, kids, max_size=3),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[App, dict[str, list[str]]]]:
    """The demo data on SQLite, and the ids that exist, so payloads can name real records."""
    path: Path = tmp_path_factory.mktemp("hypothesis") / "bus.db"
    app = make_app(f"sqlite:///{path}", sqlite=SQLiteSettings(synchronous="NORMAL"))
    seed(app.bus, app.system_caller(), list(entities.DOMAIN.seed()))  # type: ignore[misc]
    ids: dict[str, list[str]] = {}
    with app.engine.connect() as conn:
        for entity in app.registry.entities.values():
            table = app.registry.table(entity)
            ids[entity.key] = [str(r.id) for r in conn.execute(sa.select(table.c.id).limit(20))]
    yield app, ids
    app.close()


def shaped_value(entity: Entity, name: str, ids: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    """A value of the field's own type and limits: mostly valid, so actions get past validation."""
    field = entity.field(name)
    ref = next((r for r in entity.belongs_to if r.column == name), None)
    if name == "id" or ref is not None:
        key = entity.key if ref is None else REGISTRY.entity(ref.target).key
        return st.sampled_from(ids[key]) | st.uuids().map(str)
    if field is None:  # expected_version, to, trigger, workflow
        options = [t for w in entity.workflows for t in (*w.transitions,)]
        return st.one_of(
            st.integers(min_value=1, max_value=4),
            st.sampled_from([t.target for t in options] or ["x"]),
            st.sampled_from([t.trigger or "x" for t in options] or ["x"]),
        )
    low = field.min if field.min is not None else -(10**6)
    high = field.max if field.max is not None else 10**6
    strategies: dict[FieldType, st.SearchStrategy[Any]] = {
        FieldType.ENUM: st.sampled_from(field.options or ("x",)),
        FieldType.INTEGER: st.integers(min_value=int(low), max_value=int(high)),
        FieldType.NUMBER: st.floats(min_value=float(low), max_value=float(high)),
        FieldType.PERCENTAGE: st.floats(min_value=float(low), max_value=float(high)),
        FieldType.CURRENCY: st.decimals(min_value=low, max_value=high, places=2).map(str),
        FieldType.DATE: st.dates().map(dt.date.isoformat),
        FieldType.DATETIME: st.datetimes(timezones=st.timezones()).map(dt.datetime.isoformat),
        FieldType.EMAIL: st.emails(),
        FieldType.URL: st.from_regex(
            r"https://[a-z]{1,10}\.example/[a-z0-9%_-]{0,20}", fullmatch=True
        ),
        FieldType.PHONE: st.from_regex(r"\+?[0-9][0-9 ().-]{2,20}", fullmatch=True),
        FieldType.BOOLEAN: st.booleans(),
    }
    default = st.text(max_size=min(field.effective_max_length or 50, 50))
    return strategies.get(field.type, default)


def field_value(entity: Entity, name: str, ids: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    """One time in eight, anything at all instead of a shaped value."""
    shaped = shaped_value(entity, name, ids)
    return st.integers(0, 7).flatmap(lambda k: anything if k == 0 else shaped)


def query_payloads(
    entity: Entity, ids: dict[str, list[str]], accepted: set[str]
) -> st.SearchStrategy[Any]:
    """Filters, sorts, pages and searches for `list` and its kin, limited to what they take."""
    names = [*entity.column_names(), "id", "created_at", "updated_at", "created_by", "nope"]
    keys = st.builds(
        lambda n, op: n if op is None else f"{n}__{op}",
        st.sampled_from(names),
        st.none() | st.sampled_from(OPERATORS),
    )
    filters = st.dictionaries(keys, anything | st.sampled_from(ids[entity.key]), max_size=3)
    order = st.sampled_from(entity.sortable()).flatmap(lambda c: st.sampled_from([c, f"-{c}"]))
    parts = {
        "filters": filters,
        "order_by": order | text,
        "limit": st.integers(min_value=-1, max_value=600),
        "cursor": text,
        "search": text,
    }
    return st.fixed_dictionaries({}, optional={k: v for k, v in parts.items() if k in accepted})


def payloads(action_id: str, ids: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    spec = REGISTRY.actions[action_id]
    model = REGISTRY.input_model(spec)
    if "filters" in model.model_fields:
        shaped = query_payloads(spec.entity, ids, set(model.model_fields))
    else:
        fields = {n: field_value(spec.entity, n, ids) for n in sorted(model.model_fields)}
        required = {n for n, info in model.model_fields.items() if info.is_required()}
        shaped = st.fixed_dictionaries(
            {n: v for n, v in fields.items() if n in required},
            optional={n: v for n, v in fields.items() if n not in required},
        )
    strangers = st.dictionaries(text, anything, max_size=2)
    mixed = st.tuples(shaped, strangers).map(lambda p: {**p[1], **p[0]})
    return st.integers(0, 9).flatmap(lambda k: mixed if k == 0 else anything if k == 1 else shaped)


@pytest.mark.parametrize("action_id", ACTION_IDS)
def test_any_payload_gives_a_result_or_a_named_error(
    world: tuple[App, dict[str, list[str]]], action_id: str
) -> None:
    app, ids = world

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(payload=payloads(action_id, ids), caller=st.sampled_from(CALLERS))
    def run(payload: Any, caller: Caller) -> None:
        try:
            app.bus.dispatch(action_id, payload, caller)
        except MetaSaasError as exc:
            assert exc.code != "internal", f"{action_id} {payload!r}: {exc.message}"

    run()


def test_unknown_and_malformed_action_ids_are_named_errors(
    world: tuple[App, dict[str, list[str]]],
) -> None:
    app, _ = world

    @settings(max_examples=50, deadline=None, database=None)
    @given(action_id=anything | st.from_regex(r"[a-z_]{1,12}\.[a-z_]{1,12}", fullmatch=True))
    def run(action_id: Any) -> None:
        with pytest.raises(MetaSaasError) as failure:
            app.bus.dispatch(action_id, {}, CALLERS[0])
        assert failure.value.code in ("invalid_input", "not_found")

    run()


def test_ids_that_were_never_issued_are_not_found(
    world: tuple[App, dict[str, list[str]]],
) -> None:
    app, _ = world
    with pytest.raises(MetaSaasError) as failure:
        app.bus.dispatch("task.get", {"id": str(uuid.uuid4())}, CALLERS[0])
    assert failure.value.code == "not_found"
