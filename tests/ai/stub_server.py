"""A local OpenAI-compatible chat server that replays scripted replies, for tests and bench.

It listens on 127.0.0.1 only, answers `POST .../chat/completions`, and keeps every request
body it received so a test can grep what a model would have been told. Each reply is a
`Reply`: plain text, tool calls, a JSON plan, the same streamed as SSE chunks, an HTTP
error (429, 500), a stall past the client's timeout, malformed JSON, or a dropped
connection. When the script runs out, the `default` reply (if any) answers.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    kind: str = "text"  # text | tools | status | stall | malformed | drop | cut
    text: str = ""
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    stream: bool | None = None  # None: stream when the request asks for it
    status: int = 200
    seconds: float = 0.0
    usage: tuple[int, int] = (120, 30)


def text(content: str, **kw: Any) -> Reply:
    return Reply("text", text=content, **kw)


def plan(steps: list[dict[str, Any]], explanation: str = "planned", **kw: Any) -> Reply:
    return Reply("text", text=json.dumps({"steps": steps, "explanation": explanation}), **kw)


def tools(*calls: tuple[str, dict[str, Any]], content: str = "", **kw: Any) -> Reply:
    return Reply("tools", text=content, tool_calls=list(calls), **kw)


def status(code: int) -> Reply:
    return Reply("status", status=code)


def stall(seconds: float) -> Reply:
    return Reply("stall", seconds=seconds)


def malformed() -> Reply:
    return Reply("malformed")


def drop() -> Reply:
    return Reply("drop")


def cut(content: str) -> Reply:
    """Stream the first half of `content`'s words, then close the connection mid-body."""
    return Reply("cut", text=content, stream=True)


def words(count: int, delay: float = 0.0, paragraph: int = 0) -> Reply:
    """A streamed answer of `count` word tokens, `delay` seconds apart (for stop and bench);
    with `paragraph`, a new paragraph every that many words."""
    said = [f"w{i}" if not paragraph or i % paragraph else f"\n\nw{i}" for i in range(count)]
    return Reply("text", text=" ".join(said).strip(), stream=True, seconds=delay)


class StubModel:
    """Start with `with StubModel() as stub:`; `stub.base_url` goes into the gateway."""

    def __init__(self, default: Reply | None = None) -> None:
        self.script: deque[Reply] = deque()
        self.default = default
        self.requests: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def first_token_at(self) -> float | None:
        """`time.perf_counter()` when the last streamed answer's first token was sent."""
        return getattr(self._server, "first_token_at", None)

    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self.script.extend(replies)

    def received_text(self) -> str:
        """Every request body as text: what a provider would have seen."""
        return "\n".join(body.decode("utf-8", "replace") for body in self.raw)

    def __enter__(self) -> StubModel:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self) -> Reply:
        with self._lock:
            if self.script:
                return self.script.popleft()
        if self.default is None:
            return status(500)
        return self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                request = json.loads(body or b"{}")
                with stub._lock:
                    stub.raw.append(body)
                    stub.requests.append(request)
                    stub.headers.append(dict(self.headers))
                reply = stub._next()
                _answer(self, reply, request)

        return Handler


def _message(reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)},
            }
            for i, (name, args) in enumerate(reply.tool_calls)
        ]
    return message


def _usage(reply: Reply) -> dict[str, int]:
    prompt, completion = reply.usage
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _answer(handler: BaseHTTPRequestHandler, reply: Reply, request: dict[str, Any]) -> None:
    model = str(request.get("model", "stub"))
    if reply.kind == "drop":
        handler.close_connection = True
        handler.connection.close()
        return
    if reply.kind == "stall":
        time.sleep(reply.seconds)
        _send(handler, 200, {"error": "too late"})
        return
    if reply.kind == "status":
        error = {"error": {"message": f"scripted {reply.status}", "type": "stub", "code": None}}
        _send(handler, reply.status, error, {"Retry-After": "0"})
        return
    if reply.kind == "malformed":
        _send_raw(handler, 200, b'{"id": "x", "choices": [ {"message": ', "application/json")
        return
    finish = "tool_calls" if reply.tool_calls else "stop"
    streaming = reply.stream if reply.stream is not None else bool(request.get("stream"))
    if streaming:
        _stream(handler, reply, model, finish)
        return
    body = {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": _message(reply), "finish_reason": finish}],
        "usage": _usage(reply),
    }
    _send(handler, 200, body)


def _chunk(model: str, delta: dict[str, Any], finish: str | None, **extra: Any) -> bytes:
    chunk = {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


def _stream(handler: BaseHTTPRequestHandler, reply: Reply, model: str, finish: str) -> None:
    if reply.kind == "cut":
        _cut(handler, reply, model)
        return
    parts = [_chunk(model, {"role": "assistant", "content": ""}, None)]
    words = reply.text.split(" ") if reply.text else []
    for i, word in enumerate(words):
        parts.append(_chunk(model, {"content": word if i == 0 else " " + word}, None))
    for i, (name, args) in enumerate(reply.tool_calls):
        arguments = json.dumps(args)
        half = len(arguments) // 2
        first = {"index": i, "id": f"call_{i}", "type": "function"}
        first["function"] = {"name": name, "arguments": arguments[:half]}
        parts.append(_chunk(model, {"tool_calls": [first]}, None))
        rest = {"index": i, "function": {"arguments": arguments[half:]}}
        parts.append(_chunk(model, {"tool_calls": [rest]}, None))
    parts.append(_chunk(model, {}, finish, usage=_usage(reply)))
    parts.append(b"data: [DONE]\n\n")
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Cache-Control", "no-cache")
    handler.send_header("Connection", "close")
    handler.end_headers()
    first = True
    for part in parts:
        content = b'"content": "' in part and b'"content": ""' not in part
        if reply.seconds and content:
            time.sleep(reply.seconds)
        if content and first:
            first = False
            handler.server.first_token_at = time.perf_counter()  # type: ignore[attr-defined]
        handler.wfile.write(part)
        handler.wfile.flush()
    handler.close_connection = True


def _cut(handler: BaseHTTPRequestHandler, reply: Reply, model: str) -> None:
    """Promise a longer body than is sent, so the client sees the connection break."""
    words = reply.text.split(" ")
    half = words[: max(1, len(words) // 2)]
    parts = [_chunk(model, {"role": "assistant", "content": ""}, None)]
    parts += [
        _chunk(model, {"content": w if i == 0 else " " + w}, None) for i, w in enumerate(half)
    ]
    sent = b"".join(parts)
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Content-Length", str(len(sent) * 3))
    handler.end_headers()
    handler.wfile.write(sent)
    handler.wfile.flush()
    handler.close_connection = True
    handler.connection.shutdown(2)


def _send(
    handler: BaseHTTPRequestHandler,
    code: int,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> None:
    _send_raw(handler, code, json.dumps(body).encode(), "application/json", headers)


def _send_raw(
    handler: BaseHTTPRequestHandler,
    code: int,
    data: bytes,
    content_type: str,
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(code)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(data)
    handler.wfile.flush()
