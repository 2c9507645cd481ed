"""Fixtures shared by the integration tests (the backend-parametrized ones live in tests/)."""

from __future__ import annotations

from tests.support.engine_helpers import app_factory

__all__ = ["app_factory"]
