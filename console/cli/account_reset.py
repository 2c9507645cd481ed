"""Redeeming a reset token: the platform finds the token's tenant and runs `password.reset`
there, so the person resetting needs no session (they have forgotten their password)."""

from __future__ import annotations

from typing import Any

from console.cli.state import CliState


def redeem(state: CliState, token: str, password: str) -> Any:
    from core.auth.reset import tenant_of_token
    from core.contracts import Caller, CallerType

    app = state.app
    tenant = tenant_of_token(app.engine, token) or app.settings.tenant
    system = Caller("auth", tenant, frozenset(), CallerType.SYSTEM)
    return app.bus.dispatch("password.reset", {"token": token, "password": password}, system)
