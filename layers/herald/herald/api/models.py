"""Request and response bodies of the native API. These are the API's contract (the OpenAPI
spec is generated from them); the domain has its own models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, ConfigDict, Field, ValidationError, model_validator

from herald.accounts.model import Account
from herald.analytics.optimal_times import OptimalTimes
from herald.clock import to_millis
from herald.errors import InvalidRequest
from herald.posts.model import (
    HISTORY_LIMIT,
    MediaCredit,
    Mention,
    Override,
    Post,
    PostStatus,
    PostType,
    TargetStatus,
)
from herald.pydantic_base import Model
from herald.workspaces.model import ApiKey, Profile, Role


def _zone(name: str | None) -> str | None:
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {name!r}") from exc
    return name


TimeZoneName = Annotated[str, AfterValidator(_zone)]
TrackingId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[!-~]+$")]
UnsplashId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{11}$")]
# `unsplash`: one string ("random", "random:<term>", a photo id, or a search term), or photo ids.
UnsplashAsk = Annotated[str, Field(min_length=1, max_length=100)] | Annotated[
    list[UnsplashId], Field(min_length=1, max_length=10)
]
UnsplashEdit = Annotated[str, Field(min_length=1, max_length=100)] | Annotated[list[UnsplashId], Field(max_length=10)]
UNSPLASH_DESCRIPTION = (
    'Add Unsplash photos to the media: "random", "random:<term>" (a random photo matching the term), an '
    "Unsplash photo id (11 characters of letters, digits, _ and -; one Unsplash does not know is searched "
    "for instead), a search term (its most relevant photo), or a list of photo ids. Looked up when the post "
    "is saved; each photo is credited in `media_credits`"
)
TRACKING_DESCRIPTION = "Your own id for the post (1-128 visible ASCII characters, no spaces); filter with ?tracking_id="
MediaUrl = Annotated[str, Field(min_length=1, max_length=2048)]  # checked by herald.media.urls
Tag = Annotated[str, Field(min_length=1, max_length=64)]
ShortText = Annotated[str, Field(max_length=256)]


def to_utc(moment: datetime | None, zone: str | None) -> datetime | None:
    """A local time with `timezone` (or an explicit offset) -> UTC. A time without either is UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone) if zone else UTC)
    return to_millis(moment.astimezone(UTC))


class _Strict(Model):
    model_config = ConfigDict(extra="forbid")


class PartRequest(_Strict):
    text: Annotated[str, Field(max_length=100_000)] = ""
    media: Annotated[list[MediaUrl], Field(max_length=35)] = []


PostText = Annotated[str, Field(max_length=100_000)]
MediaList = Annotated[list[MediaUrl], Field(max_length=35)]


class OverrideRequest(_Strict):
    text: PostText | None = None
    media: MediaList | None = None
    title: ShortText | None = None
    options: dict[str, Any] = Field(default={}, description="The network's own options, e.g. X reply_settings")


def _web_url(url: str) -> str:
    if not url.startswith(("https://", "http://")):
        raise ValueError("must be an http(s) URL")
    return url


WebUrl = Annotated[str, Field(min_length=1, max_length=2048), AfterValidator(_web_url)]


class LinkRequest(_Strict):
    url: WebUrl
    title: ShortText | None = None
    description: Annotated[str, Field(max_length=1000)] | None = None
    thumbnail: WebUrl | None = None


Handle = Annotated[str, Field(min_length=1, max_length=300)]
MENTION_KEYS = ("default", "name")


def _mention(value: str | dict[str, Handle]) -> str | dict[str, Handle]:
    if isinstance(value, dict):
        from herald.platforms.registry import NETWORKS

        unknown = sorted(set(value) - set(NETWORKS) - set(MENTION_KEYS))
        if unknown:
            raise ValueError(f"unknown key(s) {', '.join(unknown)}: use default, name or a network's name")
        if not set(value) - {"name"}:
            raise ValueError("a mention needs a default handle or one network's handle")
    return value


MentionItem = Annotated[Handle | dict[str, Handle], AfterValidator(_mention)]


def to_mention(item: str | dict[str, str]) -> Mention:
    """`"@handle"` (the same handle everywhere) or `{"default", "name", "<network>": handle}`."""
    if isinstance(item, str):
        return Mention(default=item.strip().removeprefix("@"))
    default = item.get("default")
    handles = {k: v for k, v in item.items() if k not in MENTION_KEYS}
    return Mention(default=default.strip().removeprefix("@") if default else None, handles=handles,
                   name=item.get("name"))


