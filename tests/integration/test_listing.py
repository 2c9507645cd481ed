"""List queries: filters, sort, keyset pagination, limits, cursors and search."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from core.bootstrap import App
from core.contracts import Caller
from tests.support.engine_helpers import AppFactory, code_of, list_all, raises_code, walk

PRIORITIES = ["low", "medium", "high"]
TITLES = ["alpha", "bravo", "charlie", "delta"]


def _seed_tasks(app: App, who: Caller, n: int = 24) -> list[dict[str, Any]]:
    """Tasks with many ties in title, priority and due_date, and some NULL due dates."""
    created = []
    for i in range(n):
        due = None if i % 4 == 0 else dt.date(2026, 1, 1 + (i % 3)).isoformat()
        payload = {
            "title": TITLES[i % len(TITLES)],
            "priority": PRIORITIES[i % 3],
            "due_date": due,
            "estimate_hours": float(i % 5),
        }
        created.append(app.bus.dispatch("task.create", payload, who))
    return created


def _ids(items: list[dict[str, Any]]) -> list[uuid.UUID]:
    return [item["id"] for item in items]


@pytest.fixture
def tasks(app: App, admin: Caller) -> list[dict[str, Any]]:
    return _seed_tasks(app, admin)


FILTER_CASES: list[tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]] = [
    ({"priority": "high"}, lambda t: t["priority"] == "high"),
    ({"priority__eq": "low"}, lambda t: t["priority"] == "low"),
    ({"priority__ne": "high"}, lambda t: t["priority"] != "high"),
    ({"estimate_hours__lt": 2}, lambda t: t["estimate_hours"] < 2),
    ({"estimate_hours__lte": 2}, lambda t: t["estimate_hours"] <= 2),
    ({"estimate_hours__gt": 2}, lambda t: t["estimate_hours"] > 2),
    ({"estimate_hours__gte": 2}, lambda t: t["estimate_hours"] >= 2),
    (
        {"due_date__gte": "2026-01-02"},
        lambda t: t["due_date"] is not None and t["due_date"] >= dt.date(2026, 1, 2),
    ),
    ({"due_date": None}, lambda t: t["due_date"] is None),
    ({"due_date__ne": None}, lambda t: t["due_date"] is not None),
    ({"priority__in": ["low", "high"]}, lambda t: t["priority"] in ("low", "high")),
    ({"title__contains": "HAR"}, lambda t: "har" in t["title"]),
    (
        {"title__in": ["alpha", "delta"], "priority": "medium"},
        lambda t: t["title"] in ("alpha", "delta") and t["priority"] == "medium",
    ),
]


def test_filter_operators(app: App, admin: Caller) -> None:
    created = _seed_tasks(app, admin, n=15)
    wrong = {}
    for filters, keep in FILTER_CASES:
        expected = {t["id"] for t in created if keep(t)}
        assert 0 < len(expected) < len(created), f"{filters} must select some rows, not all"
        got = [t["id"] for t in list_all(app, "task.list", admin, filters=filters)]
        if sorted(got) != sorted(expected):
            wrong[json.dumps(filters)] = (len(got), len(expected))
    assert wrong == {}, "filter: (rows returned, rows expected)"


def test_filter_on_ids_and_system_columns(app: App, admin: Caller) -> None:
    created = _seed_tasks(app, admin, n=6)
    chosen = [str(created[1]["id"]), str(created[4]["id"])]
    got = list_all(app, "task.list", admin, filters={"id__in": chosen})
    assert sorted(str(t["id"]) for t in got) == sorted(chosen)
    assert len(list_all(app, "task.list", admin, filters={"created_by": "alice"})) == 6
    assert list_all(app, "task.list", admin, filters={"created_by": "mallory"}) == []


def test_unknown_filter_names_the_allowed_fields(app: App, admin: Caller) -> None:
    with raises_code("invalid_input") as err:
        app.bus.dispatch("task.list", {"filters": {"colour": "red"}}, admin)
    allowed = err.value.details["allowed"]
    assert {"title", "priority", "due_date", "project_id", "status"} <= set(allowed)
    assert "colour" not in allowed
    assert "colour" in err.value.message
    for name in ("title", "priority", "due_date"):
        assert name in err.value.message


BAD_FILTERS: list[dict[str, Any]] = [
    {"priority__between": "low"},
    {"priority": "urgent"},
    {"estimate_hours__gt": "many"},
    {"due_date__lt": "tomorrow"},
    {"priority__in": "low"},
    {"priority__in": []},
    {"estimate_hours__contains": "1"},
    {"due_date__lt": None},
]


def test_bad_filters_order_by_and_limits_are_invalid(app: App, admin: Caller) -> None:
    cases: dict[str, dict[str, Any]] = {json.dumps(f): {"filters": f} for f in BAD_FILTERS}
    for order_by in ["colour", "-colour", "title desc", "--title", "tenant_id"]:
        cases[f"order_by={order_by}"] = {"order_by": order_by}
    for limit in [0, -1, 501, 10_000]:
        cases[f"limit={limit}"] = {"limit": limit}
    cases["limit='5'"] = {"limit": "5"}
    outcomes = {label: code_of(app, "task.list", p, admin) for label, p in cases.items()}
    assert outcomes == dict.fromkeys(cases, "invalid_input")


def test_bad_order_by_names_the_allowed_sorts(app: App, admin: Caller) -> None:
    with raises_code("invalid_input") as err:
        app.bus.dispatch("task.list", {"order_by": "-colour"}, admin)
    assert {"title", "due_date", "created_at"} <= set(err.value.details["allowed"])
    assert "colour" in err.value.message


def test_limit_bounds_and_default(app: App, admin: Caller) -> None:
    _seed_tasks(app, admin, n=52)
    first = app.bus.dispatch("task.list", {}, admin)
    assert len(first["items"]) == 50
    assert first["next_cursor"] is not None
    assert len(app.bus.dispatch("task.list", {"limit": 1}, admin)["items"]) == 1
    everything = app.bus.dispatch("task.list", {"limit": 500}, admin)
    assert len(everything["items"]) == 52
    assert everything["next_cursor"] is None


def _assert_ordered(items: list[dict[str, Any]], column: str, descending: bool) -> None:
    values = [item[column] for item in items]
    present = [v for v in values if v is not None]
    nulls_at = [i for i, v in enumerate(values) if v is None]
    # NULLs come last in both directions.
    assert nulls_at == list(range(len(present), len(values)))
    assert present == sorted(present, reverse=descending)
    for a, b in itertools.pairwise(items):
        if a[column] == b[column]:
            assert (a["id"] > b["id"]) if descending else (a["id"] < b["id"]), "ties break by id"


# A clock that repeats each instant three times, so created_at has ties too.
def _tied_clock() -> Callable[[], dt.datetime]:
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ticks = itertools.count()
    return lambda: base + dt.timedelta(seconds=next(ticks) // 3)


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_keyset_pagination_visits_every_row_once(
    app_factory: AppFactory, admin: Caller, descending: bool
) -> None:
    app = app_factory(clock=_tied_clock())
    created = _seed_tasks(app, admin, n=23)
    for column in ["created_at", "title", "due_date", "estimate_hours"]:
        order_by = f"-{column}" if descending else column
        full = list_all(app, "task.list", admin, order_by=order_by)
        _assert_ordered(full, column, descending)
        assert sorted(_ids(full)) == sorted(_ids(created))
        for limit in (1, 4, 7, 23):
            paged = walk(app, "task.list", admin, limit, order_by=order_by)
            assert len(paged) == len(created), f"{order_by}, limit {limit}"
            assert _ids(paged) == _ids(full), f"{order_by}, limit {limit}: pages disagree"


def test_pagination_with_filters_keeps_the_filter(app: App, admin: Caller) -> None:
    created = _seed_tasks(app, admin, n=20)
    expected = {t["id"] for t in created if t["priority"] == "high"}
    paged = walk(app, "task.list", admin, 2, order_by="due_date", filters={"priority": "high"})
    assert [t["id"] for t in paged if t["id"] not in expected] == []
    assert {t["id"] for t in paged} == expected
    assert len(paged) == len(expected)


def _cursor(app: App, who: Caller, order_by: str) -> str:
    page = app.bus.dispatch("task.list", {"limit": 2, "order_by": order_by}, who)
    assert page["next_cursor"] is not None
    return str(page["next_cursor"])


def _forge(*parts: Any) -> str:
    raw = json.dumps(list(parts)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_tampered_or_foreign_cursor_is_invalid(app: App, admin: Caller, tasks: list[Any]) -> None:
    good = _cursor(app, admin, "due_date")
    flipped = good[:5] + ("A" if good[5] != "A" else "B") + good[6:]
    some_id = uuid.uuid4().hex
    cases = [
        ("due_date", "!!!not-base64!!!"),
        ("due_date", good[:-6]),
        ("due_date", flipped),
        ("due_date", good + "x"),
        ("due_date", _forge("due_date")),
        ("due_date", _forge("due_date", "not-a-date", some_id)),
        ("due_date", _forge("due_date", "2026-01-01", "not-a-uuid")),
        ("due_date", _forge("due_date", {"$gt": ""}, some_id)),
        ("due_date", _forge("due_date", ["2026-01-01"], some_id)),
        ("created_at", _forge("created_at", None, some_id)),
        ("title", _forge("title", 12, some_id)),
        ("due_date", base64.urlsafe_b64encode(b"\xff\xfe\x00").decode()),
        # genuine cursors, but made for another order_by
        ("due_date", _cursor(app, admin, "title")),
        ("-title", _cursor(app, admin, "title")),
        ("due_date", _cursor(app, admin, "-due_date")),
        ("updated_at", _cursor(app, admin, "created_at")),
    ]
    outcomes = {
        f"case {i} ({order_by})": code_of(
            app, "task.list", {"order_by": order_by, "cursor": bad}, admin
        )
        for i, (order_by, bad) in enumerate(cases)
    }
    assert outcomes == dict.fromkeys(outcomes, "invalid_input")


def test_cursor_for_the_default_sort(app: App, admin: Caller, tasks: list[Any]) -> None:
    """With no order_by the entity's default sort applies; its cursor works without one."""
    page = app.bus.dispatch("task.list", {"limit": 5}, admin)
    explicit = app.bus.dispatch("task.list", {"limit": 5, "order_by": "due_date"}, admin)
    assert _ids(page["items"]) == _ids(explicit["items"])
    follow = app.bus.dispatch("task.list", {"limit": 5, "cursor": page["next_cursor"]}, admin)
    assert not set(_ids(follow["items"])) & set(_ids(page["items"]))


