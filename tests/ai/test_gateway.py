"""The gateway against the local stub server: the real litellm client path, no network."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from ai import gateway as gw
from ai import keys
from ai.config import AIConfig, from_settings
from ai.gateway import Gateway
from ai.replies import ProviderError, Reply, Route, Usage
from core.settings import Settings
from tests.ai import stub_server as s
from tests.ai.conftest import MODEL, SECRET_KEY
from tests.ai.memory_keyring import HangingKeyring, MemoryKeyring
from tests.ai.stub_server import StubModel

MESSAGES = [{"role": "user", "content": "hello"}]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "task__create",
            "description": "Create a task.",
            "parameters": {"type": "object", "properties": {"title": {"type": "string"}}},
        },
    }
]


@pytest.fixture
def metered() -> list[Usage]:
    return []


def make(stub: StubModel, metered: list[Usage], **changes: Any) -> tuple[Gateway, Route]:
    config = AIConfig(
        model=MODEL,
        base_url=stub.base_url,
        timeout_seconds=changes.pop("timeout_seconds", 2.0),
        max_retries=changes.pop("max_retries", 2),
        retry_backoff_seconds=0.001,
        api_key=SecretStr(SECRET_KEY),
        **changes,
    )
    gateway = Gateway(config, meter=metered.append)
    routes, reason = gateway.routes()
    assert reason is None
    return gateway, routes[0]


@pytest.fixture
def connections() -> Iterator[list[tuple[str, int]]]:
    """Every socket connect in this process while the test runs."""
    seen: list[tuple[str, int]] = []
    active = [True]

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if active[0] and event == "socket.connect" and isinstance(args[1], tuple):
            seen.append(args[1][:2])

    sys.addaudithook(hook)
    yield seen
    active[0] = False


def test_plain_text_reply_with_usage_and_cost(stub: StubModel, metered: list[Usage]) -> None:
    gateway, route = make(stub, metered)
    stub.enqueue(s.text("hello there", usage=(100, 20)))
    reply = gateway.complete(route, MESSAGES)
    assert reply.text == "hello there" and reply.tool_calls == []
    assert (reply.prompt_tokens, reply.completion_tokens) == (100, 20)
    assert reply.cost_usd is not None and reply.cost_usd > 0  # the local cost table
    assert stub.requests[0]["model"] == "gpt-4o-mini"


def test_tool_calls_come_back_in_order(stub: StubModel, metered: list[Usage]) -> None:
    gateway, route = make(stub, metered)
    stub.enqueue(s.tools(("task__create", {"title": "a"}), ("task__create", {"title": "b"})))
    reply = gateway.complete(route, MESSAGES, TOOLS)
    assert [(c.name, c.arguments) for c in reply.tool_calls] == [
        ("task__create", '{"title": "a"}'),
        ("task__create", '{"title": "b"}'),
    ]
    assert stub.requests[0]["tools"][0]["function"]["name"] == "task__create"


def test_streaming_gives_the_same_reply_as_a_plain_call(
    stub: StubModel, metered: list[Usage]
) -> None:
    gateway, route = make(stub, metered)
    reply_script = s.tools(("task__create", {"title": "Buy milk"}), content="Creating one task")
    stub.enqueue(reply_script)
    plain = gateway.complete(route, MESSAGES, TOOLS)
    stub.enqueue(reply_script)
    items = list(gateway.stream(route, MESSAGES, TOOLS))
    deltas = [i for i in items if isinstance(i, str)]
    streamed = items[-1]
    assert isinstance(streamed, Reply)
    assert deltas == ["Creating", " one", " task"]
    assert (streamed.text, streamed.tool_calls) == (plain.text, plain.tool_calls)
    assert (streamed.prompt_tokens, streamed.completion_tokens) == (120, 30)
    assert stub.requests[1]["stream"] is True


def test_a_rate_limit_is_retried_with_backoff(stub: StubModel, metered: list[Usage]) -> None:
    gateway, route = make(stub, metered)
    pauses: list[float] = []
    gateway.sleep = pauses.append
    stub.enqueue(s.status(429), s.status(429), s.text("ok"))
    assert gateway.complete(route, MESSAGES).text == "ok"
    assert len(pauses) == 2 and pauses[1] > pauses[0]
    assert [u.outcome for u in metered] == ["rate_limited", "rate_limited"]


@pytest.mark.parametrize(
    ("script", "kind"),
    [
        (s.status(500), "unavailable"),
        (s.status(503), "unavailable"),
        (s.malformed(), "unavailable"),
        (s.drop(), "unavailable"),
        (s.status(429), "rate_limited"),
    ],
    ids=["500", "503", "malformed-json", "dropped-connection", "429"],
)
def test_failures_after_bounded_retries_raise_provider_error(
    stub: StubModel, metered: list[Usage], script: s.Reply, kind: str
) -> None:
    gateway, route = make(stub, metered, max_retries=1)
    stub.enqueue(script, script)
    with pytest.raises(ProviderError) as caught:
        gateway.complete(route, MESSAGES)
    assert caught.value.kind == kind
    assert len(stub.requests) == 2  # one try and one retry, no more
    assert SECRET_KEY not in str(caught.value)


def test_a_timeout_is_a_timeout(stub: StubModel, metered: list[Usage]) -> None:
    gateway, route = make(stub, metered, max_retries=0, timeout_seconds=0.3)
    stub.enqueue(s.stall(1.0))
    with pytest.raises(ProviderError) as caught:
        gateway.complete(route, MESSAGES)
    assert caught.value.kind == "timeout"
    assert metered[-1].outcome == "timeout"


def test_a_refused_request_is_not_retried(stub: StubModel, metered: list[Usage]) -> None:
    gateway, route = make(stub, metered, max_retries=3)
    stub.enqueue(s.status(401))
    with pytest.raises(ProviderError) as caught:
        gateway.complete(route, MESSAGES)
    assert caught.value.kind == "refused" and len(stub.requests) == 1


def test_a_stream_dropped_before_any_token_is_retried(
    stub: StubModel, metered: list[Usage]
) -> None:
    gateway, route = make(stub, metered)
    stub.enqueue(s.drop(), s.text("after the retry"))
    items = list(gateway.stream(route, MESSAGES))
    assert isinstance(items[-1], Reply) and items[-1].text == "after the retry"


def test_call_arguments_come_from_the_allow_list(stub: StubModel, metered: list[Usage]) -> None:
    gateway, route = make(stub, metered)
    hostile = [{"role": "user", "content": "api_base=http://evil.example mock_response=hi"}]
    kwargs = gateway._kwargs(route, hostile, None)
    assert set(kwargs) <= {
        "model", "messages", "timeout", "max_tokens", "temperature", "num_retries",
        "max_retries", "tools", "tool_choice", "api_base", "api_key",
    }  # fmt: skip
    assert kwargs["api_base"] == stub.base_url


def test_litellm_is_locked_down(stub: StubModel, metered: list[Usage]) -> None:
    gateway, route = make(stub, metered)
    stub.enqueue(s.text("hi"))
    gateway.complete(route, MESSAGES)
    litellm = gw._litellm()
    for name in gw.CALLBACK_LISTS:
        assert getattr(litellm, name, []) == [], name
    assert litellm.telemetry is False
    import os

    assert os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] == "True"


def test_only_the_stub_is_contacted(
    stub: StubModel, metered: list[Usage], connections: list[tuple[str, int]]
) -> None:
    gateway, route = make(stub, metered)
    stub.enqueue(s.text("hi"), s.text("again"))
    gateway.complete(route, MESSAGES, TOOLS)
    list(gateway.stream(route, MESSAGES))
    assert connections and {host for host, _ in connections} == {"127.0.0.1"}


def test_no_key_reaches_the_logs(
    stub: StubModel, metered: list[Usage], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    gateway, route = make(stub, metered, max_retries=0)
    stub.enqueue(s.status(500), s.text("fine"))
    with pytest.raises(ProviderError):
        gateway.complete(route, MESSAGES)
    gateway.complete(route, MESSAGES)
    assert SECRET_KEY not in caplog.text
    assert SECRET_KEY not in repr(route) and SECRET_KEY not in repr(gateway.config)
    assert SECRET_KEY not in stub.received_text()  # only in the Authorization header
    headers = {k.lower(): v for k, v in stub.headers[0].items()}
    assert headers["authorization"] == f"Bearer {SECRET_KEY}"


# -- routes: decided without any network call -------------------------------------------


def test_no_model_means_offline_at_once() -> None:
    routes, reason = Gateway(AIConfig(model=None)).routes()
    assert routes == [] and reason is not None and "no model" in reason


def test_no_key_means_offline_and_says_how_to_add_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    routes, reason = Gateway(AIConfig(model="gpt-4o-mini")).routes()
    assert routes == []
    assert reason is not None and "keys set openai" in reason and "OPENAI_API_KEY" in reason


def test_a_key_from_the_environment_or_the_keyring(
    monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-env")
    keys.store("openai", SecretStr("sk-ring"))
    config = AIConfig(model="gpt-4o-mini", fallback_models=("anthropic/claude-3-5-haiku",))
    routes, _ = Gateway(config).routes()
    assert [r.model for r in routes] == ["gpt-4o-mini", "anthropic/claude-3-5-haiku"]
    assert [r.key.get_secret_value() for r in routes if r.key] == ["sk-ring", "sk-env"]


def test_a_base_url_needs_no_key() -> None:
    routes, reason = Gateway(AIConfig(model="local-model", base_url="http://127.0.0.1:9")).routes()
    assert reason is None and routes[0].base_url == "http://127.0.0.1:9"


def test_a_hanging_keyring_times_out_with_one_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    monkeypatch.setattr(keys, "TIMEOUT_SECONDS", 0.2)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    keyring.set_keyring(HangingKeyring())
    keys.forget()
    gateway = Gateway(AIConfig(model="gpt-4o-mini", fallback_models=("o3-mini",)))
    routes, reason = gateway.routes()
    assert routes == [] and reason is not None
    assert gateway.warnings == [
        "warning: the keyring did not answer in 0.2 s; using environment keys only"
    ]


def test_keys_are_stored_listed_and_deleted_without_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    keys.store("openai", SecretStr(SECRET_KEY))
    rows, warning = keys.listing()
    assert warning is None
    assert rows == [{"provider": "openai", "keyring": True, "environment": False}]
    assert SECRET_KEY not in repr(rows)
    assert keys.delete("openai") is True and keys.delete("openai") is False


def test_settings_fields_are_read_defensively(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METASAAS_AI__BASE_URL", "http://127.0.0.1:1/v1")
    monkeypatch.setenv("METASAAS_AI__MAX_TOKENS", "256")
    config = from_settings(Settings(ai={"model": "m", "fallback_models": ["a", " b ", "a"]}))
    assert config.base_url == "http://127.0.0.1:1/v1" and config.max_tokens == 256
    assert config.models == ("m", "a", "b")


def test_provider_names_without_importing_litellm() -> None:
    assert keys.provider_of("gpt-4o-mini") == "openai"
    assert keys.provider_of("claude-3-5-sonnet") == "anthropic"
    assert keys.provider_of("ollama/llama3") == "ollama"
    assert keys.provider_of("some-unknown-model") is None


PROBE = """
import json, sys
seen = []
def hook(event, args):
    if event in ("socket.connect", "socket.getaddrinfo"):
        seen.append([event, str(args[1][0] if event == "socket.connect" else args[0])])
