"""Usage metering off the command's path: one background writer per process, in order.

Recording a model call is a write (`ai_usage.record`), which on SQLite waits for the
writer lock and an fsync; a command must not wait for its own metering. Lines go on a
queue and one daemon thread dispatches them; `flush()` waits for the queue to drain (a
headless command calls it before its hard exit, tests before they read usage).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
FLUSH_SECONDS = 5.0

_queue: queue.Queue[Callable[[], Any]] = queue.Queue()
_lock = threading.Lock()
_worker: threading.Thread | None = None


def _drain() -> None:
    while True:
        write = _queue.get()
        try:
            write()
        except Exception as exc:  # metering must never break anything; the class only
            log.warning("could not record AI usage: %s", type(exc).__name__)
        finally:
            _queue.task_done()


def submit(write: Callable[[], Any]) -> None:
    """Run `write` on the metering thread, after every write submitted before it."""
    global _worker
    with _lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_drain, name="metasaas-ai-metering", daemon=True)
            _worker.start()
    _queue.put(write)


def flush(timeout: float = FLUSH_SECONDS) -> bool:
    """Wait until every submitted write is done (at most `timeout` s); True if it is."""
    done = threading.Event()

    def wait() -> None:
        _queue.join()
        done.set()

    threading.Thread(target=wait, name="metasaas-ai-metering-flush", daemon=True).start()
    return done.wait(timeout)
