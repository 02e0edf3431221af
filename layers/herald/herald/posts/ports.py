"""What the post use cases need from the outside world, as small protocols. The store and
schedules packages implement them with boto3; tests may pass in-memory fakes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from herald.accounts.model import Account
from herald.media.model import Media
from herald.posts.model import Post, PostStatus


@dataclass(frozen=True)
class IdempotencyRecord:
    key_hash: str
    body_hash: str
    post_id: str


@dataclass(frozen=True)
class PostFilter:
    statuses: tuple[PostStatus, ...] = ()
    platform: str | None = None
    campaign_id: str | None = None
    tag: str | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class PostPage:
    posts: list[Post]
    cursor: str | None


class PostRepository(Protocol):
    def insert(self, post: Post, idempotency: IdempotencyRecord | None) -> None:
        """Write a new post (and its idempotency record) in one transaction; raises
        DuplicateIdempotencyKey when the record already exists."""

    def remove_new(self, post: Post, idempotency: IdempotencyRecord | None) -> None:
        """Undo `insert` (used when the schedule could not be created)."""

    def find_idempotency(self, workspace_id: str, profile_id: str, key_hash: str) -> IdempotencyRecord | None: ...

    def get(self, workspace_id: str, post_id: str) -> Post: ...

    def save(self, post: Post, expected_version: int) -> None:
        """Replace the post if its stored version is still `expected_version`, else raise
        ConcurrentModification."""

    def list(
        self, workspace_id: str, profile_id: str, filters: PostFilter, cursor: str | None, limit: int
    ) -> PostPage: ...

    def queue(
        self, workspace_id: str, profile_id: str, filters: PostFilter, cursor: str | None, limit: int
    ) -> tuple[PostPage, dict[str, int]]:
        """Posts waiting to publish, soonest first, and the count of each status in the queue."""


class AccountDirectory(Protocol):
    def get(self, workspace_id: str, account_id: str) -> Account: ...

    def for_profile(self, workspace_id: str, profile_id: str) -> list[Account]: ...


@dataclass(frozen=True)
class PublishRequest:
    """The payload a schedule (or an immediate invoke, or the sweeper) hands to publishing."""

    workspace_id: str
    post_id: str
    schedule_version: int | None  # None: the sweeper's request, valid for any version

    def as_payload(self) -> dict[str, object]:
        return {"workspace_id": self.workspace_id, "post_id": self.post_id, "schedule_version": self.schedule_version}


class MediaDirectory(Protocol):
    def get(self, workspace_id: str, media_id: str) -> Media | None: ...


class LinkShortener(Protocol):
    def short_urls(
        self, workspace_id: str, profile_id: str, post_id: str, urls: list[str], networks: list[str], base: str
    ) -> dict[str, dict[str, str]]:
        """URL -> network -> short URL (`{base}/l/{code}`), made once per URL and post."""


class Scheduler(Protocol):
    def upsert(self, post_id: str, at: datetime, request: PublishRequest) -> None:
        """Create or replace the post's one-time schedule firing at `at` (UTC, whole minute)."""

    def disable(self, post_id: str) -> None: ...

    def delete(self, post_id: str) -> None:
        """Delete the post's schedule; a missing schedule is not an error."""


class PublishTrigger(Protocol):
    def publish_soon(self, request: PublishRequest) -> None:
        """Hand the request to the publish function asynchronously, now."""
