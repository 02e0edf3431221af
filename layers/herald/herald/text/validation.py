"""Check one post's content against each target network's rules (`herald.text.rules`).

Run when a post is created, updated or scheduled, and again at publish time. Problems are data:
the API turns errors into the error envelope's `details` and warnings into a `warnings` list.
Each names the network, the field, the limit and what was measured, in the network's own unit.

| code | when |
| --- | --- |
| `invalid_content` | text or title too long, too many hashtags, a character the network refuses |
| `media_unsupported` | a media kind the network does not take, too many items, a mix it refuses |
| `missing_field` | text, title, media or a per-network option the network needs is absent |
| `scheduled_soon` (warning) | the post is scheduled less than 10 minutes ahead |"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from herald.text import counting
from herald.text.rules import MEDIA_KINDS, MediaKind, NetworkRule, TextLimit, rule_for

SCHEDULED_SOON = timedelta(minutes=10)
_KIND_NAMES: dict[str, tuple[str, str]] = {
    "image": ("image", "images"),
    "video": ("video", "videos"),
    "gif": ("GIF", "GIFs"),
}

Severity = Literal["error", "warning"]


@dataclasses.dataclass(frozen=True)
class ContentToCheck:
    """What a post would send to a network. Media are only their kinds (detected elsewhere)."""

    text: str = ""
    media: tuple[MediaKind, ...] = ()
    title: str | None = None
    options: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # e.g. {"subreddit": "python"}

    def __post_init__(self) -> None:
        unknown = [kind for kind in self.media if kind not in MEDIA_KINDS]
        if unknown:
            raise ValueError(f"unknown media kinds {unknown}; expected one of {MEDIA_KINDS}")

    @property
    def hashtags(self) -> int:
        return counting.hashtags(self.text)


@dataclasses.dataclass(frozen=True)
class Problem:
    network: str | None  # None: the whole post (a scheduling warning)
    field: str  # "text", "title", "media", "hashtags", "scheduled_at" or an option's name
    code: str
    message: str
    limit: int | None = None
    measured: int | None = None
    severity: Severity = "error"

    def as_detail(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def validate(
    content: ContentToCheck,
    network: str,
    *,
    now: datetime | None = None,
    scheduled_at: datetime | None = None,
    rule: NetworkRule | None = None,
) -> list[Problem]:
    """Every problem `content` has on `network` (pass `rule` for an instance's own limits, e.g.
    `mastodon_rule(1000)`), plus the scheduling warning when `scheduled_at` is given."""
    return _content_problems(content, rule or rule_for(network)) + _schedule_problems(now, scheduled_at)


def validate_all(
    content: ContentToCheck,
    networks: Iterable[str],
    *,
    now: datetime | None = None,
    scheduled_at: datetime | None = None,
    rules: Mapping[str, NetworkRule] | None = None,
) -> list[Problem]:
    """Problems on every network, sorted by network (post-wide warnings first)."""
    problems = _schedule_problems(now, scheduled_at)
    for network in sorted(set(networks)):
        problems += _content_problems(content, (rules or {}).get(network) or rule_for(network))
    return problems


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(problem.severity == "error" for problem in problems)


# --- checks ----------------------------------------------------------------------------------


def _content_problems(content: ContentToCheck, rule: NetworkRule) -> list[Problem]:
    return [
        *_text_problems(content, rule),
        *_title_problems(content, rule),
        *_option_problems(content, rule),
        *_media_problems(content, rule),
    ]


def _text_problems(content: ContentToCheck, rule: NetworkRule) -> list[Problem]:
    problems: list[Problem] = []
    has_media = bool(content.media)
    if not content.text.strip():
        if has_media and not rule.empty_text_allowed:
            problems.append(_problem(rule, "text", "missing_field", f"{rule.name} needs text, even with media"))
        elif not has_media:
            needs = "text or media" if rule.empty_text_allowed else "text"
            problems.append(_problem(rule, "text", "missing_field", f"{rule.name} needs {needs}"))
        return problems
    what = "caption (text sent with media)" if has_media and rule.caption else "text"
    for limit in rule.text_limits(has_media):
        problems += _too_long(rule, "text", what, content.text, limit)
    if rule.max_hashtags is not None and content.hashtags > rule.max_hashtags:
        problems.append(
            _problem(
                rule,
                "hashtags",
                "invalid_content",
                f"{rule.name} allows {rule.max_hashtags} hashtags; this text has {content.hashtags}",
                rule.max_hashtags,
                content.hashtags,
            )
        )
    problems += _forbidden(rule, "text", content.text)
    return problems


def _title_problems(content: ContentToCheck, rule: NetworkRule) -> list[Problem]:
    if rule.title is None:
        return []  # the network has no title; a title meant for others is not sent
    title = content.title or ""
    if not title.strip():
        if rule.title_required:
            return [_problem(rule, "title", "missing_field", f"{rule.name} needs a title")]
        return []
    return _too_long(rule, "title", "title", title, rule.title) + _forbidden(rule, "title", title)


def _option_problems(content: ContentToCheck, rule: NetworkRule) -> list[Problem]:
    return [
        _problem(rule, name, "missing_field", f"{rule.name} needs a {name}")
        for name in rule.required_options
        if not str(content.options.get(name) or "").strip()
    ]


def _media_problems(content: ContentToCheck, rule: NetworkRule) -> list[Problem]:
    media, allowed = content.media, rule.media
    if not media:
        if allowed.required:
            kinds = _or(_KIND_NAMES[kind][0] for kind in MEDIA_KINDS if kind in allowed.kinds)
            return [_problem(rule, "media", "missing_field", f"{rule.name} needs {_article(kinds)} {kinds}", 1, 0)]
        return []
    problems: list[Problem] = []
    counts = {kind: media.count(kind) for kind in MEDIA_KINDS if kind in media}
    for kind, count in counts.items():
        singular, plural = _KIND_NAMES[kind]
        if kind not in allowed.kinds:
            message = f"{rule.name} does not take {plural} (this post has {count})"
            problems.append(_problem(rule, "media", "media_unsupported", message, 0, count))
            continue
        cap = allowed.kind_cap(kind)
        if cap is not None and count > cap:
            noun = singular if cap == 1 else plural
            message = f"{rule.name} allows {cap} {noun} in a post; this post has {count}"
            problems.append(_problem(rule, "media", "media_unsupported", message, cap, count))
        elif kind in allowed.alone and len(media) > count:
            message = f"{rule.name} posts {_article(singular)} {singular} on its own, without other media"
            problems.append(_problem(rule, "media", "media_unsupported", message, count, len(media)))
    if allowed.max_items is not None and len(media) > allowed.max_items:
        items = "item" if allowed.max_items == 1 else "items"
        message = f"{rule.name} allows {allowed.max_items} media {items} in a post; this post has {len(media)}"
        problems.append(_problem(rule, "media", "media_unsupported", message, allowed.max_items, len(media)))
    return problems


def _schedule_problems(now: datetime | None, scheduled_at: datetime | None) -> list[Problem]:
    if scheduled_at is None:
        return []
    ahead = scheduled_at - (now or datetime.now(UTC))
    if ahead >= SCHEDULED_SOON:
        return []
    seconds = max(0, int(ahead.total_seconds()))
    limit = int(SCHEDULED_SOON.total_seconds())
    message = (
        f"The post is scheduled {_duration(seconds)} ahead, less than {_duration(limit)}: "
        "a problem found when it is published leaves little time to fix it"
    )
    return [Problem(None, "scheduled_at", "scheduled_soon", message, limit, seconds, "warning")]


# --- helpers ---------------------------------------------------------------------------------


def _too_long(rule: NetworkRule, field: str, what: str, value: str, limit: TextLimit) -> list[Problem]:
    measured = counting.count(value, limit.method)
    if measured <= limit.limit:
        return []
    unit = counting.UNITS[limit.method]
    message = f"{rule.name} counts this {what} as {measured:,} of {limit.limit:,} {unit}"
    return [_problem(rule, field, "invalid_content", message, limit.limit, measured)]


def _forbidden(rule: NetworkRule, field: str, value: str) -> list[Problem]:
    found = sorted({char for char in value if char in rule.forbidden_characters})
    if not found:
        return []
    message = f"{rule.name} does not allow {_or(found)} in the {field}"
    return [_problem(rule, field, "invalid_content", message, 0, sum(value.count(char) for char in found))]


def _problem(
    rule: NetworkRule, field: str, code: str, message: str, limit: int | None = None, measured: int | None = None
) -> Problem:
    return Problem(rule.network, field, code, message, limit, measured)


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _or(words: Iterable[str]) -> str:
    items = list(words)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"
