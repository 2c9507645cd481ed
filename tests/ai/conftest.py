"""Fixtures for the AI layer: the stub model server, an in-memory keyring, wired apps."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import keyring
import pytest

from ai import keys, metering
from ai.config import AIConfig, from_settings
from ai.gateway import Gateway
from ai.interpreter import Interpreter, make_gateway
from core.bootstrap import App
from core.contracts import Caller
from tests.ai.memory_keyring import MemoryKeyring
from tests.ai.stub_server import StubModel
from tests.conftest import make_app, make_caller

MODEL = "openai/gpt-4o-mini"
SECRET_KEY = "sk-test-NEVER-SHOWN-7f3a9c"


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    keys.forget()
    yield ring
    keyring.set_keyring(previous)
    keys.forget()


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Per-test user data (usage lines, palette history) so tests never see each other's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))


@pytest.fixture
def stub() -> Iterator[StubModel]:
    with StubModel() as server:
        yield server


def ai_settings(stub: StubModel, **extra: Any) -> dict[str, Any]:
    ai = {"model": MODEL, "api_base": stub.base_url, "timeout_seconds": 2, **extra}
    return {"ai": ai}


@pytest.fixture
def ai_app(db_url: str, stub: StubModel) -> Iterator[App]:
    app = make_app(db_url, **ai_settings(stub))
    yield app
    metering.flush()  # usage lines still queued belong to this app's database
    app.close()


@pytest.fixture
def user() -> Caller:
    return make_caller(user="alice", roles=("operator",))


def fast(config: AIConfig, **changes: Any) -> AIConfig:
    """The app's AI settings with quick retries, for tests."""
    return dataclasses.replace(config, retry_backoff_seconds=0.001, **changes)


def interpreter(app: App, user: Caller, **changes: Any) -> Interpreter:
    metered = make_gateway(app, user)
    gateway = Gateway(fast(from_settings(app.settings), **changes), meter=metered.meter)
    return Interpreter(app, user, gateway)
