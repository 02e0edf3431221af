"""Structured content rendered into a network's text: a link where the network shows no card,
and hashtags appended while they fit the network's limits."""

from __future__ import annotations

import re
from collections.abc import Iterable

from herald.text import counting
from herald.text.rules import rule_for

_TAG_BODY = re.compile(r"^[^\s#]+$")


def hashtag(tag: str) -> str | None:
    """`#tag` for a tag given with or without its '#'; None for one that cannot be a hashtag."""
    body = tag.strip().lstrip("#")
    return f"#{body}" if body and _TAG_BODY.match(body) else None


def _fits(text: str, network: str, has_media: bool) -> bool:
    rule = rule_for(network)
    lengths_ok = all(counting.count(text, limit.method) <= limit.limit for limit in rule.text_limits(has_media))
    return lengths_ok and (rule.max_hashtags is None or counting.hashtags(text) <= rule.max_hashtags)


def with_link(text: str, url: str | None) -> str:
    """The link's URL at the end of the text, unless the text has it already."""
    if not url or url in text:
        return text
    return f"{text}\n\n{url}" if text.strip() else url


def with_hashtags(text: str, tags: Iterable[str], network: str, *, has_media: bool) -> str:
    """`text` with each hashtag not already in it appended, in order, while the result still fits
    the network's length and hashtag limits; a tag that does not fit is left out."""
    present = {t.lower() for t in re.findall(r"#[^\s#]+", text)}
    result = text
    separator = "\n\n" if text.strip() else ""
    for tag in tags:
        rendered = hashtag(tag)
        if rendered is None or rendered.lower() in present:
            continue
        candidate = f"{result}{separator}{rendered}"
        if _fits(candidate, network, has_media):
            result, separator = candidate, " "
            present.add(rendered.lower())
    return result
