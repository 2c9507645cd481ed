"""Chat review for support staff: the sessions a reviewer may see, filtered, and one
session's transcript with the audit entries and records of the actions it ran.

Everything comes from the chat actions on the bus (`chat.sessions`, `chat.show`), so the
visibility, masking and audit of a reviewer's access are core's, not this screen's. The
transcript exports to Markdown or JSON through the same code as `metasaas chats export`.
"""

from __future__ import annotations

import datetime as dt
import shlex
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from console.tui.bindings import bind
from console.tui.messages import RecordChosen
from console.tui.screens.base import BusScreen, ShellScreen
from console.tui.text import display, safe_text

FILTER_HELP = "user=U since=7d until=1d model=M errors actions, or words to search"
FLAGS = {"errors": "errors", "actions": "ran_actions"}
KEYS = {"user": "user", "since": "since", "until": "until", "model": "model"}
PAGE = 100

REVIEW_BINDINGS: list[BindingType] = [
    bind("enter", "open", "Open", "review.open", "Open the session's transcript"),
    bind("slash", "filter", "Filter", "review.filter", FILTER_HELP, key_display="/"),
    bind("r", "reload", "Reload", "review.reload", "Read the sessions again"),
]
TRANSCRIPT_BINDINGS: list[BindingType] = [
    bind("m", "export('md')", "Export md", "review.export_md", "Export as Markdown"),
    bind("j", "export('json')", "Export json", "review.export_json", "Export as JSON"),
    bind("r", "reload", "Reload", "review.transcript_reload", "Read the session again"),
]


def parse_filter(text: str) -> dict[str, Any]:
    """`user=olive since=7d errors late delivery` as a `chat.sessions` request."""
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    request: dict[str, Any] = {}
    search: list[str] = []
    for word in words:
        key, eq, value = word.partition("=")
        if eq and key.lower() in KEYS and value:
            request[KEYS[key.lower()]] = value
        elif word.lower() in FLAGS:
            request[FLAGS[word.lower()]] = True
        else:
            search.append(word)
    if search:
        request["search"] = " ".join(search)[:200]
    return request


def _when(value: Any) -> str:
    return display(value)[:16]


class ChatReviewScreen(ShellScreen):
    """Sessions newest first; `/` filters, Enter opens the transcript."""

    BINDINGS = REVIEW_BINDINGS
    CSS_PATH = "chat_review.tcss"

    def __init__(self, session: Any = None) -> None:
        super().__init__()
        self.title_text = "Chat review"
        self.rows: list[dict[str, Any]] = []

    def compose_content(self) -> ComposeResult:
        with Vertical(id="review"):
            yield Static(Text("Chat review", style="bold"), id="review-title")
            yield Input(placeholder="/ user=U since=7d errors actions words…", id="review-filter")
            yield DataTable(id="review-sessions", cursor_type="row", zebra_stripes=True)
            yield Static("", id="review-status")

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one(DataTable)
        table.add_columns("Owner", "Title", "Active", "Msg", "Act", "Err", "Model")
        self.load()
        table.focus()

    def load(self) -> None:
        text = self.query_one("#review-filter", Input).value
        request = {**parse_filter(text), "limit": PAGE}
        self.ask(
            lambda: self.session.call("chat.sessions", request),
            self.show,
            loading=self.query_one(DataTable),
            group="sessions",
        )

    def show(self, page: dict[str, Any]) -> None:
        self.rows = list(page["items"])
        table = self.query_one(DataTable)
        table.clear()
        for row in self.rows:
            errors = Text(str(row["errors"]), style="red" if row["errors"] else "")
            table.add_row(
                safe_text(str(row["owner_id"])),
                safe_text(str(row["title"])),
                _when(row["last_active_at"])[5:],
                str(row["messages"]),
                str(row["actions"]),
                errors,
                safe_text(str(row.get("model") or "")),
                key=str(row["id"]),
            )
        more = " (more: narrow the filter)" if page.get("next_cursor") else ""
        shown = f"{len(self.rows)} session(s){more}" if self.rows else "no sessions match"
        self.query_one("#review-status", Static).update(Text(shown, style="dim"))

    @on(Input.Submitted, "#review-filter")
    def _filtered(self) -> None:
        self.load()
        self.query_one(DataTable).focus()

    def action_filter(self) -> None:
        self.query_one("#review-filter", Input).focus()

    def action_reload(self) -> None:
        self.load()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(TranscriptScreen(str(event.row_key.value)))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if self.rows and table.cursor_row < len(self.rows):
            self.app.push_screen(TranscriptScreen(str(self.rows[table.cursor_row]["id"])))


def transcript_text(data: dict[str, Any]) -> Text:
    """The session's head and its messages as plain, control-free text."""
    from console.cli.transcript import link_actions

    session = data["session"]
    text = Text()
    text.append_text(safe_text(str(session["title"]), style="bold"))
    text.append("\n")
    head = (
        f"owner {session['owner_id']} · model {session.get('model') or '-'} · "
        f"{_when(session['created_at'])} – {_when(session['last_active_at'])}\n"
    )
    text.append_text(safe_text(head, style="dim", single_line=False))
    for message, entries in link_actions(data):
        role = str(message["role"])
        style = {"user": "bold cyan", "assistant": "bold green"}.get(role, "bold yellow")
        text.append(f"\n{message['seq']}. {role}", style=style)
        text.append(f"  {_when(message['created_at'])}", style="dim")
        if message.get("error"):
            text.append("  error", style="bold red")
        if message.get("partial"):
            text.append("  partial", style="yellow")
        text.append("\n")
        text.append_text(safe_text(str(message.get("content") or ""), single_line=False))
        text.append("\n")
        if message.get("action_id"):
            text.append(f"  ⚙ {message['action_id']}", style="bold")
            for entry in entries:
                text.append(f"  audit #{entry['audit_seq']} {entry['outcome']}", style="dim")
            text.append("\n")
        if message.get("result_summary"):
            text.append_text(safe_text(f"  → {message['result_summary']}", style="dim"))
            text.append("\n")
    return text