def mention_out(mention: Mention) -> dict[str, str]:
    shown = {"default": mention.default, "name": mention.name, **mention.handles}
    return {k: v for k, v in shown.items() if v is not None}


class AutoHashtagsRequest(_Strict):
    max: Annotated[int, Field(ge=1, le=10)] = 3
    position: Literal["auto", "end"] = Field(
        default="auto", description="auto: a keyword already in the text becomes the tag in place; end: appended"
    )


class PostFields(_Strict):
    text: PostText | dict[str, PostText] | None = Field(
        default=None, description='The text, or {"default": ..., "<network>": ...} (Ayrshare\'s form)'
    )
    media: MediaList | dict[str, MediaList] | None = Field(
        default=None,
        description='Media: https URLs or uploaded media ids (med_..., from POST /v1/media), '
                    'or {"default": [...], "<network>": [...]}',
    )
    overrides: dict[str, OverrideRequest] | None = Field(
        default=None, description="Content for one network (key: its name) or one account (key: its id)"
    )
    hashtags: Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=30)] | None = (
        Field(default=None, description="Appended to each network's text while they fit its limits")
    )
    mentions: Annotated[list[MentionItem], Field(max_length=50)] | None = Field(
        default=None,
        description='"@handle" for every network, or {"default": "herald", "bluesky": "herald.bsky.social", '
                    '"linkedin": "urn:li:organization:1", "name": "Herald"}: `@default` in the text becomes each '
                    "network's mention; mentions not in the text are appended",
    )
    auto_hashtags: bool | AutoHashtagsRequest | None = Field(
        default=None, description="Pick hashtags from the text (offline keyword extraction); true: up to 3"
    )
    link: LinkRequest | None = Field(
        default=None,
        description="A link shown as a card on Bluesky, LinkedIn and Facebook (posts without media), "
                    "its URL in the text elsewhere",
    )
    is_video: bool | None = Field(
        default=None, description="For media URLs without a file extension: true when they are videos"
    )
    platform_options: dict[str, dict[str, Any]] | None = Field(
        default=None, description='Per network options, e.g. {"x": {"reply_settings": "following"}}'
    )
    title: ShortText | None = None
    tags: Annotated[list[Tag], Field(max_length=50)] | None = None
    campaign_id: ShortText | None = None
    post_type: PostType | None = None
    content_ref: ShortText | None = None
    notes: Annotated[str, Field(max_length=10_000)] | None = None
    scheduled_at: datetime | None = Field(
        default=None, description="ISO-8601. Without an offset it is read in `timezone` (UTC if none is given)."
    )
    timezone: TimeZoneName | None = Field(default=None, description="IANA zone, e.g. Europe/Paris")
    tracking_id: TrackingId | None = Field(default=None, description=TRACKING_DESCRIPTION)


def split_content(body: PostFields) -> tuple[str | None, list[str] | None, dict[str, Override] | None]:
    """The post's own text and media, and the per-network and per-account overrides, from the
    plain form, the `{"default": ..., "<network>": ...}` form, `overrides` and `platform_options`."""
    given = body.model_fields_set
    if not {"text", "media", "overrides", "platform_options"} & given:
        return body.text if isinstance(body.text, str) else None, None, None  # nothing about content
    merged: dict[str, dict[str, Any]] = {
        key: override.model_dump(exclude_none=True) for key, override in (body.overrides or {}).items()
    }
    text, media = body.text, body.media
    if isinstance(text, dict):
        for key, value in text.items():
            if key != "default":
                merged.setdefault(key, {})["text"] = value
        text = text.get("default")
    if isinstance(media, dict):
        for key, value in media.items():
            if key != "default":
                merged.setdefault(key, {})["media"] = value
        media = media.get("default")
    for network, options in (body.platform_options or {}).items():
        merged.setdefault(network, {}).setdefault("options", {}).update(options)
    overrides = {key: Override.model_validate(values) for key, values in merged.items()}
    touched = {"overrides", "platform_options"} & given or isinstance(body.text, dict) or isinstance(body.media, dict)
    return text, media, overrides if touched else None


