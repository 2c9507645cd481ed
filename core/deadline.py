"""A call on a helper thread with a deadline: for the system keyring, which may hang
(a locked keyring, a hung D-Bus) where the console must go on within seconds."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class KeyringUnavailable(Exception):
    """The keyring has no backend, is locked, or did not answer in time."""


def bounded(call: Callable[[], T], timeout: float) -> T:
    """`call()` on a daemon thread, giving up after `timeout` seconds; its error by class only
    (a backend's message may say anything)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = call()
        except Exception as exc:
            box["error"] = type(exc).__name__

    worker = threading.Thread(target=target, name="metasaas-keyring", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise KeyringUnavailable(f"the keyring did not answer in {timeout:g} s")
    if "error" in box:
        raise KeyringUnavailable(f"the keyring is unavailable ({box['error']})")
    return box.get("value")  # type: ignore[return-value]
