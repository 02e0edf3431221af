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


def _reply_settings(value: Any) -> Any:
    return _REPLY_SETTINGS.get(value, value) if isinstance(value, str) else value


# The option object's name -> (Herald's network, {Ayrshare option -> (Herald option or "title", convert)}).
# X's `thread`, `threadNumber` and `mediaUrls` are read by the post translation (they make a thread).
OPTION_OBJECTS: dict[str, tuple[str, dict[str, tuple[str, Convert]]]] = {
    "twitterOptions": ("x", {"replySettings": ("reply_settings", _reply_settings)}),
    "blueSkyOptions": ("bluesky", {"langs": ("langs", _same)}),
    "linkedInOptions": ("linkedin", {"visibility": ("visibility", _upper)}),
    "redditOptions": ("reddit", {"title": ("title", _same), "subreddit": ("subreddit", _same),
                                 "flairId": ("flair_id", _same), "nsfw": ("nsfw", _same),
                                 "spoiler": ("spoiler", _same)}),
    "youTubeOptions": ("youtube", {"title": ("title", _same)}),
    "pinterestOptions": ("pinterest", {"title": ("title", _same)}),
    "tikTokOptions": ("tiktok", {}),
    "gmbOptions": ("google_business", {}),
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
            else:
                entry.setdefault("options", {})[target] = convert(value)
    if unsupported:
        raise AyrshareError(
            "Herald does not support these options: " + ", ".join(unsupported)
            + ". Remove them (docs/migrate-from-ayrshare.md lists what is mapped).",
            herald_code="not_supported", details=[{"field": name} for name in unsupported],
        )
    return found
