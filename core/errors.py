"""One error hierarchy with stable codes, translated only at the edges.

Surfaces map `code` to an exit status, a notification or a JSON error object; the
message is written for the person at the keyboard and never carries a stack trace,
SQL text or a secret.
"""

from __future__ import annotations

from typing import Any, ClassVar


class MetaSaasError(Exception):
    """Base of every error a caller may see."""

    code: ClassVar[str] = "internal"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class InvalidInput(MetaSaasError):
    code = "invalid_input"


class Unauthenticated(MetaSaasError):
    code = "unauthenticated"


class Forbidden(MetaSaasError):
    code = "forbidden"


class NotFound(MetaSaasError):
    code = "not_found"


class Conflict(MetaSaasError):
    code = "conflict"


class RateLimited(MetaSaasError):
    code = "rate_limited"


class AIUnavailable(MetaSaasError):
    code = "ai_unavailable"


class InternalError(MetaSaasError):
    code = "internal"


class DefinitionError(ValueError):
    """A declaration in `entities/` is wrong; raised at start-up, never at request time."""


ERROR_CODES: tuple[str, ...] = (
    "invalid_input",
    "unauthenticated",
    "forbidden",
    "not_found",
    "conflict",
    "rate_limited",
    "ai_unavailable",
    "internal",
)
