"""litellm behind one small module: routes, allow-listed calls, retries and metering.

`import litellm` costs seconds, so it happens only on the model path (`_litellm()`),
or in the TUI's background warm-up (`warm()`). Before the import its remote fetches are
switched off; after it every callback list is emptied. The arguments of each call are
built here from settings alone (model, base URL, key, limits) plus the messages and tool
schemas: nothing a user or a model writes can reach `api_base`, a callback or a mock.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from ai import keys
from ai.config import AIConfig, from_settings
from ai.replies import ProviderError, Reply, Route, ToolCall, Usage

log = logging.getLogger(__name__)
OFFLINE_ENV = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LITELLM_OFFLINE_MODE": "true",
    "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS": "True",
    "LITELLM_LOCAL_BLOG_POSTS": "True",
    "LITELLM_TELEMETRY": "False",
}
CALLBACK_LISTS = (
    "callbacks",
    "input_callback",
    "success_callback",
    "failure_callback",
    "service_callback",
    "audit_log_callbacks",
    "_async_success_callback",
    "_async_failure_callback",
    "_async_input_callback",
)
RETRYABLE = frozenset({"timeout", "rate_limited", "unavailable"})
_import_lock = threading.Lock()


def _litellm() -> Any:
    """Import and lock down litellm once per process (thread-safe)."""
    with _import_lock:
        os.environ.update(OFFLINE_ENV)
        import litellm as module

        litellm: Any = module
        if not getattr(litellm, "_metasaas_ready", False):
            litellm.telemetry = False
            litellm.suppress_debug_info = True
            litellm.set_verbose = False
            litellm.turn_off_message_logging = True
            litellm.drop_params = True
            litellm.disable_hf_tokenizer_download = True
            for name in CALLBACK_LISTS:
                if isinstance(getattr(litellm, name, None), list):
                    setattr(litellm, name, [])
            for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "litellm"):
                logging.getLogger(name).setLevel(logging.CRITICAL)
            litellm._metasaas_ready = True
        return litellm


def warm() -> None:
    """Pay for the import ahead of time; the TUI calls this from a background worker."""
    _litellm()


def warm_if_configured(settings: Any) -> bool:
    """For the shell's background worker after the first screen: import litellm only if a
    model could be used (a model and a key or a base URL); True when it did."""
    routes, _ = Gateway(from_settings(settings)).routes()
    if routes:
        warm()
    return bool(routes)


def imported() -> bool:
    import sys

    return "litellm" in sys.modules


class Gateway:
    def __init__(
        self,
        config: AIConfig,
        *,
        meter: Callable[[Usage], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.meter = meter
        self.sleep = sleep
        self.warnings: list[str] = []

    def routes(self) -> tuple[list[Route], str | None]:
        """The models that can be tried now and, when there are none, why (no network)."""
        if not self.config.models:
            return [], "no model is configured (set ai.model or METASAAS_AI__MODEL)"
        found: list[Route] = []
        reasons: list[str] = []
        for model in self.config.models:
            provider = keys.provider_of(model)
            if self.config.base_url:
                key = keys.lookup(provider, self.config.api_key).key if provider else None
                found.append(Route(model, self.config.base_url, key))
                continue
            if provider in keys.KEYLESS:
                found.append(Route(model, None))
                continue
            if provider is None:
                reasons.append(
                    f"cannot tell the provider of {model!r} (write it as provider/model)"
                )
                continue
            looked = keys.lookup(provider, self.config.api_key)
            if looked.warning and looked.warning not in self.warnings:
                self.warnings.append(looked.warning)
            if looked.key is None:
                env = keys.ENV.get(provider, f"{provider.upper()}_API_KEY")
                reasons.append(f"no key for {provider} (`metasaas keys set {provider}` or {env})")
                continue
            found.append(Route(model, None, looked.key))
        return found, None if found else "; ".join(reasons)

    def _kwargs(
        self, route: Route, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None
    ) -> dict[str, Any]:
        """The allow-list: every argument litellm receives is named here."""
        kwargs: dict[str, Any] = {
            "model": route.model,
            "messages": messages,
            "timeout": self.config.timeout_seconds,
            "max_tokens": self.config.max_tokens,
            "temperature": 0,
            "num_retries": 0,
            "max_retries": 0,
        }
        if tools:
            kwargs["tools"] = tools
            kwargs["tool_choice"] = "auto"
        if route.base_url:
            kwargs["api_base"] = route.base_url
            kwargs["api_key"] = route.key.get_secret_value() if route.key else "no-key"
        elif route.key is not None:
            kwargs["api_key"] = route.key.get_secret_value()
        return kwargs

    def complete(
        self,
        route: Route,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        *,
        purpose: str = "command",
    ) -> Reply:
        """One answer, retrying transport failures with backoff; raises `ProviderError`."""
        return self._retrying(route, purpose, lambda: self._once(route, messages, tools))

    def stream(
        self,
        route: Route,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        *,
        purpose: str = "chat",
    ) -> Iterator[str | Reply]:
        """Text deltas as they arrive, then the whole `Reply` (tool calls, usage) last.

        Retried only while nothing has been yielded; a stream that breaks later raises.
        """
        from ai.streaming import stream_once

        attempt = 0
        while True:
            started = time.perf_counter()
            yielded = False
            try:
                for item in stream_once(_litellm(), route, self._kwargs(route, messages, tools)):
                    yielded = yielded or isinstance(item, str)
                    if isinstance(item, Reply):
                        item.latency_ms = _ms(started)
                    yield item
                return
            except ProviderError as exc:
                self._metered(route, exc.kind, started, purpose)
                if yielded or exc.kind not in RETRYABLE or attempt >= self.config.max_retries:
                    raise
            self.sleep(self._backoff(attempt))
            attempt += 1

    def _retrying(self, route: Route, purpose: str, call: Callable[[], Reply]) -> Reply:
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                reply = call()
            except ProviderError as exc:
                self._metered(route, exc.kind, started, purpose)
                if exc.kind not in RETRYABLE or attempt >= self.config.max_retries:
                    raise
                self.sleep(self._backoff(attempt))
                attempt += 1
                continue
            reply.latency_ms = _ms(started)
            return reply

    def _backoff(self, attempt: int) -> float:
        return float(min(self.config.retry_backoff_seconds * (2**attempt), 8.0))

    def _metered(self, route: Route, kind: str, started: float, purpose: str) -> None:
        outcome = {"timeout": "timeout", "rate_limited": "rate_limited"}.get(kind, "error")
        self.record(Usage(route.model, outcome, latency_ms=_ms(started), purpose=purpose))

    def record(self, usage: Usage) -> None:
        if self.meter is None:
            return
        try:
            self.meter(usage)
        except Exception as exc:  # metering must never break a command
            log.warning("could not record AI usage: %s", type(exc).__name__)

    def _once(
        self, route: Route, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None
    ) -> Reply:
        litellm = _litellm()
        try:
            response = litellm.completion(**self._kwargs(route, messages, tools))
            message = response.choices[0].message
            usage = getattr(response, "usage", None)
        except Exception as exc:
            raise ProviderError(route.model, classify(litellm, exc)) from None
        reply = Reply(route.model, text=message.content or "")
        for call in getattr(message, "tool_calls", None) or ():
            reply.tool_calls.append(
                ToolCall(str(call.id or ""), str(call.function.name or ""), _args(call))
            )
        reply.prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
        reply.completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        reply.cost_usd = cost(litellm, route.model, reply.prompt_tokens, reply.completion_tokens)
        return reply


def _args(call: Any) -> str:
    arguments = call.function.arguments
    return arguments if isinstance(arguments, str) else json.dumps(arguments)


def classify(litellm: Any, exc: BaseException) -> str:
    """A provider failure as one of: timeout, rate_limited, refused, unavailable."""
    if isinstance(exc, litellm.Timeout):
        return "timeout"
    if isinstance(exc, litellm.RateLimitError):
        return "rate_limited"
    refused = (
        litellm.AuthenticationError,
        litellm.PermissionDeniedError,
        litellm.NotFoundError,
        litellm.BadRequestError,
    )
    if isinstance(exc, refused):
        return "refused"
    return "unavailable"


def cost(litellm: Any, model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
    """From litellm's bundled cost table; None for a model it does not price."""
    try:
        prompt_cost, completion_cost = litellm.cost_per_token(
            model=model, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
        )
    except Exception:
        return None
    return round(float(prompt_cost) + float(completion_cost), 8)


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
