"""What a model call gives back, or why it could not: plain data shared by the gateway,
the streaming reader, the interpreter and (next) chat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr


class ProviderError(Exception):
    """A model could not answer; `kind` is timeout, rate_limited, unavailable or refused."""

    def __init__(self, model: str, kind: str) -> None:
        super().__init__(f"{model}: {kind.replace('_', ' ')}")
        self.model = model
        self.kind = kind


@dataclass(frozen=True)
class Route:
    """One model to try, with where to send it and the key it needs (if any)."""

    model: str
    base_url: str | None
    key: SecretStr | None = field(default=None, repr=False)


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: str


@dataclass
class Reply:
    model: str
    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    latency_ms: int = 0

    def usage(self, outcome: str, purpose: str = "command") -> Usage:
        """The metering line of this answer: every model path meters the same numbers."""
        return Usage(
            self.model,
            outcome,
            self.prompt_tokens,
            self.completion_tokens,
            self.cost_usd,
            self.latency_ms,
            purpose=purpose,
        )


@dataclass
class Usage:
    """One model call's metering line (`ai_usage.record`): numbers and names only."""

    model: str
    outcome: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    latency_ms: int = 0
    purpose: str = "command"

    def entry(self) -> dict[str, Any]:
        return dict(self.__dict__)
