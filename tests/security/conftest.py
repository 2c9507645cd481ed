"""Fixtures shared by the security tests (the backend-parametrized ones live in tests/)."""

from __future__ import annotations

import pytest

from tests.support.engine_helpers import app_factory

__all__ = ["app_factory"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Redis rate-limit counters do not depend on the database: run them beside SQLite only."""
    dropped = [
        item
        for item in items
        if (spec := getattr(item, "callspec", None)) is not None
        and spec.params.get("store") == "redis"
        and spec.params.get("backend") == "postgresql"
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]
