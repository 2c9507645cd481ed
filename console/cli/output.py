"""Rendering results and errors: JSON for machines, tables and sentences for people.

In json mode stdout carries exactly one JSON document; everything else goes to stderr.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import sys
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

import click

from core.errors import MetaSaasError
from core.jsonable import to_jsonable

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# What would steer a terminal rather than show as text: C0 controls but tab and newline
# (ESC starts every escape sequence, CR overwrites the line), DEL, C1 controls, the
# bidirectional embeddings, overrides and isolates that reorder what is shown, and the
# Unicode line and paragraph separators.
TERMINAL_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_NAMED = {"\r": "\\r", "\x0b": "\\v", "\x0c": "\\f", "\x08": "\\b"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` for a terminal: every control character shown as an escape (`\\x1b`, `\\r`,
    `\\u202e`), so stored text can neither clear the screen, retitle the window, overwrite
    a line nor reorder a row. Tables and messages only: JSON and CSV carry data unchanged."""
    return TERMINAL_CONTROLS.sub(_escape, text)


def dumps(data: Any) -> str:
    return json.dumps(to_jsonable(data), ensure_ascii=False)


def emit_json(data: Any) -> None:
    click.echo(dumps(data))


def cell(value: Any) -> str:
    value = to_jsonable(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _needs_quote(text: str) -> bool:
    # Quote a text that is, or after its leading quotes would be, a formula; so that
    # `csv_unescape` can undo exactly what `csv_safe` did.
    return text.lstrip("'").startswith(FORMULA_PREFIXES)


def csv_safe(text: str) -> str:
    """Neutralise spreadsheet formulas (=, +, -, @, tab, CR) by prefixing a single quote."""
    return "'" + text if _needs_quote(text) else text


def csv_unescape(text: str) -> str:
    """Undo `csv_safe`, so an exported file imports back to the same values."""
    return text[1:] if text.startswith("'") and _needs_quote(text[1:]) else text


def csv_cell(value: Any) -> str:
    """Numbers are left alone (no formula can hide in one); text is made formula-safe."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return cell(value)
    return csv_safe(cell(value))


def write_csv_stream(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str], out: IO[str] | None = None
) -> int:
    """Write CSV (to stdout unless `out`) as rows arrive, so an export of any size keeps
    memory flat; returns how many rows were written. The TUI's export writes through this
    too, so a file from either imports back the same."""
    out = out if out is not None else sys.stdout
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    written = 0
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
        written += 1
    out.flush()
    return written


def stream_json_items(items: Iterable[Any], *, spool: bool) -> None:
    """Print `{"items": [...], "next_cursor": null}` one item at a time.

    With `spool` the document is first written to a temporary file (in memory while
    small), so a failure half-way leaves stdout empty rather than holding half a document.
    """
    import tempfile

    out = sys.stdout
    target: IO[str] = (
        tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8")
        if spool
        else out
    )
    target.write('{"items": [')
    for index, item in enumerate(items):
        target.write((", " if index else "") + dumps(item))
    target.write('], "next_cursor": null}\n')
    if spool:
        target.seek(0)
        shutil.copyfileobj(target, out)
        target.close()
    out.flush()


def render_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    width: int | None = None,
    fixed: Sequence[str] = ("id",),
) -> str:
    """A plain table that fits the terminal: wide columns are cut with an ellipsis.

    Columns in `fixed` (ids, which are useless cut) keep their full width.
    """
    width = width or shutil.get_terminal_size((80, 24)).columns
    if not rows:
        return "(no rows)"
    texts = [[visible(cell(r.get(c)).replace("\n", " ")) for c in columns] for r in rows]
    columns = [visible(c) for c in columns]
    widths = [max([len(c)] + [len(t[i]) for t in texts]) for i, c in enumerate(columns)]
    budget = max(width - 2 * (len(columns) - 1), len(columns) * 4)
    shrinkable = [i for i, c in enumerate(columns) if c not in fixed]
    while shrinkable and sum(widths) > budget:
        widest = max(shrinkable, key=lambda i: widths[i])
        if widths[widest] <= 6:
            break
        widths[widest] -= 1

    def fit(text: str, w: int) -> str:
        return text if len(text) <= w else text[: max(w - 1, 0)] + "…"

    lines = ["  ".join(fit(c, w).ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for t in texts:
        lines.append("  ".join(fit(v, w).ljust(w) for v, w in zip(t, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)


def render_mapping(data: Mapping[str, Any]) -> str:
    keys = [visible(str(k)) for k in data]
    width = max((len(k) for k in keys), default=0)
    return "\n".join(
        f"{k.ljust(width)}  {visible(cell(v))}" for k, v in zip(keys, data.values(), strict=True)
    )


def emit_error(error: MetaSaasError, fmt: str) -> None:
    if fmt == "json":
        print(dumps({"error": error.to_dict()}), file=sys.stderr)
    else:
        logged = error.details.get("log_file")
        where = f" (logged in {logged})" if logged else ""
        print(f"error: {visible(error.message)}{where}", file=sys.stderr)


def emit(data: Any, fmt: str, columns: Sequence[str] | None = None) -> None:
    """Print a result in the chosen format; lists are `{"items": [...], "next_cursor": ...}`."""
    if fmt == "json":
        emit_json(data)
        return
    if isinstance(data, Mapping) and "items" in data:
        items = list(data["items"])
        cols = list(columns or (items[0].keys() if items else []))
        if fmt == "csv":
            write_csv_stream(items, cols)
        else:
            click.echo(render_table(items, cols))
            if data.get("next_cursor"):
                click.echo(f"(more: --cursor {data['next_cursor']})", err=True)
        return
    if isinstance(data, Mapping):
        if fmt == "csv":
            write_csv_stream([data], list(data.keys()))
        else:
            click.echo(render_mapping(data))
        return
    click.echo(cell(data) if fmt == "csv" else visible(cell(data)))
