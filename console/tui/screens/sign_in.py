"""The sign-in screen, shown when the provider needs one and no kept session is valid.

Signing in runs on a worker (argon2 takes a moment, and a backoff may wait); a wrong
answer shows the one message the CLI gives too, and the password field is cleared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from console.tui.messages import SessionOpened

if TYPE_CHECKING:
    from core.bootstrap import App as CoreApp


class SignInScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.quit", "Quit", id="sign_in.quit", tooltip="Leave the console")
    ]
    DEFAULT_CSS = """
    SignInScreen { align: center middle; }
    SignInScreen > Vertical { width: 60; max-width: 95%; height: auto;
        border: round $accent; background: $surface; padding: 0 1; }
    SignInScreen Input { margin-bottom: 0; }
    SignInScreen #sign-in-error { color: $error; height: auto; }
    SignInScreen Button { margin-top: 1; width: 100%; }
    """

    def __init__(self, core: CoreApp) -> None:
        super().__init__()
        self.core = core

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]MetaSAAS Console[/b]: sign in", id="sign-in-title")
            yield Input(placeholder="email", id="email")
            yield Input(placeholder="password", password=True, id="password")
            yield Input(value=self.core.settings.tenant, placeholder="tenant", id="tenant")
            yield Static("", id="sign-in-error")
            yield Button("Sign in", id="sign-in", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#email", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#sign-in")
    def _submit(self) -> None:
        email = self.query_one("#email", Input).value
        password = self.query_one("#password", Input).value
        tenant = self.query_one("#tenant", Input).value.strip()
        if not email or not password or not tenant:
            self._show_error("give an email, a password and a tenant")
            return
        self.query_one("#sign-in", Button).disabled = True
        self._sign_in(email, password, tenant)

    @work(thread=True, exclusive=True, group="sign-in")
    def _sign_in(self, email: str, password: str, tenant: str) -> None:
        from console import session_token
        from console.tui.session import Session
        from core.errors import MetaSaasError

        try:
            signed = self.core.auth.sign_in(email, password, tenant)
        except MetaSaasError as exc:
            self.app.call_from_thread(self._show_error, exc.message)
            return
        session_token.keep(self.core.settings, signed.token)
        session = Session.of(self.core, signed.identity, signed.token)
        self.app.call_from_thread(self._signed_in, session)

    def _show_error(self, message: str) -> None:
        self.query_one("#sign-in-error", Static).update(message)
        self.query_one("#password", Input).value = ""
        self.query_one("#sign-in", Button).disabled = False
        self.query_one("#password", Input).focus()

    def _signed_in(self, session: object) -> None:
        self.app.pop_screen()
        self.app.post_message(SessionOpened(session))  # type: ignore[arg-type]
