"""Identifier rules shared by entity names, field names, tables and action ids.

Names declared in metadata become SQL identifiers, so they are checked once here against
a strict pattern and one reserved-word list covering SQLite and PostgreSQL; nothing that
fails these checks ever reaches DDL.
"""

from __future__ import annotations

import re

# \Z, not $: `$` also matches before a trailing newline, which must not pass as a name.
IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*\Z")
PASCAL_CASE = re.compile(r"^[A-Z][A-Za-z0-9]*\Z")
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*\Z")
ACTION_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\Z")
TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}\Z")
MAX_IDENTIFIER_LENGTH = 63

# Union of SQLite's keywords and PostgreSQL's reserved / non-reserved-but-problematic words.
RESERVED_WORDS: frozenset[str] = frozenset(
    """
    abort action add after all alter always analyze and any array as asc asymmetric attach
    authorization autoincrement before begin between binary bigint bit boolean both by cascade
    case cast char character check collate collation column commit concurrently conflict
    constraint create cross current current_catalog current_date current_role current_schema
    current_time current_timestamp current_user database default deferrable deferred delete
    desc detach distinct do drop each else end escape except exclude exclusive exists explain
    fail false fetch filter first following for foreign freeze from full generated glob grant
    group groups having if ignore ilike immediate in index indexed initially inner insert
    instead intersect into is isnull join key last lateral leading left like limit localtime
    localtimestamp match materialized natural no not nothing notnull null nulls of offset on
    only or order others outer over overlaps partition placing plan pragma preceding primary
    query raise range recursive references regexp reindex release rename replace restrict
    returning right rollback row rows savepoint select session_user set similar some symmetric
    system_user table tablesample temp temporary then ties to trailing transaction trigger
    true unbounded union unique update user using vacuum values variadic verbose view virtual
    when where window with without
    """.split()
)


def identifier_problem(name: str) -> str | None:
    """Return why `name` cannot be an SQL identifier, or None when it can."""
    if not isinstance(name, str) or not IDENTIFIER.match(name):
        return "must match ^[A-Za-z][A-Za-z0-9_]*$"
    if len(name) > MAX_IDENTIFIER_LENGTH:
        return f"must be at most {MAX_IDENTIFIER_LENGTH} characters"
    if name.lower() in RESERVED_WORDS:
        return "is a reserved SQL keyword"
    return None


def snake_case(name: str) -> str:
    """PascalCase to snake_case: `ProjectTask` -> `project_task`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
