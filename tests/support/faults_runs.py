"""Driving publish runs as AWS would deliver them, on a controllable clock: a scheduler delivery
(the payload the post's schedule carries), the sweeper's hand-overs, the lease running out, and
"follow the post until it is final" for scenarios whose recovery takes several runs."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from herald.posts.lifecycle import FINAL
from herald.posts.model import Post, PostStatus
from herald.posts.ports import PublishRequest
from support.clock import FakeClock
from support.fakes import RecordingTrigger


@dataclass
class Runs:
    publisher: Any  # herald.publishing.runner.Publisher
    trigger: RecordingTrigger
    clock: FakeClock
    workspace_id: str

    def post(self, post_id: str) -> Post:
        from herald import wiring

        return wiring.post_store().get(self.workspace_id, post_id)

    def request(self, post_id: str) -> PublishRequest:
        """What the post's current schedule would deliver: its schedule version."""
        return PublishRequest(self.workspace_id, post_id, self.post(post_id).schedule_version)

    def deliver(self, request: PublishRequest) -> Any:
        return self.publisher.run(request)

    def scheduled_payload(self, post_id: str) -> tuple[str, PublishRequest]:
        """The post's one-time schedule in EventBridge Scheduler (moto): its expression and the
        payload it would deliver."""
        from herald.aws import client
        from herald.schedules.names import schedule_name_for
        from herald.settings import get_settings

        schedule = client("scheduler").get_schedule(Name=schedule_name_for(post_id),
                                                     GroupName=get_settings().schedule_group)
        payload = json.loads(schedule["Target"]["Input"])
        request = PublishRequest(payload["workspace_id"], payload["post_id"], payload.get("schedule_version"))
        return schedule["ScheduleExpression"], request

    def let_lease_expire(self) -> None:
        from herald.settings import get_settings

        self.clock.advance(seconds=get_settings().lease_seconds + 1)

    def sweep(self) -> list[Any]:
        """One sweeper run (the real one, on this clock), then every publish run it handed over for
        this workspace (the table also holds other tests' posts, left scheduled)."""
        from herald import wiring
        from herald.publishing.sweeper import Sweeper

        before = len(self.trigger.requests)
        Sweeper(posts=wiring.post_store(), trigger=self.trigger, clock=self.clock).run()
        handed = [r for r in self.trigger.requests[before:] if r.workspace_id == self.workspace_id]
        return [self.publisher.run(request) for request in handed]

    def until_final(self, post_id: str, *, limit: int = 12) -> Post:
        """Deliver the post's runs as they fall due (re-armed retries on their schedule; a post
        left publishing by a crash through the lease and the sweeper) until it is final."""
        for _ in range(limit):
            post = self.post(post_id)
            if post.status in FINAL:
                return post
            if post.status is PostStatus.SCHEDULED:
                if post.due_at is not None and post.due_at > self.clock.now():
                    self.clock.set(post.due_at)
                self.deliver(PublishRequest(self.workspace_id, post_id, post.schedule_version))
            elif post.status is PostStatus.PUBLISHING:
                self.let_lease_expire()
                self.sweep()
            else:
                raise AssertionError(f"post {post_id} is {post.status.value}: nothing would run it")
        raise AssertionError(f"post {post_id} not final after {limit} runs: {self.post(post_id).status.value}")

    def advance_past_grace(self, post: Post) -> None:
        """To the moment the sweeper takes over a scheduled post its schedule never delivered."""
        from herald.settings import get_settings

        assert post.due_at is not None
        self.clock.set(post.due_at + timedelta(seconds=get_settings().sweep_grace_seconds + 1))


def all_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call on its own thread, released together; their results in order."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        start.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
