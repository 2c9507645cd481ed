"""`bus.subscribe`: in-process listeners told of every committed change, off the caller's thread.

A screen that shows records wants to know when they change; it must not make the action
that changed them wait while it redraws. Changes are queued after commit and handed to
listeners by one worker thread, in commit order. A listener that raises is logged (its
class only: a message can quote values) and the others still run.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence

from core.actions.context import Change

log = logging.getLogger(__name__)
Listener = Callable[[Change], None]


class ChangeNotifier:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        # changes to hand out, an Event to set once all before it are handed out, None to stop
        self._queue: queue.SimpleQueue[Sequence[Change] | threading.Event | None] = (
            queue.SimpleQueue()
        )
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._guard:
            self._listeners.append(listener)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="metasaas-change-listeners", daemon=True
                )
                self._thread.start()

        def unsubscribe() -> None:
            with self._guard:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, changes: Sequence[Change]) -> None:
        """After commit: queue the changes (nothing at all when no one listens)."""
        if changes and self._listeners:
            self._queue.put(tuple(changes))

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued so far has been handed out (tests, shutdown)."""
        if self._thread is None:
            return True
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    def close(self) -> None:
        with self._guard:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            with self._guard:
                listeners = list(self._listeners)
            for change in item:
                for listener in listeners:
                    try:
                        listener(change)
                    except Exception as exc:
                        log.warning("a change listener failed: %s", type(exc).__name__)
