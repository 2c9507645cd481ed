"""The command palette (Ctrl+K): type what you want, see the plan, Enter runs it.

As you type, the offline interpreter previews the plan at once (each step's action,
fields, tier and whether the bus would refuse it). When a model can answer, Enter asks it
(in a worker) and shows its plan; the next Enter runs the plan shown, after a y/n
confirmation when a step's tier asks for one. Results appear in place; a record the plan
created or opened can be opened with Ctrl+O. Up and Down recall earlier commands.
Model calls, keyring look-ups and litellm's import all happen in workers, so the palette
never waits for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ai import history
from ai.plan import Plan

if TYPE_CHECKING:
    from ai.interpreter import Interpreter
    from ai.preview import StepView
    from ai.runner import RunReport
    from core.bootstrap import App as CoreApp
    from core.contracts import Caller

PLACEHOLDER = "e.g. add a high priority task called Call the supplier"


class PaletteScreen(ModalScreen[None]):
    CSS_PATH = "palette.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close", id="palette.close", tooltip="Close the palette"),
        Binding("up", "recall(-1)", "Earlier", id="palette.earlier", tooltip="Earlier command"),
        Binding("down", "recall(1)", "Later", id="palette.later", tooltip="Later command"),
        Binding("ctrl+o", "open_record", "Open", id="palette.open", tooltip="Open the record"),
        Binding("y", "confirm(True)", "Yes", id="palette.yes", tooltip="Run the plan", show=False),
        Binding("n", "confirm(False)", "No", id="palette.no", tooltip="Run nothing", show=False),
    ]

    class RecordOpened(Message):
        """Open this record's detail (the shell routes it); posted by Ctrl+O after a run."""

        def __init__(self, entity: str, record_id: str) -> None:
            super().__init__()
            self.entity = entity
            self.record_id = record_id

    class PlanRan(Message):
        """A plan ran; tables showing these entities reload."""

        def __init__(self, entities: list[str]) -> None:
            super().__init__()
            self.entities = entities

    def __init__(self, app_core: Any, caller: Caller | None = None) -> None:
        """`PaletteScreen(core_app, caller)`, or `PaletteScreen(session)` from the shell's
        screen registry (anything with `.core` and `.caller`)."""
        super().__init__()
        # the shell's session, checked before a plan runs (a session may end meanwhile)
        self.session = app_core if caller is None else None
        if caller is None:
            app_core, caller = app_core.core, app_core.caller
        assert caller is not None
        self.core: CoreApp = app_core
        self.caller: Caller = caller
        self.history = history.load(caller.tenant_id, caller.user_id)
        self.cursor = len(self.history)
        self.model_ready = False
        self.plan: Plan | None = None
        self.planned_for: str | None = None
        self.final = False  # the plan shown is the one Enter runs (not a preview)
        self.awaiting_confirmation = False
        self.opened: tuple[str, str] | None = None
        self._interpreter: Interpreter | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="palette"):
            yield Static("Ask", id="palette-title")
            yield Input(placeholder=PLACEHOLDER, id="palette-input", max_length=2000)
            yield Static("", id="palette-status")
            with VerticalScroll(id="palette-body"):
                yield Static("", id="palette-plan")
                yield Static("", id="palette-result")
            yield Static("Enter plan/run · ↑↓ history · Ctrl+O open · Esc close", id="palette-keys")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._status("checking for a model…")
        self._prepare()

    @property
    def interpreter(self) -> Interpreter:
        if self._interpreter is None:
            from ai.interpreter import Interpreter

            self._interpreter = Interpreter(self.core, self.caller)
        return self._interpreter

    # -- model availability, decided off the UI thread ------------------------------------
    @work(thread=True, exclusive=True, group="palette-prepare")
    def _prepare(self) -> None:
        routes, reason = self.interpreter.gateway.routes()
        if routes:
            from ai.gateway import warm

            self.app.call_from_thread(self._status, f"model: {routes[0].model} (loading…)")
            warm()
            self.app.call_from_thread(self._model_ready, routes[0].model)
        else:
            self.app.call_from_thread(self._status, f"offline: {reason}")

    def _model_ready(self, model: str) -> None:
        self.model_ready = True
        self._status(f"model: {model} · Enter asks it, Enter again runs")

    # -- typing: the offline preview --------------------------------------------------------
    @on(Input.Changed, "#palette-input")
    def _typed(self, event: Input.Changed) -> None:
        command = event.value
        self.awaiting_confirmation = False
        self.query_one("#palette-result", Static).update("")
        if not command.strip():
            self.plan, self.planned_for, self.final = None, None, False
            self.query_one("#palette-plan", Static).update("")
            return
        plan = self.interpreter.offline(command)
        label = "offline preview, Enter asks the model" if self.model_ready else "offline"
        self._show_plan(plan, command, final=not self.model_ready, label=label)

    @on(Input.Submitted, "#palette-input")
    def _submitted(self, event: Input.Submitted) -> None:
        command = event.value.strip()
        if not command:
            return
        if self.plan is not None and self.final and self.planned_for == event.value:
            self._run_or_confirm()
            return
        self._status("planning…")
        self._plan_with_model(event.value)

    @work(thread=True, exclusive=True, group="palette-plan")
    def _plan_with_model(self, command: str) -> None:
        from core.errors import MetaSaasError

        try:
            found = self.interpreter.interpret(command)
        except MetaSaasError as exc:
            self.app.call_from_thread(self._error, f"{exc.code}: {exc.message}")
            return
        label = "model" if found.model != "offline" else "offline"
        self.app.call_from_thread(self._show_plan, found.plan, command, True, label, found.model)
        if found.notice:
            self.app.call_from_thread(self._status, found.notice)

    def _show_plan(
        self, plan: Plan, command: str, final: bool, label: str, model: str = "offline"
    ) -> None:
        from ai.preview import preview

        self.plan, self.planned_for, self.final = plan, command, final
        self.model_name = model
        views = preview(self.core, self.caller, plan)
        self.query_one("#palette-plan", Static).update(render_plan(plan, views, label))

    # -- running ------------------------------------------------------------------------------
    def _run_or_confirm(self) -> None:
        from ai.risk import assess_plan

        assert self.plan is not None
        if not self.plan.steps:
            return
        waiting = [
            i + 1 for i, r in enumerate(assess_plan(self.core, self.plan)) if r.needs_confirmation
        ]
        if waiting:
            self.awaiting_confirmation = True
            self.set_focus(None)  # y and n now answer the question, not the input
            steps = ", ".join(map(str, waiting))
            self.query_one("#palette-result", Static).update(
                Text.assemble(
                    ("Confirm: ", "bold yellow"),
                    f"step {steps} needs your confirmation. Run the plan? ",
                    ("y", "bold"),
                    " yes · ",
                    ("n", "bold"),
                    " no",
                )
            )
            return
        self._run(confirmed=False)

    def action_confirm(self, yes: bool) -> None:
        if not self.awaiting_confirmation:
            return  # y and n are ordinary letters while typing
        self.awaiting_confirmation = False
        self.query_one(Input).focus()
        if yes:
            self._run(confirmed=True)
        else:
            self.query_one("#palette-result", Static).update(Text("Cancelled; nothing ran."))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":
            return self.awaiting_confirmation
        return True

    def _run(self, confirmed: bool) -> None:
        assert self.plan is not None and self.planned_for is not None
        self.history = history.remember(
            self.caller.tenant_id, self.caller.user_id, self.planned_for
        )
        self.cursor = len(self.history)
        self.query_one("#palette-result", Static).update(Text("running…"))
        self._run_worker(self.plan, self.planned_for, confirmed)

    @work(thread=True, exclusive=True, group="palette-run")
    def _run_worker(self, plan: Plan, command: str, confirmed: bool) -> None:
        from ai.runner import Origin, run_plan
        from core.errors import MetaSaasError

        if self.session is not None:
            try:
                self.caller = self.session.check()
            except MetaSaasError as exc:
                self.app.call_from_thread(self._error, exc.message)
                return
        origin = Origin("palette", command, getattr(self, "model_name", "offline"))
        confirmed_by = self.caller.user_id if confirmed else None
        report = run_plan(self.core, self.caller, plan, origin, confirmed_by=confirmed_by)
        self.app.call_from_thread(self._ran, plan, report)

    def _ran(self, plan: Plan, report: RunReport) -> None:
        text, opened = render_report(self.core, plan, report)
        self.opened = opened
        self.query_one("#palette-result", Static).update(text)
        entities = sorted({r.action_id.split(".")[0] for r in report.results if r.ok})
        self.post_message(self.PlanRan(entities))

    def _error(self, message: str) -> None:
        self.query_one("#palette-result", Static).update(Text(message, style="bold red"))
        self._status("the plan could not be made")

    def _status(self, text: str) -> None:
        self.query_one("#palette-status", Static).update(Text(text, style="dim"))

    # -- keys ---------------------------------------------------------------------------------
    def action_recall(self, step: int) -> None:
        if not self.history:
            return
        self.cursor = max(0, min(len(self.history), self.cursor + step))
        value = self.history[self.cursor] if self.cursor < len(self.history) else ""
        field = self.query_one(Input)
        field.value = value
        field.cursor_position = len(value)

    def action_open_record(self) -> None:
        if self.opened is not None:
            entity, record_id = self.opened
            self.post_message(self.RecordOpened(entity, record_id))
            self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


