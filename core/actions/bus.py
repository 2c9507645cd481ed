"""The action bus: the one way anything is read or changed, from any surface.

dispatch = resolve -> middleware -> validate input -> permission (default deny) ->
[transaction: workflow -> hooks -> execute -> outbox event -> audit entry] -> commit ->
seal pending audit entries -> deliver events -> tell change listeners. The audit entry
comes last: on SQLite it moves the tenant's chain head, which the writer lock keeps until
commit. Denied attempts are audited too, in their own transaction once the action's has
ended. Nothing after commit raises into the caller: the action has happened.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import sqlalchemy as sa

from core.actions.context import Change, Context, Services
from core.actions.handlers import HANDLERS, custom
from core.actions.notify import ChangeNotifier, Listener
from core.actions.scrub import scrubbed
from core.contracts import Caller, CapabilityRunner, DomainEvent
from core.db.uow import UnitOfWork
from core.errors import Conflict, Forbidden, InternalError, MetaSaasError
from core.model.describe import AllowedAction, action_input_schema
from core.model.inputs import validate
from core.model.payload_size import check_input_size
from core.model.permissions import Decision, decide_rules, hidden_fields
from core.model.platform import ADMIN
from core.model.registry import ActionSpec, Registry
from core.records.store import mask
from core.trail.draft import AuditDraft

if TYPE_CHECKING:
    from core.trail.outbox import Dispatcher
    from core.trail.seal import Sealer

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]
Mode = Literal["dispatch", "validate", "batch", "nested"]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Request:
    """One action asked for, as middleware sees it (authentication, rate limits, tracing)."""

    spec: ActionSpec
    payload: Mapping[str, Any] | None
    caller: Caller
    provenance: Mapping[str, Any] | None
    mode: Mode


Next = Callable[[Request], Any]
Middleware = Callable[[Request, Next], Any]


@dataclass
class _Denial:
    caller: Caller
    action_id: str
    entity: str
    record_id: str | None
    started: float
    provenance: Mapping[str, Any] | None
    error_code: str = Forbidden.code
    details: Mapping[str, Any] | None = None


@dataclass
class _Run:
    """What one dispatch (or one atomic batch) collects until its transaction ends."""

    caller: Caller
    provenance: Mapping[str, Any] | None = None
    dry: bool = False
    events: list[DomainEvent] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    denials: list[_Denial] = field(default_factory=list)
    pending: dict[str, int] = field(default_factory=dict)  # audit entries awaiting a seal


@dataclass
class _Planned:
    spec: ActionSpec
    data: Any
    decision: Decision
    payload: Any
    started: float


@dataclass
class Batch:
    """Several actions in one transaction: all commit together or none do."""

    bus: Bus
    run: _Run
    conn: sa.Connection

    def dispatch(self, action_id: str, payload: Mapping[str, Any] | None) -> Any:
        try:
            return self.bus._inside(self.conn, self.run, action_id, payload, "batch")
        except MetaSaasError:
            raise
        except Exception as exc:
            raise self.bus._translate(exc) from None

    def savepoint(self) -> Any:
        """A nested transaction: an action that fails inside it is undone alone, and the
        batch can go on (on PostgreSQL a failed statement otherwise poisons the batch)."""
        return self.conn.begin_nested()


class Rollback(Exception):
    """Raise inside `bus.atomic()` to undo the whole batch on purpose (a dry run)."""


def _admin_role(caller: Caller) -> bool:
    """Development authentication: an admin may act in any tenant, so is everyone's admin."""
    return ADMIN in caller.roles


