"""The platform interface every network adapter implements, and the values it exchanges.

An adapter builds the network's HTTP requests and parses its answers with an `httpx.Client`
handed to it. In test mode that client's transport is the network's simulator, so the same
request-building and parsing code runs offline."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol
from urllib.parse import urlencode

from herald.clock import Clock, SystemClock

if TYPE_CHECKING:
    import httpx


class ErrorClass(StrEnum):
    RETRY = "retry"  # transient: try again later (at retry_at when the network said when)
    REFRESH = "refresh"  # the access token expired: refresh once, then retry
    RECONNECT = "reconnect"  # credentials revoked or scopes missing: a person must reconnect
    PERMANENT = "permanent"  # fix the content or settings; the same request fails again


# Codes of a RETRY error after which the network may have published anyway (no answer, a 5xx, a
# malformed answer): the runner keeps the target `sending` and reconciles before any resend.
OUTCOME_UNKNOWN_CODES = frozenset({"timeout", "network_error", "platform_unavailable", "malformed_response"})


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
    """What an adapter needs to act for one account. `tokens` hold the network's secrets and the
    ids the adapter needs (a user id, a page id, an instance URL); `expires_at` is when the access
    token stops working (None: it does not expire, or the network does not say)."""

    account_id: str
    username: str
    tokens: dict[str, str] = field(default_factory=dict)
    expires_at: datetime | None = None


@dataclass(frozen=True)
class AppCredentials:
    """The deployment's own developer app on a network (from SSM parameters when deployed, from
    the environment in the local cloud): what OAuth exchanges and refreshes are made with."""

    client_id: str
    client_secret: str | None = None
    # The app's other settings: SSM parameters beside client_id/client_secret, or
    # HERALD_{NETWORK}_{NAME} in the environment (herald.platforms.apps.SETTING_NAMES), e.g.
    # "audited" ("true" once the network reviewed the app: TikTok and YouTube keep an unaudited
    # app's posts private) or "verified_domains" (TikTok pulls media only from domains verified
    # for the app).
    settings: Mapping[str, str] = field(default_factory=dict)

    def flag(self, name: str, default: bool = False) -> bool:
        """A yes/no setting ("true", "yes", "1" or "on" for yes); `default` when it is not set."""
        value = self.settings.get(name)
        return default if value is None or not value.strip() else value.strip().lower() in {"true", "yes", "1", "on"}


@dataclass(frozen=True)
class AccountIdentity:
    """Who a connection belongs to, as the network shows them."""

    platform_user_id: str
    username: str
    display_name: str | None = None
    avatar_url: str | None = None
    followers: int | None = None  # None: the network does not say
    permissions: tuple[str, ...] = ()  # the scopes granted
    # The account's own content limits where they differ per account (a Mastodon instance's
    # max_characters, max_media_attachments): the content rules use them for its posts.
    limits: Mapping[str, int] = field(default_factory=dict)
    # What a person should know about how the network treats this account's posts, in a sentence
    # each (e.g. "The TikTok app is not audited yet: every post is private (SELF_ONLY)."). Shown
    # on the account.
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Connection:
    """What connecting an account produced: its credentials (account_id still empty) and identity."""

    credentials: Credentials
    identity: AccountIdentity


@dataclass(frozen=True)
class OAuthSpec:
    """A network's OAuth 2.0 authorization-code flow."""

    authorize_url: str
    token_url: str
    scopes: tuple[str, ...]
    pkce: bool = True  # send an S256 code_challenge, and the verifier with the code
    scope_separator: str = " "
    extra_params: Mapping[str, str] = field(default_factory=dict)  # e.g. {"duration": "permanent"}


@dataclass(frozen=True)
class MediaItem:
    """One media file to publish, with what is known of it before fetching: `url` is where it can
    be fetched (a presigned S3 link for an upload, or the external URL the probe vetted)."""

    url: str
    kind: str  # image | gif | video
    mime: str | None = None
    size: int | None = None  # bytes
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    alt: str | None = None
    uploaded: bool = False  # a presigned link to the deployment's own bucket (else an external URL)


