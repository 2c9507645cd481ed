"""Same results on both databases: `contains` and `search` ignore case in every script
(SQLite's own lower() knows only ASCII), and an email is one address in any case."""

from __future__ import annotations

import uuid

import pytest

from core.bootstrap import App
from tests.support.engine_helpers import caller, raises_code

TITLES = ("ÄRGER im Büro", "ÉCOLE d'été", "ДОМ и сад", "ØRESUND bridge", "plain 100%_done")


def titles(app: App, payload: dict[str, object]) -> list[str]:
    items = app.bus.dispatch("task.list", {**payload, "limit": 50}, caller())["items"]
    return sorted(t["title"] for t in items)


@pytest.fixture
def tasks(app: App) -> App:
    for title in TITLES:
        app.bus.dispatch("task.create", {"title": title}, caller())
    return app


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("ärger", "ÄRGER im Büro"),
        ("BÜRO", "ÄRGER im Büro"),
        ("école", "ÉCOLE d'été"),
        ("дом", "ДОМ и сад"),
        ("øresund", "ØRESUND bridge"),
    ],
)
def test_contains_and_search_ignore_case_in_every_script(tasks: App, term: str, found: str) -> None:
    assert titles(tasks, {"filters": {"title__contains": term}}) == [found]
    assert titles(tasks, {"search": term}) == [found]
    count = tasks.bus.dispatch("task.count", {"search": term}, caller())["count"]
    assert count == 1


def test_like_wildcards_in_a_term_are_literal(tasks: App) -> None:
    assert titles(tasks, {"search": "100%_"}) == ["plain 100%_done"]
    assert titles(tasks, {"search": "%"}) == ["plain 100%_done"]
    assert titles(tasks, {"filters": {"title__contains": "_"}}) == ["plain 100%_done"]


def test_an_email_filter_matches_any_case(app: App) -> None:
    email = f"Mixed.Case-{uuid.uuid4().hex[:6]}@Example.com"
    made = app.bus.dispatch(
        "contact.create", {"first_name": "M", "last_name": "C", "email": email}, caller()
    )
    assert made["email"].split("@")[0] == email.split("@")[0]  # kept as typed
    for asked in (email.lower(), email.upper()):
        found = app.bus.dispatch("contact.list", {"filters": {"email": asked}}, caller())["items"]
        assert [c["id"] for c in found] == [made["id"]]
        listed = app.bus.dispatch(
            "contact.count", {"filters": {"email__in": [asked, "nobody@example.com"]}}, caller()
        )
        assert listed["count"] == 1


def test_emails_differing_only_in_case_are_one_contact(app: App) -> None:
    email = f"Foo-{uuid.uuid4().hex[:6]}@example.com"
    app.bus.dispatch(
        "contact.create", {"first_name": "A", "last_name": "B", "email": email}, caller()
    )
    with raises_code("conflict"):
        app.bus.dispatch(
            "contact.create",
            {"first_name": "C", "last_name": "D", "email": email.lower()},
            caller(),
        )