def render_plan(plan: Plan, views: list[StepView], label: str) -> Text:
    text = Text()
    text.append(f"Plan ({label}): ", style="bold")
    text.append(f"{plan.explanation}\n" if plan.explanation else "\n")
    if not plan.steps:
        return text
    for view in views:
        text.append(f" {view.number}  ", style="bold")
        text.append(view.action_id, style="cyan")
        fields = " · ".join(f"{k}={_short(v)}" for k, v in view.fields.items())
        text.append(f"  {fields}" if fields else "")
        if view.risk.needs_confirmation:
            text.append(f"  ⚠ needs confirmation: {view.risk.reason}", style="yellow")
        else:
            text.append(f"  ({'reads' if view.risk.tier.value == 'read' else 'runs at once'})",
                        style="dim")  # fmt: skip
        text.append("\n")
        if view.problem:
            text.append(f"    ✗ {view.problem}\n", style="red")
    return text


def render_report(core: Any, plan: Plan, report: RunReport) -> tuple[Text, tuple[str, str] | None]:
    """The results in place, and the record Ctrl+O would open (the last one touched)."""
    text = Text()
    opened: tuple[str, str] | None = None
    for result in report.results:
        if not result.ok:
            error = result.error or {}
            text.append(f"✗ {result.step} {result.action_id} — ", style="bold red")
            text.append(f"{error.get('code')}: {error.get('message')}\n", style="red")
            continue
        text.append(f"✓ {result.step} {result.action_id}", style="green")
        value = result.result
        entity = core.registry.action(result.action_id).entity
        if isinstance(value, dict) and "items" in value:
            text.append(f" — {len(value['items'])} record(s)\n")
            for item in value["items"][:5]:
                text.append(f"    {_title(entity, item)}\n")
        elif isinstance(value, dict) and "id" in value and "version" in value:
            opened = (entity.name, str(value["id"]))
            text.append(f" — {entity.name} {str(value['id'])[:8]} {_title(entity, value)}\n")
        else:
            text.append(f" — {_short(value)}\n")
    not_run = report.public()["not_run"]
    if not_run:
        text.append(f"not run: step {', '.join(map(str, not_run))}\n", style="yellow")
    if opened is not None:
        text.append("Ctrl+O opens the record", style="dim")
    return text, opened


def _title(entity: Any, record: dict[str, Any]) -> str:
    field = entity.ui.title_field
    value = record.get(field) if field else None
    return f"“{value}”" if value else ""


def _short(value: Any) -> str:
    import json

    from core.jsonable import to_jsonable

    shown = value if isinstance(value, str) else json.dumps(to_jsonable(value), ensure_ascii=False)
    return shown if len(shown) <= 48 else shown[:47] + "…"
