"""The networks with faults in front of them: Herald's real adapters talk to the built-in
simulators through an httpx transport that passes every request on, except the create-post calls
of an account that has faults scripted, which meet the next fault first. Each create call is
recorded with whether it reached the network and whether the network stored a new post then, so
a double post is counted where it happens (the network), never from Herald's own records.

`install` wraps `herald.platforms.registry._client`, the one place test-mode adapters get their
transport, so the publish run, the sweeper's runs and deletes all go through the faults."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import pytest

from herald.clock import to_iso
from herald.platforms import simulators

# The create-post call of each network the suite drives (method POST).
CREATE_PATHS = {
    "x": "/2/tweets",
    "bluesky": "/xrpc/com.atproto.repo.createRecord",
    "mastodon": "/api/v1/statuses",
}
# What the network calls a post's id in what it holds (simulators.published), as Herald stores it.
_POST_ID_FIELD = {"x": "id", "bluesky": "uri", "mastodon": "id"}

Forward = Callable[[httpx.Request], httpx.Response]


@dataclass(frozen=True)
class Fault:
    """One scripted answer to one create call. `forward` says whether the call reaches the network
    (which then stores the post) before `answer` decides what the caller gets."""

    name: str
    forward: bool
    answer: Callable[[str, httpx.Request, httpx.Response | None], httpx.Response]


@dataclass(frozen=True)
class CreateCall:
    account_id: str
    fault: str  # "" when none was scripted
    reached_network: bool
    created: bool  # the network stored a new post during this call
    answer: str  # "HTTP 200" or the transport error's name


@dataclass
class FaultyNetworks:
    calls: list[CreateCall] = field(default_factory=list)
    scripts: dict[str, deque[Fault]] = field(default_factory=dict)
    # account id -> run once the next create call of the account has reached the network, before
    # its answer goes back (a concurrent actor working while the request is in flight)
    during: dict[str, Callable[[], None]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from herald.platforms import registry

        real = registry._client

        def client(handler: Any) -> httpx.Client:
            simulator = getattr(handler, "__self__", None)  # a simulator's bound `handle`
            if simulator is None or getattr(simulator, "network", None) not in CREATE_PATHS:
                return real(handler)
            return real(self._front(simulator.network, simulator.account_id, handler))

        monkeypatch.setattr(registry, "_client", client)

    def script(self, account_id: str, *faults: Fault) -> None:
        with self.lock:
            self.scripts.setdefault(account_id, deque()).extend(faults)

    def _front(self, network: str, account_id: str, handler: Forward) -> Forward:
        def handle(request: httpx.Request) -> httpx.Response:
            if request.method != "POST" or request.url.path != CREATE_PATHS[network]:
                return handler(request)
            with self.lock:
                queue = self.scripts.get(account_id)
                fault = queue.popleft() if queue else None
                during = self.during.pop(account_id, None)
            reached, created, answered = False, False, None
            try:
                if fault is None or fault.forward:
                    reached = True
                    before = len(simulators.published(account_id))
                    answered = handler(request)
                    created = len(simulators.published(account_id)) > before
                if during is not None:
                    during()
                response = answered if fault is None else fault.answer(network, request, answered)
            except BaseException as exc:  # a transport error, or the process dying (Killed)
                self._note(CreateCall(account_id, fault.name if fault else "", reached, created, type(exc).__name__))
                raise
            self._note(CreateCall(account_id, fault.name if fault else "", reached, created,
                                  f"HTTP {response.status_code}"))
            return response

        return handle

    def _note(self, call: CreateCall) -> None:
        with self.lock:
            self.calls.append(call)

    # --- what the network saw ------------------------------------------------------------------

    def create_calls(self, account_id: str) -> list[CreateCall]:
        with self.lock:
            return [c for c in self.calls if c.account_id == account_id]

    def created(self, account_id: str) -> int:
        """Posts the network stored for the account through create calls."""
        return sum(1 for c in self.create_calls(account_id) if c.created)

    @staticmethod
    def post_ids(platform: str, account_id: str) -> list[str]:
        """The ids of the posts the network holds for the account, as Herald would record them."""
        return [post[_POST_ID_FIELD[platform]] for post in simulators.published(account_id)]


# --- faults ------------------------------------------------------------------------------------


def rate_limited(reset_at: datetime) -> Fault:
    """429 in the network's own shape, with its rate-limit reset header at `reset_at`. Not sent on."""
    epoch = str(int(reset_at.timestamp()))

    def answer(network: str, request: httpx.Request, _: httpx.Response | None) -> httpx.Response:
        if network == "x":
            return httpx.Response(429, json={"title": "Too Many Requests", "detail": "Too Many Requests",
                                             "type": "about:blank", "status": 429},
                                  headers={"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0",
                                           "x-rate-limit-reset": epoch})
        if network == "bluesky":
            return httpx.Response(429, json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                                  headers={"ratelimit-limit": "5000", "ratelimit-remaining": "0",
                                           "ratelimit-reset": epoch})
        return httpx.Response(429, json={"error": "Too many requests"},
                              headers={"x-ratelimit-limit": "300", "x-ratelimit-remaining": "0",
                                       "x-ratelimit-reset": to_iso(reset_at)})

    return Fault("rate_limited", False, answer)


def server_error(status: int = 503) -> Fault:
    """A 5xx with a JSON error body before the network did anything."""
    return Fault(f"server_error_{status}", False, lambda network, request, _: httpx.Response(
        status, json={"error": "ServiceUnavailable", "message": "Service Unavailable"}))


def html_error_page(status: int = 502) -> Fault:
    """A proxy's HTML error page in front of the network; nothing reached it."""
    return Fault(f"html_error_page_{status}", False, lambda network, request, _: httpx.Response(
        status, text="<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
        headers={"content-type": "text/html"}))


def error_after_write(status: int = 500) -> Fault:
    """The network stored the post, then answered a 5xx (its front end failed after the write)."""
    return Fault(f"error_after_write_{status}", True, lambda network, request, _: httpx.Response(
        status, json={"error": "InternalServerError", "message": "Internal Server Error"}))


def connect_timeout() -> Fault:
    """No connection: the request never left."""

    def answer(network: str, request: httpx.Request, _: httpx.Response | None) -> httpx.Response:
        raise httpx.ConnectTimeout("injected connect timeout", request=request)

    return Fault("connect_timeout", False, answer)


def read_timeout_after_write() -> Fault:
    """The network stored the post; its answer never came back."""

    def answer(network: str, request: httpx.Request, _: httpx.Response | None) -> httpx.Response:
        raise httpx.ReadTimeout("injected read timeout", request=request)

    return Fault("read_timeout_after_write", True, answer)


def invalid_json_after_write() -> Fault:
    """The network stored the post; the body of its 200 was cut short (not JSON)."""
    return Fault("invalid_json_after_write", True, lambda network, request, _: httpx.Response(
        200, text='{"data": {"id": "18', headers={"content-type": "application/json"}))


def missing_id_after_write() -> Fault:
    """The network stored the post; its 200 is JSON without the id fields the network documents."""
    bodies = {"x": {"data": {"text": "hello"}}, "bluesky": {"validationStatus": "valid"},
              "mastodon": {"content": "<p>hello</p>"}}
    return Fault("missing_id_after_write", True, lambda network, request, _: httpx.Response(200, json=bodies[network]))


def html_page_after_write() -> Fault:
    """The network stored the post; a proxy answered 200 with an HTML page."""
    return Fault("html_page_after_write", True, lambda network, request, _: httpx.Response(
        200, text="<html><body>upstream connect error</body></html>", headers={"content-type": "text/html"}))
