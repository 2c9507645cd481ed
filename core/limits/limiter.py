"""Who may act how often: fixed windows per caller, per tenant and per caller for AI.

A hit is counted before any database work of the action, in a store every process shares.
Over a limit the caller gets `rate_limited` with `retry_after` seconds; the first refusal
of a window leaves one audit entry (every refusal would let a flood fill the audit log).
The system caller is never limited, and a batch (`with limiter.batch(caller):`) counts
once on entry, however many rows it then dispatches on this thread.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from core.contracts import Caller, CallerType
from core.errors import RateLimited
from core.limits.counters import Counters, Hit
from core.limits.rates import Rates

if TYPE_CHECKING:
    from limits import RateLimitItem

Clock = Callable[[], dt.datetime]
OnRefused = Callable[[Caller, str, RateLimited], None]
AI_ACTION = "ai.command"


class Limiter:
    def __init__(
        self,
        counters: Counters,
        rates: Rates,
        clock: Clock,
        on_refused: OnRefused | None = None,
    ) -> None:
        self.counters = counters
        self.rates = rates
        self.clock = clock
        self.on_refused = on_refused
        self._local = threading.local()

    def check(self, caller: Caller, action_id: str) -> None:
        """Count one action of `caller`; raise `RateLimited` when a limit is crossed."""
        if self.exempt(caller):
            return
        self._count(
            caller,
            action_id,
            [
                ("caller", _caller_key(caller), self.rates.caller),
                ("tenant", f"tenant:{caller.tenant_id}", self.rates.tenant),
            ],
        )

    def check_ai(self, caller: Caller) -> None:
        """Count one AI command (one request that goes to a model); the AI layer calls it."""
        if caller.caller_type is CallerType.SYSTEM:
            return
        key = f"ai:{caller.tenant_id}:{caller.user_id}"
        self._count(caller, AI_ACTION, [("ai", key, self.rates.ai)])

    @contextmanager
    def batch(self, caller: Caller, action_id: str = "batch") -> Iterator[None]:
        """Count once now; the caller's dispatches on this thread inside are not counted."""
        self.check(caller, action_id)
        inside: list[Caller] = self._inside()
        inside.append(caller)
        try:
            yield
        finally:
            inside.remove(caller)

    def exempt(self, caller: Caller) -> bool:
        return caller.caller_type is CallerType.SYSTEM or caller in self._inside()

    def _inside(self) -> list[Caller]:
        inside: list[Caller] | None = getattr(self._local, "inside", None)
        if inside is None:
            inside = self._local.inside = []
        return inside

    def _count(
        self,
        caller: Caller,
        action_id: str,
        scopes: list[tuple[str, str, tuple[RateLimitItem, ...]]],
    ) -> None:
        """Every window of every scope counts this attempt, in one round trip; a refused
        attempt counts too (it was made). The first window over its limit answers."""
        now = self.clock()
        seconds = now.timestamp()
        checked: list[tuple[str, RateLimitItem]] = []
        hits: list[Hit] = []
        for scope, key, items in scopes:
            for item in items:
                expiry = item.get_expiry()
                name = f"{key}:{item.amount}/{item.multiples}/{item.GRANULARITY.name}"
                hits.append((name, int(seconds // expiry) * expiry, expiry))
                checked.append((scope, item))
        if not hits:
            return
        counts = self.counters.hit(hits, now)
        over = [
            (scope, item, count, start)
            for (scope, item), (count, start) in zip(checked, counts, strict=True)
            if count > item.amount
        ]
        if not over:
            return
        scope, item, _, start = over[0]
        retry_after = max(1, math.ceil(start + item.get_expiry() - seconds))
        error = RateLimited(
            f"too many {_what(scope)}: at most {item.amount} per "
            f"{_per(item)}; try again in {retry_after} s",
            {"scope": scope, "limit": str(item), "retry_after": retry_after},
        )
        crossed_now = any(count == item.amount + 1 for _, item, count, _ in over)
        if crossed_now and self.on_refused is not None:
            self.on_refused(caller, action_id, error)
        raise error


def _caller_key(caller: Caller) -> str:
    return f"caller:{caller.tenant_id}:{caller.user_id}"


def _what(scope: str) -> str:
    return {
        "caller": "actions from you",
        "tenant": "actions in this tenant",
        "ai": "AI commands from you",
    }[scope]


def _per(item: RateLimitItem) -> str:
    unit = item.GRANULARITY.name
    return unit if item.multiples == 1 else f"{item.multiples} {unit}s"
