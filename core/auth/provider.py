"""The `AuthProvider` interface: who the caller of a surface is, from a token or none.

A surface (CLI, TUI) holds at most a token; the provider turns it into a `Caller` or
raises `Unauthenticated`, whose message names `metasaas login`. Providers never guess a
tenant: a session or a token belongs to one, and a surface naming another is refused
with the same answer whether that tenant exists or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from core.contracts import Caller, CallerType


@dataclass(frozen=True)
class Identity:
    """A resolved caller and how a surface should show it (`DEV MODE` for development)."""

    caller: Caller
    provider: str
    label: str

    @property
    def dev(self) -> bool:
        return self.provider == "dev"


@dataclass(frozen=True)
class SignedInToken:
    """What signing in hands back: the token to keep (secret) and who it stands for."""

    token: str
    identity: Identity


class Dispatch(Protocol):
    """The bus's `dispatch`, as a provider that signs in through it needs it."""

    def __call__(self, action_id: str, payload: dict[str, Any], caller: Caller) -> Any: ...


class AuthProvider(Protocol):
    name: str
    needs_sign_in: bool
    """False for `dev`: surfaces skip the sign-in screen and the token lookup."""

    def identify(
        self, token: str | None, tenant: str | None, caller_type: CallerType = CallerType.HUMAN
    ) -> Identity:
        """The caller `token` stands for, in `tenant` if one was asked for."""
        ...

    def sign_in(self, email: str, password: str, tenant: str) -> SignedInToken:
        """Open a session; `Unauthenticated` alike for every wrong email or password."""
        ...

    def sign_out(self, identity: Identity) -> None: ...


def label_of(user: str, roles: frozenset[str], tenant: str) -> str:
    return f"{user} @ {tenant} ({', '.join(sorted(roles)) or 'no roles'})"
