"""A daemon thread that calls a function every `interval` seconds until stopped."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Ticker:
    def __init__(self, interval: float, action: Callable[[], object], *, name: str, run_at_start: bool = False):
        if interval <= 0:
            raise ValueError(f"{name}: interval must be positive, got {interval}")
        self.interval = interval
        self.name = name
        self._action = action
        self._run_at_start = run_at_start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request_stop(self) -> None:
        self._stop.set()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _loop(self) -> None:
        if self._run_at_start:
            self._tick()
        while not self._stop.wait(self.interval):
            self._tick()

    def _tick(self) -> None:
        try:
            self._action()
        except Exception:
            log.exception("%s failed (it runs again in %.1f s)", self.name, self.interval)
