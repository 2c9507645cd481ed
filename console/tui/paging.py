"""Rows of a list query by position, fetched through the bus's keyset cursors on demand.

The bus pages forward from a cursor; it cannot jump to row 700,000. So this keeps an
*anchor* (the cursor that starts at a row) wherever a page ended, and a bounded cache of
fetched chunks. Reading row i fetches from the nearest anchor at or before i; a jump far
past every anchor walks there page by page (500 rows a call) recording anchors, and
keeps only the chunk it lands on. Memory holds at most `max_chunks` chunks plus one
short cursor string per 500 rows passed: flat, whatever the table's size.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]
Fetch = Callable[[str | None, int], tuple[list[Record], str | None]]
WALK = 500


@dataclass
class Chunk:
    start: int
    rows: list[Record]


@dataclass
class PagedRows:
    """Positions 0..total-1 of one query (filters, search and sort fixed)."""

    page_size: int = 100
    max_chunks: int = 12
    total: int | None = None
    """Row count from `<e>.count`; None until it arrives (then `known_end` bounds rows)."""
    end: int | None = None
    """The position after the last row, once a page without next_cursor was seen."""
    _chunks: OrderedDict[int, Chunk] = field(default_factory=OrderedDict)
    _anchors: dict[int, str | None] = field(default_factory=lambda: {0: None})
    _anchor_keys: list[int] = field(default_factory=lambda: [0])
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    """Workers store pages while the main thread renders rows."""

    @property
    def size(self) -> int:
        """Rows the table should offer: the count when known, else what is known to exist
        (plus one page more while a next cursor says there is more)."""
        if self.end is not None:
            return self.end
        if self.total is not None:
            return self.total
        with self._lock:
            furthest = max((c.start + len(c.rows) for c in self._chunks.values()), default=0)
        more = max(self._anchor_keys)
        return max(furthest, more + (self.page_size if more >= furthest else 0))

    def row(self, index: int) -> Record | None:
        with self._lock:
            for chunk in reversed(self._chunks.values()):
                if chunk.start <= index < chunk.start + len(chunk.rows):
                    return chunk.rows[index - chunk.start]
        return None

    def rows(self, start: int, stop: int) -> list[Record | None]:
        return [self.row(i) for i in range(start, stop)]

    def anchor_before(self, index: int) -> int:
        position = bisect.bisect_right(self._anchor_keys, index) - 1
        return self._anchor_keys[max(position, 0)]

    def _add_anchor(self, index: int, cursor: str | None) -> None:
        if cursor is None:
            self.end = index
            return
        if index not in self._anchors:
            bisect.insort(self._anchor_keys, index)
        self._anchors[index] = cursor

    def store(self, start: int, rows: list[Record], next_cursor: str | None) -> None:
        with self._lock:
            self._chunks[start] = Chunk(start, rows)
            self._chunks.move_to_end(start)
            while len(self._chunks) > self.max_chunks:
                self._chunks.popitem(last=False)
            self._add_anchor(start + len(rows), next_cursor)

    def load(
        self, index: int, fetch: Fetch, cancelled: Callable[[], bool] = bool, span: int = 0
    ) -> Chunk:
        """Fetch the chunk holding `index` and the `span` rows after it (a page at least),
        walking from the nearest anchor; `fetch(cursor, limit)` is one `<e>.list` call.
        Runs on a worker thread."""
        anchor = self.anchor_before(index)
        while index - anchor >= WALK and not cancelled():
            rows, cursor = fetch(self._anchors[anchor], WALK)
            with self._lock:
                self._add_anchor(anchor + len(rows), cursor)
            if cursor is None or not rows:
                break
            anchor += len(rows)
        limit = min(WALK, index - anchor + max(span, self.page_size))
        rows, cursor = fetch(self._anchors.get(anchor), limit)
        self.store(anchor, rows, cursor)
        return Chunk(anchor, rows)

    def missing(self, start: int, stop: int) -> int | None:
        """The first position in [start, stop) with no cached row, if any."""
        stop = min(stop, self.size)
        for i in range(start, stop):
            if self.row(i) is None:
                return i
        return None

    def replace(self, record: Record) -> bool:
        """Swap in a changed record wherever it is cached (after an edit or transition)."""
        found = False
        with self._lock:
            chunks = list(self._chunks.values())
        for chunk in chunks:
            for i, row in enumerate(chunk.rows):
                if row.get("id") == record.get("id"):
                    chunk.rows[i] = record
                    found = True
        return found

    def cached_rows(self) -> int:
        with self._lock:
            return sum(len(c.rows) for c in self._chunks.values())
