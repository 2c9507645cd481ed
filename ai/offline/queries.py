"""Clauses: `field is value`, `with high priority`, `of company <id>`, `sorted by due date`.

One clause reader serves filters (list, count) and assignments (create, update), so the
same phrase means the same field everywhere; list and count add sorting, search and a
limit on top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from ai.offline.lexicon import words
from ai.offline.scan import Scan, Unmapped

if TYPE_CHECKING:
    from ai.offline.grammar import Result
    from ai.offline.lexicon import EntityWords

Mode = Literal["set", "filter"]
CONNECTORS = frozenset(
    "with and where whose that which having has have are is set , who were was".split()
)
SET_JOINERS = frozenset({"to", "=", "as", "is", "of", "be", "at"})
SEARCH_WORDS = frozenset(
    {"named", "called", "matching", "containing", "about", "like", "titled", "mentioning"}
)
OPS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("is", "not"), "ne"),
    (("isn't",), "ne"),
    (("not",), "ne"),
    (("!=",), "ne"),
    (("more", "than"), "gt"),
    (("greater", "than"), "gt"),
    (("later", "than"), "gt"),
    (("less", "than"), "lt"),
    (("fewer", "than"), "lt"),
    (("earlier", "than"), "lt"),
    (("at", "least"), "gte"),
    (("at", "most"), "lte"),
    (("before",), "lt"),
    (("after",), "gt"),
    (("over",), "gt"),
    (("above",), "gt"),
    (("under",), "lt"),
    (("below",), "lt"),
    ((">",), "gt"),
    (("<",), "lt"),
    ((">=",), "gte"),
    (("<=",), "lte"),
    (("is",), "eq"),
    (("=",), "eq"),
    (("equals",), "eq"),
    (("of",), "eq"),
)
DIRECTIONS = {"asc": "", "ascending": "", "desc": "-", "descending": "-"}
SYSTEM_SORTS = {
    ("created",): "created_at",
    ("created", "at"): "created_at",
    ("updated",): "updated_at",
    ("updated", "at"): "updated_at",
}


def _op_at(scan: Scan, i: int) -> tuple[str, int] | None:
    for phrase, op in OPS:
        if tuple(scan.word(i + k) for k in range(len(phrase))) == phrase:
            return op, len(phrase)
    return None


def _next_free(scan: Scan, i: int) -> int:
    while i < len(scan.tokens) and i in scan.used:
        i += 1
    return i


def _put(values: dict[str, Any], column: str, op: str, value: Any) -> None:
    values[column if op == "eq" else f"{column}__{op}"] = value


def clause(scan: Scan, ew: EntityWords, i: int, values: dict[str, Any], mode: Mode) -> bool:
    """Read one clause at token i into `values`; False when nothing here is a clause."""
    token, w = scan.tokens[i], scan.word(i)
    if token.kind == "kv":
        column = scan.column_for_key(ew, token.key)
        values[column] = scan.convert(ew, column, token.text)
        scan.take(i)
        return True
    reference = scan.reference_at(ew, i)
    if reference is not None:
        values[reference[0]] = reference[1]
        scan.take(i, reference[2])
        return True
    option = scan.option_at(ew, i)
    if option is None and w == "in":
        skip = 2 if scan.word(i + 1) == "the" else 1
        inner = scan.option_at(ew, i + skip)
        option = (inner[0], inner[1], inner[2] + skip) if inner is not None else None
    if option is not None:
        values[option[0]] = option[1]
        scan.take(i, option[2])
        return True
    if w in CONNECTORS or token.text == ",":
        scan.take(i)
        return True
    found = scan.field_at(ew, i)
    if found is not None:
        return _field_clause(scan, ew, i, found, values, mode)
    op = _op_at(scan, i) if mode == "filter" else None
    if op is not None and op[0] != "eq":  # `more than 100 employees`
        at = i + op[1]
        after = scan.field_at(ew, at + 1)
        if after is not None:
            value, _ = scan.value(ew, after[0], at)
            _put(values, after[0], op[0], value)
            scan.take(i, op[1] + 1 + after[1])
            return True
    return False


def _field_clause(
    scan: Scan,
    ew: EntityWords,
    i: int,
    found: tuple[str, int],
    values: dict[str, Any],
    mode: Mode,
) -> bool:
    column, n = found
    at = _next_free(scan, i + n)
    op = "eq"
    if mode == "filter":
        parsed = _op_at(scan, at)
        if parsed is not None:
            op, k = parsed
            scan.take(at, k)
            at = _next_free(scan, at + k)
            again = _op_at(scan, at) if op == "eq" else None  # `is at least`, `is after`
            if again is not None and again[1] and again[0] != "eq":
                op = again[0]
                scan.take(at, again[1])
                at = _next_free(scan, at + again[1])
    else:
        while scan.word(at) in SET_JOINERS or (at < len(scan.tokens) and at in scan.used):
            scan.take(at)
            at += 1
    if at >= len(scan.tokens):
        return False  # a field named without a value: left for the leftover check
    value, used = scan.value(ew, column, at)
    _put(values, column, op, value)
    scan.take(i, n)
    scan.take(at, used)
    return True


def adjectives_before(scan: Scan, ew: EntityWords, values: dict[str, Any]) -> int | None:
    """`high priority task`, `5 open ...`: options (and a count) before the entity's name."""
    limit = None
    for i in range(scan.target_at):
        if i in scan.used:
            continue
        option = scan.option_at(ew, i)
        if option is not None:
            values[option[0]] = option[1]
            scan.take(i, option[2])
        elif scan.word(i).isdigit():
            limit = int(scan.word(i))
            scan.take(i)
    return limit


