"""The post as the domain sees it. Stored rows and API bodies have their own models."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from html import escape
from typing import Any

from pydantic import ConfigDict, Field

from herald.media.model import MediaFacts
from herald.pydantic_base import Model

# A post whose date is less than this after its creation (or in the past) was asked for now:
# both APIs and the webhooks call it immediate, the others scheduled.
IMMEDIATE_WITHIN = timedelta(seconds=60)


def asked_for_later(scheduled_at: datetime | None, created_at: datetime) -> bool:
    return scheduled_at is not None and scheduled_at - created_at >= IMMEDIATE_WITHIN


class PostStatus(StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    SCHEDULED = "scheduled"
    PAUSED = "paused"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    PARTIALLY_PUBLISHED = "partially_published"
    FAILED = "failed"
    CANCELLED = "cancelled"
    DELETED = "deleted"  # was published, and every target Herald posted was deleted from its network


class TargetStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # the network call is (or was) under way: outcome unknown until written
    PUBLISHED = "published"
    FAILED = "failed"
    NEEDS_REVIEW = "needs_review"  # outcome could not be decided: a person must look
    DELETED = "deleted"  # what Herald posted (every part) was deleted from the network


class PostType(StrEnum):
    PROMO = "promo"
    REMINDER = "reminder"
    CLIP = "clip"
    EPISODE_LINK = "episode_link"
    QUOTE = "quote"
    BEHIND_SCENES = "behind_scenes"


class TargetError(Model):
    model_config = ConfigDict(frozen=True)

    code: str
    message: str
    platform_code: str | None = None


class ContentPart(Model):
    """One piece of content sent as its own network post: a thread part or the first comment."""

    model_config = ConfigDict(frozen=True)

    text: str = ""
    media: list[str] = Field(default_factory=list)


class Override(Model):
    """Content for one network (key: its name) or one account (key: its id) instead of the post's."""

    model_config = ConfigDict(frozen=True)

    text: str | None = None
    media: list[str] | None = None
    title: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)  # e.g. {"reply_settings": "following"}


class LinkCard(Model):
    """A link to show with the post: a card where the network has one, else its URL in the text."""

    model_config = ConfigDict(frozen=True)

    url: str
    title: str | None = None
    description: str | None = None
    thumbnail: str | None = None


class Mention(Model):
    """Someone to mention, by network: `handles` maps a network to its handle there (a LinkedIn
    mention is an entity URN with its exact `name`); `default` is the handle written in the text
    as `@default` and used on networks without their own."""

    model_config = ConfigDict(frozen=True)

    default: str | None = None
    handles: dict[str, str] = Field(default_factory=dict)
    name: str | None = None  # the entity's name, which LinkedIn shows (and requires)

    def handle_for(self, network: str) -> str | None:
        return self.handles.get(network) or self.default


class AutoHashtags(Model):
    """Hashtags Herald picks from the post's own text (at create and edit, so they show in the
    answer), placed in the text where their keyword is (`auto`) or appended (`end`), per network
    while they fit."""

    model_config = ConfigDict(frozen=True)

    max: int = 3
    position: str = "auto"  # auto | end
    picked: list[str] = Field(default_factory=list)


class UploadedMedia(Model):
    """What a post knows of an uploaded media item it references by id (`med_...`): refreshed on
    every edit and again at publish time, so the content checks can use the inspected facts."""

    model_config = ConfigDict(frozen=True)

    status: str  # pending_upload | ready | rejected | missing
    facts: MediaFacts | None = None
    problem: str | None = None


class MediaCredit(Model):
    """The credit a photo taken from Unsplash carries (`unsplash` on a post): Unsplash's guidelines
    ask that wherever the photo is shown, its photographer and Unsplash are named, with links back
    that carry the deployment's referral parameters (already in these URLs)."""

    model_config = ConfigDict(frozen=True)

    source: str = "unsplash"
    media_url: str  # the entry of the post's `media` this credits (the hotlinked image)
    photo_id: str
    photographer: str  # the photographer's name
    photographer_username: str
    photographer_url: str  # their Unsplash profile, with utm_source/utm_medium
    photo_url: str  # the photo's Unsplash page, with utm_source/utm_medium
    source_url: str  # Unsplash's home page, with utm_source/utm_medium
    description: str | None = None  # Unsplash's description of the photo (its alt text there)

    @property
    def text(self) -> str:
        return f"Photo by {self.photographer} on Unsplash"

    @property
    def html(self) -> str:
        return (f'Photo by <a href="{escape(self.photographer_url)}">{escape(self.photographer)}</a> on '
                f'<a href="{escape(self.source_url)}">Unsplash</a>')


class PartResult(Model):
    """What the network answered for one step of a target: a thread part or the first comment."""

    model_config = ConfigDict(frozen=True)

    platform_post_id: str
    url: str
    published_at: datetime
    extra: dict[str, Any] = Field(default_factory=dict)  # what replies need (e.g. a Bluesky cid)


