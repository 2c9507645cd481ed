"""Provider keys: the provider's usual environment variable, or the system keyring.

A key is a `SecretStr` from the moment it is read until litellm's call, so it never
reaches a log line, an error, a plan or a screen. A keyring that does not answer in
three seconds (no backend, a locked keyring, a hung D-Bus) is skipped with one line
of warning; the console then works on with environment keys or offline.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import SecretStr

from core.deadline import KeyringUnavailable as KeyringUnavailable
from core.deadline import bounded as _bounded
from core.errors import InvalidInput

SERVICE = "metasaas"
TIMEOUT_SECONDS = 3.0
PROVIDER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
ENV = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "gemini": "GEMINI_API_KEY",
    "mistral": "MISTRAL_API_KEY",
    "groq": "GROQ_API_KEY",
    "cohere": "COHERE_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
    "xai": "XAI_API_KEY",
    "together_ai": "TOGETHERAI_API_KEY",
    "fireworks_ai": "FIREWORKS_AI_API_KEY",
    "perplexity": "PERPLEXITYAI_API_KEY",
    "azure": "AZURE_API_KEY",
}
# Local servers that need no key: a model path is possible with their default address.
KEYLESS = frozenset({"ollama", "ollama_chat", "lm_studio", "llamafile", "hosted_vllm"})
PREFIXES = (
    (("gpt-", "o1", "o3", "o4", "chatgpt-", "text-"), "openai"),
    (("claude",), "anthropic"),
    (("gemini",), "gemini"),
    (("mistral", "ministral", "codestral", "open-mistral"), "mistral"),
    (("command",), "cohere"),
    (("deepseek",), "deepseek"),
    (("grok",), "xai"),
)
T = TypeVar("T")


def provider_of(model: str) -> str | None:
    """The provider litellm would route `model` to, without importing litellm."""
    if "/" in model:
        return model.split("/", 1)[0].strip().lower() or None
    low = model.lower()
    for prefixes, provider in PREFIXES:
        if low.startswith(prefixes):
            return provider
    return None


def check_provider(provider: str) -> str:
    name = provider.strip().lower()
    if not PROVIDER.match(name):
        raise InvalidInput(
            "provider: lowercase letters, digits, - and _ (e.g. openai, anthropic)",
            {"errors": [{"field": "provider", "code": "format", "message": "bad name"}]},
        )
    return name


def _keyring() -> Any:
    import keyring

    return keyring


@dataclass
class KeyLookup:
    key: SecretStr | None
    source: str | None  # "environment", "keyring", "settings" or None
    warning: str | None = None


# Keyring answers, kept briefly so a warm session does not ask the keyring per command.
REMEMBER_SECONDS = 60.0
_remembered: dict[str, tuple[float, KeyLookup]] = {}


def lookup(provider: str, settings_key: SecretStr | None = None) -> KeyLookup:
    """The environment first (cheap, and what CI uses), then settings, then the keyring."""
    env = ENV.get(provider)
    if env and os.environ.get(env):
        return KeyLookup(SecretStr(os.environ[env]), "environment")
    if settings_key is not None and settings_key.get_secret_value():
        return KeyLookup(settings_key, "settings")
    kept = _remembered.get(provider)
    if kept is not None and time.monotonic() - kept[0] < REMEMBER_SECONDS:
        return kept[1]
    try:
        value = _bounded(lambda: _keyring().get_password(SERVICE, provider), TIMEOUT_SECONDS)
    except KeyringUnavailable as exc:
        found = KeyLookup(None, None, f"warning: {exc}; using environment keys only")
    else:
        found = KeyLookup(SecretStr(str(value)) if value else None, "keyring" if value else None)
    _remembered[provider] = (time.monotonic(), found)
    return found


def forget() -> None:
    """Drop remembered keyring answers (after `keys set` or `keys delete`)."""
    _remembered.clear()


def store(provider: str, key: SecretStr) -> None:
    provider = check_provider(provider)
    secret = key.get_secret_value().strip()
    if not secret:
        raise InvalidInput(
            "the key is empty", {"errors": [{"field": "key", "code": "empty", "message": "empty"}]}
        )
    _bounded(lambda: _keyring().set_password(SERVICE, provider, secret), TIMEOUT_SECONDS)
    forget()


def delete(provider: str) -> bool:
    provider = check_provider(provider)

    def remove() -> bool:
        ring = _keyring()
        if ring.get_password(SERVICE, provider) is None:
            return False
        ring.delete_password(SERVICE, provider)
        return True

    removed = bool(_bounded(remove, TIMEOUT_SECONDS))
    forget()
    return removed


def listing(extra: tuple[str, ...] = ()) -> tuple[list[dict[str, Any]], str | None]:
    """Which providers have a key, and where; never a value."""
    providers = sorted({*ENV, *extra})
    warning = None
    stored: set[str] = set()
    try:
        stored = set(
            _bounded(
                lambda: {p for p in providers if _keyring().get_password(SERVICE, p)},
                TIMEOUT_SECONDS,
            )
        )
    except KeyringUnavailable as exc:
        warning = f"warning: {exc}; showing environment keys only"
    rows = [
        {
            "provider": p,
            "keyring": p in stored,
            "environment": bool(ENV.get(p) and os.environ.get(ENV[p])),
        }
        for p in providers
    ]
    return [r for r in rows if r["keyring"] or r["environment"]], warning
