"""An entity's records as a virtual table over the bus's keyset cursors.

The first page and the count are asked for separately, so a million-row table shows
its first rows as soon as the index answers, and the count fills the status line when
it arrives. A new filter or sort is tried first: if the bus refuses it, the message
shows under the filter bar and the table keeps the rows it had.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.worker import get_current_worker

from console.tui import bindings, flows
from console.tui.columns import entity_columns, titles_needed
from console.tui.messages import RecordChosen
from console.tui.paging import PagedRows
from console.tui.query import Query, completions, parse_filter_text
from console.tui.screens.base import ShellScreen
from console.tui.widgets.filter_bar import FilterBar
from console.tui.widgets.record_table import RecordTable
from console.tui.widgets.status_line import StatusLine
from console.tui.widgets.table_header import TableHeader

if TYPE_CHECKING:
    from core.contracts import Entity

TITLE_CACHE_MAX = 20_000


class EntityTableScreen(ShellScreen):
    BINDINGS = bindings.TABLE

    def __init__(self, entity: Entity, query: Query | None = None) -> None:
        super().__init__()
        self.entity = entity
        self.query_state = query or Query(order_by=entity.ui.default_sort)
        self.all_columns = entity_columns(entity)
        self.focused_column = 0
        self.titles: dict[str, str] = {}
        self.marked_rows: dict[str, dict[str, Any]] = {}
        self._loading_at: tuple[PagedRows, int] | None = None
        self.count: int | None = None
        self.seen_changes = 0
        self.title_text = entity.plural

    def compose_content(self) -> ComposeResult:
        yield FilterBar(lambda text: completions(self.entity, text))
        yield TableHeader(id="table-header")
        yield RecordTable(id="records")
        yield StatusLine(id="status-line")

    @property
    def table(self) -> RecordTable:
        return self.query_one(RecordTable)

    def on_mount(self) -> None:
        super().on_mount()
        self.seen_changes = self.shell.changes.get(self.entity.name, 0)
        self.table.focus()
        self.load(self.query_state)

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self.shell.changes.get(self.entity.name, 0) != self.seen_changes:
            self.seen_changes = self.shell.changes.get(self.entity.name, 0)
            self.load(self.query_state, keep_cursor=True)

    # -- loading -----------------------------------------------------------------

    def fetch(self, query: Query) -> Any:
        """`fetch(cursor, limit)` for `PagedRows.load`: one list call, then the titles of
        any referenced records the page shows, in one `id__in` call per target."""
        session, entity = self.session, self.entity

        def page(cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
            request = {**query.request(), "limit": limit}
            if cursor is not None:
                request["cursor"] = cursor
            answer = session.call(f"{entity.key}.list", request)
            items = answer["items"]
            for target, ids in titles_needed(self.all_columns, items, self.titles).items():
                if len(self.titles) > TITLE_CACHE_MAX:
                    self.titles.clear()
                self.titles.update(session.titles(session.entity(target), ids))
            return items, answer.get("next_cursor")

        return page

    def load(self, query: Query, *, keep_cursor: bool = False, bar_errors: bool = False) -> None:
        source = PagedRows()
        fetch = self.fetch(query)
        start = self.table.cursor if keep_cursor else 0

        def done(_: Any) -> None:
            self.query_state = query
            if not keep_cursor:
                self.marked_rows.clear()
                self.table.marked.clear()
                self.table.cursor = 0
                self.table.scroll_to(y=0, animate=False, immediate=True)
            self.table.show(source, self.all_columns, self.titles)
            bar = self.query_one(FilterBar)
            bar.show_error(None)
            if bar_errors:
                bar.close()
            self.count = None
            self.load_count(query, source)
            self.paint()

        def failed(error: Exception) -> None:
            if bar_errors:
                self.query_one(FilterBar).show_error(getattr(error, "message", str(error)))
            else:
                self.show_error(error)

        self.ask(
            lambda: source.load(start, fetch),
            done,
            failed=failed,
            loading=self.table,
            group="query",
        )

    def load_count(self, query: Query, source: PagedRows) -> None:
        def counted(answer: dict[str, Any]) -> None:
            if self.table.source is source:
                source.total = int(answer["count"])
                self.count = source.total
                self.table.resize()
                self.paint()

        self.ask(
            lambda: self.session.call(f"{self.entity.key}.count", query.count_request()),
            counted,
            group="count",
        )

    @on(RecordTable.RowsWanted)
    def _wanted(self, event: RecordTable.RowsWanted) -> None:
        event.stop()
        source, index = self.table.source, event.index
        if source.row(index) is not None or self._loading_at == (source, index):
            return
        self._loading_at = (source, index)
        fetch = self.fetch(self.query_state)

        def cancelled() -> bool:
            return get_current_worker().is_cancelled

        def loaded(_: Any) -> None:
            self._loading_at = None
            self.table.rows_arrived()

        span = self.table.size.height + source.page_size  # the view and the page after it
        self.ask(
            lambda: source.load(index, fetch, cancelled, span),
            loaded,
            loading=self.table,
            group="rows",
        )

    # -- painting ----------------------------------------------------------------

    def paint(self) -> None:
        table = self.table
        columns = table.columns
        sort = self.query_state.order_by or self.entity.ui.default_sort
        self.query_one(TableHeader).show(columns, sort, self.focused_column)
        self.query_one(StatusLine).show(
            self.entity.plural,
            self.count,
            self.query_state.text,
            sort,
            len(table.marked),
            table.cursor,
        )
        table.refresh()

    @on(RecordTable.CursorMoved)
    @on(RecordTable.ColumnsLaidOut)
    def _moved(self) -> None:
        self.paint()

    # -- actions -----------------------------------------------------------------

    @on(RecordTable.RowChosen)
    def _chosen(self, event: RecordTable.RowChosen) -> None:
        self.shell.post_message(RecordChosen(self.entity.name, str(event.record["id"])))

    def action_open_record(self) -> None:
        record = self.table.current
        if record is not None:
            self.shell.post_message(RecordChosen(self.entity.name, str(record["id"])))

    def action_filter(self) -> None:
        bar = self.query_one(FilterBar)
        bar.input.value = self.query_state.text
        bar.open()

    @on(FilterBar.Applied)
    def _filtered(self, event: FilterBar.Applied) -> None:
        from core.errors import MetaSaasError

        try:
            query = parse_filter_text(self.entity, event.text, self.query_state.order_by)
        except MetaSaasError as exc:
            self.query_one(FilterBar).show_error(exc.message)
            return
        self.load(query, bar_errors=True)

    @on(FilterBar.Closed)
    def _bar_closed(self) -> None:
        self.table.focus()

    def action_column(self, delta: int) -> None:
        count = len(self.all_columns)
        self.focused_column = (self.focused_column + delta) % count
        self.paint()

    def action_sort(self) -> None:
        self.sort_by(self.all_columns[self.focused_column].name)

    @on(TableHeader.SortClicked)
    def _header(self, event: TableHeader.SortClicked) -> None:
        names = [c.name for c in self.all_columns]
        self.focused_column = names.index(event.column)
        self.sort_by(event.column)

    def sort_by(self, name: str) -> None:
        column = next(c for c in self.all_columns if c.name == name)
        if not column.sortable:
            self.notify(f"{column.label} cannot be sorted", markup=False)
            return
        current = self.query_state.order_by or ""
        order = f"-{name}" if current == name else name
        q = self.query_state
        self.load(Query(q.filters, q.search, order, q.text))

    def action_reload(self) -> None:
        self.load(self.query_state, keep_cursor=True)

    def action_mark(self) -> None:
        record = self.table.current
        if record is None:
            return
        ident = str(record["id"])
        if self.marked_rows.pop(ident, None) is None:
            self.marked_rows[ident] = record
        self.table.marked = set(self.marked_rows)
        self.table.invalidate()
        self.table.action_move(1)
        self.paint()

    def selection(self) -> list[dict[str, Any]]:
        """The marked rows, else the current row."""
        if self.marked_rows:
            return list(self.marked_rows.values())
        record = self.table.current
        return [record] if record is not None else []

    def _after_bulk(self, succeeded: int = 0) -> None:
        self.marked_rows.clear()
        self.table.marked.clear()
        self.table.invalidate()
        self.paint()

    def action_delete(self) -> None:
        records = self.selection()
        if records:
            flows.delete(self, self.entity, records, self._after_bulk)

    def action_transition(self) -> None:
        records = self.selection()
        if not records:
            return
        if self.table.marked:
            flows.move_many(self, self.entity, records, self._after_bulk)
        else:
            flows.move_one(self, self.entity, records[0], self.paint)

    def action_create(self) -> None:
        from console.tui.screens.record_form import RecordFormScreen

        self.app.push_screen(RecordFormScreen(self.entity))

    def action_edit(self) -> None:
        from console.tui.screens.record_form import RecordFormScreen

        record = self.table.current
        if record is not None:
            self.app.push_screen(RecordFormScreen(self.entity, record))

    def action_export(self) -> None:
        from console.tui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen(self.entity, self.query_state, self.count))
