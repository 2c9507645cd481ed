"""Reading one streamed litellm answer into text deltas and a final `Reply`.

Kept apart from the gateway so chat (issue 12) and the interpreter share exactly one
reading of chunks: content deltas are yielded as they come, tool-call fragments are
joined by index, and usage comes from the last chunk.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ai.gateway import classify, cost
from ai.replies import ProviderError, Reply, Route, ToolCall


def stream_once(litellm: Any, route: Route, kwargs: dict[str, Any]) -> Iterator[str | Reply]:
    calls: dict[int, ToolCall] = {}
    text: list[str] = []
    usage: Any = None
    try:
        response = litellm.completion(**kwargs, stream=True, stream_options={"include_usage": True})
        for chunk in response:
            usage = getattr(chunk, "usage", None) or usage
            if not chunk.choices:
                continue
            delta = chunk.choices[0].delta
            if delta.content:
                text.append(delta.content)
                yield delta.content
            for part in getattr(delta, "tool_calls", None) or ():
                index = int(getattr(part, "index", 0) or 0)
                call = calls.setdefault(index, ToolCall("", "", ""))
                call.id = call.id or str(part.id or "")
                function = part.function
                if function is not None:
                    call.name = call.name or str(function.name or "")
                    call.arguments += str(function.arguments or "")
    except ProviderError:
        raise
    except Exception as exc:
        raise ProviderError(route.model, classify(litellm, exc)) from None
    reply = Reply(route.model, text="".join(text), tool_calls=[calls[i] for i in sorted(calls)])
    reply.prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
    reply.completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
    reply.cost_usd = cost(litellm, route.model, reply.prompt_tokens, reply.completion_tokens)
    yield reply
