"""Delete and workflow moves, for one record or many: shared by the table and the detail.

Each flow reads what it needs from the bus (references, allowed moves) in a worker,
asks in a modal that says exactly what will change, then runs and reports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text

from console.tui.bulk import delete_effects, describe_delete, run_each
from console.tui.messages import RecordsChanged
from console.tui.screens.confirm import ChoiceScreen, ConfirmScreen, ReportScreen
from console.tui.session import record_title
from console.tui.text import safe_text, state_style

if TYPE_CHECKING:
    from console.tui.screens.base import BusScreen
    from core.contracts import Entity

Done = Callable[[], None]
Deleted = Callable[[int], None]


def _named(entity: Entity, records: list[dict[str, Any]]) -> Text:
    if len(records) == 1:
        what = Text(f"{entity.name} ")
        what.append_text(safe_text(record_title(entity, records[0]), style="bold"))
        return what
    return Text(f"{len(records)} {entity.plural}", style="bold")


def delete(screen: BusScreen, entity: Entity, records: list[dict[str, Any]], done: Deleted) -> None:
    """Confirm with the on_delete consequences named and counted, then delete each."""
    ids = [str(r["id"]) for r in records]
    session = screen.session

    def confirm(effects: list[Any]) -> None:
        body = describe_delete(_named(entity, records), effects, many=len(records) > 1)
        screen.app.push_screen(ConfirmScreen(body, yes="Delete"), run)

    def run(yes: bool | None) -> None:
        if not yes:
            return
        payloads = [(record_title(entity, r), {"id": str(r["id"])}) for r in records]
        screen.ask(
            lambda: run_each(session, f"{entity.key}.delete", payloads, "deleted"),
            report,
            group="bulk",
        )

    def report(outcome: Any) -> None:
        screen.app.post_message(RecordsChanged(entity.name))
        if len(records) == 1 and not outcome.failures:
            screen.notify(f"{entity.name} deleted", markup=False)
        else:
            screen.app.push_screen(ReportScreen(outcome.text(entity.plural)))
        done(outcome.succeeded)

    screen.ask(lambda: delete_effects(session, entity, ids), confirm, group="effects")


def states(entity: Entity) -> list[tuple[str, Text]]:
    options = []
    for workflow in entity.workflows:
        field = entity.field(workflow.field)
        choices = field.options if field is not None else ()
        for state in choices:
            options.append((state, Text(state, style=state_style(choices, state))))
    return options


def move_many(screen: BusScreen, entity: Entity, records: list[dict[str, Any]], done: Done) -> None:
    """Pick a target state, confirm how many records will change, move each."""
    if not entity.workflows:
        screen.notify(f"{entity.plural} have no workflow", markup=False)
        return
    session = screen.session

    def chosen(target: str | None) -> None:
        if target is None:
            return
        body = Text("Move ", style="bold")
        body.append_text(_named(entity, records))
        body.append(f" to {target}?\n\n")
        body.append(
            f"{len(records)} record(s) will change; those that cannot move from "
            "their state are reported.",
            style="dim",
        )
        screen.app.push_screen(
            ConfirmScreen(body, yes="Move", danger=False), lambda yes: run(target, yes)
        )

    def run(target: str, yes: bool | None) -> None:
        if not yes:
            return
        payloads = [(record_title(entity, r), {"id": str(r["id"]), "to": target}) for r in records]
        screen.ask(
            lambda: run_each(session, f"{entity.key}.transition", payloads, f"moved to {target}"),
            report,
            group="bulk",
        )

    def report(outcome: Any) -> None:
        screen.app.post_message(RecordsChanged(entity.name))
        screen.app.push_screen(ReportScreen(outcome.text(entity.plural)))
        done()

    screen.app.push_screen(ChoiceScreen(Text("Move to which state?"), states(entity)), chosen)


def move_one(screen: BusScreen, entity: Entity, record: dict[str, Any], done: Done) -> None:
    """Offer the moves `transitions` allows now; run the chosen one."""
    session = screen.session
    record_id = str(record["id"])

    def offer(answer: dict[str, Any]) -> None:
        options = []
        for workflow in answer["workflows"]:
            for move in workflow["moves"]:
                label = Text(f"{move.get('trigger') or 'move'} → ", style="bold")
                label.append(move["to"])
                if move.get("missing"):
                    label.append(f"  (needs {', '.join(move['missing'])})", style="dim")
                options.append((f"{workflow['workflow']}:{move['to']}", label))
        if not options:
            screen.notify("no move is allowed from this state", markup=False)
            return
        screen.app.push_screen(ChoiceScreen(Text("Move to"), options), run)

    def run(choice: str | None) -> None:
        if choice is None:
            return
        workflow, _, target = choice.partition(":")
        payload = {
            "id": record_id,
            "to": target,
            "workflow": workflow,
            "expected_version": record.get("version"),
        }
        screen.ask(lambda: session.call(f"{entity.key}.transition", payload), moved, group="move")

    def moved(updated: dict[str, Any]) -> None:
        screen.app.post_message(RecordsChanged(entity.name, updated))
        screen.notify(f"moved to {updated.get(entity.workflows[0].field)}", markup=False)
        done()

    screen.ask(
        lambda: session.call(f"{entity.key}.transitions", {"id": record_id}), offer, group="move"
    )
