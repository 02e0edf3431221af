"""In-memory stand-ins for the ports that leave the process."""

from __future__ import annotations

import threading
from datetime import datetime

from herald.posts.ports import PublishRequest


class RecordingTrigger:
    """PublishTrigger that records hand-overs instead of invoking Lambda."""

    def __init__(self) -> None:
        self.requests: list[PublishRequest] = []
        self._lock = threading.Lock()
        self.fail = False

    def publish_soon(self, request: PublishRequest) -> None:
        from herald.errors import ScheduleUnavailable

        if self.fail:
            raise ScheduleUnavailable("invoke refused (test)")
        with self._lock:
            self.requests.append(request)

    def for_post(self, post_id: str) -> list[PublishRequest]:
        return [r for r in self.requests if r.post_id == post_id]


class RecordingScheduler:
    """Scheduler port in memory, for unit tests of the service."""

    def __init__(self) -> None:
        self.schedules: dict[str, tuple[datetime, PublishRequest, str]] = {}
        self.fail_upsert = False

    def upsert(self, post_id: str, at: datetime, request: PublishRequest) -> None:
        from herald.errors import ScheduleUnavailable

        if self.fail_upsert:
            raise ScheduleUnavailable("scheduler refused (test)")
        self.schedules[post_id] = (at, request, "ENABLED")

    def disable(self, post_id: str) -> None:
        if post_id in self.schedules:
            at, request, _ = self.schedules[post_id]
            self.schedules[post_id] = (at, request, "DISABLED")

    def delete(self, post_id: str) -> None:
        self.schedules.pop(post_id, None)