class CreatePostRequest(PostFields):
    thread: Annotated[list[PartRequest], Field(max_length=25)] = Field(
        default=[], description="Parts after the first, published as a chain of replies (X, Threads, Bluesky, Mastodon)"
    )
    first_comment: PartRequest | None = Field(
        default=None, description="Posted as a reply or comment right after the post (media: Facebook and X only)"
    )
    platforms: Annotated[list[str], Field(max_length=13)] = []
    account_ids: Annotated[list[str], Field(max_length=50)] = []
    draft: bool = False
    requires_approval: bool = False
    shorten_links: bool = Field(default=False, description="Replace the text's http(s) URLs by Herald short links")
    profile_id: ShortText | None = Field(default=None, description="Else the Profile-Key header, else the default")
    unsplash: UnsplashAsk | None = Field(default=None, description=UNSPLASH_DESCRIPTION)

    @model_validator(mode="after")
    def _has_content(self) -> CreatePostRequest:
        text = self.text.get("default", "") if isinstance(self.text, dict) else self.text
        media = self.media.get("default", []) if isinstance(self.media, dict) else self.media
        overridden = isinstance(self.text, dict) or isinstance(self.media, dict) or self.overrides
        if not self.draft and not (text or "").strip() and not media and not overridden and not self.unsplash:
            raise ValueError("a post needs text or media (drafts may be empty)")
        return self


class UpdatePostRequest(PostFields):
    thread: Annotated[list[PartRequest], Field(max_length=25)] | None = None
    first_comment: PartRequest | None = None
    platforms: Annotated[list[str], Field(min_length=1, max_length=13)] | None = None
    account_ids: Annotated[list[str], Field(max_length=50)] | None = None
    requires_approval: bool | None = None
    shorten_links: bool | None = None
    unsplash: UnsplashEdit | None = Field(
        default=None, description=UNSPLASH_DESCRIPTION + ". Replaces the post's Unsplash photos; null or [] removes them"
    )


class CreateThreadRequest(_Strict):
    parts: Annotated[list[PartRequest], Field(min_length=2, max_length=26)] = Field(
        description="The thread, first part first; each part is validated on its own"
    )
    first_comment: PartRequest | None = None
    platforms: Annotated[list[str], Field(max_length=13)] = []
    account_ids: Annotated[list[str], Field(max_length=50)] = []
    hashtags: Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=30)] | None = None
    mentions: Annotated[list[MentionItem], Field(max_length=50)] | None = None
    auto_hashtags: bool | AutoHashtagsRequest | None = None
    link: LinkRequest | None = None
    is_video: bool | None = None
    title: ShortText | None = None
    tags: Annotated[list[Tag], Field(max_length=50)] = []
    campaign_id: ShortText | None = None
    post_type: PostType | None = None
    content_ref: ShortText | None = None
    notes: Annotated[str, Field(max_length=10_000)] | None = None
    scheduled_at: datetime | None = None
    timezone: TimeZoneName | None = None
    draft: bool = False
    requires_approval: bool = False
    shorten_links: bool = False
    profile_id: ShortText | None = None
    unsplash: UnsplashAsk | None = Field(default=None, description=UNSPLASH_DESCRIPTION + " (on the first part)")
    tracking_id: TrackingId | None = Field(default=None, description=TRACKING_DESCRIPTION)

    def as_post(self) -> CreatePostRequest:
        """The thread as a post; a problem only the whole post shows (a first part with neither
        text nor media) is a 422 naming the part."""
        first, *rest = self.parts
        fields = self.model_dump(exclude={"parts"})
        try:
            return CreatePostRequest.model_validate({**fields, "text": first.text, "media": first.media,
                                                     "thread": [p.model_dump() for p in rest]})
        except ValidationError as exc:
            raise InvalidRequest("The thread is not valid.", details=[
                {"field": _thread_field(problem.get("loc", ())), "in": "body", "issue": problem.get("type", "invalid"),
                 "message": problem.get("msg", "")} for problem in exc.errors()
            ]) from exc


def _thread_field(loc: tuple[int | str, ...]) -> str:
    """A CreatePostRequest error location, named in the thread request's terms."""
    if not loc:
        return "parts.0"
    if loc[0] in ("text", "media"):
        return ".".join(["parts", "0", *map(str, loc)])
    if loc[0] == "thread" and len(loc) > 1 and isinstance(loc[1], int):
        return ".".join(["parts", str(loc[1] + 1), *map(str, loc[2:])])
    return ".".join(map(str, loc))