def list_or_count(scan: Scan, ew: EntityWords, *, count: bool) -> Result:
    filters: dict[str, Any] = {}
    payload: dict[str, Any] = {}
    limit = adjectives_before(scan, ew, filters)
    for i in range(len(scan.tokens)):
        if i in scan.used:
            continue
        token, w = scan.tokens[i], scan.word(i)
        if token.kind == "kv" and token.key in ("limit", "order_by", "sort", "search"):
            _special(scan, ew, token.key, token.text, payload)
            scan.take(i)
        elif token.kind == "quoted":
            _search(ew, payload, token.text)
            scan.take(i)
        elif w in SEARCH_WORDS or (w == "search" and i > 0):
            end = scan.text_until_marker(ew, i + 1) if i + 1 < len(scan.tokens) else i + 1
            if scan.tokens[i + 1 : i + 2] and scan.tokens[i + 1].kind == "quoted":
                end = i + 2
            text = " ".join(t.text for t in scan.tokens[i + 1 : end])
            _search(ew, payload, text)
            scan.take(i, end - i)
        elif w in ("sorted", "ordered", "sort", "order"):
            _sort(scan, ew, i, payload)
        elif w in ("newest", "latest", "oldest", "recent"):
            payload["order_by"] = "created_at" if w == "oldest" else "-created_at"
            scan.take(i)
            for j in (i - 1, i + 1):
                if scan.word(j) in ("first", "most"):
                    scan.take(j)
        elif w in ("limit", "first", "top") and scan.word(i + 1).isdigit():
            limit = int(scan.word(i + 1))
            scan.take(i, 2)
        else:
            clause(scan, ew, i, filters, "filter")
    scan.finish()
    if filters:
        payload["filters"] = filters
    if count:
        payload.pop("order_by", None)
        return ew.actions["count"], payload, ew
    if limit is not None:
        payload["limit"] = max(1, min(limit, 500))
    return ew.actions["list"], payload, ew


def _special(scan: Scan, ew: EntityWords, key: str, text: str, payload: dict[str, Any]) -> None:
    if key == "limit":
        if not text.isdigit():
            raise Unmapped("limit: a whole number", ew)
        payload["limit"] = max(1, min(int(text), 500))
    elif key == "search":
        _search(ew, payload, text)
    else:
        payload["order_by"] = _sortable(ew, text.strip())


def _search(ew: EntityWords, payload: dict[str, Any], text: str) -> None:
    if not ew.entity.ui.search_fields:
        raise Unmapped(f"{ew.entity.plural} cannot be searched by text", ew)
    if not text.strip():
        raise Unmapped("say what to search for", ew)
    payload["search"] = text.strip()


def _sort(scan: Scan, ew: EntityWords, i: int, payload: dict[str, Any]) -> None:
    at = i + 1
    if scan.word(at) == "by":
        at += 1
    found = scan.field_at(ew, at)
    n = found[1] if found is not None else 0
    column = found[0] if found is not None else None
    if column is None:
        for phrase, system in SYSTEM_SORTS.items():
            if tuple(scan.word(at + k) for k in range(len(phrase))) == phrase:
                column, n = system, len(phrase)
    if column is None:
        raise Unmapped(f"sort by one of: {', '.join(ew.entity.sortable())}", ew)
    direction = DIRECTIONS.get(scan.word(at + n))
    payload["order_by"] = (direction or "") + _sortable(ew, column)
    scan.take(i, at + n - i + (1 if direction is not None else 0))


def _sortable(ew: EntityWords, column: str) -> str:
    descending = column.startswith("-")
    name = column.removeprefix("-")
    name = ew.fields.get(words(name), name)
    if name not in ew.entity.sortable():
        raise Unmapped(f"sort by one of: {', '.join(ew.entity.sortable())}", ew)
    return ("-" if descending else "") + name
