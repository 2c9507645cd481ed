"""Local authentication: accounts and sessions in the database, sign-in on the bus.

Before asking the bus, a sign-in counts the email's recent failures and, past five in
fifteen minutes, waits (1 s, doubling to 30 s): guessing is slowed while the owner is
never locked out. The clock and the sleep are injected so tests neither wait nor race.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import sqlalchemy as sa

from core.auth import accounts, passwords, sessions
from core.auth.provider import Dispatch, Identity, SignedInToken, label_of
from core.contracts import Caller, CallerType
from core.errors import Unauthenticated
from core.identifiers import TENANT_ID
from core.settings import AuthSettings

WRONG = "the email or the password is wrong, or the account is disabled"


class LocalAuth:
    name = "local"
    needs_sign_in = True

    def __init__(
        self,
        settings: AuthSettings,
        engine: sa.Engine,
        begin: sessions.Begin,
        dispatch: Dispatch,
        clock: Callable[[], dt.datetime],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.engine = engine
        self.begin = begin
        self.dispatch = dispatch
        self.clock = clock
        self.sleep = sleep
        self.limits = sessions.Limits(
            dt.timedelta(minutes=settings.idle_minutes), dt.timedelta(hours=settings.absolute_hours)
        )

    def identify(
        self, token: str | None, tenant: str | None, caller_type: CallerType = CallerType.HUMAN
    ) -> Identity:
        if not token:
            raise sessions.not_signed_in()
        found = sessions.resolve(self.begin, token, self.clock(), self.limits)
        if tenant is not None and tenant != found.tenant_id:
            raise sessions.not_signed_in("not signed in to that tenant")
        caller = Caller(found.email, found.tenant_id, found.roles, caller_type)
        return Identity(caller, self.name, label_of(found.email, found.roles, found.tenant_id))

    def sign_in(self, email: str, password: str, tenant: str) -> SignedInToken:
        if not TENANT_ID.match(tenant) or not email.strip():
            passwords.verify(None, password)  # the same time as any other wrong answer
            raise Unauthenticated(WRONG, {"hint": "metasaas login"})
        with self.engine.connect() as conn:
            failures = accounts.recent_failures(conn, tenant, email, self.clock())
        delay = accounts.backoff_seconds(failures)
        if delay:
            self.sleep(delay)
        # the platform signs in on the person's behalf; the audit entry names who tried
        actor = accounts.email_key(email)[:128]
        system = Caller(actor, tenant, frozenset(), CallerType.SYSTEM)
        result = self.dispatch("auth.sign_in", {"email": email, "password": password}, system)
        if not result.get("ok"):
            raise Unauthenticated(WRONG, {"hint": "metasaas login"})
        roles = frozenset(result["roles"])
        caller = Caller(result["email"], tenant, roles, CallerType.HUMAN)
        identity = Identity(caller, self.name, label_of(result["email"], roles, tenant))
        return SignedInToken(result["token"], identity)

    def sign_out(self, identity: Identity) -> None:
        self.dispatch("auth.sign_out", {}, identity.caller)