class TranscriptScreen(ShellScreen):
    """One session's transcript; its actions link to their audit entries and records."""

    BINDINGS = TRANSCRIPT_BINDINGS
    CSS_PATH = "chat_review.tcss"

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
        self.title_text = "Transcript"
        self.data: dict[str, Any] | None = None

    def compose_content(self) -> ComposeResult:
        with VerticalScroll(id="transcript"):
            yield Static("", id="transcript-body")
            yield Static("Actions", classes="section")
            yield OptionList(id="transcript-links", classes="links", compact=True)
            yield Static("", id="transcript-entry")

    def on_mount(self) -> None:
        super().on_mount()
        self.load()

    def load(self) -> None:
        from console.cli.transcript import load

        session = self.session

        def read() -> dict[str, Any]:
            return load(session.core, session.caller, self.session_id)

        self.ask(read, self.show, loading=self.query_one("#transcript"), group="transcript")

    def show(self, data: dict[str, Any]) -> None:
        self.data = data
        self.query_one("#transcript-body", Static).update(transcript_text(data))
        links = self.query_one("#transcript-links", OptionList)
        links.clear_options()
        options: list[Option | None] = []
        for index, action in enumerate(data["actions"]):
            label = Text(f"audit #{action['audit_seq']} ", style="bold")
            label.append(f"{action['action_id']} ({action['outcome']})")
            if action.get("record_id") and action.get("entity"):
                label.append(f"  → open {action['entity']}", style="dim")
            options.append(Option(label, id=f"entry:{index}"))
        if not options:
            options.append(Option(Text("no actions on record", style="dim"), disabled=True))
        links.add_options(options)

    @on(OptionList.OptionSelected, "#transcript-links")
    def _link(self, event: OptionList.OptionSelected) -> None:
        if self.data is None or not (event.option.id or "").startswith("entry:"):
            return
        action = self.data["actions"][int((event.option.id or "").split(":")[1])]
        shown = Text()
        for key in ("audit_seq", "action_id", "entity", "record_id", "outcome", "occurred_at"):
            shown.append(f"{key}: ", style="dim")
            shown.append_text(safe_text(display(action.get(key))))
            shown.append("\n")
        self.query_one("#transcript-entry", Static).update(shown)
        if action.get("record_id") and action.get("entity"):
            self.shell.post_message(RecordChosen(str(action["entity"]), str(action["record_id"])))

    def action_reload(self) -> None:
        self.load()

    def action_export(self, fmt: str) -> None:
        if self.data is not None:
            self.app.push_screen(TranscriptExportScreen(self.data, fmt))


def default_export_path(data: dict[str, Any], fmt: str) -> Path:
    from core.settings import user_data_dir

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    short = str(data["session"]["id"])[:8]
    return user_data_dir() / "exports" / f"chat-{short}-{stamp}.{fmt}"


def write_transcript(data: dict[str, Any], fmt: str, path: Path) -> Path:
    from console.cli.transcript import render

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(data, fmt), encoding="utf-8")
    return path


class TranscriptExportScreen(BusScreen):
    """Where to write the transcript (default: the user data directory's exports)."""

    BINDINGS = [Binding("escape", "close", "Close", id="review.export_close", tooltip="Close")]
    DEFAULT_CSS = """
    TranscriptExportScreen { align: center middle; }
    TranscriptExportScreen > Vertical { width: 70; max-width: 95%; height: auto;
        border: round $accent; background: $surface; padding: 0 1; }
    TranscriptExportScreen Input { margin: 1 0; }
    TranscriptExportScreen #transcript-export-buttons { height: 3; align-horizontal: right; }
    """

    def __init__(self, data: dict[str, Any], fmt: str, path: Path | None = None) -> None:
        super().__init__()
        self.data, self.fmt = data, fmt
        self.path = path or default_export_path(data, fmt)

    def compose(self) -> ComposeResult:
        name = "Markdown" if self.fmt == "md" else "JSON"
        with Vertical():
            yield Static(Text(f"Export the transcript as {name}", style="bold"))
            yield Input(str(self.path), id="transcript-export-path")
            yield Static("", id="transcript-export-result")
            with Horizontal(id="transcript-export-buttons"):
                yield Button("Export", id="transcript-export-start", variant="primary")
                yield Button("Close", id="transcript-export-close")

    @on(Button.Pressed, "#transcript-export-start")
    @on(Input.Submitted)
    def start(self) -> None:
        path = Path(self.query_one("#transcript-export-path", Input).value).expanduser()
        data, fmt = self.data, self.fmt
        self.ask(lambda: write_transcript(data, fmt, path), self.finished, failed=self.failed)

    def finished(self, path: Path) -> None:
        text = Text("written to ")
        text.append_text(safe_text(str(path)))
        self.query_one("#transcript-export-result", Static).update(text)
        self.notify("transcript exported", markup=False)

    def failed(self, error: Exception) -> None:
        if isinstance(error, OSError):
            self.query_one("#transcript-export-result", Static).update(
                safe_text(f"cannot write the file: {error.strerror or error}")
            )
            return
        self.show_error(error)

    @on(Button.Pressed, "#transcript-export-close")
    def action_close(self) -> None:
        self.dismiss()
