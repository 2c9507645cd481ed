"""An internal error explained when its cause is the database's state, not a bug.

Core answers a query on a missing table as "not migrated" wherever it runs one; an atomic
batch or a command outside the bus may still end in a plain internal error, so the CLI
looks once, on the failure path only: if the database lacks tables the domain declares,
it says so and names `metasaas migrate`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from core.db.uow import NOT_MIGRATED
from core.errors import InternalError, MetaSaasError

E = TypeVar("E", bound=Exception)


def explain(state: Any, error: E) -> E | InternalError:
    """`error`, or the not-migrated error when the database lacks declared tables."""
    if isinstance(error, MetaSaasError) and (
        error.code != "internal" or error.details.get("reason")
    ):
        return error
    if state is None:
        return error
    app = getattr(state, "_app", None) or getattr(getattr(state, "parent", None), "_app", None)
    if app is None:
        return error
    try:
        import sqlalchemy as sa

        with app.engine.connect() as conn:
            present = set(sa.inspect(conn).get_table_names())
    except Exception:
        return error
    if set(app.registry.metadata.tables) <= present:
        return error
    return InternalError(NOT_MIGRATED, {"reason": "not_migrated"})