class ScheduleRequest(_Strict):
    scheduled_at: datetime
    timezone: TimeZoneName | None = None


class RejectRequest(_Strict):
    reason: Annotated[str, Field(max_length=2000)] | None = None


class TargetErrorResponse(Model):
    code: str
    message: str
    platform_code: str | None = None


class PartResultResponse(Model):
    platform_post_id: str
    url: str
    published_at: datetime


class PartResponse(Model):
    text: str
    media: list[str]


class TargetResponse(Model):
    platform: str
    account_id: str
    status: TargetStatus
    platform_post_id: str | None = None
    url: str | None = None
    error: TargetErrorResponse | None = None
    attempts: int
    published_at: datetime | None = None
    retry_after: datetime | None = None
    parts: list[PartResultResponse] = Field(
        default=[], description="One per step done: the post, each thread part, then the first comment"
    )
    first_comment_error: TargetErrorResponse | None = None
    deleted_at: datetime | None = Field(default=None, description="When it was deleted from the network")
    delete_error: TargetErrorResponse | None = Field(
        default=None, description="Why the network refused the last delete (the target keeps its status; delete again)"
    )
    notices: list[str] = Field(
        default=[], description="What the network did differently from what was asked (e.g. made the post private)"
    )


class ApprovalResponse(Model):
    decision: Literal["approved", "rejected"]
    by: str
    at: datetime
    reason: str | None = None


class ContentProblem(Model):
    """One rule a network applies to the content: an error refuses the post, a warning does not."""

    network: str | None = Field(description="null: the whole post (e.g. a scheduling warning)")
    field: str
    code: str
    message: str
    limit: int | None = None
    measured: int | None = None
    severity: Literal["error", "warning"]


class MediaCreditResponse(Model):
    """Unsplash asks that wherever the photo is shown, the photographer and Unsplash are credited
    with these links (they carry the deployment's utm_source and utm_medium=referral)."""

    source: Literal["unsplash"]
    media_url: str = Field(description="The entry of `media` this credits")
    photo_id: str
    photographer: str
    photographer_username: str
    photographer_url: str = Field(description="The photographer's Unsplash profile")
    photo_url: str = Field(description="The photo's Unsplash page")
    source_url: str = Field(description="Unsplash's home page")
    description: str | None = Field(default=None, description="Unsplash's description of the photo")
    text: str = Field(description='"Photo by <name> on Unsplash"')
    html: str = Field(description="The same credit with its two links, as HTML")

    @classmethod
    def of(cls, credit: MediaCredit) -> MediaCreditResponse:
        return cls(**credit.model_dump(), text=credit.text, html=credit.html)


class AutoHashtagsResponse(Model):
    max: int
    position: Literal["auto", "end"]
    picked: list[str] = Field(description="The hashtags picked from the text, most relevant first")


class StatusChangeResponse(Model):
    at: datetime
    status: PostStatus
    by: str | None = Field(default=None, description="The API key id that asked for it; null: Herald itself")


class PostResponse(Model):
    id: str
    profile_id: str
    status: PostStatus
    text: str
    platforms: list[str]
    targets: list[TargetResponse]
    media: list[str]
    thread: list[PartResponse] = []
    first_comment: PartResponse | None = None
    overrides: dict[str, OverrideRequest] = {}
    hashtags: list[str] = []
    mentions: list[dict[str, str]] = []
    auto_hashtags: AutoHashtagsResponse | None = None
    link: LinkRequest | None = None
    is_video: bool | None = None
    media_credits: list[MediaCreditResponse] = Field(
        default=[], description="The credit of each Unsplash photo in `media` (from `unsplash`)"
    )
    tracking_id: str | None = None
    title: str | None = None
    tags: list[str]
    campaign_id: str | None = None
    post_type: PostType | None = None
    content_ref: str | None = None
    notes: str | None = None
    scheduled_at: datetime | None = None
    timezone: str | None = None
    requires_approval: bool
    approval: ApprovalResponse | None = None
    shorten_links: bool
    short_links: dict[str, dict[str, str]] = Field(
        default={}, description="With shorten_links: each URL of the text -> network -> its short link"
    )
    next_run_at: datetime | None = Field(default=None, description="When Herald will next try to publish")
    warnings: list[ContentProblem] = Field(
        default=[], description="Soft problems now (e.g. scheduled less than 10 minutes ahead)"
    )
    version: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None
    history: list[StatusChangeResponse] = Field(
        default=[], description=f"The post's status changes, oldest first (the last {HISTORY_LIMIT})"
    )

    @classmethod
    def of(cls, post: Post) -> PostResponse:
        return cls(
            **post.model_dump(
                include={"id", "profile_id", "status", "text", "media", "title", "tags", "campaign_id", "post_type",
                         "content_ref", "notes", "scheduled_at", "timezone", "requires_approval", "version",
                         "shorten_links", "short_links", "thread", "first_comment", "overrides", "hashtags", "link",
                         "is_video", "auto_hashtags", "created_at", "updated_at", "published_at", "tracking_id",
                         "history"}
            ),
            mentions=[mention_out(m) for m in post.mentions],
            media_credits=[MediaCreditResponse.of(c) for c in post.media_credits],
            platforms=post.platforms,
            targets=[TargetResponse.model_validate(t.model_dump()) for t in post.targets],
            approval=ApprovalResponse.model_validate(post.approval.model_dump()) if post.approval else None,
            next_run_at=post.due_at if post.status in (PostStatus.SCHEDULED, PostStatus.PUBLISHING) else None,
            warnings=[ContentProblem.model_validate(p.as_detail()) for p in _warnings(post)],
        )