class MediaSource(Protocol):
    """Reads a media file's bytes for networks that take uploads rather than URLs."""

    def read(self, item: MediaItem) -> bytes:
        """The whole file (images, small videos)."""

    def chunks(self, item: MediaItem, chunk_size: int) -> Iterator[bytes]:
        """The file in pieces of `chunk_size` bytes (the last may be shorter), streamed."""


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
    media: tuple[MediaItem, ...] = ()
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
    # What the network did differently from what was asked, in a sentence each (e.g. a TikTok
    # post made private because the app is unaudited): shown on the target.
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class BoardSection:
    id: str
    name: str


@dataclass(frozen=True)
class Board:
    """A place inside an account that posts go to and the person picks per post (a Pinterest
    board and its sections), as `Platform.boards` lists them."""

    id: str
    name: str
    description: str | None = None
    privacy: str | None = None  # the network's own word (PUBLIC, SECRET, PROTECTED)
    sections: tuple[BoardSection, ...] = ()


# Pages of a network's mentions one read walks at most, so a collection message stays bounded: a
# burst beyond them keeps the newest and skips the older rest (docs/networks/*.md, "Mentions").
MENTION_PAGES = 5


@dataclass(frozen=True)
class ReceivedMention:
    """A post by someone else that names the account (an @mention, a reply to it, a tag), as the
    network shows it. `in_reply_to_platform_post_id` is the post it answers, when it is a reply
    (in the network's own id form, as `PublishedPost.platform_post_id`)."""

    platform_mention_id: str
    author_handle: str
    author_name: str | None
    text: str
    url: str | None
    created_at: datetime
    in_reply_to_platform_post_id: str | None = None


