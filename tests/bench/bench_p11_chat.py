"""P11: the chat screen draws streamed tokens as fast as a bare Markdown widget would.

Both sides read the same stub stream through litellm (imported before timing, as in a
warm TUI session) inside a headless `run_test`:
- ours: the chat screen, a whole turn through the engine (session, history, storage);
- baseline: a bare Textual `Markdown` widget fed the stream through `MarkdownStream`.
Both streams come at 20 ms a token (a fast model; the first token too, so what is timed
is the token's path, not the screen still laying out the message just sent).
The latency is from the stub sending the first token to the first `Markdown.append`
that has it on screen (the widget's update; the next frame draws it), median over
interleaved rounds: at most 1.2x the baseline. Then a 2,000-token answer (paragraphs of 60
words), streamed at 2 ms a token, must keep at least 20 Markdown updates in every
one-second window of the chat screen (the slowest second is reported).
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Markdown

from ai import gateway as gw
from ai import metering
from ai.config import from_settings
from console.tui.screens.chat import ChatScreen
from core.contracts import Caller, CallerType
from tests.ai import stub_server as s
from tests.bench.harness import Result, interleave
from tests.bench.support import TENANT, fresh_sqlite, make_app

USER = Caller("bench", TENANT, frozenset({"operator"}), CallerType.HUMAN)
SIZE = (80, 24)
RATIO = 1.2
MIN_RATE = 20.0
PACE = 0.02  # seconds between tokens, as a fast model streams (and before the first one)
_appends: list[float] = []
_original_append = Markdown.append


async def _timed_append(self: Markdown, markdown: str) -> Any:
    result = await _original_append(self, markdown)
    _appends.append(time.perf_counter())
    return result


class _Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Markdown()


class _ChatHost(App[None]):
    def __init__(self, core: Any) -> None:
        super().__init__()
        self.core = core

    def on_mount(self) -> None:
        self.push_screen(ChatScreen(self.core, USER))


async def _wait(ready: Any, limit: float = 60.0) -> None:
    deadline = time.perf_counter() + limit
    while not ready():
        if time.perf_counter() > deadline:
            raise TimeoutError("the stream did not arrive in time")
        await asyncio.sleep(0.001)


def _chat_round(
    core: Any, stub: s.StubModel, tokens: int, delay: float, paragraph: int = 0
) -> tuple[float, list[float]]:
    async def body() -> tuple[float, list[float]]:
        app = _ChatHost(core)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ChatScreen)
            await app.workers.wait_for_complete()
            stub.enqueue(s.words(tokens, delay, paragraph))
            _appends.clear()
            screen.query_one("#chat-input").value = "tell me"  # type: ignore[attr-defined]
            await pilot.press("enter")
            await _wait(lambda: not screen.running and bool(_appends))
            await app.workers.wait_for_complete()
            first = stub.first_token_at
            assert first is not None
            return (_appends[0] - first) * 1000, list(_appends)
        raise AssertionError("unreachable")

    return asyncio.run(body())


def _bare_round(stub: s.StubModel, kwargs: dict[str, Any], tokens: int) -> float:
    litellm = gw._litellm()

    async def body() -> float:
        app = _Bare()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            markdown = app.query_one(Markdown)
            stream = Markdown.get_stream(markdown)
            loop = asyncio.get_running_loop()
            stub.enqueue(s.words(tokens, PACE))
            _appends.clear()
            finished = threading.Event()

            def read() -> None:
                for chunk in litellm.completion(**kwargs, stream=True):
                    text = chunk.choices[0].delta.content if chunk.choices else None
                    if text:
                        asyncio.run_coroutine_threadsafe(stream.write(text), loop)
                finished.set()

            threading.Thread(target=read, daemon=True).start()
            await _wait(lambda: finished.is_set() and bool(_appends))
            await stream.stop()
            first = stub.first_token_at
            assert first is not None
            return (_appends[0] - first) * 1000

    return asyncio.run(body())


def _slowest_second(times: list[float]) -> float:
    """The fewest updates in any one-second window while the answer streamed."""
    if len(times) < 2 or times[-1] - times[0] < 1.0:
        return float(len(times)) / max(times[-1] - times[0], 1e-9) if len(times) > 1 else 0.0
    fewest = len(times)
    end = 0
    for start, began in enumerate(times):
        if began + 1.0 > times[-1]:
            break
        while end < len(times) and times[end] < began + 1.0:
            end += 1
        fewest = min(fewest, end - start)
    return float(fewest)


def run(quick: bool) -> list[Result]:
    rounds = 5 if quick else 15
    Markdown.append = _timed_append  # type: ignore[method-assign]
    try:
        with s.StubModel() as stub:
            core = make_app(fresh_sqlite("p11.db"))
            core.settings.ai.model = "openai/gpt-4o-mini"
            core.settings.ai.api_base = stub.base_url
            gw._litellm()  # the warm session: imported before anything is timed
            gateway = gw.Gateway(from_settings(core.settings))
            route = gateway.routes()[0][0]
            messages = [{"role": "user", "content": "tell me"}]
            kwargs = gateway._kwargs(route, messages, None)
            ours = lambda: _chat_round(core, stub, 20, PACE)[0]  # noqa: E731
            bare = lambda: _bare_round(stub, kwargs, 20)  # noqa: E731
            ours()
            bare()  # warm both paths before measuring
            medians = interleave({"ours": ours, "baseline": bare}, rounds)
            _, appends = _chat_round(core, stub, 2_000, 0.002, paragraph=60)
            metering.flush()
            core.close()
    finally:
        Markdown.append = _original_append  # type: ignore[method-assign]
    span = appends[-1] - appends[0] if len(appends) > 1 else 0.0
    rate = _slowest_second(appends)
    gaps = sorted(b - a for a, b in zip(appends, appends[1:], strict=False))
    worst = gaps[-1] * 1000 if gaps else 0.0
    ratio = medians["ours"] / medians["baseline"] if medians["baseline"] else None
    return [
        Result(
            "P11",
            "chat: stub's first token to drawn, vs a bare Markdown widget",
            medians["ours"],
            medians["baseline"],
            ratio,
            f"<= {RATIO}x",
            ratio is not None and ratio <= RATIO,
            "ms",
            f"median of {rounds} interleaved rounds",
        ),
        Result(
            "P11-rate",
            "chat: updates in the slowest second of a 2,000-token answer",
            rate,
            None,
            None,
            f">= {MIN_RATE:g}/s",
            rate >= MIN_RATE,
            "/s",
            f"{len(appends)} updates in {span:.1f}s (paragraphs of 60 words, 2 ms a token); "
            f"longest gap {worst:.0f} ms; "
            f"median gap {statistics.median(gaps) * 1000:.0f} ms"
            if gaps
            else "",
        ),
    ]
