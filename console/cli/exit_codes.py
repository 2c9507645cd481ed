"""Documented exit codes: one per error code, so scripts can branch without parsing text."""

from __future__ import annotations

from enum import IntEnum

from core.errors import MetaSaasError


class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1
    USAGE = 2
    INVALID_INPUT = 3
    UNAUTHENTICATED = 4
    FORBIDDEN = 5
    NOT_FOUND = 6
    CONFLICT = 7
    RATE_LIMITED = 8
    AI_UNAVAILABLE = 9


_BY_CODE = {
    "internal": ExitCode.INTERNAL,
    "invalid_input": ExitCode.INVALID_INPUT,
    "unauthenticated": ExitCode.UNAUTHENTICATED,
    "forbidden": ExitCode.FORBIDDEN,
    "not_found": ExitCode.NOT_FOUND,
    "conflict": ExitCode.CONFLICT,
    "rate_limited": ExitCode.RATE_LIMITED,
    "ai_unavailable": ExitCode.AI_UNAVAILABLE,
}


def exit_code_for(error: MetaSaasError) -> ExitCode:
    return _BY_CODE.get(error.code, ExitCode.INTERNAL)


HELP_TEXT = (
    "Exit codes: 0 ok; 1 internal; 2 usage; 3 invalid_input; 4 unauthenticated; "
    "5 forbidden; 6 not_found; 7 conflict; 8 rate_limited; 9 ai_unavailable."
)
