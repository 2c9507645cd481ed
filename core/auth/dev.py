"""Development authentication: no sign-in, the configured admin. Never on PostgreSQL unless
`METASAAS_ALLOW_DEV_AUTH=1`: a shared database must not trust whoever runs the command."""

from __future__ import annotations

from core.auth.provider import Identity, SignedInToken
from core.contracts import Caller, CallerType
from core.errors import Unauthenticated
from core.settings import Settings, SettingsError

DEV_LABEL = "DEV MODE"


def check_dev_allowed(settings: Settings, dialect: str) -> None:
    if dialect != "sqlite" and not settings.allow_dev_auth:
        raise SettingsError(
            "development authentication (auth.provider=dev) is refused on "
            f"{dialect}: set METASAAS_AUTH=local or oidc, or METASAAS_ALLOW_DEV_AUTH=1 "
            "for a development database"
        )


class DevAuth:
    name = "dev"
    needs_sign_in = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def identify(
        self, token: str | None, tenant: str | None, caller_type: CallerType = CallerType.HUMAN
    ) -> Identity:
        s = self.settings
        caller = Caller(s.user, tenant or s.tenant, frozenset(s.roles), caller_type)
        return Identity(caller, self.name, f"{DEV_LABEL}: {s.user} @ {caller.tenant_id}")

    def sign_in(self, email: str, password: str, tenant: str) -> SignedInToken:
        raise Unauthenticated(
            "development authentication has no sign-in: set METASAAS_AUTH=local to use accounts"
        )

    def sign_out(self, identity: Identity) -> None:
        return None
