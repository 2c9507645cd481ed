"""`auth.sign_in`, `auth.sign_out` and `password.reset`: sessions opened and ended on the bus.

Signing in is run by the platform (a system caller in the tenant asked for) so that every
attempt, failed ones included, leaves an audit entry. A failure commits its failure row
and audit entry and answers `ok: false`; the auth provider turns that into the one
`unauthenticated` error, the same for an unknown email and a wrong password. Neither the
password, its hash nor a token ever reaches an audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, StringConstraints

from core.model.inputs import STRICT
from core.model.platform import PlatformAction, people, system_only

BAD_TOKEN = "the reset token is not valid: it is unknown, used or expired"


def _handler(name: str) -> Callable[[Any, Any], Any]:
    def run(ctx: Any, data: Any) -> Any:
        from core.actions.platform import session_handlers

        return getattr(session_handlers, name)(ctx, data)

    run.__name__ = name
    return run


EMAIL = Annotated[str, StringConstraints(min_length=1, max_length=254)]
SECRET = Annotated[str, StringConstraints(max_length=4096)]


class SignIn(BaseModel):
    model_config = STRICT
    email: EMAIL
    password: SECRET


class SignOut(BaseModel):
    model_config = STRICT


class RedeemReset(BaseModel):
    model_config = STRICT
    token: SECRET
    password: SECRET


SIGN_IN_ACTIONS = (
    PlatformAction(
        "auth.sign_in",
        "Check an email and password and open a session (run by the platform).",
        SignIn,
        _handler("sign_in"),
        system_only("sign_in"),
        mutates=True,
    ),
    PlatformAction(
        "auth.sign_out",
        "End every session of the signed-in user.",
        SignOut,
        _handler("sign_out"),
        people("sign_out"),
        mutates=True,
    ),
    PlatformAction(
        "password.reset",
        "Set a new password with a single-use reset token; ends every session.",
        RedeemReset,
        _handler("redeem_reset"),
        system_only("reset"),
        mutates=True,
    ),
)
