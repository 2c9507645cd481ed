"""Rate limits as bus middleware: counted before validation and any database work.

Only a top-level dispatch counts. Batch lines and nested actions run inside a transaction
that has already been counted (`Bus.atomic`, `Bus.counted_once`); `validate` writes
nothing and is how forms check input as it is typed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from core.actions.bus import Next, Request
from core.contracts import Caller
from core.limits.limiter import Limiter


class RateLimitMiddleware:
    def __init__(self, limiter: Limiter) -> None:
        self.limiter = limiter

    def __call__(self, request: Request, call_next: Next) -> Any:
        if request.mode == "dispatch":
            self.limiter.check(request.caller, request.spec.id)
        return call_next(request)

    @contextmanager
    def batch(self, caller: Caller) -> Iterator[None]:
        with self.limiter.batch(caller):
            yield