@dataclass(frozen=True)
class MentionPage:
    """What one read of the account's mentions found, newest first, and `cursor`: the newest
    position seen (a network's id or an ISO time, see `Platform.mentions`), to pass as `since`
    next time; the `since` given when nothing newer was seen (None when there is nothing at all)."""

    mentions: list[ReceivedMention] = field(default_factory=list)
    cursor: str | None = None


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
    """One network's adapter for one account. Connecting (before any account exists) goes through
    the class methods: `authorization_url` and `connect_with_code` for OAuth networks (`oauth`
    set), `connect_with_fields` for networks connected with credentials a person pastes in
    (`manual_fields`, e.g. a Bluesky handle and app password)."""

    name: ClassVar[str]
    text_limits: ClassVar[TextLimits]
    media_limits: ClassVar[MediaLimits]
    oauth: ClassVar[OAuthSpec | None] = None
    manual_fields: ClassVar[tuple[str, ...]] = ()
    # How long before its token expires an idle account is refreshed by the sweeper, for networks
    # whose tokens lapse for good unless refreshed in time; None: refreshed when used.
    refresh_ahead: ClassVar[timedelta | None] = None
    # Whether `mentions` reads the account's mentions (False: it answers an empty page), and the
    # permission that read needs when publishing does not need it too (an account whose granted
    # permissions are known and lack it is not asked).
    reads_mentions: ClassVar[bool] = False
    mentions_permission: ClassVar[str | None] = None

    def __init__(
        self,
        client: httpx.Client,
        credentials: Credentials,
        *,
        app: AppCredentials | None = None,
        media: MediaSource | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.client = client
        self.credentials = credentials
        self.app = app
        self.media = media
        self.clock = clock or SystemClock()

    def close(self) -> None:
        if self.client is not None:
            self.client.close()

    def __enter__(self) -> Platform:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def media_source(self) -> MediaSource:
        if self.media is None:
            raise PlatformError(ErrorClass.PERMANENT, "media_unsupported", "No media source to read the files from.")
        return self.media

    # --- connecting --------------------------------------------------------------------------

    @classmethod
    def authorization_url(cls, app: AppCredentials, redirect_uri: str, state: str, code_challenge: str | None) -> str:
        """Where to send the person to grant access (the spec's standard parameters)."""
        if cls.oauth is None:
            raise NotImplementedError(f"{cls.name} is not connected through OAuth")
        params = {"response_type": "code", "client_id": app.client_id, "redirect_uri": redirect_uri,
                  "scope": cls.oauth.scope_separator.join(cls.oauth.scopes), "state": state,
                  **cls.oauth.extra_params}
        if cls.oauth.pkce and code_challenge:
            params |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
        return f"{cls.oauth.authorize_url}?{urlencode(params)}"

    @classmethod
    def connect_with_code(
        cls, client: httpx.Client, app: AppCredentials, code: str, redirect_uri: str, code_verifier: str | None
    ) -> Connection:
        """Exchange an authorization code for tokens and read who they belong to."""
        raise NotImplementedError(f"{cls.name} is not connected through OAuth")

    @classmethod
    def connect_all_with_code(
        cls, client: httpx.Client, app: AppCredentials, code: str, redirect_uri: str, code_verifier: str | None
    ) -> list[Connection]:
        """Every account one consent grants (a person may grant several Facebook Pages at once);
        most networks grant one."""
        return [cls.connect_with_code(client, app, code, redirect_uri, code_verifier)]

    @classmethod
    def connect_with_fields(cls, client: httpx.Client, fields: Mapping[str, str]) -> Connection:
        """Connect with credentials a person pasted in (`manual_fields`)."""
        raise NotImplementedError(f"{cls.name} is not connected with manual credentials")

    def identity(self) -> AccountIdentity:
        """Who the account is now (username, display name, avatar, followers where available)."""
        raise NotImplementedError

    def account_metrics(self, start: date, end: date) -> dict[str, int]:
        """The account's own metrics summed over the days `start` to `end` (inclusive), for
        networks that report per account or place rather than per post (Google Business Profile
        locations): names such as impressions, website_clicks, call_clicks, direction_requests.
        Empty where the network has none."""
        return {}

    @classmethod
    def reports_account_metrics(cls) -> bool:
        return cls.account_metrics is not Platform.account_metrics

    @classmethod
    def has_boards(cls) -> bool:
        return cls.boards is not Platform.boards

    def boards(self) -> list[Board]:
        """The boards (with their sections) the account can post to, for networks whose posts go
        to a board the person picks (Pinterest); raises NotImplementedError elsewhere."""
        raise NotImplementedError(f"{self.name} has no boards")

    def revoke(self) -> bool:
        """Revoke the credentials where the network allows it; False where it has no revocation."""
        return False

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

    @classmethod
    def may_read_mentions(cls, permissions: list[str] | tuple[str, ...]) -> bool:
        """Whether an account with these granted `permissions` (empty: not known) can be asked
        for its mentions."""
        if not cls.reads_mentions:
            return False
        return cls.mentions_permission is None or not permissions or cls.mentions_permission in permissions

    def mentions(self, since: str | None) -> MentionPage:
        """Posts by others that mention the account, newer than the cursor `since` (a network's
        own ordering: a post or notification id, or an ISO 8601 time written by
        `herald.clock.to_iso`), newest first, and the cursor to pass next time. Without `since`
        (the account's first read) one page is read: it only gives the position to start from.
        A read walks at most MENTION_PAGES pages. Repeats across reads are possible (a time
        cursor is inclusive): the caller keeps each mention once. A network that does not read
        mentions answers an empty page that keeps `since`."""
        return MentionPage(mentions=[], cursor=since)

    @abstractmethod
    def reconcile(self, content: PostContent, parent: PublishedPost | None = None) -> Reconciliation:
        """Decide whether an attempt whose outcome is unknown did publish; `parent` is the post a
        reply or comment step answers (None for the post itself)."""

    @abstractmethod
    def classify_error(self, response: httpx.Response | None, exc: Exception | None = None) -> PlatformError:
        """Turn a failed response (or a transport exception) into a classified PlatformError."""

    @abstractmethod
    def refresh_credentials(self) -> Credentials:
        """Exchange the refresh token (or session) for new credentials; raise PlatformError
        with RECONNECT when that is refused."""

    @abstractmethod
    def count_text(self, text: str) -> int: ...
