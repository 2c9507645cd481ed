"""What an action leaves beside its own rows: its outbox events and its audit entry.

Both are written last, in the action's transaction. On PostgreSQL the usual pair, one
event and one pending audit entry, goes in a single statement (a data-modifying CTE), so
every action costs one round trip less; the statement still comes from SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from core.db.platform_tables import audit_pending
from core.db.platform_tables import outbox as outbox_table
from core.db.prepared import Prepared, prepared
from core.trail import chain as audit
from core.trail import outbox
from core.trail.chain import Appended

_EVENT = "ev_"  # bind-name prefix for the event's values: both tables share column names


def write(
    conn: sa.Connection, events: Sequence[dict[str, Any]], entry: dict[str, Any] | None
) -> Appended | None:
    """Store the events' outbox rows and the audit entry; returns where the entry went."""
    if entry is not None and len(events) == 1 and conn.dialect.name == "postgresql":
        values = {**entry, **{_EVENT + k: v for k, v in events[0].items()}}
        _event_and_entry(conn.dialect).execute(conn, values)
        return Appended(None)
    outbox.insert(conn, events)
    return audit.append(conn, entry) if entry is not None else None


def _event_and_entry(dialect: sa.Dialect) -> Prepared:
    def build() -> sa.sql.ClauseElement:
        event = outbox_table.insert().values(
            {c: sa.bindparam(_EVENT + c.name, type_=c.type) for c in outbox_table.c}
        )
        return audit_pending.insert().add_cte(event.cte("event"))

    return prepared("event_and_entry", audit_pending, dialect, build)
