"""Actions on several records, and what a delete will do to the records that point at one.

Each record is its own bus call, so one refusal (a workflow move not allowed from that
state, a restricting reference) does not stop the others; the result says how many
succeeded and why each failure failed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.text import Text

from console.tui.text import safe_text

if TYPE_CHECKING:
    from console.tui.session import Session
    from core.contracts import Entity

ON_DELETE = {
    "cascade": "will be deleted with it",
    "set_null": "will lose the reference (set to empty)",
    "restrict": "prevent the delete until they are moved or deleted",
}


@dataclass
class Outcome:
    verb: str
    succeeded: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    """(record title, error code, message) per failed record."""

    def text(self, plural: str) -> Text:
        total = self.succeeded + len(self.failures)
        out = Text(f"{self.succeeded} of {total} {plural} {self.verb}.\n", style="bold")
        for title, code, message in self.failures:
            out.append("✗ ", style="red")
            out.append_text(safe_text(title))
            out.append(f" — {code}: ", style="dim")
            out.append_text(safe_text(message))
            out.append("\n")
        return out


def run_each(
    session: Session,
    action_id: str,
    records: Iterable[tuple[str, dict[str, Any]]],
    verb: str,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Dispatch `action_id` once per (title, payload); collect every failure's reason."""
    from core.errors import MetaSaasError

    outcome = Outcome(verb)
    for done, (title, payload) in enumerate(records, 1):
        try:
            session.call(action_id, payload)
        except MetaSaasError as exc:
            outcome.failures.append((title, exc.code, exc.message))
        else:
            outcome.succeeded += 1
        if progress is not None:
            progress(done)
    return outcome


@dataclass(frozen=True)
class Effect:
    entity: Entity
    relationship: str
    on_delete: str
    count: int


def delete_effects(session: Session, entity: Entity, ids: list[str]) -> list[Effect]:
    """For each belongs_to pointing at `entity`, how many records reference these ids."""
    effects = []
    for other in session.entities:
        for rel in other.belongs_to:
            if rel.target != entity.name:
                continue
            count = 0
            for start in range(0, len(ids), 500):
                batch = ids[start : start + 500]
                count += session.count(other, {f"{rel.column}__in": batch})
            if count:
                effects.append(Effect(other, rel.name, rel.on_delete, count))
    return effects


def describe_delete(what: Text, effects: list[Effect], many: bool = False) -> Text:
    body = Text("Delete ", style="bold")
    body.append_text(what)
    body.append("?\n\n")
    if not effects:
        body.append(f"No other record refers to {'them' if many else 'it'}.", style="dim")
    for effect in effects:
        noun = effect.entity.plural if effect.count != 1 else effect.entity.name
        body.append(f"• {effect.count} {noun} ({effect.relationship}) ")
        style = "bold red" if effect.on_delete == "restrict" else ""
        body.append(ON_DELETE.get(effect.on_delete, effect.on_delete), style=style)
        body.append("\n")
    return body
