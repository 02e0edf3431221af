"""Shared fixtures of the /api (Ayrshare-compatible) integration tests; no tests of its own.

`settle` makes POST /api/post's wait run the publish hand-overs in-process (the waiter's sleep
runs them), so an immediate post is answered after publishing, as in the deployed API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from support.apigw import ApiClient, Reply


@pytest.fixture
def real_time_publisher(publisher: Any, clock: Any) -> Any:
    clock.set(datetime.now(UTC))
    return publisher


class Settler:
    """Runs every publish hand-over not run yet, as the publish function would."""

    def __init__(self, publisher: Any, trigger: Any) -> None:
        self.publisher, self.trigger, self.done = publisher, trigger, 0
        self.ticks = 0.0

    def run_pending(self) -> None:
        while self.done < len(self.trigger.requests):
            request = self.trigger.requests[self.done]
            self.done += 1
            self.publisher.run(request)

    def sleep(self, seconds: float) -> None:
        self.ticks += max(seconds, 0.001)
        self.run_pending()


@pytest.fixture
def settle(real_time_publisher: Any, trigger: Any) -> Iterator[Settler]:
    from herald.api.compat import waiting

    settler = Settler(real_time_publisher, trigger)
    waiting.use(waiting.Waiter(seconds=5, sleep=settler.sleep, monotonic=lambda: settler.ticks))
    yield settler
    waiting.use(None)


@pytest.fixture
def no_wait() -> Iterator[None]:
    """POST /api/post answers at once (nothing publishes): `pending` for immediate posts."""
    from herald.api.compat import waiting

    waiting.use(waiting.Waiter(seconds=0))
    yield
    waiting.use(None)


def is_ayrshare_error(reply: Reply, status: int = 400, code: int | None = None) -> bool:
    """`{status: "error", errors: [{action, status, code, message}, ...]}` with that HTTP status; a
    request-level error also has `code` and `message` at the top (a post's per-network errors do
    not). `code`: the top-level code, else the first entry's."""
    body = reply.body
    shaped = (
        reply.status == status and isinstance(body, dict) and body.get("status") == "error"
        and isinstance(body.get("errors"), list) and body["errors"]
        and all({"action", "status", "code", "message"} <= set(e) and e["status"] == "error" for e in body["errors"])
        and ("code" not in body or (isinstance(body["code"], int) and isinstance(body.get("message"), str)))
    )
    return bool(shaped) and (code is None or body.get("code", body["errors"][0]["code"]) == code)


def ayr_post(api: ApiClient, **fields: Any) -> Reply:
    return api.post("/api/post", {"source": "pypi", **fields})


def native(api: ApiClient, post_id: str) -> dict[str, Any]:
    return api.get(f"/v1/posts/{post_id}").body  # type: ignore[no-any-return]
