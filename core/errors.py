"""One error hierarchy with stable codes, translated only at the edges.

Surfaces map `code` to an exit status, a notification or a JSON error object; the
message is written for the person at the keyboard and never carries a stack trace,
SQL text or a secret.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self


class MetaSaasError(Exception):
    """Base of every error a caller may see."""

    code: ClassVar[str] = "internal"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


def field_error(field: str | None, code: str, message: str) -> dict[str, Any]:
    """One entry of `details["errors"]`: the shape every form and script reads."""
    return {"field": field, "code": code, "message": message}


class FieldErrors(MetaSaasError):
    """Errors that can name the fields at fault: `details["errors"]` is always a list.

    Raised with `details={"field": ..., "reason": ...}` it gets a one-entry list, so every
    raise site, old or new, answers in the shape a form needs to put each message next to
    its field; raised with a list of several, one answer names every problem at once.
    """

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, details)
        if "errors" not in self.details:
            field = self.details.get("field")
            reason = self.details.get("reason", self.code)
            self.details["errors"] = [
                field_error(field if isinstance(field, str) else None, str(reason), str(self))
            ]

    @classmethod
    def of(cls, errors: list[dict[str, Any]], **details: Any) -> Self:
        """Every problem in one error; the message lists the first few."""
        summary = "; ".join(
            f"{e['field']}: {e['message']}" if e["field"] else str(e["message"]) for e in errors[:5]
        )
        if len(errors) > 5:
            summary += f"; and {len(errors) - 5} more"
        first = errors[0]["field"] if len(errors) == 1 else None
        extra = {"field": first} if first else {}
        return cls(summary, {**extra, **details, "errors": errors})


class InvalidInput(FieldErrors):
    code = "invalid_input"


class Unauthenticated(MetaSaasError):
    code = "unauthenticated"


class Forbidden(MetaSaasError):
    code = "forbidden"


class NotFound(MetaSaasError):
    code = "not_found"


class Conflict(FieldErrors):
    """Workflow, unique value, reference or stale version; field-level ones name the field."""

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
