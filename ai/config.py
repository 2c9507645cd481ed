"""The AI settings this layer reads, taken from core's `Settings.ai` defensively.

Core owns the settings model; until it has every field below (see the notes for the
lead), missing ones fall back to their `METASAAS_AI__*` variable and then a default.
Each INTERIM fallback goes once core declares the field.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr

DEFAULTS: dict[str, Any] = {
    "timeout_seconds": 30.0,
    "max_tokens": 1024,
    "max_retries": 2,
    "retry_backoff_seconds": 0.5,
}


@dataclass(frozen=True)
class AIConfig:
    model: str | None = None
    fallback_models: tuple[str, ...] = ()
    base_url: str | None = None
    timeout_seconds: float = 30.0
    max_tokens: int = 1024
    max_retries: int = 2
    retry_backoff_seconds: float = 0.5
    api_key: SecretStr | None = field(default=None, repr=False)

    @property
    def models(self) -> tuple[str, ...]:
        """The model, then its fallbacks, in order, without repeats or blanks."""
        seen: list[str] = []
        for name in (self.model, *self.fallback_models):
            if name and name not in seen:
                seen.append(name)
        return tuple(seen)


def _read(ai: Any, name: str, env: str, default: Any) -> Any:
    value = getattr(ai, name, None)
    if value is None or value == "":
        value = os.environ.get(env) or None  # INTERIM: core does not declare it yet
    return default if value is None else value


def _models(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(m.strip() for m in value.split(",") if m.strip())
    return tuple(str(m).strip() for m in value or () if str(m).strip())


def from_settings(settings: Any) -> AIConfig:
    ai = getattr(settings, "ai", None)
    base = _read(ai, "base_url", "METASAAS_AI__BASE_URL", None) or getattr(ai, "api_base", None)
    key = getattr(ai, "api_key", None)
    return AIConfig(
        model=(getattr(ai, "model", None) or "").strip() or None,
        fallback_models=_models(_read(ai, "fallback_models", "METASAAS_AI__FALLBACK_MODELS", ())),
        base_url=str(base).strip() or None if base else None,
        timeout_seconds=float(
            _read(
                ai, "timeout_seconds", "METASAAS_AI__TIMEOUT_SECONDS", DEFAULTS["timeout_seconds"]
            )
        ),
        max_tokens=int(_read(ai, "max_tokens", "METASAAS_AI__MAX_TOKENS", DEFAULTS["max_tokens"])),
        max_retries=min(
            5, int(_read(ai, "max_retries", "METASAAS_AI__MAX_RETRIES", DEFAULTS["max_retries"]))
        ),
        retry_backoff_seconds=float(
            _read(
                ai,
                "retry_backoff_seconds",
                "METASAAS_AI__RETRY_BACKOFF_SECONDS",
                DEFAULTS["retry_backoff_seconds"],
            )
        ),
        api_key=key if isinstance(key, SecretStr) else None,
    )
