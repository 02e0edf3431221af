"""A webhook receiver on loopback for tests: records every request (headers and raw body) and
answers with a scripted status per event type (e.g. 500 twice, then 200)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int  # what the receiver answered
    at: float


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    requests: list[Received] = field(default_factory=list)
    # event type -> statuses to answer first, in order (then 200)
    script: dict[str, list[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks"

    def answer_for(self, event_type: str) -> int:
        with self.lock:
            queued = self.script.get(event_type) or []
            return queued.pop(0) if queued else 200

    def of_type(self, event_type: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.headers.get("herald-event-type") == event_type]

    def wait_for(self, check: Callable[[Receiver], Any], seconds: float) -> Any:
        deadline = time.monotonic() + seconds
        while True:
            value = check(self)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"the receiver did not get what was expected within {seconds} s: "
                                     f"{[(r.headers.get('herald-event-type'), r.status) for r in self.requests]}")
            time.sleep(0.1)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_receiver() -> Receiver:
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            receiver = holder["r"]
            status = receiver.answer_for(headers.get("herald-event-type", ""))
            with receiver.lock:
                receiver.requests.append(Received(self.path, headers, body, status, time.time()))
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"try later")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["r"] = Receiver(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return holder["r"]