class PostTarget(Model):
    model_config = ConfigDict(frozen=True)

    platform: str
    account_id: str
    status: TargetStatus = TargetStatus.PENDING
    platform_post_id: str | None = None
    url: str | None = None
    error: TargetError | None = None
    attempts: int = 0
    published_at: datetime | None = None
    # When a retryable failure asked to wait (e.g. a rate-limit reset), not before this time.
    retry_after: datetime | None = None
    # One result per step done, in order: the post, then each thread part, then the first
    # comment. A retry resumes at the first step not done.
    parts: list[PartResult] = Field(default_factory=list)
    first_comment_error: TargetError | None = None
    # The account's own content limits when the target was chosen (a Mastodon instance's).
    limits: dict[str, int] = Field(default_factory=dict)
    # Deleting the post from the network: when it was deleted (status `deleted`), or why the
    # network refused the last attempt (the target keeps its status; deleting again retries).
    deleted_at: datetime | None = None
    delete_error: TargetError | None = None
    # What the network did differently from what was asked (e.g. made the post private), in a
    # sentence each, from every step's answer.
    notices: list[str] = Field(default_factory=list)

    @property
    def posted_ids(self) -> list[str]:
        """The network ids of everything this target put out: the post, each thread part and the
        first comment, in the order they were published."""
        if self.parts:
            return [part.platform_post_id for part in self.parts]
        return [self.platform_post_id] if self.platform_post_id else []


class Approval(Model):
    model_config = ConfigDict(frozen=True)

    decision: str  # "approved" or "rejected"
    by: str  # the API key id that decided
    at: datetime
    reason: str | None = None


class StatusChange(Model):
    """One entry of a post's timeline: it became `status` at `at`, by an API key (None: Herald)."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    status: PostStatus
    by: str | None = None


# A post keeps the last this many status changes, so its item cannot grow without end.
HISTORY_LIMIT = 50


class Post(Model):
    model_config = ConfigDict(frozen=True)

    id: str
    workspace_id: str
    profile_id: str
    status: PostStatus
    text: str = ""
    media: list[str] = Field(default_factory=list)
    thread: list[ContentPart] = Field(default_factory=list)  # parts after the first, sent as replies
    first_comment: ContentPart | None = None
    # Per network (key: its name) or per account (key: its id); an account's wins over its network's.
    overrides: dict[str, Override] = Field(default_factory=dict)
    hashtags: list[str] = Field(default_factory=list)  # appended per network while they fit
    mentions: list[Mention] = Field(default_factory=list)
    auto_hashtags: AutoHashtags | None = None
    link: LinkCard | None = None
    # Uploaded media the post references (media id -> what is known of it).
    uploads: dict[str, UploadedMedia] = Field(default_factory=dict)
    is_video: bool | None = None  # for media URLs without an extension
    # Photos taken from Unsplash (`unsplash`), one per such entry of `media`, which they follow.
    media_credits: list[MediaCredit] = Field(default_factory=list)
    # The caller's own id for the post (1-128 visible ASCII characters), filterable.
    tracking_id: str | None = None
    title: str | None = None
    tags: list[str] = Field(default_factory=list)
    campaign_id: str | None = None
    post_type: PostType | None = None
    content_ref: str | None = None
    notes: str | None = None
    scheduled_at: datetime | None = None  # what the user asked for (UTC)
    timezone: str | None = None  # the IANA zone the user scheduled in, for display
    requires_approval: bool = False
    approval: Approval | None = None
    shorten_links: bool = False
    # With shorten_links: each http(s) URL of the text -> network -> its Herald short link.
    short_links: dict[str, dict[str, str]] = Field(default_factory=dict)
    targets: list[PostTarget] = Field(default_factory=list)
    # When the next publish run is due: scheduled_at, 'now' for immediate posts, or a retry time.
    due_at: datetime | None = None
    version: int = 1  # bumps on every write; every write is conditional on it
    schedule_version: int = 0  # bumps each time a run is armed; the publish payload carries it
    # Held by a publish run (while `publishing`) or by a request deleting the post from its
    # networks (while it stays published, partially_published or failed): one at a time.
    lease_id: str | None = None
    lease_expires_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None
    created_by: str | None = None
    # Every status change, oldest first (the last HISTORY_LIMIT); items written before it existed have none.
    history: list[StatusChange] = Field(default_factory=list)

    def for_target(self, network: str, account_id: str | None) -> Post:
        """The post as one target sends it: the network's override, then the account's, applied."""
        post = self
        for key in (network, account_id):
            override = self.overrides.get(key) if key else None
            if override is None:
                continue
            changes: dict[str, Any] = {}
            if override.text is not None:
                changes["text"] = override.text
            if override.media is not None:
                changes["media"] = override.media
            if override.title is not None:
                changes["title"] = override.title
            post = post.model_copy(update=changes)
        return post

    def options_for(self, network: str, account_id: str | None) -> dict[str, Any]:
        options: dict[str, Any] = {}
        for key in (network, account_id):
            if key and key in self.overrides:
                options.update(self.overrides[key].options)
        return options

    @property
    def content_parts(self) -> list[ContentPart]:
        """The post itself, then its thread parts."""
        return [ContentPart(text=self.text, media=self.media), *self.thread]

    @property
    def platforms(self) -> list[str]:
        return sorted({t.platform for t in self.targets})

    @property
    def is_approved(self) -> bool:
        return self.approval is not None and self.approval.decision == "approved"
