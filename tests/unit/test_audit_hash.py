"""The audit chain's hash: stable canonical JSON, and every hashed column really hashed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.trail.chain import GENESIS, HASHED_COLUMNS, canonical, link_hash

ENTRY: dict[str, Any] = {
    "tenant_id": "default",
    "seq": 7,
    "occurred_at": dt.datetime(2026, 3, 2, 14, 0, 0, 123456, tzinfo=dt.UTC),
    "actor_id": "alice",
    "caller_type": "human",
    "action_id": "task.update",
    "entity": "Task",
    "record_id": "7d495a2b-a6db-4d13-9c35-ae6d56f484dc",
    "changes": {"title": {"before": "Old", "after": "New"}, "due_date": {"before": None}},
    "outcome": "success",
    "error_code": None,
    "duration_us": 1234,
}
PREV = hashlib.sha256(b"previous").hexdigest()

CHANGED: dict[str, Any] = {
    "tenant_id": "other",
    "seq": 8,
    "occurred_at": dt.datetime(2026, 3, 2, 14, 0, 0, 123457, tzinfo=dt.UTC),
    "actor_id": "mallory",
    "caller_type": "ai_agent",
    "action_id": "task.delete",
    "entity": "Project",
    "record_id": None,
    "changes": {"title": {"before": "Old", "after": "Newer"}, "due_date": {"before": None}},
    "outcome": "denied",
    "error_code": "forbidden",
    "duration_us": 1235,
}


def test_every_hashed_column_has_a_change_case() -> None:
    assert set(CHANGED) == set(HASHED_COLUMNS)


def test_canonical_is_independent_of_key_order() -> None:
    reordered = dict(reversed(list(ENTRY.items())))
    reordered["changes"] = dict(reversed(list(ENTRY["changes"].items())))
    assert list(reordered) != list(ENTRY)
    assert canonical(reordered) == canonical(ENTRY)
    assert link_hash(PREV, reordered) == link_hash(PREV, ENTRY)


def test_canonical_is_compact_sorted_json() -> None:
    text = canonical(ENTRY)
    assert " " not in text.replace("task.update", "")
    assert text.index('"action_id"') < text.index('"tenant_id"')


def test_canonical_ignores_columns_outside_the_hash() -> None:
    row = {**ENTRY, "id": "x", "prev_hash": PREV, "hash": "f" * 64}
    assert canonical(row) == canonical(ENTRY)


def test_canonical_keeps_unicode_stable() -> None:
    entry = {**ENTRY, "changes": {"title": {"after": "Zoë ✓"}}}
    assert "Zoë ✓" in canonical(entry)
    assert canonical(entry) == canonical(dict(entry))


@pytest.mark.parametrize(
    "occurred_at",
    [
        dt.datetime(2026, 3, 2, 14, 0, 0, 123456),
        dt.datetime(2026, 3, 2, 16, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    ],
    ids=["naive-as-utc", "offset"],
)
def test_same_instant_hashes_the_same(occurred_at: dt.datetime) -> None:
    """SQLite hands back naive datetimes; the chain must not break on the round trip."""
    assert canonical({**ENTRY, "occurred_at": occurred_at}) == canonical(ENTRY)


@pytest.mark.parametrize("column", HASHED_COLUMNS)
def test_link_hash_changes_when_any_hashed_field_changes(column: str) -> None:
    altered = {**ENTRY, column: CHANGED[column]}
    assert link_hash(PREV, altered) != link_hash(PREV, ENTRY)


def test_link_hash_changes_with_the_previous_hash() -> None:
    assert link_hash(GENESIS, ENTRY) != link_hash(PREV, ENTRY)


def test_link_hash_is_sha256_of_prev_plus_canonical() -> None:
    expected = hashlib.sha256((PREV + canonical(ENTRY)).encode("utf-8")).hexdigest()
    assert link_hash(PREV, ENTRY) == expected


def test_genesis_looks_like_a_sha256_digest() -> None:
    assert len(GENESIS) == len(PREV) == 64
    assert set(GENESIS) <= set("0123456789abcdef")
    assert link_hash(GENESIS, ENTRY) != GENESIS


def test_chaining_two_entries_depends_on_order() -> None:
    second = {**ENTRY, "seq": 8}
    forward = link_hash(link_hash(GENESIS, ENTRY), second)
    backward = link_hash(link_hash(GENESIS, second), ENTRY)
    assert forward != backward


def test_missing_hashed_column_is_an_error() -> None:
    partial = {k: v for k, v in ENTRY.items() if k != "outcome"}
    with pytest.raises(KeyError):
        canonical(partial)


# --- the canonical form an outside verifier can rely on ------------------------------------

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)
INSTANTS = st.datetimes(
    min_value=dt.datetime(1000, 1, 1),
    max_value=dt.datetime(9999, 12, 31),
    timezones=st.just(dt.UTC),
)


def plain_json(entry: dict[str, Any]) -> str:
    """The documented rule, written the obvious way: what a verifier in any language does."""
    data = {k: entry[k] for k in HASHED_COLUMNS}
    data["occurred_at"] = entry["occurred_at"].strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@given(
    tenant=TEXT,
    seq=st.integers(1, 2**62),
    at=INSTANTS,
    actor=TEXT,
    caller_type=st.sampled_from(["human", "script", "ai_agent", "system"]),
    action=TEXT,
    entity=TEXT,
    record=st.none() | TEXT,
    changes=st.dictionaries(TEXT, JSON_VALUES, max_size=5),
    outcome=st.sampled_from(["success", "denied"]),
    error=st.none() | TEXT,
    duration=st.integers(0, 2**40),
)
def test_canonical_is_plain_sorted_compact_json(
    tenant: str,
    seq: int,
    at: dt.datetime,
    actor: str,
    caller_type: str,
    action: str,
    entity: str,
    record: str | None,
    changes: dict[str, Any],
    outcome: str,
    error: str | None,
    duration: int,
) -> None:
    entry = {
        "tenant_id": tenant,
        "seq": seq,
        "occurred_at": at,
        "actor_id": actor,
        "caller_type": caller_type,
        "action_id": action,
        "entity": entity,
        "record_id": record,
        "changes": changes,
        "outcome": outcome,
        "error_code": error,
        "duration_us": duration,
    }
    assert canonical(entry) == plain_json(entry)
    expected = hashlib.sha256((PREV + plain_json(entry)).encode("utf-8")).hexdigest()
    assert link_hash(PREV, entry) == expected
