"""CSV import through the bus: every row is a `<entity>.create`, validated and audited.

Each row gets a record id derived from the tenant, the entity, the file's content and the
row number (unless the file has an `id` column), so importing the same file again can
never duplicate a row: after a crash, `--resume` skips the rows already stored and
imports the rest. `--atomic` and `--dry-run` run all rows in one transaction with a
savepoint per row, so every bad row is reported, not only the first.
"""

from __future__ import annotations

import csv
import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.actions.bus import Rollback
from core.contracts import Entity
from core.errors import Conflict, InvalidInput, MetaSaasError, NotFound

IMPORT_NAMESPACE = uuid.UUID("0b6f2a7e-8c1d-4e5f-9a3b-2c4d6e8f1a20")
# Codes that belong to one row; anything else (forbidden, internal) stops the import.
ROW_ERRORS = ("invalid_input", "conflict", "not_found")
IGNORED_COLUMNS = ("created_at", "updated_at", "created_by", "updated_by", "version")


@dataclass
class ImportReport:
    entity: str
    file: str
    dry_run: bool
    atomic: bool
    rows: int = 0
    accepted: int = 0
    skipped: int = 0
    committed: bool = False
    rejected: list[dict[str, Any]] = field(default_factory=list)
    first_error: MetaSaasError | None = None

    def reject(self, row: int, line: int, record_id: str | None, error: MetaSaasError) -> None:
        self.rejected.append({"row": row, "line": line, "id": record_id, "error": error.to_dict()})
        self.first_error = self.first_error or error

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "file": self.file,
            "dry_run": self.dry_run,
            "atomic": self.atomic,
            "rows": self.rows,
            "accepted": self.accepted,
            "imported": self.accepted if self.committed else 0,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "committed": self.committed,
        }


@dataclass
class Row:
    number: int
    line: int
    record_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    error: MetaSaasError | None = None


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def count_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def row_id(tenant: str, entity: Entity, digest: str, number: int) -> str:
    return str(uuid.uuid5(IMPORT_NAMESPACE, f"{tenant}:{entity.key}:{digest}:{number}"))


def check_header(header: list[str], slots: dict[str, Any]) -> list[str]:
    columns = [c.strip() for c in header]
    if not columns or not any(columns):
        raise InvalidInput("the file has no header row of field names")
    unknown = [c for c in columns if c not in slots and c not in IGNORED_COLUMNS]
    if unknown:
        raise InvalidInput(
            f"unknown column(s): {', '.join(unknown)}; allowed: {', '.join(slots)}",
            {"columns": unknown, "allowed": list(slots)},
        )
    seen = set()
    for c in columns:
        if c in seen:
            raise InvalidInput(f"column {c!r} appears twice", {"columns": [c]})
        seen.add(c)
    return columns


def read_rows(
    path: Path, entity: Entity, slots: dict[str, Any], make_id: Callable[[int], str]
) -> Iterator[Row]:
    from console.cli.output import csv_unescape
    from core.model.describe import parse_text

    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            header = []
        except UnicodeDecodeError:
            raise InvalidInput("the file is not UTF-8 text") from None
        columns = check_header(header, slots)
        number = 0
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise InvalidInput("the file is not UTF-8 text") from None
            except csv.Error as exc:
                number += 1
                yield Row(number, start, error=InvalidInput(f"bad CSV: {exc}"))
                continue
            if not any(c.strip() for c in cells):
                continue
            number += 1
            row = Row(number, start)
            if len(cells) != len(columns):
                row.error = InvalidInput(
                    f"row has {len(cells)} cells, the header has {len(columns)}"
                )
                yield row
                continue
            try:
                for name, text in zip(columns, cells, strict=True):
                    if name in IGNORED_COLUMNS or text == "":
                        continue
                    row.payload[name] = parse_text(
                        name, slots[name], csv_unescape(text), null_word=False
                    )
            except InvalidInput as exc:
                row.error = exc
            row.record_id = str(row.payload.get("id") or make_id(number))
            row.payload["id"] = row.record_id
            yield row


def run_import(
    bus: Any,
    caller: Any,
    entity: Entity,
    rows: Iterator[Row],
    report: ImportReport,
    *,
    resume: bool,
    advance: Callable[[], None],
) -> None:
    action = f"{entity.key}.create"

    def exists(run: Callable[[str, dict[str, Any]], Any], record_id: str) -> bool:
        try:
            run(f"{entity.key}.get", {"id": record_id})
        except NotFound:
            return False
        return True

    def one(row: Row, run: Callable[[str, dict[str, Any]], Any], guard: Any) -> None:
        report.rows += 1
        advance()
        if row.error is not None:
            report.reject(row.number, row.line, row.record_id, row.error)
            return
        try:
            with guard():
                run(action, row.payload)
            report.accepted += 1
        except Conflict as exc:
            # A unique-value conflict can come before the "exists" check: look it up.
            if resume and row.record_id and exists(run, row.record_id):
                report.skipped += 1
            else:
                report.reject(row.number, row.line, row.record_id, exc)
        except MetaSaasError as exc:
            if exc.code not in ROW_ERRORS:
                raise
            report.reject(row.number, row.line, row.record_id, exc)

    if not (report.atomic or report.dry_run):
        from contextlib import nullcontext

        for row in rows:
            one(row, lambda a, p: bus.dispatch(a, p, caller), nullcontext)
        report.committed = True
        return
    report.committed = False
    with bus.atomic(caller) as batch:
        for row in rows:
            one(row, batch.dispatch, batch.savepoint)
        if report.dry_run or report.rejected:
            raise Rollback  # a dry run, or an atomic import with a bad row: undo it all
        report.committed = True