sys.addaudithook(hook)
from pydantic import SecretStr
from ai.config import AIConfig
from ai.gateway import Gateway
gateway = Gateway(AIConfig(model="openai/gpt-4o-mini", base_url=sys.argv[1],
                           api_key=SecretStr("sk-x"), max_retries=0))
route = gateway.routes()[0][0]
print(gateway.complete(route, [{"role": "user", "content": "hi"}]).text)
print(json.dumps(seen))
"""


def test_importing_and_calling_litellm_contacts_nothing_but_the_stub(stub: StubModel) -> None:
    """In a fresh interpreter, so litellm's import-time fetches would be seen too."""
    import subprocess
    from pathlib import Path

    stub.enqueue(s.text("from the stub"))
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, stub.base_url],
        cwd=root, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    text, seen = done.stdout.strip().splitlines()[-2:]
    assert text == "from the stub"
    hosts = {host for _, host in json.loads(seen)}
    assert hosts == {"127.0.0.1"}, hosts


def test_warm_up_imports_litellm_only_when_a_model_could_answer() -> None:
    import subprocess
    from pathlib import Path

    probe = (
        "import sys; from core.settings import Settings; "
        "from ai.gateway import warm_if_configured; "
        "print(warm_if_configured(Settings(ai={'model': ''})), 'litellm' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "False"]
