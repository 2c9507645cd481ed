"""Running the rows of an import: each committed alone, all in one transaction, or only
validated (a dry run).

A dry run validates each row with `bus.validate`: every check a real import makes, no
write, and no write lock held, so other writers in every tenant go on meanwhile. What a
real import would find by writing the earlier rows (the same id twice, a unique value
twice in the file) it finds by remembering the ids and unique values it accepted.
Ctrl+C stops between rows, never inside one, so the report says exactly what was stored.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from console.cli.importing import ImportReport, Row
from core.contracts import Caller, Entity, FieldType
from core.errors import Conflict, MetaSaasError, NotFound, field_error

# Codes that belong to one row; anything else (forbidden, internal) stops the import.
ROW_ERRORS = ("invalid_input", "conflict", "not_found")


class Interrupted(KeyboardInterrupt):
    """Ctrl+C between two rows: the import stops cleanly where it is (an atomic one rolls
    back, as on any interruption)."""


class SeenInFile:
    """The ids and unique values of the rows a dry run accepted so far."""

    def __init__(self, entity: Entity) -> None:
        self.entity = entity
        self.unique = [f for f in entity.fields if f.unique]
        self.ids: set[str] = set()
        self.values: dict[str, set[Any]] = {f.name: set() for f in self.unique}

    def _key(self, name: str, value: Any) -> Any:
        field = self.entity.field(name)
        folded = field is not None and field.type is FieldType.EMAIL and isinstance(value, str)
        return value.lower() if folded else value

    def check(self, row: Row) -> None:
        if row.record_id in self.ids:
            raise Conflict(
                f"a {self.entity.name} with id {row.record_id} is an earlier row of this file",
                {"field": "id", "reason": "exists"},
            )
        problems = [
            field_error(f.name, "unique", f"an earlier row of this file has this {f.name}")
            for f in self.unique
            if row.payload.get(f.name) is not None
            and self._key(f.name, row.payload[f.name]) in self.values[f.name]
        ]
        if problems:
            raise Conflict.of(problems, reason="unique")

    def add(self, row: Row) -> None:
        if row.record_id is not None:
            self.ids.add(row.record_id)
        for f in self.unique:
            if row.payload.get(f.name) is not None:
                self.values[f.name].add(self._key(f.name, row.payload[f.name]))


@contextmanager
def stop_between_rows() -> Iterator[Callable[[], bool]]:
    """Turn the first Ctrl+C into a request to stop after the current row (a second one
    interrupts at once)."""
    asked = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield asked.is_set
        return

    def handler(signum: int, frame: Any) -> None:
        asked.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield asked.is_set
    finally:
        signal.signal(signal.SIGINT, previous)


def run_import(
    bus: Any,
    caller: Caller,
    entity: Entity,
    action: str,
    rows: Iterator[Row],
    report: ImportReport,
    *,
    resume: bool,
    advance: Callable[[], None],
    stop: Callable[[], bool],
) -> None:
    def exists(record_id: str) -> bool:
        try:
            bus.dispatch(f"{entity.key}.get", {"id": record_id}, caller)
        except NotFound:
            return False
        return True

    seen = SeenInFile(entity) if report.dry_run else None

    def one(row: Row, run: Callable[[str, dict[str, Any]], Any], guard: Any) -> None:
        if stop():
            raise Interrupted
        report.rows += 1
        advance()
        if row.error is not None:
            report.reject(row.number, row.line, row.record_id, row.error)
            return
        try:
            if seen is not None:
                seen.check(row)
            with guard():
                run(action, row.payload)
            report.accepted += 1
            if seen is not None:
                seen.add(row)
        except Conflict as exc:
            # A unique-value conflict can come before the "exists" check: look it up.
            if resume and row.record_id and exists(row.record_id):
                report.skipped += 1
            else:
                report.reject(row.number, row.line, row.record_id, exc)
        except MetaSaasError as exc:
            if exc.code not in ROW_ERRORS:
                raise
            report.reject(row.number, row.line, row.record_id, exc)

    if report.dry_run or not report.atomic:
        # An import is one action against rate limits, however many rows it has.
        with bus.counted_once(caller):
            if report.dry_run:
                for row in rows:
                    one(row, lambda a, p: bus.validate(a, p, caller), nullcontext)
                return
            report.committed = True  # each row commits as it goes
            for row in rows:
                one(row, lambda a, p: bus.dispatch(a, p, caller), nullcontext)
        return
    from core.actions.bus import Rollback

    with bus.atomic(caller) as batch:
        for row in rows:
            one(row, batch.dispatch, batch.savepoint)
        if report.rejected:
            raise Rollback  # an atomic import with a bad row: undo it all
        report.committed = True
