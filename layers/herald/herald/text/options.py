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
    "reddit": {"subreddit": text(21), "flair_id": text(64), "nsfw": boolean, "spoiler": boolean},
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
