"""Keyset pages backwards as well as forwards, and cursors bound to the query they came from.

A scrolling table pages both ways; a cursor reused with other filters, search or sort used
to give a silently wrong page and is now `invalid_input`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.bootstrap import App
from tests.support.engine_helpers import AppFactory, caller, raises_code

ORDERS = ["due_date", "-due_date", "title", "-title", "-created_at"]


def _tasks(app: App) -> None:
    for i in range(23):
        due = None if i % 4 == 0 else (dt.date(2026, 1, 1) + dt.timedelta(days=i % 7)).isoformat()
        app.bus.dispatch("task.create", {"title": f"t{i % 5}", "due_date": due}, caller())


def _pages(app: App, order: str, start: dict[str, Any]) -> list[dict[str, Any]]:
    pages = [start]
    while pages[-1]["next_cursor"]:
        request = {"order_by": order, "limit": 5, "cursor": pages[-1]["next_cursor"]}
        pages.append(app.bus.dispatch("task.list", request, caller()))
    return pages


def _ids(page: dict[str, Any]) -> list[str]:
    return [str(item["id"]) for item in page["items"]]


@pytest.mark.parametrize("order", ORDERS)
def test_prev_cursor_walks_back_through_the_same_pages(app_factory: AppFactory, order: str) -> None:
    app = app_factory()
    _tasks(app)
    first = app.bus.dispatch("task.list", {"order_by": order, "limit": 5}, caller())
    assert first["prev_cursor"] is None
    forward = _pages(app, order, first)
    assert sum(len(p["items"]) for p in forward) == 23
    back = [forward[-1]]
    while back[-1]["prev_cursor"]:
        request = {"order_by": order, "limit": 5, "cursor": back[-1]["prev_cursor"]}
        back.append(app.bus.dispatch("task.list", request, caller()))
    assert [_ids(p) for p in reversed(back)] == [_ids(p) for p in forward]
    # and forwards again from a page reached backwards
    again = app.bus.dispatch(
        "task.list", {"order_by": order, "limit": 5, "cursor": back[-2]["next_cursor"]}, caller()
    )
    assert _ids(again) == _ids(forward[2])


@pytest.mark.parametrize(
    "other",
    [
        {"filters": {"title": "t1"}},
        {"filters": {"due_date__gt": "2026-01-02"}},
        {"search": "t2"},
        {"order_by": "-due_date"},
    ],
)
def test_a_cursor_used_with_another_query_is_invalid_input(
    app_factory: AppFactory, other: dict[str, Any]
) -> None:
    app = app_factory()
    _tasks(app)
    page = app.bus.dispatch("task.list", {"order_by": "due_date", "limit": 5}, caller())
    with raises_code("invalid_input") as info:
        app.bus.dispatch(
            "task.list",
            {"order_by": "due_date", "limit": 5, **other, "cursor": page["next_cursor"]},
            caller(),
        )
    assert info.value.details["field"] == "cursor"
    same = {"order_by": "due_date", "limit": 7, "cursor": page["next_cursor"]}
    assert len(app.bus.dispatch("task.list", same, caller())["items"]) == 7  # limit may change
