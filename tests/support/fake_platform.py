"""A scripted in-memory network behind the Platform interface, for publish-run tests that need
precise control (crash points, reconcile answers) beyond what the simulators model."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from herald.platforms.base import (
    AccountIdentity,
    Credentials,
    ErrorClass,
    MediaLimits,
    Platform,
    PlatformError,
    PostContent,
    PublishedPost,
    ReconcileOutcome,
    Reconciliation,
    TextLimits,
)


@dataclass
class FakeNetwork:
    """State shared by every adapter instance: what was published, and scripted answers."""

    published: dict[str, PublishedPost] = field(default_factory=dict)  # target_key -> post
    publish_calls: list[str] = field(default_factory=list)
    contents: list[PostContent] = field(default_factory=list)  # what each publish call was given
    metric_values: dict[str, dict[str, int]] = field(default_factory=dict)  # platform post id -> metrics
    metric_calls: list[list[str]] = field(default_factory=list)
    followers: int | None = None
    failures: list[PlatformError] = field(default_factory=list)  # answered to the next publishes
    failing: dict[str, PlatformError] = field(default_factory=dict)  # target_key -> every answer
    reconcile_answer: ReconcileOutcome | None = None  # None: answer from `published`
    refresh_refused: bool = False
    refreshed: int = 0
    before_publish: Callable[[], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, account: Any) -> FakePlatform:
        credentials = Credentials(account_id=account.id, username=account.username, tokens=dict(account.credentials))
        return FakePlatform(None, credentials, self)  # type: ignore[arg-type]


class FakePlatform(Platform):
    name = "x"
    text_limits = TextLimits(max_length=280, counting="characters")
    media_limits = MediaLimits(max_items=4, image_types=("image/png",), video_types=(), max_image_bytes=5_000_000,
                               max_video_bytes=0)

    def __init__(self, client: Any, credentials: Credentials, network: FakeNetwork) -> None:
        super().__init__(client, credentials)
        self.network = network

    def publish(self, content: PostContent) -> PublishedPost:
        if self.network.before_publish:
            self.network.before_publish()
        with self.network.lock:
            self.network.publish_calls.append(content.target_key)
            self.network.contents.append(content)
            if content.target_key in self.network.failing:
                raise self.network.failing[content.target_key]
            if self.network.failures:
                raise self.network.failures.pop(0)
            if self.credentials.tokens.get("access_token") == "expired":
                raise PlatformError(ErrorClass.REFRESH, "token_expired", "expired", platform_code="401")
            number = len(self.network.published) + 1
            post = PublishedPost(f"{1000 + number}", f"https://x.com/{self.credentials.username}/status/{1000 + number}")
            self.network.published[content.target_key] = post
            return post

    def delete(self, platform_post_id: str) -> None:
        raise NotImplementedError

    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost:
        raise NotImplementedError

    def metrics(self, platform_post_ids: list[str]) -> dict[str, dict[str, int]]:
        self.network.metric_calls.append(list(platform_post_ids))
        return {i: dict(self.network.metric_values[i]) for i in platform_post_ids if i in self.network.metric_values}

    def identity(self) -> AccountIdentity:
        return AccountIdentity(platform_user_id="u1", username=self.credentials.username,
                               followers=self.network.followers)

    def reconcile(self, content: PostContent, parent: PublishedPost | None = None) -> Reconciliation:
        answer = self.network.reconcile_answer
        found = self.network.published.get(content.target_key)
        if answer is None:
            answer = ReconcileOutcome.FOUND if found else ReconcileOutcome.ABSENT
        return Reconciliation(answer, found if answer is ReconcileOutcome.FOUND else None)

    def classify_error(self, response: Any, exc: Exception | None = None) -> PlatformError:
        raise NotImplementedError

    def refresh_credentials(self) -> Credentials:
        if self.network.refresh_refused:
            raise PlatformError(ErrorClass.RECONNECT, "account_disconnected", "refresh refused", platform_code="400")
        self.network.refreshed += 1
        return Credentials(self.credentials.account_id, self.credentials.username, {"access_token": "fresh"})

    def count_text(self, text: str) -> int:
        return len(text)
