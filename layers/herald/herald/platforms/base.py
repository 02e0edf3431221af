"""The platform interface every network adapter implements, and the values it exchanges.

An adapter builds the network's HTTP requests and parses its answers with an `httpx.Client`
handed to it. In test mode that client's transport is the network's simulator, so the same
request-building and parsing code runs offline."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import httpx


class ErrorClass(StrEnum):
    RETRY = "retry"  # transient: try again later (at retry_at when the network said when)
    REFRESH = "refresh"  # the access token expired: refresh once, then retry
    RECONNECT = "reconnect"  # credentials revoked or scopes missing: a person must reconnect
    PERMANENT = "permanent"  # fix the content or settings; the same request fails again


class PlatformError(Exception):
    """A network refused or failed a call, classified. `code` is Herald's stable code
    (rate_limited, platform_unavailable, timeout, token_expired, account_disconnected,
    duplicate_content, invalid_content, media_unsupported, ...); `platform_code` is the
    network's own (HTTP status, error name or number), kept for the target's error."""

    def __init__(
        self,
        error_class: ErrorClass,
        code: str,
        message: str,
        *,
        platform_code: str | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.code = code
        self.message = message
        self.platform_code = platform_code
        self.retry_at = retry_at


@dataclass(frozen=True)
class Credentials:
    """What an adapter needs to act for one account."""

    account_id: str
    username: str
    tokens: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkPreview:
    """A link shown as a card (Bluesky external embed, LinkedIn article, Facebook link
    attachment). Networks without cards get the URL in the text instead, never both."""

    url: str
    title: str = ""
    description: str = ""
    thumbnail: str | None = None  # an image URL for the card


@dataclass(frozen=True)
class MentionRef:
    """A mention written in the text (`text`, e.g. "@Herald") and the entity it points to on the
    network (`ref`, e.g. a LinkedIn URN), for networks whose mentions are annotations rather than
    handles. Bluesky needs none: its adapter finds @handles in the text and resolves them."""

    text: str
    ref: str
    name: str | None = None


@dataclass(frozen=True)
class PostContent:
    text: str
    media: tuple[str, ...] = ()
    title: str | None = None
    # Stable for one post and account: adapters derive idempotency keys and record keys from it.
    target_key: str = ""
    # The network's own options for this post (e.g. X reply_settings, a Reddit subreddit).
    options: Mapping[str, Any] = field(default_factory=dict)
    link: LinkPreview | None = None  # only on the first step of a network that shows cards
    mentions: tuple[MentionRef, ...] = ()


@dataclass(frozen=True)
class PublishedPost:
    platform_post_id: str
    url: str
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. a Bluesky record's cid


class ReconcileOutcome(StrEnum):
    FOUND = "found"  # the earlier attempt did publish: adopt it
    ABSENT = "absent"  # shown not to exist: safe to send again
    UNKNOWN = "unknown"  # cannot be decided: flag for a person, never resend blindly


@dataclass(frozen=True)
class Reconciliation:
    outcome: ReconcileOutcome
    post: PublishedPost | None = None


@dataclass(frozen=True)
class TextLimits:
    max_length: int
    counting: str  # how the network counts: "weighted", "graphemes", "characters", "bytes"


@dataclass(frozen=True)
class MediaLimits:
    max_items: int
    image_types: tuple[str, ...]
    video_types: tuple[str, ...]
    max_image_bytes: int
    max_video_bytes: int


class Platform(ABC):
    name: ClassVar[str]
    text_limits: ClassVar[TextLimits]
    media_limits: ClassVar[MediaLimits]

    def __init__(self, client: httpx.Client, credentials: Credentials) -> None:
        self.client = client
        self.credentials = credentials

    def token(self, name: str) -> str:
        """The credential `name` (an access token, a user id, ...); an account without it must be
        reconnected (PlatformError RECONNECT, account_disconnected)."""
        value = self.credentials.tokens.get(name)
        if not value:
            raise PlatformError(
                ErrorClass.RECONNECT, "account_disconnected", f"The account has no {name}: reconnect it."
            )
        return value

    @abstractmethod
    def publish(self, content: PostContent) -> PublishedPost: ...

    @abstractmethod
    def delete(self, platform_post_id: str) -> None: ...

    @abstractmethod
    def reply(self, parent: PublishedPost, content: PostContent) -> PublishedPost: ...

    @abstractmethod
    def metrics(self, platform_post_ids: list[str]) -> dict[str, dict[str, int]]: ...

    @abstractmethod
    def reconcile(self, content: PostContent) -> Reconciliation:
        """Decide whether an attempt whose outcome is unknown did publish."""

    @abstractmethod
    def classify_error(self, response: httpx.Response | None, exc: Exception | None = None) -> PlatformError:
        """Turn a failed response (or a transport exception) into a classified PlatformError."""

    @abstractmethod
    def refresh_credentials(self) -> Credentials:
        """Exchange the refresh token (or session) for new credentials; raise PlatformError
        with RECONNECT when that is refused."""

    @abstractmethod
    def count_text(self, text: str) -> int: ...
