"""A threading HTTP server run in a background thread, bound to 127.0.0.1, stoppable quickly."""

from __future__ import annotations

import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCALHOST = "127.0.0.1"


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # an in-flight request never blocks shutdown
    block_on_close = False


class BackgroundHTTPServer:
    """Binds at construction (so `port` is known at once, also for port 0), serves on start()."""

    def __init__(self, handler_class: type[BaseHTTPRequestHandler], port: int, *, name: str):
        self.name = name
        try:
            self._server = _Server((LOCALHOST, port), handler_class)
        except OSError as exc:
            raise OSError(exc.errno, f"{name} cannot listen on {LOCALHOST}:{port}: {exc.strerror}") from exc
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    @property
    def server(self) -> ThreadingHTTPServer:
        return self._server

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name=self.name, daemon=True
        )
        self._thread.start()
        logging.getLogger(__name__).debug("%s listening on %s", self.name, self.url)

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(2)
            self._thread = None
        self._server.server_close()


class LocalService:
    """An emulated AWS endpoint served by a BackgroundHTTPServer; its request handler reaches the
    service as `self.server.service`."""

    def _listen(self, handler_class: type[BaseHTTPRequestHandler], port: int, name: str) -> None:
        self._http = BackgroundHTTPServer(handler_class, port, name=name)
        self._http.server.service = self  # type: ignore[attr-defined]

    @property
    def port(self) -> int:
        return self._http.port

    @property
    def url(self) -> str:
        return self._http.url

    def start(self) -> None:
        self._http.start()

    def stop(self) -> None:
        self._http.stop()


def ensure_port_free(port: int, what: str) -> None:
    """Fail clearly when `port` (non-zero) is taken: moto's server thread would only hang."""
    if port == 0:
        return
    with socket.socket() as probe:
        try:
            probe.bind((LOCALHOST, port))
        except OSError as exc:
            raise OSError(exc.errno, f"{what} cannot listen on {LOCALHOST}:{port}: {exc.strerror}") from exc
