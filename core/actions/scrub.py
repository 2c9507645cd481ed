"""Errors as those who may not read a sensitive value must see them: with the value masked.

A hook or a workflow check may word its refusal with a value it read ("born 1980-01-02
cannot..."); for a caller who sees that field masked, the message and details are
rewritten with every sensitive value the action read replaced by the mask.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.errors import MetaSaasError
from core.jsonable import REDACTED

SHORTEST = 3  # shorter values would mask ordinary words along with them


def _ordered(secrets: Iterable[str]) -> list[str]:
    """Longest first, so a value containing another is masked whole."""
    return sorted({s for s in secrets if len(s) >= SHORTEST}, key=len, reverse=True)


def scrubbed(error: MetaSaasError, secrets: Iterable[str]) -> MetaSaasError:
    values = _ordered(secrets)
    if not values:
        return error
    message = _scrub(error.message, values)
    details = _scrub(error.details, values)
    if message == error.message and details == error.details:
        return error
    return type(error)(message, details)


def scrub_values(value: Any, secrets: Iterable[str]) -> Any:
    """`value` (text, or JSON-like data at any depth) with every secret masked."""
    return _scrub(value, _ordered(secrets))


def _scrub(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {k: _scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v, secrets) for v in value]
    return value
