"""The list query language every surface speaks: `field` or `field__op` keys.

The CLI's `--filter`, the TUI's filter bar and the offline interpreter all produce these
keys; the repository turns them into bound SQL expressions.
"""

from __future__ import annotations

FILTER_OPERATORS: tuple[str, ...] = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "contains")
ORDERED_OPERATORS = frozenset({"lt", "lte", "gt", "gte"})
MAX_IN_VALUES = 500


def split_filter_key(key: str) -> tuple[str, str]:
    """`due_date__lt` -> (`due_date`, `lt`); a key without a known operator is `eq`."""
    name, sep, op = key.rpartition("__")
    if sep and op in FILTER_OPERATORS:
        return name, op
    return key, "eq"
