"""Rate strings from the settings ("60/minute", several joined by ";") as `limits` items."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from limits import RateLimitItem

OFF = "none"
"""The value that turns one limit off (a load test, a trusted batch host)."""


def parse_rates(text: str) -> tuple[RateLimitItem, ...]:
    """`"10/minute;200/day"` -> two items; raise ValueError naming the problem."""
    if text.strip().lower() == OFF:
        return ()
    from limits import parse_many  # imported on first use: it costs a CLI call ~0.1 s

    try:
        items = tuple(parse_many(text))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a rate: write e.g. 60/minute, several joined by ';', or {OFF}"
        ) from None
    if not items or any(i.amount < 1 for i in items):
        raise ValueError(f"{text!r}: every rate must allow at least 1")
    return items


@dataclass
class Rates:
    """The three settings, parsed when a limit is first checked."""

    caller_text: str
    tenant_text: str
    ai_text: str
    _parsed: dict[str, tuple[RateLimitItem, ...]] = field(default_factory=dict, repr=False)

    def _get(self, name: str, text: str) -> tuple[RateLimitItem, ...]:
        if name not in self._parsed:
            self._parsed[name] = parse_rates(text)
        return self._parsed[name]

    @property
    def caller(self) -> tuple[RateLimitItem, ...]:
        return self._get("caller", self.caller_text)

    @property
    def tenant(self) -> tuple[RateLimitItem, ...]:
        return self._get("tenant", self.tenant_text)

    @property
    def ai(self) -> tuple[RateLimitItem, ...]:
        return self._get("ai", self.ai_text)
