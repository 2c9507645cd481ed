"""OIDC authentication: JWTs issued by an identity provider (Keycloak, Supabase, Auth0).

The token is verified with PyJWT: signature, `exp`, `nbf`, `iss` and `aud`, against an
allow-list of algorithms that never holds `none`. Each algorithm family takes only its
own kind of key: an HMAC token is checked with the configured HS256 secret and never
with an RSA or EC public key, so a token "signed" with the public key is refused.
Configured claims give the user, the tenant and the roles.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

import jwt

from core.auth.provider import Identity, SignedInToken, label_of
from core.auth.sessions import not_signed_in
from core.contracts import Caller, CallerType
from core.errors import Unauthenticated
from core.identifiers import TENANT_ID
from core.settings import AuthSettings

HMAC = frozenset({"HS256", "HS384", "HS512"})
ASYMMETRIC = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
LEEWAY_SECONDS = 30


def refused(reason: str) -> Unauthenticated:
    return not_signed_in(f"the token is not accepted ({reason})")


class OidcAuth:
    name = "oidc"
    needs_sign_in = True

    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        allowed = {a for a in settings.algorithms if a in HMAC | ASYMMETRIC}
        self.algorithms = frozenset(allowed)

    @cached_property
    def _jwks(self) -> jwt.PyJWKSet | None:
        if self.settings.jwks_file:
            data = json.loads(Path(self.settings.jwks_file).read_text(encoding="utf-8"))
            return jwt.PyJWKSet.from_dict(data)
        return None

    @cached_property
    def _client(self) -> jwt.PyJWKClient | None:
        url = self.settings.jwks_url
        return jwt.PyJWKClient(url, cache_keys=True, timeout=5) if url else None

    def _key(self, token: str, alg: str) -> Any:
        if alg in HMAC:
            secret = self.settings.hs256_secret
            if secret is None or alg != "HS256":
                raise refused("HMAC tokens need the configured HS256 secret")
            return secret.get_secret_value()
        header = jwt.get_unverified_header(token)
        if self._jwks is not None:
            keys = [k for k in self._jwks.keys if header.get("kid") in (None, k.key_id)]
            if not keys:
                raise refused("no key with that id")
            key = keys[0]
        elif self._client is not None:
            key = self._client.get_signing_key_from_jwt(token)
        else:
            raise refused("no JWKS is configured")
        if key.algorithm_name and key.algorithm_name != alg:
            raise refused("the key is for another algorithm")
        return key.key

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims of `token`, or `Unauthenticated` saying broadly why not."""
        s = self.settings
        try:
            alg = str(jwt.get_unverified_header(token).get("alg", ""))
            if alg not in self.algorithms:
                raise refused("algorithm not allowed")
            return dict(
                jwt.decode(
                    token,
                    self._key(token, alg),
                    algorithms=[alg],
                    audience=s.audience,
                    issuer=s.issuer,
                    leeway=LEEWAY_SECONDS,
                    options={"require": ["exp"], "verify_aud": s.audience is not None},
                )
            )
        except jwt.ExpiredSignatureError:
            raise refused("expired") from None
        except jwt.ImmatureSignatureError:
            raise refused("not valid yet") from None
        except jwt.InvalidIssuerError:
            raise refused("wrong issuer") from None
        except jwt.InvalidAudienceError:
            raise refused("wrong audience") from None
        except jwt.InvalidSignatureError:
            raise refused("bad signature") from None
        except (jwt.PyJWTError, ValueError, KeyError, OSError):
            raise refused("malformed or unverifiable") from None

    def identify(
        self, token: str | None, tenant: str | None, caller_type: CallerType = CallerType.HUMAN
    ) -> Identity:
        if not token:
            raise not_signed_in()
        claims = self.claims(token)
        s = self.settings
        user, home = claims.get(s.user_claim), claims.get(s.tenant_claim)
        roles = claims.get(s.roles_claim) or []
        if not isinstance(user, str) or not user or len(user) > 128:
            raise refused(f"no usable {s.user_claim!r} claim")
        if not isinstance(home, str) or not TENANT_ID.match(home):
            raise refused(f"no usable {s.tenant_claim!r} claim")
        if isinstance(roles, str):
            roles = roles.split()
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise refused(f"the {s.roles_claim!r} claim is not a list of names")
        if tenant is not None and tenant != home:
            raise not_signed_in("not signed in to that tenant")
        caller = Caller(user, home, frozenset(roles), caller_type)
        return Identity(caller, self.name, label_of(user, caller.roles, home))

    def sign_in(self, email: str, password: str, tenant: str) -> SignedInToken:
        raise Unauthenticated(
            "with OIDC you sign in at your identity provider: pass its token as METASAAS_TOKEN "
            "or with `metasaas login --token-stdin`"
        )

    def sign_out(self, identity: Identity) -> None:
        return None
