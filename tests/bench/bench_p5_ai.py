"""P5: the AI layer's own cost, next to what it cannot avoid.

- `ask` through the model path (interpret, preview, run the plan as the user's ai_agent;
  usage metering queued to its background writer, as in the product)
  against the local stub model, litellm already imported as in a warm REPL or TUI
  session, against a bare `litellm.completion` of the same prompt and tools to the same
  stub, interleaved in one run: at most 20 ms more per command.
- The offline interpreter over the whole corpus: under 5 ms per command (95th percentile).
- The corpus accuracy of the offline interpreter.
"""

from __future__ import annotations

import statistics
import time

from ai import gateway as gw
from ai import metering
from ai.interpreter import Interpreter, make_gateway
from ai.offline import interpret
from ai.preview import preview
from ai.prompt import system_prompt
from ai.runner import Origin, run_plan
from core.contracts import Caller, CallerType
from core.seeding import seed
from tests.ai import stub_server as s
from tests.ai.corpus import CORPUS, TODAY, evaluate, substitute
from tests.bench.harness import Result, interleave, latency_ms
from tests.bench.support import TENANT, fresh_sqlite, make_app

COMMAND = "show me five tasks that need attention"
USER = Caller("bench", TENANT, frozenset({"operator"}), CallerType.HUMAN)
EXTRA_MS = 20.0
OFFLINE_MS = 5.0


def _model_path(quick: bool) -> Result:
    rounds, per_round = (5, 10) if quick else (15, 20)
    with s.StubModel(default=s.tools(("task__list", {"limit": 5}))) as stub:
        app = make_app(fresh_sqlite("p5.db"))
        app.settings.ai.model = "openai/gpt-4o-mini"  # as METASAAS_AI__MODEL would set it
        app.settings.ai.api_base = stub.base_url
        seed(app.bus, app.system_caller(), list(app.registry.domain.seed()))  # type: ignore[misc]
        litellm = gw._litellm()  # the warm session: imported before anything is timed
        probe = Interpreter(app, USER)
        route = probe.gateway.routes()[0][0]
        tools, _ = probe.tools()
        messages = [
            {"role": "system", "content": "x"},
            {"role": "user", "content": COMMAND},
        ]

        def ask() -> None:
            interpreter = Interpreter(app, USER, make_gateway(app, USER))
            found = interpreter.interpret(COMMAND)
            preview(app, USER, found.plan)
            report = run_plan(app, USER, found.plan, Origin("cli", COMMAND, found.model))
            assert report.completed and found.model != "offline"

        def bare() -> None:
            messages[0]["content"] = interpreter_prompt
            litellm.completion(**probe.gateway._kwargs(route, messages, tools))

        interpreter_prompt = system_prompt(TODAY, 10)
        ask()
        bare()  # warm both paths (connections, caches) before measuring
        medians = interleave(
            {"ours": latency_ms(per_round, ask), "baseline": latency_ms(per_round, bare)},
            rounds,
        )
        metering.flush()
        app.close()
    extra = medians["ours"] - medians["baseline"]
    return Result(
        "P5",
        "ask via the model path (stub) vs bare litellm.completion",
        medians["ours"],
        medians["baseline"],
        medians["ours"] / medians["baseline"],
        f"<= +{EXTRA_MS:g} ms per command",
        extra <= EXTRA_MS,
        "ms",
        f"the AI layer adds {extra:.1f} ms per command (median of {rounds} rounds); the stub "
        f"received {len(stub.requests)} requests",
    )


def _offline(quick: bool) -> Result:
    app = make_app(fresh_sqlite("p5-offline.db"))
    registry = app.registry
    commands = [substitute(c) for c, _ in CORPUS]
    interpret(registry, commands[0], TODAY)  # the vocabulary is built once per registry
    times: list[float] = []
    for _ in range(2 if quick else 10):
        for command in commands:
            started = time.perf_counter()
            interpret(registry, command, TODAY)
            times.append((time.perf_counter() - started) * 1000)
    app.close()
    times.sort()
    p95 = times[int(len(times) * 0.95)]
    return Result(
        "P5-offline",
        "offline interpreter, one command (p95 over the corpus)",
        p95,
        None,
        None,
        f"< {OFFLINE_MS:g} ms",
        p95 < OFFLINE_MS,
        "ms",
        f"median {statistics.median(times):.3f} ms, max {times[-1]:.3f} ms over {len(times)} plans",
    )


def _accuracy() -> Result:
    app = make_app(fresh_sqlite("p5-corpus.db"))
    correct, total, failed = evaluate(app.registry)
    app.close()
    accuracy = 100.0 * correct / total
    return Result(
        "P5-corpus",
        f"offline interpreter accuracy on {total} phrasings",
        accuracy,
        None,
        None,
        ">= 95%",
        accuracy >= 95.0,
        "%",
        f"failed: {', '.join(failed[:5])}" if failed else "",
    )


def run(quick: bool) -> list[Result]:
    return [_model_path(quick), _offline(quick), _accuracy()]
