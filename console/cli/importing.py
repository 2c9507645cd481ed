"""CSV rows in, one action per row through the bus: `<entity>.create`, or with `--restore`
`<entity>.restore` (a backup put back as it was stored, admins only).

Each row gets a record id derived from the tenant, the entity and the row's own content
(plus how many identical rows came before it), unless the file has an `id` column. So
importing a file again never duplicates a row, and after one bad row is fixed, `--resume`
imports exactly that row: every other row kept its id. The file is read once, as it
streams, so standard input (`-`) works like a file.
"""

from __future__ import annotations

import csv
import hashlib
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from core.contracts import Entity
from core.errors import InvalidInput, MetaSaasError
from core.jsonable import canonical_json
from core.model.inputs import IMMUTABLE

IMPORT_NAMESPACE = uuid.UUID("0b6f2a7e-8c1d-4e5f-9a3b-2c4d6e8f1a20")


@dataclass
class ImportReport:
    entity: str
    file: str
    dry_run: bool
    atomic: bool
    restore: bool = False
    rows: int = 0
    accepted: int = 0
    skipped: int = 0
    committed: bool = False
    interrupted: bool = False
    rejected: list[dict[str, Any]] = field(default_factory=list)
    first_error: MetaSaasError | None = None

    def reject(self, row: int, line: int, record_id: str | None, error: MetaSaasError) -> None:
        self.rejected.append({"row": row, "line": line, "id": record_id, "error": error.to_dict()})
        self.first_error = self.first_error or error

    @property
    def imported(self) -> int:
        return self.accepted if self.committed and not self.dry_run else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "file": self.file,
            "dry_run": self.dry_run,
            "atomic": self.atomic,
            "restore": self.restore,
            "rows": self.rows,
            "accepted": self.accepted,
            "imported": self.imported,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "committed": self.committed,
            "interrupted": self.interrupted,
        }


@dataclass
class Row:
    number: int
    line: int
    record_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    error: MetaSaasError | None = None


def row_id(tenant: str, entity: Entity, content: str, occurrence: int) -> str:
    """The id of a row: its own content and its place among identical rows, nothing else."""
    digest = hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()
    return str(uuid.uuid5(IMPORT_NAMESPACE, f"{tenant}:{entity.key}:{digest}:{occurrence}"))


def check_header(header: list[str], slots: dict[str, Any]) -> list[str]:
    columns = [c.strip() for c in header]
    if not columns or not any(columns):
        raise InvalidInput("the file has no header row of field names")
    fixed = [c for c in columns if c in IMMUTABLE and c not in slots]
    if fixed:
        raise InvalidInput(
            f"column(s) {', '.join(fixed)} are set by the platform and would be ignored: "
            "remove them, or use import --restore (admins) to put back a backup as it was",
            {"columns": fixed, "reason": "immutable"},
        )
    unknown = [c for c in columns if c not in slots]
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
    handle: IO[str],
    slots: dict[str, Any],
    make_id: Callable[[str, int], str],
) -> Iterator[Row]:
    """Rows as they are read; a row that cannot be read carries its error instead."""
    reader = csv.reader(handle, strict=True)  # strict: an unterminated quote is an error
    try:
        header = next(reader, [])
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _unreadable(exc) from None
    columns = check_header(header, slots)
    seen: Counter[str] = Counter()
    number = 0
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise _unreadable(exc) from None
        except csv.Error as exc:
            number += 1
            yield Row(number, start, error=InvalidInput(f"bad CSV: {exc}", {"reason": "csv"}))
            continue
        if not any(c.strip() for c in cells):
            continue
        number += 1
        row = Row(number, start)
        if len(cells) != len(columns):
            row.error = InvalidInput(f"row has {len(cells)} cells, the header has {len(columns)}")
            yield row
            continue
        content = canonical_json({n: t for n, t in zip(columns, cells, strict=True) if t != ""})
        seen[content] += 1
        _fill(row, columns, cells, slots)
        row.record_id = str(row.payload.get("id") or make_id(content, seen[content]))
        row.payload["id"] = row.record_id
        yield row


def _fill(row: Row, columns: list[str], cells: list[str], slots: dict[str, Any]) -> None:
    from console.cli.output import csv_unescape
    from core.model.describe import parse_text

    try:
        for name, text in zip(columns, cells, strict=True):
            if text != "":
                row.payload[name] = parse_text(
                    name, slots[name], csv_unescape(text), null_word=False
                )
    except InvalidInput as exc:
        row.error = exc


def _unreadable(exc: Exception) -> InvalidInput:
    if isinstance(exc, UnicodeDecodeError):
        return InvalidInput("the file is not UTF-8 text")
    return InvalidInput(f"bad CSV header: {exc}")
