"""The TUI's handle on core: the bus with the CLI's caller, and adapters for what core adds.

Everything here runs on worker threads (bus calls block); screens reach it through
`BusScreen.ask`. The caller's allowed actions and a record's audit history come from
core (`bus.allowed_actions`, `audit.list`); the fallbacks here keep the shell working on
a core without them, in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from console.tui.text import display, short_id

if TYPE_CHECKING:
    from core.auth import Identity
    from core.bootstrap import App as CoreApp
    from core.contracts import Caller, Entity

PAGE_MAX = 500


@dataclass(frozen=True)
class ActionInfo:
    id: str
    entity: str | None
    verb: str
    description: str
    takes_record: bool


class SignInNeeded(Exception):
    """The provider needs a sign-in and no kept token is valid: show the sign-in screen."""

    def __init__(self, core: CoreApp) -> None:
        super().__init__("sign in")
        self.core = core


def identify(core: CoreApp) -> tuple[Identity, str | None]:
    """The caller from the kept session token (none needed under `dev`), and the token."""
    from console.session_token import lookup
    from core.errors import Unauthenticated

    auth = core.auth
    if not auth.needs_sign_in:
        return auth.identify(None, None), None
    token = lookup(core.settings).token
    try:
        return auth.identify(token, None), token
    except Unauthenticated:
        raise SignInNeeded(core) from None


@dataclass
class Session:
    core: CoreApp
    caller: Caller
    mode: str | None = None
    """`DEV MODE` under development authentication, shown in the header."""
    token: str | None = None
    """The session token: checked again before every call, so an ended session stops here."""

    @classmethod
    def open(cls, connect: Callable[[], CoreApp]) -> Session:
        core = connect()
        return cls.of(core, *identify(core))

    @classmethod
    def of(cls, core: CoreApp, identity: Identity, token: str | None = None) -> Session:
        return cls(core, identity.caller, "DEV MODE" if identity.dev else None, token)

    def check(self) -> Caller:
        """The caller, after checking the session has not ended (`Unauthenticated` if so)."""
        if self.token is not None:
            self.caller = self.core.auth.identify(self.token, None).caller
        return self.caller

    def call(self, action_id: str, payload: dict[str, Any] | None = None) -> Any:
        return self.core.bus.dispatch(action_id, dict(payload or {}), self.check())

    @property
    def entities(self) -> list[Entity]:
        return list(self.core.registry.entities.values())

    def entity(self, name: str) -> Entity:
        return self.core.registry.entity(name)

    @property
    def tenant(self) -> str:
        return self.caller.tenant_id

    @property
    def user(self) -> str:
        roles = ", ".join(sorted(self.caller.roles))
        return f"{self.caller.user_id} ({roles})" if roles else self.caller.user_id

    @property
    def database(self) -> str:
        return database_label(self.core.settings.resolved_database_url())

    def count(self, entity: Entity, filters: dict[str, Any] | None = None) -> int:
        return int(self.call(f"{entity.key}.count", {"filters": filters or {}})["count"])

    def titles(self, entity: Entity, ids: set[str]) -> dict[str, str]:
        """Titles of the records of `entity` with these ids, in one `id__in` list call each
        500 ids: how a page of rows shows its belongs_to columns."""
        found: dict[str, str] = {}
        pending = sorted(ids)
        while pending:
            batch, pending = pending[:PAGE_MAX], pending[PAGE_MAX:]
            page = self.call(
                f"{entity.key}.list", {"filters": {"id__in": batch}, "limit": PAGE_MAX}
            )
            for record in page["items"]:
                found[str(record["id"])] = record_title(entity, record)
        return found

    def iter_records(self, entity: Entity, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every record of a list request, page after page (exports)."""
        payload = {**request, "limit": PAGE_MAX}
        while True:
            page = self.call(f"{entity.key}.list", payload)
            yield from page["items"]
            if not page.get("next_cursor"):
                return
            payload["cursor"] = page["next_cursor"]

    def allowed_actions(self) -> list[ActionInfo]:
        """The actions this caller may run: `bus.allowed_actions` once core has it; until
        then every registered action (the bus still refuses what is not allowed)."""
        finder = getattr(self.core.bus, "allowed_actions", None)
        if finder is not None:
            return [
                ActionInfo(a.id, a.entity, a.verb, a.description, a.takes_record)
                for a in finder(self.caller)
            ]
        return [
            ActionInfo(
                s.id, s.entity.name if s.entity else None, s.verb, s.description, s.takes_record
            )
            for s in self.core.registry.actions.values()
        ]

    def history(self, record_id: str) -> list[dict[str, Any]] | None:
        """The audit entries of one record, newest first (`audit.list {record_id}`); None
        for a domain whose core has no `audit.list` (the detail screen says so)."""
        if "audit.list" not in self.core.registry.actions:
            return None
        page = self.call("audit.list", {"record_id": record_id, "limit": 50})
        return list(page["items"])


def record_title(entity: Entity, record: dict[str, Any]) -> str:
    """What names a record on screen: its title field, else its short id."""
    field = entity.ui.title_field
    value = record.get(field) if field else None
    if value not in (None, ""):
        return display(value)
    return f"{entity.name} {short_id(record.get('id'))}"


def database_label(url: str) -> str:
    """`SQLite ~/.local/share/metasaas/metasaas.db` or `PostgreSQL 127.0.0.1:5432`;
    never a password or a user name."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ":memory:"
        home = str(Path.home())
        if path.startswith(home + "/"):
            path = "~" + path[len(home) :]
        return f"SQLite {path}"
    host = parsed.host or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    return f"PostgreSQL {host}{port}/{parsed.database or ''}"


def entity_groups(entities: list[Entity]) -> list[list[Entity]]:
    """Entities grouped as the domain declares them: those linked by relationships belong
    together (a CRM, a project tracker, a clinic), in declaration order."""
    parent = {e.name: e.name for e in entities}

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for entity in entities:
        for rel in entity.relationships:
            if rel.target in parent:
                parent[root(rel.target)] = root(entity.name)
    groups: dict[str, list[Entity]] = {}
    for entity in entities:
        groups.setdefault(root(entity.name), []).append(entity)
    return list(groups.values())