def test_search_matches_search_fields_case_insensitively(app: App, admin: Caller) -> None:
    a = app.bus.dispatch("task.create", {"title": "Invoice ACME"}, admin)
    b = app.bus.dispatch("task.create", {"title": "Other", "description": "call acme"}, admin)
    app.bus.dispatch("task.create", {"title": "Unrelated"}, admin)
    got = list_all(app, "task.list", admin, search="Acme")
    assert sorted(_ids(got)) == sorted([a["id"], b["id"]])


SEARCH_CASES = {
    "%": ["100% done"],
    "_": ["snake_case"],
    "e_c": ["snake_case"],
    "0%": ["100% done"],
    "\\": ["back\\slash"],
    "/": ["a/b"],
    "[a-z]": ["[a-z] class"],
}


def test_search_treats_like_metacharacters_literally(app: App, admin: Caller) -> None:
    titles = ["100% done", "1000 done", "snake_case", "snakeXcase", "back\\slash", "a/b"]
    for title in [*titles, "[a-z] class", "abc"]:
        app.bus.dispatch("task.create", {"title": title}, admin)
    searched, filtered = {}, {}
    for term in SEARCH_CASES:
        searched[term] = sorted(t["title"] for t in list_all(app, "task.list", admin, search=term))
        by_filter = list_all(app, "task.list", admin, filters={"title__contains": term})
        filtered[term] = sorted(t["title"] for t in by_filter)
    assert searched == SEARCH_CASES
    assert filtered == SEARCH_CASES


def test_search_longer_than_200_characters_is_invalid(app: App, admin: Caller) -> None:
    with raises_code("invalid_input"):
        app.bus.dispatch("task.list", {"search": "x" * 201}, admin)