def _warnings(post: Post) -> list[Any]:
    from herald.clock import SystemClock
    from herald.posts.content import check

    if post.status not in (PostStatus.DRAFT, PostStatus.PENDING_APPROVAL, PostStatus.SCHEDULED, PostStatus.PAUSED):
        return []
    return check(post, SystemClock().now()).warnings


class StepPreview(Model):
    kind: Literal["post", "part", "comment"]
    text: str = Field(description="As the network would receive it: rendered, mentions and hashtags in place")
    media: list[str]
    link: LinkRequest | None = Field(default=None, description="Shown as a card (its URL is then not in the text)")

    @classmethod
    def of(cls, step: Any) -> StepPreview:
        card = LinkRequest.model_validate(step.link.model_dump()) if step.link else None
        return cls(kind=step.kind, text=step.text, media=list(step.media), link=card)


class TargetPreview(Model):
    network: str
    account_id: str
    steps: list[StepPreview] = Field(description="The post, then each thread part, then the first comment")


class ValidationResponse(Model):
    valid: bool = Field(description="True when no network would refuse the content")
    networks: list[str]
    errors: list[ContentProblem]
    warnings: list[ContentProblem]
    previews: list[TargetPreview] = Field(
        default=[], description="What each target would send (short links shown with a placeholder code)"
    )


class PostListResponse(Model):
    posts: list[PostResponse]
    cursor: str | None = Field(default=None, description="Pass as `cursor` for the next page; absent at the end")


class QueueTotals(Model):
    total: int = Field(description="Posts waiting in the queue (within the date range, whatever the other filters)")
    by_status: dict[str, int]


class QueueResponse(Model):
    posts: list[PostResponse]
    cursor: str | None = None
    totals: QueueTotals


class CreateLinkRequest(_Strict):
    url: Annotated[str, Field(min_length=1, max_length=2048)]
    post_id: ShortText | None = Field(default=None, description="The post the link belongs to, if any")
    channels: Annotated[list[str], Field(max_length=13)] = Field(
        default=[], description="Networks to make a code for; a `direct` code is always made"
    )


class LinkClicks(Model):
    total: int
    by_day: dict[str, int]
    by_channel: dict[str, int]
    by_referrer: dict[str, int]


class LinkResponse(Model):
    id: str
    url: str
    post_id: str | None = None
    short_urls: dict[str, str] = Field(description="channel (a network, or direct) -> short URL")
    clicks: LinkClicks
    created_at: datetime


class CreateAccountRequest(_Strict):
    platform: str
    mode: Literal["test"] = "test"
    name: Annotated[str, Field(min_length=1, max_length=120)]
    username: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    simulate: Annotated[list[str], Field(max_length=20)] = Field(
        default=[],
        description="Test mode: failures the simulator answers publish calls with, in order "
        "(ok, rate_limited, server_error, timeout, connect_timeout, malformed, expired_token, revoked_token, "
        "duplicate); `ok` lets one call through",
    )


