"""Ayrshare's per-network option objects -> Herald's per-network overrides (`title`, `options`).

Only what Herald models is mapped; any other option names answer 400 (`not_supported`) listing
them, so that nothing a client asked for is silently dropped (a poll without its poll, a story
posted to the feed). Options of a network the post does not target are ignored, as Ayrshare
does."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from herald.api.compat.errors import AyrshareError

Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


_REPLY_SETTINGS = {"mentioned": "mentionedUsers"}
_TIKTOK_PRIVACY = {"public": "PUBLIC_TO_EVERYONE", "private": "SELF_ONLY", "followers": "FOLLOWER_OF_CREATOR",
                   "friends": "MUTUAL_FOLLOW_FRIENDS"}


def _tiktok_privacy(value: Any) -> Any:
    return _TIKTOK_PRIVACY.get(value.lower(), value) if isinstance(value, str) else value


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _call_to_action(value: Any) -> dict[str, Any]:
    """gmbOptions.callToAction {actionType, url} -> call_to_action, call_to_action_url."""
    if not isinstance(value, dict):
        raise AyrshareError("`gmbOptions.callToAction` must be an object {actionType, url}.",
                            details=[{"field": "gmbOptions.callToAction"}])
    found = {"call_to_action": _upper(value.get("actionType"))}
    if value.get("url") is not None:
        found["call_to_action_url"] = value["url"]
    return found


def _gmb_topic(kind: str) -> Convert:
    """gmbOptions.event / gmbOptions.offer {title, startDate, endDate, ...} -> topic_type and its options."""

    def convert(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise AyrshareError(f"`gmbOptions.{kind.lower()}` must be an object.",
                                details=[{"field": f"gmbOptions.{kind.lower()}"}])
        names = {"title": "event_title", "startDate": "event_start", "endDate": "event_end",
                 "couponCode": "offer_coupon_code", "redeemOnlineUrl": "offer_redeem_url",
                 "termsConditions": "offer_terms"}
        unknown = [k for k in value if k not in names or (kind == "EVENT" and names[k].startswith("offer_"))]
        if unknown:
            raise AyrshareError(f"Herald does not support gmbOptions.{kind.lower()}." + ", ".join(unknown) + ".",
                                herald_code="not_supported", details=[{"field": name} for name in unknown])
        return {"topic_type": kind, **{names[k]: v for k, v in value.items()}}

    return convert


def _reply_settings(value: Any) -> Any:
    return _REPLY_SETTINGS.get(value, value) if isinstance(value, str) else value


# The option object's name -> (Herald's network, {Ayrshare option -> (Herald option or "title", convert)});
# the Herald option "*" takes a convert that answers several options at once.
# X's `thread`, `threadNumber` and `mediaUrls` are read by the post translation (they make a thread).
OPTION_OBJECTS: dict[str, tuple[str, dict[str, tuple[str, Convert]]]] = {
    "twitterOptions": ("x", {"replySettings": ("reply_settings", _reply_settings)}),
    "blueSkyOptions": ("bluesky", {"langs": ("langs", _same)}),
    "linkedInOptions": ("linkedin", {"visibility": ("visibility", _upper)}),
    "redditOptions": ("reddit", {"title": ("title", _same), "subreddit": ("subreddit", _same),
                                 "flairId": ("flair_id", _same), "flairText": ("flair_text", _same),
                                 "nsfw": ("nsfw", _same), "spoiler": ("spoiler", _same)}),
    "youTubeOptions": ("youtube", {"title": ("title", _same), "visibility": ("privacy", _lower),
                                   "tags": ("tags", _same), "madeForKids": ("made_for_kids", _same),
                                   "shorts": ("shorts", _same), "thumbNail": ("thumbnail_url", _same),
                                   "categoryId": ("category_id", _text),
                                   "notifySubscribers": ("notify_subscribers", _same),
                                   "containsSyntheticMedia": ("contains_synthetic_media", _same)}),
    "pinterestOptions": ("pinterest", {"title": ("title", _same), "boardId": ("board_id", _text),
                                       "boardSectionId": ("board_section_id", _text), "link": ("link", _same),
                                       "altText": ("alt_text", _same), "thumbNail": ("cover_image_url", _same)}),
    "tikTokOptions": ("tiktok", {"title": ("title", _same), "visibility": ("privacy_level", _tiktok_privacy),
                                 "disableComments": ("disable_comment", _same),
                                 "disableDuet": ("disable_duet", _same), "disableStitch": ("disable_stitch", _same),
                                 "thumbNailOffset": ("video_cover_timestamp_ms", _same),
                                 "imageCoverIndex": ("photo_cover_index", _same),
                                 "autoAddMusic": ("auto_add_music", _same),
                                 "isBrandedContent": ("brand_content_toggle", _same),
                                 "isBrandOrganic": ("brand_organic_toggle", _same),
                                 "isAIGenerated": ("is_aigc", _same)}),
    "gmbOptions": ("google_business", {"callToAction": ("*", _call_to_action), "event": ("*", _gmb_topic("EVENT")),
                                       "offer": ("*", _gmb_topic("OFFER"))}),
    "faceBookOptions": ("facebook", {}),
    "instagramOptions": ("instagram", {}),
    "telegramOptions": ("telegram", {"disableNotification": ("disable_notification", _same),
                                     "protectContent": ("protect_content", _same)}),
    "threadsOptions": ("threads", {"replyControl": ("reply_control", _same), "topicTag": ("topic_tag", _same)}),
    "mastodonOptions": ("mastodon", {"visibility": ("visibility", _same), "spoilerText": ("spoiler_text", _same),
                                     "sensitive": ("sensitive", _same), "language": ("language", _same)}),
}
THREAD_KEYS = frozenset({"thread", "threadNumber", "mediaUrls"})  # twitterOptions, read elsewhere


def overrides(body: Mapping[str, Any], networks: list[str]) -> dict[str, dict[str, Any]]:
    """Herald network -> {"title": ..., "options": {...}} from the option objects of the networks
    the post targets."""
    found: dict[str, dict[str, Any]] = {}
    unsupported: list[str] = []
    for object_name, (network, known) in OPTION_OBJECTS.items():
        given = body.get(object_name)
        if given is None or network not in networks:
            continue
        if not isinstance(given, dict):
            raise AyrshareError(f"`{object_name}` must be an object.", details=[{"field": object_name}])
        for name, value in given.items():
            if object_name == "twitterOptions" and name in THREAD_KEYS:
                continue
            if name not in known:
                unsupported.append(f"{object_name}.{name}")
                continue
            target, convert = known[name]
            entry = found.setdefault(network, {})
            if target == "title":
                entry["title"] = value
            elif target == "*":
                entry.setdefault("options", {}).update(convert(value))
            else:
                entry.setdefault("options", {})[target] = convert(value)
    if unsupported:
        raise AyrshareError(
            "Herald does not support these options: " + ", ".join(unsupported)
            + ". Remove them (docs/migrate-from-ayrshare.md lists what is mapped).",
            herald_code="not_supported", details=[{"field": name} for name in unsupported],
        )
    return found
