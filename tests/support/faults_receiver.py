"""A webhook receiver on loopback that fails the way receivers do: it answers a scripted status,
is slow (answers after a delay), hangs past the sender's timeout (it got the event, the answer
never goes back), or is down (nothing listens on its port: connection refused) and comes back
on the same port. It records every request it read."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from support.cloud import free_port

HANG_LIMIT_SECONDS = 30  # a hanging answer is released by `release` or `stop` long before this


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def delivery_id(self) -> str:
        return self.headers["herald-delivery-id"]

    @property
    def event_id(self) -> str:
        return self.headers["herald-event-id"]

    @property
    def attempt(self) -> int:
        return int(self.headers["herald-delivery-attempt"])


@dataclass(frozen=True)
class Answer:
    status: int = 200
    delay: float = 0.0  # seconds before answering (a slow receiver)
    hang: bool = False  # never answers in time


@dataclass
class FaultyReceiver:
    port: int = field(default_factory=free_port)
    requests: list[Received] = field(default_factory=list)
    plan: deque[Answer] = field(default_factory=deque)  # answers to the next requests, then 200
    lock: threading.Lock = field(default_factory=threading.Lock)
    released: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def answer(self, *answers: Answer) -> None:
        with self.lock:
            self.plan.extend(answers)

    def received(self) -> list[Received]:
        with self.lock:
            return list(self.requests)

    def up(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with receiver.lock:
                    receiver.requests.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                    answer = receiver.plan.popleft() if receiver.plan else Answer()
                if answer.hang:
                    receiver.released.wait(HANG_LIMIT_SECONDS)
                elif answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"ok" if answer.status < 300 else b"try later")
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        """Stop listening: the next attempts meet a refused connection."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def release(self) -> None:
        self.released.set()

    def stop(self) -> None:
        self.release()
        self.down()
