"""The network options Herald knows (`platform_options` / override `options`), checked before a
post is scheduled. A network listed here refuses option names it does not know (a typo would
otherwise be silently ignored); networks not listed yet take any option as given."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], str | None]  # None when the value is fine, else what is wrong

_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def one_of(*allowed: str) -> Check:
    def check(value: Any) -> str | None:
        return None if value in allowed else f"must be one of {', '.join(allowed)}"

    return check


def boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def text(max_length: int) -> Check:
    def check(value: Any) -> str | None:
        ok = isinstance(value, str) and 0 < len(value) <= max_length
        return None if ok else f"must be text of 1 to {max_length} characters"

    return check


def language_tags(max_items: int) -> Check:
    def check(value: Any) -> str | None:
        ok = (
            isinstance(value, list)
            and 0 < len(value) <= max_items
            and all(isinstance(v, str) and _LANGUAGE_TAG.match(v) for v in value)
        )
        return None if ok else f"must be a list of 1 to {max_items} language tags such as en or pt-BR"

    return check


def integer(low: int, high: int) -> Check:
    def check(value: Any) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        return None if ok else f"must be a whole number from {low} to {high}"

    return check


def https_url(max_length: int) -> Check:
    def check(value: Any) -> str | None:
        ok = isinstance(value, str) and value.startswith("https://") and len(value) <= max_length and " " not in value
        return None if ok else f"must be an https URL of at most {max_length} characters"

    return check


def tags(max_total: int) -> Check:
    """A list of keyword tags whose lengths add up to at most `max_total` (YouTube counts a tag
    with a space as two more, for its quotes)."""

    def check(value: Any) -> str | None:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() and "," not in v for v in value):
            return "must be a list of tags (text, no commas)"
        total = sum(len(v) + (2 if " " in v else 0) for v in value) + max(len(value) - 1, 0)
        return None if total <= max_total else f"must add up to at most {max_total} characters (counted {total})"

    return check


def language_code(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"[a-z]{2,3}", value) is not None
    return None if ok else "must be an ISO 639 language code such as en"


OPTIONS: dict[str, dict[str, Check]] = {
    "x": {
        "reply_settings": one_of("following", "mentionedUsers", "subscribers", "verified"),
        "made_with_ai": boolean,
        "paid_partnership": boolean,
    },
    "bluesky": {"langs": language_tags(3)},
    "mastodon": {
        "visibility": one_of("public", "unlisted", "private", "direct"),
        "spoiler_text": text(500),
        "sensitive": boolean,
        "language": language_code,
    },
    "threads": {
        "reply_control": one_of("everyone", "accounts_you_follow", "mentioned_only", "parent_post_author_only",
                                "followers_only"),
        "topic_tag": text(50),
    },
    "telegram": {"disable_notification": boolean, "protect_content": boolean},
    "linkedin": {"visibility": one_of("PUBLIC", "CONNECTIONS", "public", "connections")},
    "reddit": {
        "subreddit": text(24),  # 21 characters, with an r/ or /r/ prefix tolerated
        "flair_id": text(64),
        "flair_text": text(64),
        "nsfw": boolean,
        "spoiler": boolean,
        "send_replies": boolean,
        "video_poster_url": https_url(2048),
    },
    "youtube": {
        "privacy": one_of("public", "unlisted", "private"),
        "category_id": text(4),
        "tags": tags(500),
        "made_for_kids": boolean,
        "shorts": boolean,
        "thumbnail_url": https_url(2048),
        "notify_subscribers": boolean,
        "contains_synthetic_media": boolean,
        "default_language": language_code,
    },
    "tiktok": {
        "privacy_level": one_of("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"),
        "disable_comment": boolean,
        "disable_duet": boolean,
        "disable_stitch": boolean,
        "video_cover_timestamp_ms": integer(0, 600_000),
        "photo_cover_index": integer(0, 34),
        "auto_add_music": boolean,
        "brand_content_toggle": boolean,
        "brand_organic_toggle": boolean,
        "is_aigc": boolean,
    },
    "pinterest": {
        "board_id": text(64),
        "board_section_id": text(64),
        "link": https_url(2048),  # the pin's destination, when it differs from the post's link
        "alt_text": text(500),
        "cover_image_url": https_url(2048),
        "cover_image_key_frame_time": integer(0, 3_600_000),
    },
    "google_business": {
        "topic_type": one_of("STANDARD", "EVENT", "OFFER"),
        "call_to_action": one_of("BOOK", "ORDER", "SHOP", "LEARN_MORE", "SIGN_UP", "CALL"),
        "call_to_action_url": https_url(2048),
        "event_title": text(58),
        "event_start": text(25),
        "event_end": text(25),
        "offer_coupon_code": text(58),
        "offer_redeem_url": https_url(2048),
        "offer_terms": text(5000),
        "language_code": language_code,
    },
}


def option_problems(network: str, options: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(option name, what is wrong) for each option `network` would refuse."""
    known = OPTIONS.get(network)
    if known is None:
        return []
    problems = []
    for name, value in options.items():
        check = known.get(name)
        if check is None:
            problems.append((name, f"is not an option of {network} (known: {', '.join(sorted(known))})"))
        elif (wrong := check(value)) is not None:
            problems.append((name, wrong))
    return problems
