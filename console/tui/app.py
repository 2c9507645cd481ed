"""The Textual application: composes the shell and routes app-wide messages to screens.

The first frame is drawn with nothing but Textual loaded; the database, the registry
and the bus are opened afterwards on a worker thread (`connect`), and the shell fills
in when `SessionOpened` arrives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.screen import Screen

from console.tui import bindings
from console.tui.messages import (
    EntityChosen,
    RecordChosen,
    RecordsChanged,
    SessionFailed,
    SessionOpened,
)
from console.tui.screen_registry import SCREENS

if TYPE_CHECKING:
    from console.tui.session import Session
    from console.tui.widgets.app_header import AppHeader
    from console.tui.widgets.nav_list import NavList
    from core.bootstrap import App as CoreApp

log = logging.getLogger(__name__)


def _record_commands() -> type[Provider]:
    """Imported when the palette first opens, not at start-up."""
    from console.tui.commands import RecordCommands

    return RecordCommands


def registered_bindings() -> list[BindingType]:
    return [
        Binding(
            s.key,
            f"open_screen({s.name!r})",
            s.description,
            id=s.binding_id,
            tooltip=f"Open the {s.name} screen",
            key_display=s.key_display,
            show=s.available(),
        )
        for s in SCREENS.values()
    ]


class MetaSaasApp(App[None]):
    TITLE = "MetaSAAS Console"
    CSS_PATH = "console.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [*bindings.APP, *registered_bindings()]
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {lambda: _record_commands()}

    def __init__(self, connect: Callable[[], CoreApp], *, remember_theme: bool = True) -> None:
        super().__init__()
        self._connect = connect
        self._remember_theme = remember_theme
        self.session: Session | None = None
        self.counts: dict[str, int | None] = {}
        self.failure: str | None = None
        self.changes: dict[str, int] = {}
        """Writes per entity since start; a table on the stack reloads when it moved."""

    def get_default_screen(self) -> Screen[Any]:
        from console.tui.screens.home import HomeScreen

        return HomeScreen()

    def on_mount(self) -> None:
        self.call_after_refresh(self.open_session)

    @work(thread=True, exclusive=True, group="session")
    def open_session(self) -> None:
        from console.tui.session import Session, SignInNeeded
        from core.errors import MetaSaasError
        from core.settings import SettingsError

        try:
            session = Session.open(self._connect)
            theme = self._saved_theme()
        except SignInNeeded as need:
            self.call_from_thread(self._ask_sign_in, need.core)
            return
        except SettingsError as exc:
            self.post_message(SessionFailed("usage", str(exc)))
            return
        except MetaSaasError as exc:
            self.post_message(SessionFailed(exc.code, exc.message))
            return
        except Exception as exc:  # click.UsageError for a bad URL, a driver refusing
            message = getattr(exc, "message", None) or type(exc).__name__
            self.post_message(SessionFailed("internal", str(message)))
            return
        self.post_message(SessionOpened(session))
        if theme:
            self.call_from_thread(self._apply_theme, theme)

    def _ask_sign_in(self, core: CoreApp) -> None:
        from console.tui.screens.sign_in import SignInScreen

        self.push_screen(SignInScreen(core))

    def _saved_theme(self) -> str | None:
        if not self._remember_theme:
            return None
        from console.tui.preferences import read_theme

        return read_theme()

    def _apply_theme(self, theme: str) -> None:
        if theme in self.available_themes:
            self.theme = theme

    @on(SessionOpened)
    def _opened(self, event: SessionOpened) -> None:
        self.session = event.session
        self.counts = {e.name: None for e in event.session.entities}
        self.repaint_chrome()
        self.load_counts()
        self.warm_ai()

    @work(thread=True, exclusive=True, group="warm")
    def warm_ai(self) -> None:
        """Import litellm in the background when a model is configured, so the palette
        never waits for it (and start-up never does: the first frame is long drawn)."""
        session = self.session
        if session is None:
            return
        try:
            from ai.gateway import warm_if_configured

            warm_if_configured(session.core.settings)
        except Exception:  # the palette reports the model's state itself
            log.warning("could not warm the AI gateway", exc_info=True)

    @on(SessionFailed)
    def _failed(self, event: SessionFailed) -> None:
        self.failure = f"{event.code}: {event.message}"
        self.notify(event.message, title=event.code, severity="error", markup=False, timeout=30)
        self.repaint_chrome()

    @work(thread=True, exclusive=True, group="counts")
    def load_counts(self) -> None:
        session = self.session
        if session is None:
            return
        counts: dict[str, int | None] = {}
        for entity in session.entities:
            try:
                counts[entity.name] = session.count(entity)
            except Exception:  # an entity the caller may not list shows no count
                counts[entity.name] = None
        self.call_from_thread(self._counts_loaded, counts)

    def _counts_loaded(self, counts: dict[str, int | None]) -> None:
        self.counts = counts
        self.repaint_chrome()

    def repaint_chrome(self) -> None:
        refresh = getattr(self.screen, "refresh_chrome", None)
        if refresh is not None:
            refresh()

    def paint_chrome(self, header: AppHeader, nav: NavList) -> None:
        from console.tui.session import entity_groups

        session = self.session
        if session is None:
            header.show(None, None, self.failure)
            return
        header.show(session.tenant, session.user, session.database, session.mode)
        groups = [[(e.name, e.plural) for e in g] for g in entity_groups(session.entities)]
        nav.show(groups, self.counts)

    def jump_completions(self, text: str) -> tuple[str, list[str]]:
        from console.tui.query import jump_candidates

        if self.session is None:
            return text, []
        return text.strip(), jump_candidates(self.session.entities, text)

    @on(EntityChosen)
    def _entity(self, event: EntityChosen) -> None:
        from console.tui.screens.entity_table import EntityTableScreen

        if self.session is not None:
            self.push_screen(EntityTableScreen(self.session.entity(event.entity)))

    @on(RecordChosen)
    def _record(self, event: RecordChosen) -> None:
        from console.tui.screens.record_detail import RecordDetailScreen

        if self.session is not None:
            entity = self.session.entity(event.entity)
            self.push_screen(RecordDetailScreen(entity, event.record_id))

    @on(RecordsChanged)
    def _changed(self, event: RecordsChanged) -> None:
        self.changes[event.entity] = self.changes.get(event.entity, 0) + 1
        self.load_counts()

    def on_palette_screen_record_opened(self, message: Any) -> None:
        """The palette's Ctrl+O (handled by name, so the palette loads only when used)."""
        self.post_message(RecordChosen(message.entity, message.record_id))

    def on_palette_screen_plan_ran(self, message: Any) -> None:
        from core.errors import NotFound

        for key in message.entities:  # action keys such as "task"; "audit" is no entity
            try:
                name = self.session.entity(key).name if self.session else key
            except NotFound:
                continue
            self.post_message(RecordsChanged(name))

    def action_open_screen(self, name: str) -> None:
        spec = SCREENS.get(name)
        factory = spec.factory() if spec is not None else None
        if factory is None:
            self.notify(f"the {name} screen is not available yet", markup=False)
            return
        if self.session is None:
            self.notify("still connecting to the database", markup=False)
            return
        self.push_screen(factory(self.session))

    def watch_theme(self, theme: str) -> None:
        if not self._remember_theme or self.session is None:
            return
        from console.tui.preferences import write_theme

        try:
            write_theme(theme)
        except (OSError, ValueError) as exc:
            self.notify(f"could not remember the theme: {exc}", markup=False)
