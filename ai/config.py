"""The AI settings this layer reads, as one frozen value taken from core's `Settings.ai`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr


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


def _models(value: Any) -> tuple[str, ...]:
    return tuple(str(m).strip() for m in value or () if str(m).strip())


def from_settings(settings: Any) -> AIConfig:
    ai = settings.ai
    base = ai.base_url or ai.api_base
    return AIConfig(
        model=(ai.model or "").strip() or None,
        fallback_models=_models(ai.fallback_models),
        base_url=base.strip() or None if base else None,
        timeout_seconds=float(ai.timeout_seconds),
        max_tokens=int(ai.max_tokens),
        max_retries=int(ai.max_retries),
        retry_backoff_seconds=float(ai.retry_backoff_seconds),
        api_key=ai.api_key,
    )
