"""What every shell screen shares: the chrome (header, navigation, jump line, footer) and
`ask`, the one way a screen calls the bus.

`ask` runs the call on a thread worker, shows a loading indicator on the given widget
when the call takes longer than 300 ms, and hands the result (or the error, as a
notification with its code) back on the main thread through a `BusAnswered` message.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer

from console.tui import bindings
from console.tui.messages import BusAnswered, EntityChosen, RecordChosen
from console.tui.widgets.app_header import AppHeader
from console.tui.widgets.jump_line import JumpLine
from console.tui.widgets.nav_list import NavList

if TYPE_CHECKING:
    from console.tui.app import MetaSaasApp
    from console.tui.session import Session

log = logging.getLogger(__name__)
T = TypeVar("T")
LOADING_AFTER = 0.3
_tickets = itertools.count(1)


@dataclass
class _Pending:
    done: Callable[[Any], None]
    failed: Callable[[Exception], None] | None
    loading: Widget | None
    timer: Timer | None
    group: str


class BusScreen(Screen[Any]):
    """A screen that talks to the bus from workers."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._pending: dict[int, _Pending] = {}

    @property
    def shell(self) -> MetaSaasApp:
        return self.app  # type: ignore[return-value]

    @property
    def session(self) -> Session:
        session = self.shell.session
        assert session is not None, "screens that call the bus open after the session"
        return session

    def ask(
        self,
        call: Callable[[], T],
        done: Callable[[T], None],
        *,
        failed: Callable[[Exception], None] | None = None,
        loading: Widget | None = None,
        group: str = "bus",
        exclusive: bool = True,
    ) -> int:
        ticket = next(_tickets)
        if exclusive:
            for old in [t for t, p in self._pending.items() if p.group == group]:
                self._settle(old)
        timer = None
        if loading is not None:
            timer = self.set_timer(LOADING_AFTER, lambda: setattr(loading, "loading", True))
        self._pending[ticket] = _Pending(done, failed, loading, timer, group)

        def work() -> None:
            try:
                result = call()
            except Exception as exc:
                self.post_message(BusAnswered(ticket, error=exc))
            else:
                self.post_message(BusAnswered(ticket, result))

        self.run_worker(work, thread=True, group=group, exclusive=exclusive)
        return ticket

    def _settle(self, ticket: int) -> _Pending | None:
        pending = self._pending.pop(ticket, None)
        if pending is not None:
            if pending.timer is not None:
                pending.timer.stop()
            if pending.loading is not None and not self._loading_elsewhere(pending.loading):
                pending.loading.loading = False
        return pending

    def _loading_elsewhere(self, widget: Widget) -> bool:
        return any(p.loading is widget for p in self._pending.values())

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def on_bus_answered(self, message: BusAnswered) -> None:
        message.stop()
        pending = self._settle(message.ticket)
        if pending is None:
            return  # superseded by a newer call of the same group
        if message.error is None:
            pending.done(message.result)
        elif pending.failed is not None:
            pending.failed(message.error)
        else:
            self.show_error(message.error)

    def show_error(self, error: Exception) -> None:
        """A notification with the error's code and message; never a traceback."""
        from core.errors import MetaSaasError

        if isinstance(error, MetaSaasError):
            code, text = error.code, error.message
        else:
            log.error("unexpected error in a bus call", exc_info=error)
            code, text = "internal", f"unexpected {type(error).__name__}; nothing was saved"
        self.notify(text, title=code, severity="error", markup=False, timeout=8)


class ShellScreen(BusScreen):
    """Header, navigation list, content, jump line and footer around a screen's content."""

    BINDINGS = bindings.SHELL

    def compose(self) -> ComposeResult:
        yield AppHeader(id="app-header")
        with Horizontal(id="body"):
            yield NavList(id="nav")
            with Vertical(id="content"):
                yield from self.compose_content()
        with Vertical(id="bottom"):
            yield JumpLine(self.shell.jump_completions)
            yield Footer(compact=True)

    def compose_content(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.refresh_chrome()

    def on_screen_resume(self) -> None:
        self.refresh_chrome()

    def refresh_chrome(self) -> None:
        self.shell.paint_chrome(self.query_one(AppHeader), self.query_one(NavList))

    @on(NavList.EntitySelected)
    def _nav(self, event: NavList.EntitySelected) -> None:
        self.shell.post_message(EntityChosen(event.entity))

    def action_jump(self) -> None:
        if self.shell.session is None:
            self.notify("still connecting to the database", markup=False)
            return
        self.query_one(JumpLine).open()

    @on(JumpLine.Submitted)
    def _jumped(self, event: JumpLine.Submitted) -> None:
        from console.tui.query import id_range, parse_jump
        from core.errors import InvalidInput

        line = self.query_one(JumpLine)
        try:
            jump = parse_jump(self.session.entities, event.text)
        except InvalidInput as exc:
            self.show_error(exc)
            return
        line.close()
        if jump.prefix is None:
            self.shell.post_message(EntityChosen(jump.entity.name))
            return
        low, high = id_range(jump.prefix)
        entity, prefix = jump.entity, jump.prefix
        request = {"filters": {"id__gte": low, "id__lte": high}, "limit": 2}

        def found(page: dict[str, Any]) -> None:
            items = page["items"]
            if len(items) == 1:
                self.shell.post_message(RecordChosen(entity.name, str(items[0]["id"])))
            elif not items:
                self.notify(
                    f"no {entity.name} id starts with {prefix}",
                    markup=False,
                    title="not_found",
                    severity="warning",
                )
            else:
                self.notify(
                    f"several {entity.plural} start with {prefix}; type more",
                    markup=False,
                    severity="warning",
                )

        self.ask(lambda: self.session.call(f"{entity.key}.list", request), found, group="jump")

    def action_help(self) -> None:
        from console.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def action_back(self) -> None:
        line = self.query_one(JumpLine)
        if line.is_open:
            line.close()
            return
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