class AccountResponse(Model):
    id: str
    profile_id: str
    platform: str
    mode: str
    name: str
    username: str
    status: Literal["active", "reconnect_required"]
    status_reason: str | None = Field(default=None, description="Why a reconnect is required")
    token_expires_at: datetime | None = Field(default=None, description="When the access token expires (refreshed "
                                                                       "ahead of that where the network allows)")
    platform_user_id: str | None = None
    display_name: str | None = None
    avatar_url: str | None = None
    followers: int | None = Field(default=None, description="Where the network says")
    permissions: list[str] = Field(default=[], description="The scopes granted")
    notices: list[str] = Field(
        default=[], description="How the network treats this account's posts, e.g. an app not reviewed yet whose "
                                "posts the network keeps private (TikTok, YouTube, Pinterest Trial access)"
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, account: Account) -> AccountResponse:
        return cls.model_validate(account.model_dump(exclude={"credentials", "sealed_credentials", "simulate"}))


class AccountDeletedResponse(AccountResponse):
    deleted: bool
    revoked: bool = Field(description="Whether the network revoked Herald's access (where it offers revocation)")


def _redirect_uri(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise ValueError("must be an https URL (http only for 127.0.0.1 / localhost)")
    if not parts.hostname or parts.fragment:
        raise ValueError("must be an absolute URL without a fragment")
    return url


class ConnectRequest(_Strict):
    platform: str
    mode: Literal["live", "test"] = Field(default="live", description="test: the network's simulator, offline")
    redirect_uri: Annotated[str, Field(max_length=2048), AfterValidator(_redirect_uri)] | None = Field(
        default=None,
        description="OAuth networks: where the browser goes when done, with ?status=connected&account_id=... "
                    "or ?status=error&error=...",
    )
    credentials: dict[str, Annotated[str, Field(max_length=4096)]] | None = Field(
        default=None,
        description="Networks connected with pasted credentials: Bluesky {handle, app_password}, Mastodon "
                    "{instance_url, access_token}, Telegram {bot_token, chat_id}. Never stored as given: "
                    "sealed with KMS, never returned",
    )
    username: Annotated[str, Field(min_length=1, max_length=120)] | None = Field(
        default=None, description="Test mode: who the simulated consent signs in as"
    )

    @model_validator(mode="after")
    def _one_way(self) -> ConnectRequest:
        if (self.redirect_uri is None) == (self.credentials is None):
            raise ValueError("send `redirect_uri` (OAuth networks) or `credentials` (the others), not both")
        return self


class ConnectResponse(Model):
    authorization_url: str | None = Field(default=None, description="OAuth: send the person here (5 minutes)")
    state: str | None = None
    expires_at: datetime | None = None
    account: AccountResponse | None = Field(default=None, description="Pasted credentials: the connected account")


class AccountListResponse(Model):
    accounts: list[AccountResponse]


class BoardSectionResponse(Model):
    id: str
    name: str


class BoardResponse(Model):
    id: str = Field(description="Give it as the post's `board_id` option (Pinterest)")
    name: str
    description: str | None = None
    privacy: str | None = Field(default=None, description="The network's word: PUBLIC, SECRET, PROTECTED")
    sections: list[BoardSectionResponse] = Field(default=[], description="`board_section_id` options")


class BoardListResponse(Model):
    boards: list[BoardResponse]


class CreateApiKeyRequest(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    role: Role


class ApiKeyResponse(Model):
    id: str
    name: str
    role: Role
    hint: str
    created_at: datetime
    revoked_at: datetime | None = None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyResponse:
        return cls.model_validate(key.model_dump(exclude={"workspace_id"}))


class ApiKeyCreatedResponse(Model):
    key: str = Field(description="The secret, shown this once; Herald stores only its hash")
    api_key: ApiKeyResponse


class ApiKeyListResponse(Model):
    api_keys: list[ApiKeyResponse]


ProfileName = Annotated[str, Field(min_length=1, max_length=120, description="Unique in the workspace, ignoring case")]
# Checked by herald.workspaces.zones, so that every bad name answers 422 `invalid_timezone`.
ProfileZone = Annotated[str, Field(description="An IANA time zone name (`Europe/Paris`); else 422 `invalid_timezone`")]


class CreateProfileRequest(_Strict):
    name: ProfileName
    timezone: ProfileZone = "UTC"


class UpdateProfileRequest(_Strict):
    name: ProfileName | None = None
    timezone: ProfileZone | None = None


class ProfileResponse(Model):
    id: str
    name: str
    profile_key: str
    is_default: bool
    timezone: str = Field(description="The profile's IANA time zone, where its calendar is shown")
    created_at: datetime

    @classmethod
    def of(cls, profile: Profile, default_profile_id: str) -> ProfileResponse:
        return cls(
            id=profile.id, name=profile.name, profile_key=profile.profile_key,
            is_default=profile.id == default_profile_id, timezone=profile.timezone, created_at=profile.created_at,
        )


class ProfileListResponse(Model):
    profiles: list[ProfileResponse]


class KeyIdentityResponse(Model):
    id: str
    name: str
    role: Role
    hint: str = Field(description="The key's first characters")


class AbilitiesResponse(Model):
    """What the key's role allows, for showing or hiding actions."""

    edit: bool = Field(description="Posts, accounts, media, short links (editor and above)")
    approve: bool = Field(description="Approve and reject posts (approver and above)")
    admin: bool = Field(description="API keys, profiles, webhooks (admin)")

    @classmethod
    def of(cls, role: Role) -> AbilitiesResponse:
        return cls(edit=role.allows(Role.EDITOR), approve=role.allows(Role.APPROVER), admin=role.allows(Role.ADMIN))


class MeResponse(Model):
    key: KeyIdentityResponse
    workspace_id: str
    profile: ProfileResponse = Field(description="The profile this request acts on (Profile-Key, profile_id, default)")
    profiles: list[ProfileResponse] = Field(description="Every profile of the workspace")
    can: AbilitiesResponse


class MetricValues(Model):
    """Normalized metrics; a metric the network does not provide is absent, not zero."""

    model_config = ConfigDict(extra="forbid")

    impressions: int | None = None
    reach: int | None = None
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    clicks: int | None = None
    engagements: int | None = None
    engagement_rate: float | None = Field(default=None, description="engagements / impressions (or views, or reach)")


class SeriesPoint(MetricValues):
    at: datetime


class PostAnalyticsResponse(Model):
    post_id: str
    total: MetricValues
    by_network: dict[str, MetricValues]
    timeseries: dict[str, list[SeriesPoint]] = Field(description="Per network, one point per snapshot collected")
    collected_at: datetime | None = Field(default=None, description="The newest collection; null: none yet")


class TopPost(MetricValues):
    post_id: str
    platform: str
    published_at: datetime


class GroupTotals(MetricValues):
    posts: int


class FollowersGained(Model):
    account_id: str
    platform: str
    gained: int
    now: int


class FollowerCount(Model):
    at: datetime
    followers: int


class AccountInsightsEntry(Model):
    at: datetime = Field(description="When it was collected")
    window_days: int = Field(description="The metrics are summed over this many days before `at` (today excluded)")
    metrics: dict[str, int] = Field(
        description="Google Business Profile locations: impressions (Maps and Search, desktop and mobile), "
                    "website_clicks, call_clicks, direction_requests, conversations, bookings"
    )


class AccountAnalyticsResponse(Model):
    account_id: str
    platform: str
    followers: list[FollowerCount] = Field(description="Each change of the follower count seen, oldest first")
    insights: list[AccountInsightsEntry] = Field(
        description="The account's own metrics where its network reports per account or place rather than per "
                    "post (Google Business Profile), each collection that changed them, oldest first"
    )


class SummaryResponse(Model):
    start_date: date
    end_date: date
    platform: str | None = None
    posts: int = Field(description="Posts published in the range with metrics collected")
    impressions: int | None = None
    engagements: int | None = None
    average_engagement_rate: float | None = None
    gained: MetricValues = Field(description="What the profile's posts gained over the range (UTC days)")
    by_network: dict[str, MetricValues]
    top_posts: list[TopPost]
    by_post_type: dict[str, GroupTotals]
    by_campaign: dict[str, GroupTotals]
    followers: list[FollowersGained] = Field(description="Where at least two counts were collected in the range")


class RefreshRequest(_Strict):
    post_id: Annotated[str, Field(max_length=64)] | None = None


class RefreshResponse(Model):
    queued_messages: int
    targets: int


class OptimalTimesResponse(OptimalTimes):
    """168 weekday-hour slots in the asked time zone, the best first in `best`, what they rest on
    (`basis`), and the published study the prior comes from (`prior`)."""
