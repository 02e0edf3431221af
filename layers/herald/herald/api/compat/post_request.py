"""`POST /api/post` and `PUT /api/post` bodies (Ayrshare's fields) -> Herald's NewPost and edits.

Translation only: every rule (content limits, media checks, states) is the native service's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from herald.api.compat import dates, names, options, uploads
from herald.api.compat.errors import AyrshareError
from herald.posts.model import AutoHashtags, ContentPart, Override
from herald.posts.service import NewPost
from herald.pydantic_base import Model

Text = Annotated[str, Field(max_length=100_000)]
MediaUrl = Annotated[str, Field(min_length=1, max_length=2048)]
MediaUrls = Annotated[list[MediaUrl], Field(max_length=35)]
THREAD_NETWORKS = frozenset({"x"})  # twitterOptions.thread makes an X thread; the post may target X only


class FirstComment(Model):
    model_config = ConfigDict(extra="ignore", strict=True)

    comment: Text = ""
    mediaUrls: MediaUrls | None = None


class AutoHashtag(Model):
    model_config = ConfigDict(extra="ignore", strict=True)

    max: Annotated[int, Field(ge=1, le=10)] = 3
    position: Literal["auto", "end"] = "auto"


class PostBody(Model):
    """The fields of Ayrshare's /post that Herald reads; others are looked at by `refuse_unsupported`
    (and harmless ones such as `source` are ignored)."""

    model_config = ConfigDict(extra="allow", strict=True)

    post: Text | dict[str, Text] | None = None
    platforms: list[str] | str | None = None
    mediaUrls: MediaUrls | dict[str, MediaUrls] | None = None
    isVideo: bool | None = None
    scheduleDate: str | dict[str, Any] | None = None
    requiresApproval: bool | None = None
    notes: Annotated[str, Field(max_length=10_000)] | None = None
    idempotencyKey: Annotated[str, Field(min_length=1, max_length=255)] | None = None
    firstComment: FirstComment | None = None
    autoHashtag: bool | AutoHashtag | None = None
    shortenLinks: bool | None = None
    title: Annotated[str, Field(max_length=256)] | None = None
    subreddit: Annotated[str, Field(max_length=64)] | None = None
    unsplash: str | list[str] | None = None
    id: str | None = None  # PUT /api/post names the post


# Fields Ayrshare offers that Herald does not: refused when set (a falsy value is ignored).
UNSUPPORTED = {
    "autoSchedule": "auto-scheduling into slots is not supported; send a scheduleDate",
    "autoRepost": "automatic reposting is not supported",
    "randomPost": "random test posts are not supported",
    "randomMediaUrl": "random test media are not supported",
    "disableComments": "disabling comments is not supported",
    "profileKeys": "posting to several profiles in one call is not supported; send one call per profile with "
                   "the Profile-Key header",
    "isLandscapeVideo": None,  # hints Ayrshare uses for random test media: ignored
    "isPortraitVideo": None,
    "validateScheduled": None,
    "source": None,
}


def refuse_unsupported(raw: dict[str, Any]) -> None:
    refused = [f"`{name}`: {why}" for name, why in UNSUPPORTED.items() if why and raw.get(name)]
    if refused:
        raise AyrshareError("Herald does not support " + "; ".join(refused) + ".", herald_code="not_supported",
                            details=[{"field": name} for name, why in UNSUPPORTED.items() if why and raw.get(name)])


@dataclass
class Content:
    """What the body says about the post's content, in Herald's terms (for the networks targeted)."""

    text: str | None = None
    media: list[str] | None = None
    overrides: dict[str, Override] = field(default_factory=dict)
    thread: list[ContentPart] = field(default_factory=list)


def _split(value: Any, kind: str, networks: list[str]) -> tuple[Any, dict[str, Any]]:
    """The `{default, <network>}` form -> (default, Herald network -> value); networks the post does
    not target are left out, as Ayrshare ignores them."""
    if not isinstance(value, dict):
        return value, {}
    per_network: dict[str, Any] = {}
    for key, item in value.items():
        if key == "default":
            continue
        if key not in names.TO_HERALD:
            raise AyrshareError(f"`{kind}` names an unknown platform {key!r}.", details=[{"field": f"{kind}.{key}"}])
        if names.herald_name(key) in networks:
            per_network[names.herald_name(key)] = item
    return value.get("default"), per_network


def content(body: PostBody, raw: dict[str, Any], networks: list[str], bases: list[str]) -> Content:
    """Text, media, per-network overrides and an X thread from the body, for `networks` (Herald's)."""
    text, texts = _split(body.post, "post", networks)
    media, medias = _split(body.mediaUrls, "mediaUrls", networks)
    found = options.overrides(raw, networks)
    if body.subreddit and "reddit" in networks:
        found.setdefault("reddit", {}).setdefault("options", {}).setdefault("subreddit", body.subreddit)
    for network, value in texts.items():
        found.setdefault(network, {})["text"] = value
    for network, value in medias.items():
        found.setdefault(network, {})["media"] = uploads.native_media(list(value or []), bases)
    result = Content(
        text=text if isinstance(text, str) else None,
        media=uploads.native_media(list(media), bases) if media is not None else None,
        overrides={network: Override.model_validate(values) for network, values in found.items()},
    )
    twitter = raw.get("twitterOptions") or {}
    if isinstance(twitter, dict) and twitter.get("thread"):
        result = _as_thread(result, twitter, networks, bases)
    return result


def _as_thread(found: Content, twitter: dict[str, Any], networks: list[str], bases: list[str]) -> Content:
    """twitterOptions.thread: the text split at blank lines into an X thread (`threadNumber` adds
    " n/N"; `mediaUrls` gives each part its media, null for none)."""
    if set(networks) - THREAD_NETWORKS:
        raise AyrshareError(
            "twitterOptions.thread is supported when the post goes to twitter only: Herald threads a whole post. "
            "Send the thread in its own call.", herald_code="not_supported",
            details=[{"field": "twitterOptions.thread"}])
    parts = [part.strip() for part in (found.text or "").split("\n\n") if part.strip()]
    if len(parts) < 2:
        return found
    if twitter.get("threadNumber"):
        parts = [f"{part} {i}/{len(parts)}" for i, part in enumerate(parts, start=1)]
    per_part = twitter.get("mediaUrls")
    media: list[list[str]] = [[] for _ in parts]
    if isinstance(per_part, list):
        for i, item in enumerate(per_part[: len(parts)]):
            urls = [item] if isinstance(item, str) else [u for u in item or [] if isinstance(u, str)]
            media[i] = uploads.native_media(urls, bases)
    first_media = media[0] if isinstance(per_part, list) else (found.media or [])
    return Content(
        text=parts[0], media=first_media, overrides=found.overrides,
        thread=[ContentPart(text=part, media=part_media) for part, part_media in zip(parts[1:], media[1:], strict=True)],
    )


def auto_hashtags(value: bool | AutoHashtag | None) -> AutoHashtags | None:
    if value is None or value is False:
        return None
    chosen = AutoHashtag() if value is True else value
    return AutoHashtags(max=chosen.max, position=chosen.position)


def first_comment(value: FirstComment | None, bases: list[str]) -> ContentPart | None:
    if value is None:
        return None
    return ContentPart(text=value.comment, media=uploads.native_media(list(value.mediaUrls or []), bases))


def schedule_date(body: PostBody) -> datetime | None:
    return dates.parse(body.scheduleDate, "scheduleDate") if body.scheduleDate is not None else None


def new_post(body: PostBody, raw: dict[str, Any], networks: list[str], bases: list[str]) -> NewPost:
    found = content(body, raw, networks, bases)
    if body.post is None and body.mediaUrls is None and body.unsplash is None:
        raise AyrshareError("Missing `post`: the text of the post (an empty string with mediaUrls is allowed).",
                            details=[{"field": "post"}])
    return NewPost(
        text=found.text or "",
        platforms=tuple(networks),
        media=tuple(found.media or ()),
        overrides=found.overrides,
        thread=tuple(found.thread),
        title=body.title,
        notes=body.notes,
        scheduled_at=schedule_date(body),
        requires_approval=bool(body.requiresApproval),
        shorten_links=bool(body.shortenLinks),
        first_comment=first_comment(body.firstComment, bases),
        auto_hashtags=auto_hashtags(body.autoHashtag),
        is_video=body.isVideo,
        unsplash=body.unsplash,
    )


def edits(body: PostBody, raw: dict[str, Any], networks: list[str], bases: list[str]) -> dict[str, Any]:
    """PUT /api/post: the changes the body names, for PostService.update (targets: `networks`)."""
    given = body.model_fields_set
    changes: dict[str, Any] = {}
    found = content(body, raw, networks, bases)
    if "post" in given and found.text is not None:
        changes["text"] = found.text
    if "mediaUrls" in given and found.media is not None:
        changes["media"] = found.media
    if found.overrides:
        changes["overrides"] = found.overrides
    if found.thread:
        changes["thread"] = found.thread
    simple = {"title": body.title, "notes": body.notes, "is_video": body.isVideo}
    for field_name, ayrshare in (("title", "title"), ("notes", "notes"), ("is_video", "isVideo")):
        if ayrshare in given:
            changes[field_name] = simple[field_name]
    if "shortenLinks" in given and body.shortenLinks is not None:
        changes["shorten_links"] = body.shortenLinks
    if "requiresApproval" in given and body.requiresApproval is not None:
        changes["requires_approval"] = body.requiresApproval
    if "firstComment" in given:
        changes["first_comment"] = first_comment(body.firstComment, bases)
    if "autoHashtag" in given:
        changes["auto_hashtags"] = auto_hashtags(body.autoHashtag)
    if "unsplash" in given:
        changes["unsplash"] = body.unsplash
    if "scheduleDate" in given and body.scheduleDate is not None:
        changes["scheduled_at"] = schedule_date(body)
    return changes
