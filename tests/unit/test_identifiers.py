"""Names declared in metadata become SQL identifiers, so their rules are checked directly."""

from __future__ import annotations

import pytest

import entities
from core.contracts import Caller
from core.errors import InvalidInput
from core.identifiers import (
    ACTION_ID,
    MAX_IDENTIFIER_LENGTH,
    PASCAL_CASE,
    SNAKE_CASE,
    TENANT_ID,
    identifier_problem,
    snake_case,
)
from core.model.registry import Registry


@pytest.mark.parametrize("name", ["a", "A", "title", "Task", "due_date", "x1", "a_b_c_9", "aB_1"])
def test_valid_identifiers_have_no_problem(name: str) -> None:
    assert identifier_problem(name) is None


@pytest.mark.parametrize(
    "name",
    [
        "",
        "1abc",
        "_private",
        "has-hyphen",
        "has space",
        "name; DROP TABLE x",
        "quote'd",
        'double"quote',
        "semi;colon",
        "dotted.name",
        "tab\tname",
        "new\nline",
        "émile",
        "name\x00",
        "a$b",
    ],
)
def test_pattern_rejects_metacharacters_and_bad_starts(name: str) -> None:
    problem = identifier_problem(name)
    assert problem is not None
    assert "must match" in problem


@pytest.mark.parametrize("value", [None, 5, b"title", ["title"]])
def test_non_strings_are_not_identifiers(value: object) -> None:
    assert identifier_problem(value) is not None  # type: ignore[arg-type]


def test_length_limit_is_63_characters() -> None:
    assert identifier_problem("a" * MAX_IDENTIFIER_LENGTH) is None
    assert identifier_problem("a" * 63) is None
    problem = identifier_problem("a" * 64)
    assert problem is not None
    assert "63" in problem


@pytest.mark.parametrize(
    "word",
    [
        "select",
        "SELECT",
        "Select",
        "order",
        "ORDER",
        "user",
        "User",
        "group",
        "Group",
        "table",
        "TaBlE",
        "from",
        "where",
        "limit",
        "offset",
        "index",
        "primary",
        "references",
        "default",
        "check",
        "pragma",
        "current_user",
        "returning",
    ],
)
def test_reserved_words_are_refused_in_any_case(word: str) -> None:
    problem = identifier_problem(word)
    assert problem is not None
    assert "reserved" in problem


@pytest.mark.parametrize("word", ["selected", "orders", "users", "groups_of", "tables", "title"])
def test_words_containing_keywords_are_not_reserved(word: str) -> None:
    assert identifier_problem(word) is None


@pytest.mark.parametrize(
    ("pascal", "snake"),
    [
        ("Task", "task"),
        ("ProjectTask", "project_task"),
        ("Companies", "companies"),
        ("AuditChainHeads", "audit_chain_heads"),
        ("A", "a"),
    ],
)
def test_snake_case_of_pascal_names(pascal: str, snake: str) -> None:
    assert snake_case(pascal) == snake


@pytest.mark.parametrize("name", ["task", "due_date", "a1", "x_"])
def test_snake_case_pattern_accepts(name: str) -> None:
    assert SNAKE_CASE.match(name)


@pytest.mark.parametrize("name", ["Task", "dueDate", "1a", "_a", "a-b", "a b", ""])
def test_snake_case_pattern_refuses(name: str) -> None:
    assert not SNAKE_CASE.match(name)


@pytest.mark.parametrize("name", ["Task", "ProjectTask", "A1"])
def test_pascal_case_pattern_accepts(name: str) -> None:
    assert PASCAL_CASE.match(name)


@pytest.mark.parametrize("name", ["task", "Project_Task", "1Task", "Task-x", ""])
def test_pascal_case_pattern_refuses(name: str) -> None:
    assert not PASCAL_CASE.match(name)


@pytest.mark.parametrize("action", ["task.create", "project.summary", "a1.b_2"])
def test_action_id_pattern_accepts(action: str) -> None:
    assert ACTION_ID.match(action)


@pytest.mark.parametrize(
    "action",
    ["task", "Task.create", "task.Create", "task.create.x", "task.", ".create", "task .create"],
)
def test_action_id_pattern_refuses(action: str) -> None:
    assert not ACTION_ID.match(action)


@pytest.mark.parametrize("tenant", ["default", "acme-1", "a", "0", "t" * 63])
def test_tenant_id_pattern_accepts(tenant: str) -> None:
    assert TENANT_ID.match(tenant)


@pytest.mark.parametrize("tenant", ["", "Acme", "-acme", "a b", "a;b", "t" * 64, "a/b"])
def test_tenant_id_pattern_refuses(tenant: str) -> None:
    assert not TENANT_ID.match(tenant)


# `$` also matches just before a final newline; these check the rules, not the regexes.
def test_identifier_with_trailing_newline_is_refused() -> None:
    assert identifier_problem("title\n") is not None


def test_tenant_id_with_trailing_newline_is_refused() -> None:
    with pytest.raises(ValueError):
        Caller("alice", "default\n")


def test_action_id_with_trailing_newline_is_malformed() -> None:
    registry = Registry(entities.DOMAIN)
    with pytest.raises(InvalidInput):
        registry.action("task.create\n")
