"""The action bus: the one way anything is read or changed, from any surface.

dispatch = resolve -> validate -> permission (default deny) -> [transaction: workflow ->
hooks -> execute -> outbox event -> audit entry] -> commit -> seal pending audit entries ->
deliver events. The audit entry comes last: on SQLite it moves the tenant's chain head,
which the writer lock keeps until commit. Denied attempts are audited too, in their own
transaction once the action's has ended.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from core.actions.handlers import HANDLERS, Context, custom
from core.contracts import Caller, CallerType, DomainEvent
from core.db.uow import UnitOfWork
from core.errors import Conflict, Forbidden, InternalError, MetaSaasError
from core.jsonable import REDACTED
from core.model.inputs import validate
from core.model.permissions import Decision, decide
from core.model.registry import ActionSpec, Registry
from core.trail.draft import AuditDraft

if TYPE_CHECKING:
    from core.trail.outbox import Dispatcher
    from core.trail.seal import Sealer

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class _Denial:
    caller: Caller
    spec: ActionSpec
    record_id: str | None
    started: float


@dataclass
class _Run:
    """What one dispatch (or one atomic batch) collects until its transaction ends."""

    caller: Caller
    events: list[DomainEvent] = field(default_factory=list)
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
            planned = self.bus._plan(self.run, action_id, payload)
            return self.bus._execute(self.conn, self.run, planned)
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


class Bus:
    def __init__(self, registry: Registry, engine: sa.Engine, *, clock: Clock = utcnow) -> None:
        self.registry = registry
        self.engine = engine
        self.uow = UnitOfWork(engine)
        self.clock = clock
        self._swept = False
        self._audit_swept = False
        self._sealer: Sealer | None = None
        self._guard = threading.Lock()
        self._dispatcher: Dispatcher | None = None

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
        """Seal what this process left pending, then let go of the connections."""
        if self._sealer is not None:
            self._sealer.close()
        self.uow.close()

    def dispatch(self, action_id: str, payload: Mapping[str, Any] | None, caller: Caller) -> Any:
        """Run one action in its own transaction; raise a `MetaSaasError` on any failure."""
        run = _Run(caller)
        try:
            planned = self._plan(run, action_id, payload)
            if planned.spec.mutates:
                self._sweep_once()
            with self.uow.begin(write=planned.spec.mutates) as conn:
                result = self._execute(conn, run, planned)
        except MetaSaasError:
            raise
        except Exception as exc:
            raise self._translate(exc) from None
        finally:
            self._flush_denials(run.denials)
        if planned.spec.mutates:  # reads never deliver: they must not load or write the outbox
            self._after_commit(run)
        return result

    @contextmanager
    def atomic(self, caller: Caller) -> Iterator[Batch]:
        """Dispatch several actions in one transaction; any error rolls back all of them."""
        run = _Run(caller)
        self._sweep_once()
        try:
            with self.uow.begin(write=True) as conn:
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

    def _plan(self, run: _Run, action_id: str, payload: Mapping[str, Any] | None) -> _Planned:
        """Resolve, validate and check permission: everything decided before the transaction."""
        started = time.perf_counter()
        spec = self.registry.action(action_id)
        data = validate(self.registry.input_model(spec), payload or {})
        decision = decide(spec.entity, spec.permission_verb, run.caller)
        if decision is Decision.DENY:
            run.denials.append(_Denial(run.caller, spec, _record_id(payload), started))
            raise Forbidden(
                f"{run.caller.caller_type.value} {run.caller.user_id!r} may not run {spec.id}",
                {"action": spec.id},
            )
        return _Planned(spec, data, decision, payload, started)

    def _execute(self, conn: sa.Connection, run: _Run, planned: _Planned) -> Any:
        spec, caller = planned.spec, run.caller
        ctx = Context(conn, self.registry, caller, spec, planned.decision, self.clock())
        handler = custom if spec.custom is not None else HANDLERS[spec.verb]
        try:
            result = handler(ctx, planned.data)
        except Forbidden:
            run.denials.append(_Denial(caller, spec, _record_id(planned.payload), planned.started))
            raise
        except sa.exc.IntegrityError:
            raise Conflict(
                "the change conflicts with existing data (a unique value or a "
                "reference); nothing was saved",
                {"reason": "integrity"},
            ) from None
        # Events and the audit entry go last: on SQLite the entry moves the chain head.
        if ctx.events or ctx.audit is not None:
            from core.trail import chain as audit
            from core.trail import outbox
            from core.trail import writer as trail

            subscribed = set(self.registry.subscribers)
            entry = None
            if ctx.audit is not None:
                entry = audit.new_entry(caller, ctx.audit, ctx.now, _elapsed_us(planned.started))
            appended = trail.write(conn, outbox.rows(ctx.events, subscribed), entry)
            run.events.extend(e for e in ctx.events if e.name in subscribed)
            if appended is not None and appended.seq is None:
                run.pending[caller.tenant_id] = run.pending.get(caller.tenant_id, 0) + 1
        return self._present(spec, result, caller)

    def _flush_denials(self, denials: list[_Denial]) -> None:
        if not denials:
            return
        from core.trail import chain as audit

        for denial in denials:
            draft = AuditDraft(
                denial.spec.id,
                denial.spec.entity.name,
                denial.record_id,
                outcome="denied",
                error_code=Forbidden.code,
            )
            try:
                with self.uow.begin(write=True) as conn:
                    entry = audit.new_entry(
                        denial.caller, draft, self.clock(), _elapsed_us(denial.started)
                    )
                    appended = audit.append(conn, entry)
                if appended.seq is None and self.sealer is not None:
                    self.sealer.committed(denial.caller.tenant_id, 1)
            except Exception:
                log.exception("could not audit a denied attempt on %s", denial.spec.id)

    def _after_commit(self, run: _Run) -> None:
        """Hand pending audit entries to the sealer, then deliver the events."""
        if run.pending and self.sealer is not None:
            for tenant_id, entries in run.pending.items():
                self.sealer.committed(tenant_id, entries)
        self._deliver(run.events)

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
        from core.trail import seal as audit_seal

        try:
            return audit_seal.sweep(self.engine, wait=wait)
        except Exception as exc:  # the class only: a driver message can quote SQL and values
            log.warning("could not seal pending audit entries: %s", type(exc))
            return 0

    def _deliver(self, events: list[DomainEvent]) -> None:
        """After commit: this run's events, and once per process whatever a crash left."""
        ids = [e.id for e in events]
        if not self._swept and self.registry.subscribers:
            self._swept = True
            pending = self.dispatcher.pending()
            seen = set(pending)
            ids = pending + [i for i in ids if i not in seen]
        if ids:
            self.dispatcher.deliver(ids)

    def deliver_pending(self) -> int:
        self._swept = True
        return self.dispatcher.deliver_pending()

    def _present(self, spec: ActionSpec, result: Any, caller: Caller) -> Any:
        """Hide sensitive values from AI agents; people and scripts see what they may read."""
        hidden = spec.entity.sensitive_fields
        if caller.caller_type is not CallerType.AI_AGENT or not hidden:
            return result
        if isinstance(result, dict) and "items" in result:
            return {**result, "items": [_mask(r, hidden) for r in result["items"]]}
        return _mask(result, hidden) if isinstance(result, dict) else result

    def _translate(self, exc: Exception) -> MetaSaasError:
        reference = uuid.uuid4().hex[:12]
        dbapi = self.engine.dialect.loaded_dbapi
        unavailable = (
            sa.exc.OperationalError,
            sa.exc.InterfaceError,
            dbapi.OperationalError,
            dbapi.InterfaceError,
        )
        if isinstance(exc, unavailable):
            log.error("database unavailable (reference %s): %s", reference, type(exc).__name__)
            return InternalError(
                f"the database is unavailable or busy; nothing was saved (reference {reference})",
                {"reference": reference},
            )
        log.exception("internal error (reference %s)", reference)
        return InternalError(
            f"internal error; nothing was saved (reference {reference})", {"reference": reference}
        )


def _mask(record: dict[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    return {k: (REDACTED if k in hidden and v is not None else v) for k, v in record.items()}


def _record_id(payload: Any) -> str | None:
    if isinstance(payload, Mapping):
        value = payload.get("id")
        if isinstance(value, str | uuid.UUID):
            return str(value)[:36]
    return None


def _elapsed_us(started: float) -> int:
    return int((time.perf_counter() - started) * 1_000_000)
