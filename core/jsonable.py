"""Typed values to JSON-native ones: the single conversion used by audit, events and output."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

REDACTED = "[redacted]"
# Far above any valid input (a long text is 100,000 characters, a JSON field 100,000
# bytes); past these a document is refused before the parser sees it.
JSON_MAX_BYTES = 1 << 20
JSON_MAX_DEPTH = 64


def canonical_json(value: Any) -> str:
    """One text per value: sorted keys, no spaces, UTF-8 as is. What the audit chain hashes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def to_jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    raise TypeError(f"cannot represent {type(value).__name__} as JSON")


def json_depth_problem(text: str, max_depth: int = JSON_MAX_DEPTH) -> str | None:
    """Why `text` nests too deep to parse, or None: one pass, no recursion.

    Python's parser recurses per level, so 100,000 `[` end in RecursionError; this finds
    the depth first, skipping brackets inside strings.
    """
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return f"nests deeper than {max_depth} levels"
        elif char in "]}":
            depth -= 1
    return None


def nesting_problem(value: Any, max_depth: int = JSON_MAX_DEPTH) -> str | None:
    """Why a Python value (a caller's payload) nests too deep, or None.

    Iterative: a value built to exhaust the stack cannot make this check, or anything that
    runs after it (validation, hashing, rendering), raise RecursionError.
    """
    if not isinstance(value, dict | list | tuple):
        return None
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            return f"nests deeper than {max_depth} levels"
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list | tuple))
    return None


def loads_bounded(
    text: str | bytes, *, max_bytes: int = JSON_MAX_BYTES, max_depth: int = JSON_MAX_DEPTH
) -> Any:
    """`json.loads` for untrusted text: size and nesting bounded, ValueError naming why."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise ValueError(f"is larger than {max_bytes} bytes")
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    problem = json_depth_problem(text, max_depth)
    if problem:
        raise ValueError(problem)
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError(f"nests deeper than {max_depth} levels") from None
