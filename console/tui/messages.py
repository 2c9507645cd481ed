"""App-wide messages, named for what happened. Widget-local ones are nested on the widget."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from console.tui.session import Session


class SessionOpened(Message):
    """The bus is ready: the shell fills in the header and the navigation tree."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session


class SessionFailed(Message):
    """Opening the database failed; the shell shows why instead of a traceback."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__()
        self.code = code
        self.message = message


class EntityChosen(Message):
    """Someone asked for an entity's table (navigation tree, jump line, palette)."""

    def __init__(self, entity: str) -> None:
        super().__init__()
        self.entity = entity


class RecordChosen(Message):
    """Someone asked for one record's detail."""

    def __init__(self, entity: str, record_id: str) -> None:
        super().__init__()
        self.entity = entity
        self.record_id = record_id


class RecordsChanged(Message):
    """Records of an entity were written; tables and counts showing them reload."""

    def __init__(self, entity: str, record: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.entity = entity
        self.record = record


class BusAnswered(Message):
    """A worker's bus call finished; `ticket` pairs it with the screen's callback."""

    def __init__(self, ticket: int, result: Any = None, error: Exception | None = None) -> None:
        super().__init__()
        self.ticket = ticket
        self.result = result
        self.error = error
