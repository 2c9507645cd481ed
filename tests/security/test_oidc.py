"""OIDC tokens: only a correctly signed, current token from the configured issuer for the
configured audience, in an allowed algorithm, is a caller."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from core.auth.oidc import OidcAuth
from core.errors import Unauthenticated
from core.settings import AuthSettings

ISSUER, AUDIENCE = "https://id.example.com/realms/acme", "metasaas"
SECRET = "an hs256 secret of at least thirty-two bytes!"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def provider(rsa_key: rsa.RSAPrivateKey, tmp_path: Path) -> OidcAuth:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}))
    settings = AuthSettings(
        provider="oidc",
        jwks_file=str(jwks),
        issuer=ISSUER,
        audience=AUDIENCE,
        algorithms=["RS256", "HS256"],
        hs256_secret=SECRET,  # type: ignore[arg-type]
    )
    return OidcAuth(settings)


def claims(**over: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "sub": "kim@example.com",
        "tenant": "acme",
        "roles": ["operator"],
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now - 5,
        "exp": now + 300,
    }
    return {**base, **over}


def signed(key: rsa.RSAPrivateKey, **over: Any) -> str:
    return jwt.encode(claims(**over), key, algorithm="RS256", headers={"kid": "k1"})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: dict[str, Any], body: dict[str, Any], key: bytes | None) -> str:
    """A token built by hand: PyJWT itself refuses to HMAC-sign with a PEM public key."""
    head = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(body).encode())
    if key is None:
        return head + "."
    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(head.encode())
    return head + "." + _b64(mac.finalize())


def refused(provider: OidcAuth, token: str) -> str:
    with pytest.raises(Unauthenticated) as caught:
        provider.identify(token, None)
    return str(caught.value)


def test_a_good_token_maps_claims_to_the_caller(provider: OidcAuth, rsa_key: Any) -> None:
    caller = provider.identify(signed(rsa_key), None).caller
    assert (caller.user_id, caller.tenant_id, caller.roles) == (
        "kim@example.com",
        "acme",
        {"operator"},
    )
    hs = jwt.encode(claims(), SECRET, algorithm="HS256")
    assert provider.identify(hs, None).caller.user_id == "kim@example.com"


def test_bad_signature(provider: OidcAuth) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert "bad signature" in refused(provider, signed(other))


def test_expired(provider: OidcAuth, rsa_key: Any) -> None:
    now = int(time.time())
    assert "expired" in refused(provider, signed(rsa_key, exp=now - 120, iat=now - 600))


def test_not_yet_valid(provider: OidcAuth, rsa_key: Any) -> None:
    assert "not valid yet" in refused(provider, signed(rsa_key, nbf=int(time.time()) + 600))


def test_wrong_issuer(provider: OidcAuth, rsa_key: Any) -> None:
    assert "issuer" in refused(provider, signed(rsa_key, iss="https://evil.example.com"))


def test_wrong_audience(provider: OidcAuth, rsa_key: Any) -> None:
    assert "audience" in refused(provider, signed(rsa_key, aud="another-app"))


def test_alg_none(provider: OidcAuth) -> None:
    token = hand_made({"alg": "none", "typ": "JWT"}, claims(), None)
    assert "algorithm" in refused(provider, token)


def test_none_cannot_be_allowed() -> None:
    with pytest.raises(ValueError):
        AuthSettings(provider="oidc", algorithms=["RS256", "none"])


def test_hs256_signed_with_the_public_key(provider: OidcAuth, rsa_key: Any) -> None:
    public = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = hand_made({"alg": "HS256", "typ": "JWT", "kid": "k1"}, claims(), public)
    refused(provider, token)


def test_hs256_refused_when_no_secret_is_configured(rsa_key: Any, tmp_path: Path) -> None:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "kid": "k1"}]}))
    only_rsa = OidcAuth(
        AuthSettings(provider="oidc", jwks_file=str(jwks), algorithms=["RS256", "HS256"])
    )
    public = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    refused(only_rsa, hand_made({"alg": "HS256", "kid": "k1"}, claims(), public))


def test_another_tenant_is_refused_like_a_missing_one(provider: OidcAuth, rsa_key: Any) -> None:
    token = signed(rsa_key)
    with pytest.raises(Unauthenticated) as a:
        provider.identify(token, "other")
    with pytest.raises(Unauthenticated) as b:
        provider.identify(token, "no-such-tenant")
    assert str(a.value) == str(b.value)


def test_keys_from_a_jwks_url(rsa_key: Any) -> None:
    import http.server
    import threading

    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "k1", "alg": "RS256"}]}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/jwks.json"
        provider = OidcAuth(
            AuthSettings(provider="oidc", jwks_url=url, issuer=ISSUER, audience=AUDIENCE)
        )
        assert provider.identify(signed(rsa_key), None).caller.tenant_id == "acme"
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        refused(provider, signed(other))
    finally:
        server.shutdown()
