"""Metering runs off the command's path, in order, and never raises into anyone."""

from __future__ import annotations

import threading
import time

import pytest

from ai import metering


def test_writes_run_in_order_off_the_callers_thread() -> None:
    seen: list[tuple[int, str]] = []
    for i in range(5):
        metering.submit(lambda i=i: seen.append((i, threading.current_thread().name)))
    assert metering.flush()
    assert [i for i, _ in seen] == [0, 1, 2, 3, 4]
    assert {name for _, name in seen} == {"metasaas-ai-metering"}


def test_a_slow_write_does_not_hold_up_the_caller() -> None:
    started = time.perf_counter()
    metering.submit(lambda: time.sleep(0.3))
    assert time.perf_counter() - started < 0.1
    assert metering.flush()


def test_a_failing_write_is_logged_by_class_only(caplog: pytest.LogCaptureFixture) -> None:
    def fail() -> None:
        raise RuntimeError("sk-secret-in-a-message")

    metering.submit(fail)
    assert metering.flush()
    assert "RuntimeError" in caplog.text and "sk-secret" not in caplog.text
    done: list[int] = []
    metering.submit(lambda: done.append(1))
    assert metering.flush() and done == [1]


def test_flush_gives_up_after_its_timeout() -> None:
    release = threading.Event()
    metering.submit(release.wait)
    assert metering.flush(timeout=0.05) is False
    release.set()
    assert metering.flush()
