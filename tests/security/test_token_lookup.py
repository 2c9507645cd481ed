"""Where the CLI finds the session token: METASAAS_TOKEN, then the keyring, then (opted in)
a 0600 file; a keyring that hangs is given up on with one line of warning."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from console import session_token
from core.settings import AuthSettings, Settings
from tests.ai.memory_keyring import HangingKeyring, MemoryKeyring


@pytest.fixture
def ring() -> Iterator[MemoryKeyring]:
    saved = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(saved)


def _settings(tmp_path: Path, token_file: bool = False) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path}/x.db",  # type: ignore[arg-type]
        auth=AuthSettings(provider="local", token_file=token_file),
    )


def test_the_environment_comes_first(
    ring: MemoryKeyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    session_token.keep(settings, "from-keyring")
    assert session_token.lookup(settings).source == "keyring"
    monkeypatch.setenv("METASAAS_TOKEN", "from-env")
    found = session_token.lookup(settings)
    assert (found.token, found.source) == ("from-env", "environment")


def test_the_keyring_comes_before_the_file(
    ring: MemoryKeyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("METASAAS_TOKEN", raising=False)
    settings = _settings(tmp_path, token_file=True)
    session_token.keep(settings, "kept")
    assert session_token.lookup(settings).source == "keyring"


def test_the_file_only_when_opted_in_and_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("METASAAS_TOKEN", raising=False)
    saved = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        where, warning = session_token.keep(_settings(tmp_path), "nowhere")
        assert where is None and warning and "--print-token" in warning
        assert session_token.lookup(_settings(tmp_path)).token is None
        opted = _settings(tmp_path, token_file=True)
        assert session_token.keep(opted, "in-a-file") == ("file", None)
        found = session_token.lookup(opted)
        assert (found.token, found.source) == ("in-a-file", "file")
        files = list(Path(os.environ["XDG_DATA_HOME"]).rglob("session-*.token"))
        assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
        assert session_token.lookup(_settings(tmp_path)).token is None  # not opted in: not read
        session_token.forget(opted)
        assert session_token.lookup(opted).token is None
    finally:
        keyring.set_keyring(saved)


def test_a_hanging_keyring_times_out_with_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("METASAAS_TOKEN", raising=False)
    assert session_token.TIMEOUT_SECONDS == 3.0
    monkeypatch.setattr(session_token, "TIMEOUT_SECONDS", 0.2)
    saved = keyring.get_keyring()
    keyring.set_keyring(HangingKeyring())
    try:
        started = time.monotonic()
        found = session_token.lookup(_settings(tmp_path))
        assert time.monotonic() - started < 2
        assert found.token is None and found.warning is not None
        assert "did not answer" in found.warning and "\n" not in found.warning
    finally:
        keyring.set_keyring(saved)
