"""Ayrshare answers an immediate post after publishing it; Herald publishes asynchronously. So the
compatible `POST /api/post` reads the post again until it leaves scheduled/publishing, for at most
HERALD_COMPAT_WAIT_SECONDS (default 20, and never past the Lambda's remaining time less a margin);
a post still on its way is answered `status: "pending"` (its outcome then shows in history).

Tests replace the sleep and the clock through `use()`."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from herald.posts.model import Post, PostStatus

DEFAULT_SECONDS = 20.0
LAMBDA_MARGIN_SECONDS = 4.0  # left for answering before the function's own timeout


@dataclass
class Waiter:
    seconds: float | None = None  # None: HERALD_COMPAT_WAIT_SECONDS, else DEFAULT_SECONDS
    sleep: Callable[[float], None] = field(default=time.sleep)
    monotonic: Callable[[], float] = field(default=time.monotonic)
    interval: float = 0.25  # first pause; doubles up to max_interval
    max_interval: float = 1.0

    def budget(self, remaining_ms: int | None) -> float:
        configured = self.seconds if self.seconds is not None else _configured()
        if remaining_ms is not None:
            configured = min(configured, remaining_ms / 1000 - LAMBDA_MARGIN_SECONDS)
        return max(0.0, configured)

    def until_settled(self, read: Callable[[], Post], first: Post, remaining_ms: int | None = None) -> Post:
        """The post once it left scheduled/publishing, or as it is when the budget is spent (or when
        a publish run re-armed it for a later retry: waiting longer would not help)."""
        deadline = self.monotonic() + self.budget(remaining_ms)
        post, pause = first, self.interval
        while _on_its_way(post) and self.monotonic() < deadline:
            self.sleep(min(pause, max(0.0, deadline - self.monotonic())))
            pause = min(pause * 2, self.max_interval)
            post = read()
        return post


def _on_its_way(post: Post) -> bool:
    if post.status is PostStatus.PUBLISHING:
        return True
    retrying = any(t.attempts > 0 for t in post.targets)  # re-armed for a later retry
    return post.status is PostStatus.SCHEDULED and not retrying


def _configured() -> float:
    try:
        return float(os.environ.get("HERALD_COMPAT_WAIT_SECONDS", DEFAULT_SECONDS))
    except ValueError:
        return DEFAULT_SECONDS


_current = Waiter()


def current() -> Waiter:
    return _current


def use(waiter: Waiter | None) -> None:
    """Replace the waiter (tests); None restores the default."""
    global _current
    _current = waiter or Waiter()
