"""What the post use cases need from the outside world, as small protocols. The store and
schedules packages implement them with boto3; tests may pass in-memory fakes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from herald.accounts.model import Account
from herald.errors import InvalidRequest, ServiceUnavailable
from herald.media.model import Media
from herald.posts.model import MediaCredit, Post, PostStatus, TargetError


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
    tracking_id: str | None = None  # exact match


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


@dataclass(frozen=True)
class FoundPhoto:
    """A photo Unsplash answered: the credit to keep with the post (its `media_url` is the image
    to hotlink) and where to tell Unsplash the photo was used."""

    credit: MediaCredit
    download_location: str


class UnsplashPhotos(Protocol):
    """Unsplash's photo library (herald.media.unsplash). `test` asks its built-in simulator
    instead of Unsplash (posts whose accounts are all test-mode ones)."""

    def find(self, asked: str | Sequence[str], *, test: bool) -> list[FoundPhoto]:
        """The photos `asked` names, in order: a string is `random`, `random:<term>`, a photo id or
        a search term (its first result); a list holds photo ids. Raises the Unsplash* errors
        below, or TooManyRequests when Unsplash's rate limit is used up."""

    def mark_used(self, photo: FoundPhoto, *, test: bool) -> None:
        """Tell Unsplash the photo went into a post (its download endpoint), as its guidelines ask."""


class UnsplashNotConfigured(InvalidRequest):
    code = "unsplash_not_configured"


class UnsplashNotFound(InvalidRequest):
    code = "unsplash_not_found"


class UnsplashRefused(InvalidRequest):
    """Unsplash refused the deployment's access key (or the request): a configuration problem."""

    code = "unsplash_refused"


class UnsplashUnavailable(ServiceUnavailable):
    """Unsplash failed (5xx, timeout, a malformed answer): nothing was saved; retry (HTTP 503, as
    for the other dependencies)."""

    code = "unsplash_unavailable"


class Scheduler(Protocol):
    def upsert(self, post_id: str, at: datetime, request: PublishRequest) -> None:
        """Create or replace the post's one-time schedule firing at `at` (UTC, whole minute)."""

    def disable(self, post_id: str) -> None: ...

    def delete(self, post_id: str) -> None:
        """Delete the post's schedule; a missing schedule is not an error."""


class NetworkDeleter(Protocol):
    """Deletes posts from the networks for one account (herald.publishing.deleter: the account's
    adapter, opened as a publish run opens it)."""

    def delete_posts(self, workspace_id: str, account_id: str, platform_post_ids: Sequence[str]) -> TargetError | None:
        """Delete each post, in the order given, from the account's network. None when every one
        is gone (a post the network no longer has counts as deleted); else why the network (or
        the account) refused, and the posts after that one are not tried. An expired token is
        refreshed once; credentials the network refuses mark the account `reconnect_required`."""


class PublishTrigger(Protocol):
    def publish_soon(self, request: PublishRequest) -> None:
        """Hand the request to the publish function asynchronously, now."""
