"""Hand-made cursors, filters and audit queries: refused as invalid_input, never internal."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from core.bootstrap import App
from core.trail.reader import audit_page, parse_since
from tests.support.engine_helpers import caller, raises_code


def _cursor(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor(["-created_at", "2026-01-01T00:00:00+00:00", 12345]),
        _cursor(["-created_at", "2026-01-01T00:00:00+00:00", ["a"]]),
        _cursor(["-created_at", {"a": 1}, "0" * 32]),
        _cursor({"key": "-created_at"}),
        _cursor("[" * 10_000 + "]" * 10_000),
        base64.urlsafe_b64encode(("[" * 20_000 + "]" * 20_000).encode()).decode(),
    ],
)
def test_forged_cursors_are_invalid_input(app: App, cursor: str) -> None:
    with raises_code("invalid_input"):
        app.bus.dispatch("task.list", {"cursor": cursor}, caller())


@pytest.mark.parametrize("text", ["\ud800", "a\x00b", "x" * 201])
def test_contains_filter_refuses_text_no_column_holds(app: App, text: str) -> None:
    for action in ("task.list", "task.count"):
        with raises_code("invalid_input"):
            app.bus.dispatch(action, {"filters": {"title__contains": text}}, caller())


@pytest.mark.parametrize("cursor", ["²", "9" * 5000, str(2**70), "-1", "1 "])
def test_audit_cursor_must_be_a_sequence_number(app: App, cursor: str) -> None:
    with raises_code("invalid_input"):
        audit_page(app.engine, app.registry, caller(), cursor=cursor)


@pytest.mark.parametrize("text", ["99999999999d", "9999999w", "not a date"])
def test_audit_since_out_of_range_is_invalid_input(text: str) -> None:
    with raises_code("invalid_input"):
        parse_since(text, dt.datetime.now(dt.UTC))