class Bus:
    def __init__(
        self,
        registry: Registry,
        uow: UnitOfWork,
        *,
        clock: Clock = utcnow,
        middleware: Sequence[Middleware] = (),
        admin_of_every_tenant: Callable[[Caller], bool] = _admin_role,
        capabilities: CapabilityRunner | None = None,
    ) -> None:
        self.registry = registry
        self.uow = uow
        self.engine = uow.engine
        self.clock = clock
        self.middleware = tuple(middleware)
        self.notifier = ChangeNotifier()
        self.services = Services(self.seal_pending, admin_of_every_tenant, capabilities)
        self._swept = False
        self._audit_swept = False
        self._sealer: Sealer | None = None
        self._guard = threading.Lock()
        self._dispatcher: Dispatcher | None = None
        # events some subscriber takes on the committing thread; the rest go to a worker
        self._inline_events = frozenset(
            name
            for name, subs in registry.subscribers.items()
            if any(not s.background for s in subs)
        )

    @property
    def dispatcher(self) -> Dispatcher:
        # Imported on first use: a read-only process never loads the outbox tables.
        if self._dispatcher is None:
            from core.trail.outbox import Dispatcher

            self._dispatcher = Dispatcher(self.engine, self.registry.subscribers)
        return self._dispatcher

    @property
    def sealer(self) -> Sealer | None:
        """PostgreSQL's audit sealer, made on first use; SQLite chains entries as written."""
        if self._sealer is None and not self.uow.is_sqlite:
            from core.trail.seal import Sealer

            with self._guard:  # two threads' first writes must not make two sealers
                if self._sealer is None:
                    self._sealer = Sealer(self.engine)
        return self._sealer

    def close(self) -> None:
        """Let listeners and background subscribers finish, seal what this process left
        pending, then let go of the connections."""
        self.notifier.close()
        if self._dispatcher is not None:
            self._dispatcher.close()
        if self._sealer is not None:
            self._sealer.close()
        self.uow.close()

    # --- entry points ----------------------------------------------------------------------

    def dispatch(
        self,
        action_id: str,
        payload: Mapping[str, Any] | None,
        caller: Caller,
        *,
        provenance: Mapping[str, Any] | None = None,
    ) -> Any:
        """Run one action in its own transaction; raise a `MetaSaasError` on any failure."""
        return self._guarded(
            lambda: self._through(
                Request(self.registry.action(action_id), payload, caller, provenance, "dispatch"),
                self._dispatch_now,
            )
        )

    def validate(self, action_id: str, payload: Mapping[str, Any] | None, caller: Caller) -> None:
        """Every check `dispatch` makes (input, permission, workflow, hooks, references,
        unique values, stale version), writing nothing and taking no write lock."""
        request = Request(self.registry.action(action_id), payload, caller, None, "validate")
        self._guarded(lambda: self._through(request, self._validate_now))

    @contextmanager
    def atomic(
        self, caller: Caller, *, provenance: Mapping[str, Any] | None = None
    ) -> Iterator[Batch]:
        """Dispatch several actions in one transaction; any error rolls back all of them."""
        run = _Run(caller, provenance)
        self._sweep_once()
        try:
            with self.counted_once(caller), self.uow.begin(write=True) as conn:
                yield Batch(self, run, conn)
        except Rollback:
            return  # undone on purpose: nothing committed, so nothing to deliver
        except MetaSaasError:
            raise
        except Exception as exc:
            raise self._translate(exc) from None
        finally:
            self._flush_denials(run.denials)
        self._after_commit(run)

    def allowed_actions(self, caller: Caller, entity: str | None = None) -> list[AllowedAction]:
        """Every action `caller` may run (of one entity, when named), with its input schema."""
        wanted = self.registry.entity(entity) if entity is not None else None
        allowed = []
        for spec in self.registry.actions.values():
            if wanted is not None and spec.entity is not wanted:
                continue
            decision = decide_rules(spec.rules, spec.permission_verb, caller)
            if decision is Decision.DENY:
                continue
            allowed.append(
                AllowedAction(
                    id=spec.id,
                    entity=spec.entity.name if spec.entity is not None else None,
                    verb=spec.verb,
                    description=spec.description,
                    mutates=spec.mutates,
                    own_only=decision is Decision.OWN,
                    takes_record=spec.takes_record,
                    input_schema=action_input_schema(spec),
                )
            )
        return allowed

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Hear of every committed change, on a worker thread; returns `unsubscribe`."""
        return self.notifier.subscribe(listener)

    # --- the pipeline ----------------------------------------------------------------------

    def _guarded(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except MetaSaasError:
            raise
        except Exception as exc:
            raise self._translate(exc) from None

    def _through(self, request: Request, terminal: Next) -> Any:
        """The request through each middleware in order, then `terminal`; an oversized
        input is refused first, before rate limits count it or anything parses it."""
        check_input_size(request.payload)

        def step(index: int, current: Request) -> Any:
            if index == len(self.middleware):
                return terminal(current)
            return self.middleware[index](current, lambda r: step(index + 1, r))

        return step(0, request)

    def _dispatch_now(self, request: Request) -> Any:
        run = _Run(request.caller, request.provenance)
        mutates = request.spec.mutates
        try:
            planned = self._plan(run, request)
            if mutates:
                self._sweep_once()
            with self.uow.begin(write=mutates) as conn:
                result = self._execute(conn, run, planned)
        finally:
            self._flush_denials(run.denials)
        if mutates:  # reads never deliver: they must not load or write the outbox
            self._after_commit(run)
        return result

    def _validate_now(self, request: Request) -> None:
        run = _Run(request.caller, dry=True)
        planned = self._plan(run, request)
        with self.uow.begin(write=False) as conn:
            self._execute(conn, run, planned)

    def _inside(
        self, conn: sa.Connection, run: _Run, action_id: str, payload: Any, mode: Mode
    ) -> Any:
        """An action in a transaction that is already open (a batch line, a nested call)."""
        request = Request(
            self.registry.action(action_id), payload, run.caller, run.provenance, mode
        )

        def terminal(current: Request) -> Any:
            planned = self._plan(run, current)
            if mode == "batch":
                return self._execute(conn, run, planned)
            with conn.begin_nested():  # a nested failure the caller catches leaves no trace
                return self._execute(conn, run, planned)

        return self._through(request, terminal)

    def _plan(self, run: _Run, request: Request) -> _Planned:
        """Validate and check permission: everything decided before the transaction."""
        started = time.perf_counter()
        spec = request.spec
        data = validate(self.registry.input_model(spec), request.payload or {})
        decision = decide_rules(spec.rules, spec.permission_verb, run.caller)
        if decision is Decision.DENY:
            if not run.dry:
                run.denials.append(self._denial(run, spec, request.payload, started))
            raise Forbidden(
                f"{run.caller.caller_type.value} {run.caller.user_id!r} may not run {spec.id}",
                {"action": spec.id},
            )
        return _Planned(spec, data, decision, request.payload, started)

    def _execute(self, conn: sa.Connection, run: _Run, planned: _Planned) -> Any:
        spec, caller = planned.spec, run.caller
        ctx = Context(
            conn,
            self.registry,
            caller,
            spec,
            planned.decision,
            self.clock(),
            self.services,
            dry=run.dry,
        )
        if spec.custom is not None and spec.custom.writes:
            ctx.nested = lambda action, payload: self._inside(conn, run, action, payload, "nested")
        try:
            result = self._handler(spec)(ctx, planned.data)
        except Forbidden as exc:
            if not run.dry:
                run.denials.append(self._denial(run, spec, planned.payload, planned.started))
            raise scrubbed(exc, ctx.secrets) from None
        except MetaSaasError as exc:
            raise scrubbed(exc, ctx.secrets) from None
        except sa.exc.IntegrityError:
            raise Conflict(
                "the change conflicts with existing data (a unique value or a "
                "reference); nothing was saved",
                {"reason": "integrity"},
            ) from None
        if not run.dry:
            self._leave_trail(conn, run, ctx, planned.started)
        return self._present(spec, result, caller)

    def _handler(self, spec: ActionSpec) -> Callable[[Context, Any], Any]:
        if spec.platform is not None:
            return spec.platform.handler
        if spec.capability is not None:
            from core.actions.capabilities import run_on_demand

            return run_on_demand
        return custom if spec.custom is not None else HANDLERS[spec.verb]

    def _leave_trail(self, conn: sa.Connection, run: _Run, ctx: Context, started: float) -> None:
        """Events and the audit entry go last: on SQLite the entry moves the chain head."""
        run.changes.extend(ctx.changes)
        if not ctx.events and ctx.audit is None:
            return
        from core.trail import chain, outbox, writer

        subscribed = set(self.registry.subscribers)
        entry = None
        if ctx.audit is not None:
            if run.provenance:
                ctx.audit.changes["_provenance"] = dict(run.provenance)
            entry = chain.new_entry(run.caller, ctx.audit, ctx.now, _elapsed_us(started))
        appended = writer.write(conn, outbox.rows(ctx.events, subscribed), entry)
        run.events.extend(e for e in ctx.events if e.name in subscribed)
        if appended is not None and appended.seq is None:
            tenant = run.caller.tenant_id
            run.pending[tenant] = run.pending.get(tenant, 0) + 1

    def _denial(self, run: _Run, spec: ActionSpec, payload: Any, started: float) -> _Denial:
        entity = spec.entity.name if spec.entity is not None else spec.id.split(".")[0]
        return _Denial(run.caller, spec.id, entity, _record_id(payload), started, run.provenance)

    def record_refusal(
        self, caller: Caller, action_id: str, error: MetaSaasError, payload: Any = None
    ) -> None:
        """Audit a refusal decided outside the pipeline (a rate limit), in its own
        transaction; `details` names the limit, never input values."""
        entity = action_id.split(".")[0]
        spec = self.registry.actions.get(action_id)
        if spec is not None and spec.entity is not None:
            entity = spec.entity.name
        details = {k: v for k, v in error.details.items() if k in ("scope", "limit")}
        denial = _Denial(
            caller, action_id, entity, _record_id(payload), time.perf_counter(), None,
            error.code, details,
        )  # fmt: skip
        self._flush_denials([denial])

    @contextmanager
    def counted_once(self, caller: Caller) -> Iterator[None]:
        """A batch (import, `batch`, `seed`) counts as one action against rate limits:
        middleware that counts offers `batch(caller)`, entered here once for all rows."""
        from contextlib import ExitStack

        with ExitStack() as stack:
            for middleware in self.middleware:
                batch = getattr(middleware, "batch", None)
                if batch is not None:
                    stack.enter_context(batch(caller))
            yield

    def _flush_denials(self, denials: list[_Denial]) -> None:
        if not denials:
            return
        from core.trail import chain

        for denial in denials:
            changes: dict[str, Any] = dict(denial.details or {})
            if denial.provenance:
                changes["_provenance"] = dict(denial.provenance)
            draft = AuditDraft(
                denial.action_id,
                denial.entity,
                denial.record_id,
                changes,
                outcome="denied",
                error_code=denial.error_code,
            )
            try:
                with self.uow.begin(write=True) as conn:
                    entry = chain.new_entry(
                        denial.caller, draft, self.clock(), _elapsed_us(denial.started)
                    )
                    appended = chain.append(conn, entry)
                if appended.seq is None and self.sealer is not None:
                    self.sealer.committed(denial.caller.tenant_id, 1)
            except Exception as exc:
                log.error(
                    "could not audit a denied attempt on %s: %s", denial.action_id, _name(exc)
                )

    def _after_commit(self, run: _Run) -> None:
        """Seal, deliver, notify. The action has committed: nothing here may raise into its
        caller, and events a failure leaves undelivered stay for the next sweep."""
        try:
            if run.pending and self.sealer is not None:
                for tenant_id, entries in run.pending.items():
                    self.sealer.committed(tenant_id, entries)
            self._deliver(run.events)
        except Exception as exc:
            log.error("after commit: %s; events stay pending for the next sweep", _name(exc))
        self.notifier.publish(run.changes)

    def _sweep_once(self) -> None:
        """A process's first write first chains what a dead writer left pending."""
        if not self._audit_swept:
            self._audit_swept = True
            self.seal_pending(wait=False)

    def seal_pending(self, *, wait: bool = True) -> int:
        """Chain what any writer left pending (one that died between commit and seal)."""
        if self.uow.is_sqlite:
            return 0  # every SQLite entry is chained as it is written
        if self._sealer is not None:
            self._sealer.flush()
        from core.trail import seal

        try:
            return seal.sweep(self.engine, wait=wait)
        except Exception as exc:  # the class only: a driver message can quote SQL and values
            log.warning("could not seal pending audit entries: %s", _name(exc))
            return 0

    def _deliver(self, events: list[DomainEvent]) -> None:
        """After commit: this run's events, and once per process whatever a crash left.

        Events only background subscribers want go straight to their worker: the action's
        thread does not even read them back.
        """
        inline = self._inline_events
        ids = [e.id for e in events if e.name in inline]
        later = [e.id for e in events if e.name not in inline]
        if not self._swept and self.registry.subscribers:
            self._swept = True
            pending = self.dispatcher.pending()
            seen = set(pending)
            ids = pending + [i for i in ids if i not in seen]
            later = [i for i in later if i not in seen]
        if ids:
            self.dispatcher.deliver(ids)
        for event_id in later:
            self.dispatcher.queue(event_id)

    def deliver_pending(self) -> int:
        self._swept = True
        return self.dispatcher.deliver_pending()

    def _present(self, spec: ActionSpec, result: Any, caller: Caller) -> Any:
        """Mask what the caller may not read; custom actions' reads were masked at the source."""
        if spec.entity is None:
            return result
        hidden = hidden_fields(spec.entity, caller)
        if not hidden:
            return result
        if isinstance(result, dict) and "items" in result:
            return {**result, "items": [mask(r, hidden) for r in result["items"]]}
        return mask(result, hidden) if isinstance(result, dict) else result

    def _translate(self, exc: Exception) -> MetaSaasError:
        """A driver or programming error as `internal`; logged by class and reference only
        (a driver message can quote SQL and the values bound to it)."""
        reference = uuid.uuid4().hex[:12]
        dbapi = self.engine.dialect.loaded_dbapi
        unavailable = (
            sa.exc.OperationalError,
            sa.exc.InterfaceError,
            dbapi.OperationalError,
            dbapi.InterfaceError,
        )
        if isinstance(exc, unavailable):
            log.error("database unavailable (reference %s): %s", reference, _name(exc))
            return InternalError(
                f"the database is unavailable or busy; nothing was saved (reference {reference})",
                {"reference": reference},
            )
        log.error("internal error (reference %s): %s at %s", reference, _name(exc), _where(exc))
        return InternalError(
            f"internal error; nothing was saved (reference {reference})", {"reference": reference}
        )


def _record_id(payload: Any) -> str | None:
    if isinstance(payload, Mapping):
        value = payload.get("id")
        if isinstance(value, str | uuid.UUID):
            return str(value)[:36]
    return None


def _elapsed_us(started: float) -> int:
    return int((time.perf_counter() - started) * 1_000_000)


def _name(exc: BaseException) -> str:
    return type(exc).__name__


def _where(exc: BaseException) -> str:
    """The frames an error passed through, without its message (which may carry values)."""
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    return " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in frames[::-1])
