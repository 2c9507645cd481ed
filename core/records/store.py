"""The read-only view of records that entity code (hooks, custom actions) is handed.

A hook or custom action runs inside an action's transaction with the caller's rights. It
gets `get`, `find` and `count` of one entity and nothing else: the object holds only those
three functions, so there is no attribute through which to reach the repository, the
connection or a write. What the caller may not read comes back masked, and may not be
filtered on, so entity code cannot hand a sensitive value to someone who may not see it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from core.contracts import RecordStore
from core.errors import Forbidden, InvalidInput
from core.jsonable import REDACTED
from core.model.filters import split_filter_key
from core.records.repository import EntityRepository

FIND_LIMIT_MAX = 500


class ReadOnlyStore:
    """`get`, `find` and `count`; built only by `read_only_store`."""

    __slots__ = ("count", "find", "get")

    def __init__(
        self,
        get: Callable[[Any], dict[str, Any] | None],
        find: Callable[..., list[dict[str, Any]]],
        count: Callable[..., int],
    ) -> None:
        self.get = get
        self.find = find
        self.count = count

    def __repr__(self) -> str:
        return "<read-only record store>"


def mask(record: dict[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    if not hidden:
        return record
    return {k: (REDACTED if k in hidden and v is not None else v) for k, v in record.items()}


def read_only_store(repo: EntityRepository, hidden: frozenset[str]) -> RecordStore:
    entity = repo.entity

    def guard(filters: Mapping[str, Any] | None) -> dict[str, Any]:
        if filters is None:
            return {}
        if not isinstance(filters, Mapping):
            raise InvalidInput("filters must be a mapping of field to value", {"field": "filters"})
        probed = sorted({split_filter_key(str(k))[0] for k in filters} & hidden)
        if probed:
            raise Forbidden(
                f"{entity.plural} cannot be filtered by {', '.join(probed)} for this caller",
                {"fields": probed},
            )
        return dict(filters)

    def get(record_id: Any) -> dict[str, Any] | None:
        try:
            ident = record_id if isinstance(record_id, uuid.UUID) else uuid.UUID(str(record_id))
        except ValueError:
            return None
        record = repo.get(ident)
        return None if record is None else mask(record, hidden)

    def find(filters: Mapping[str, Any] | None = None, limit: int = 50) -> list[dict[str, Any]]:
        rows = repo.find(guard(filters), limit=max(1, min(int(limit), FIND_LIMIT_MAX)))
        return [mask(r, hidden) for r in rows]

    def count(filters: Mapping[str, Any] | None = None) -> int:
        return repo.count(guard(filters))

    return ReadOnlyStore(get, find, count)
