"""`metasaas batch`: JSON Lines in, one JSON result per line out, in order, streaming.

Without `--atomic` each line is its own transaction and its result is written (and
flushed) before the next line is read, so memory stays flat however long the input is
and a consumer can read results while it is still writing lines. With `--atomic` every
line runs in one transaction; results are held in a spooled temporary file (memory while
small, disk beyond) until the commit, because a line that succeeded is only final once
all have.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from core.contracts import Caller
from core.errors import InternalError, InvalidInput, MetaSaasError
from core.jsonable import loads_bounded

LINE_KEYS = ("action", "input", "id")
SPOOL_BYTES = 4 << 20
# Far above any valid input (a long text is at most 100,000 characters); a longer line is
# answered with an error and skipped, so one endless line cannot exhaust memory.
MAX_LINE_BYTES = 8 << 20
BOM = b"\xef\xbb\xbf"


@dataclass
class Line:
    number: int
    id: Any = None
    action: str = ""
    input: dict[str, Any] | None = None
    error: MetaSaasError | None = None


def parse(number: int, raw: bytes) -> Line:
    """One input line; a malformed one carries its error instead of stopping the batch."""
    line = Line(number)

    def bad(message: str) -> Line:
        line.error = InvalidInput(f"line {number}: {message}", {"line": number})
        return line

    try:
        data = loads_bounded(raw, max_bytes=MAX_LINE_BYTES)
    except UnicodeDecodeError:
        return bad("is not valid UTF-8")
    except json.JSONDecodeError as exc:
        return bad(f"is not valid JSON ({exc.msg})")
    except ValueError as exc:  # too deep: refused before the parser could recurse
        return bad(str(exc))
    if not isinstance(data, dict):
        return bad('must be a JSON object like {"action": "task.get", "input": {...}, "id": 1}')
    line.id = data.get("id")
    unknown = sorted(set(data) - set(LINE_KEYS))
    if unknown:
        return bad(f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(LINE_KEYS)}")
    if not isinstance(data.get("action"), str):
        return bad("action must be a string such as task.create")
    payload = data.get("input", {})
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        return bad("input must be a JSON object")
    line.action, line.input = data["action"], payload
    return line


def read_lines(stream: IO[bytes], max_bytes: int = MAX_LINE_BYTES) -> Iterator[Line]:
    """Lines as they arrive (blank lines are skipped, never buffered ahead)."""
    number = 0
    while True:
        raw = stream.readline(max_bytes + 1)
        if not raw:
            return
        number += 1
        if number == 1:
            raw = raw.removeprefix(BOM)  # as a CSV file may start with one, so may a batch
        if len(raw) > max_bytes:
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(max_bytes)
            message = f"line {number}: is longer than {max_bytes} bytes"
            yield Line(number, error=InvalidInput(message, {"line": number}))
        elif raw.strip():
            yield parse(number, raw)


def ok(line: Line, data: Any) -> str:
    from console.cli.output import dumps

    return dumps({"id": line.id, "ok": True, "data": data})


def failed(line_id: Any, error: MetaSaasError) -> str:
    from console.cli.output import dumps

    return dumps({"id": line_id, "ok": False, "error": error.to_dict()})


def _result(line: Line, run: Any) -> tuple[str, MetaSaasError | None]:
    if line.error is not None:
        return failed(line.id, line.error), line.error
    try:
        return ok(line, run(line.action, line.input)), None
    except MetaSaasError as exc:
        return failed(line.id, exc), exc
    except Exception:
        error = InternalError(f"line {line.number}: internal error", {"line": line.number})
        return failed(line.id, error), error


def run_each(bus: Any, caller: Caller, lines: Iterable[Line], out: IO[str]) -> MetaSaasError | None:
    """Each line in its own transaction; returns the first failure, if any."""
    first: MetaSaasError | None = None

    def run(action: str, payload: dict[str, Any]) -> Any:
        return bus.dispatch(action, payload, caller)

    with bus.counted_once(caller):  # one batch is one action against rate limits
        for line in lines:
            text, error = _result(line, run)
            out.write(text + "\n")
            out.flush()
            first = first or error
    return first


class _LineFailed(MetaSaasError):
    """Raised inside the transaction to roll it back; carries the line's own error."""

    def __init__(self, line: Line, error: MetaSaasError) -> None:
        super().__init__(error.message, error.details)
        self.line, self.error = line, error


def run_atomic(
    bus: Any, caller: Caller, lines: Iterator[Line], out: IO[str]
) -> MetaSaasError | None:
    """All lines in one transaction: all results, or the failure and a rollback for each.

    Returns the failure, worded for stderr, or None when the batch committed.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="utf-8")
    with spool:
        try:
            with bus.atomic(caller) as batch:
                for line in lines:
                    text, error = _result(line, batch.dispatch)
                    if error is not None:
                        raise _LineFailed(line, error)
                    spool.write(text + "\n")
        except _LineFailed as exc:
            _roll_back(spool, out, exc.line, exc.error, lines)
            where = f"line {exc.line.number} failed"
            return type(exc.error)(f"batch rolled back: {where}: {exc.message}", exc.details)
        except MetaSaasError as exc:
            # The commit itself failed: every line that ran is undone.
            _roll_back(spool, out, None, exc, lines)
            return type(exc)(f"batch rolled back: {exc.message}", exc.details)
        spool.seek(0)
        for text in spool:
            out.write(text)
        out.flush()
    return None


def _roll_back(
    spool: IO[str], out: IO[str], culprit: Line | None, cause: MetaSaasError, rest: Iterator[Line]
) -> None:
    where = f"line {culprit.number}" if culprit else "the commit"
    details = {"rolled_back": True, "failed_line": culprit.number if culprit else None}
    undone = type(cause)(f"rolled back: {where} failed ({cause.code})", details)
    spool.seek(0)
    for text in spool:
        out.write(failed(json.loads(text)["id"], undone) + "\n")
    if culprit is not None:
        out.write(failed(culprit.id, cause) + "\n")
    skipped = type(cause)(
        f"not run: {where} failed and the batch was rolled back", {**details, "not_run": True}
    )
    for line in rest:
        out.write(failed(line.id, skipped) + "\n")
    out.flush()
