"""Rendering results and errors: JSON for machines, tables and sentences for people.

In json mode stdout carries exactly one JSON document; everything else goes to stderr.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import click

from core.errors import MetaSaasError
from core.jsonable import to_jsonable

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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


def csv_safe(text: str) -> str:
    """Neutralise spreadsheet formulas (=, +, -, @) by prefixing a single quote."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], out: Any) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_safe(cell(row.get(c))) for c in columns])


def render_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], width: int | None = None
) -> str:
    """A plain table that fits the terminal: wide columns are cut with an ellipsis."""
    width = width or shutil.get_terminal_size((80, 24)).columns
    if not rows:
        return "(no rows)"
    texts = [[cell(r.get(c)).replace("\n", " ") for c in columns] for r in rows]
    widths = [max([len(c)] + [len(t[i]) for t in texts]) for i, c in enumerate(columns)]
    budget = max(width - 2 * (len(columns) - 1), len(columns) * 4)
    while sum(widths) > budget and max(widths) > 6:
        widest = widths.index(max(widths))
        widths[widest] -= 1

    def fit(text: str, w: int) -> str:
        return text if len(text) <= w else text[: max(w - 1, 0)] + "…"

    lines = ["  ".join(fit(c, w).ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for t in texts:
        lines.append("  ".join(fit(v, w).ljust(w) for v, w in zip(t, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)


def render_mapping(data: Mapping[str, Any]) -> str:
    width = max((len(k) for k in data), default=0)
    return "\n".join(f"{k.ljust(width)}  {cell(v)}" for k, v in data.items())


def emit_error(error: MetaSaasError, fmt: str) -> None:
    if fmt == "json":
        print(dumps({"error": error.to_dict()}), file=sys.stderr)
    else:
        print(f"error: {error.message}", file=sys.stderr)


def emit(data: Any, fmt: str, columns: Sequence[str] | None = None) -> None:
    """Print a result in the chosen format; lists are `{"items": [...], "next_cursor": ...}`."""
    if fmt == "json":
        emit_json(data)
        return
    if isinstance(data, Mapping) and "items" in data:
        items = list(data["items"])
        cols = list(columns or (items[0].keys() if items else []))
        if fmt == "csv":
            buffer = io.StringIO()
            write_csv(items, cols, buffer)
            sys.stdout.write(buffer.getvalue())
        else:
            click.echo(render_table(items, cols))
            if data.get("next_cursor"):
                click.echo(f"(more: --cursor {data['next_cursor']})", err=True)
        return
    if isinstance(data, Mapping):
        if fmt == "csv":
            buffer = io.StringIO()
            write_csv([data], list(data.keys()), buffer)
            sys.stdout.write(buffer.getvalue())
        else:
            click.echo(render_mapping(data))
        return
    click.echo(cell(data))
