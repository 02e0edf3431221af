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


def _separator(text: str) -> str:
    """Tags join a last line that holds only tags; otherwise they start a paragraph of their own."""
    if not text.strip():
        return ""
    last = text.rstrip().rsplit("\n", 1)[-1].split()
    return " " if last and all(re.fullmatch(r"#[^\s#]+", word) for word in last) else "\n\n"


def with_hashtags(text: str, tags: Iterable[str], network: str, *, has_media: bool) -> str:
    """`text` with each hashtag not already in it appended, in order, while the result still fits
    the network's length and hashtag limits; a tag that does not fit is left out."""
    present = {t.lower() for t in re.findall(r"#[^\s#]+", text)}
    result = text
    separator = _separator(text)
    for tag in tags:
        rendered = hashtag(tag)
        if rendered is None or rendered.lower() in present:
            continue
        candidate = f"{result}{separator}{rendered}"
        if _fits(candidate, network, has_media):
            result, separator = candidate, " "
            present.add(rendered.lower())
    return result


_WORD = re.compile(r"\w+")


def _inline_span(text: str, body: str) -> tuple[int, int, str] | None:
    """The first run of 1-4 words of `text`, separated by single spaces and not already a tag,
    mention or part of a URL, that spells the tag's body (case ignored): (start, end, its tag)."""
    words = list(_WORD.finditer(text))
    wanted = body.lower()
    for i, first in enumerate(words):
        if first.start() > 0 and text[first.start() - 1] in "#@/.:_-":
            continue
        joined = ""
        for n, word in enumerate(words[i:i + 4]):
            if n and text[words[i + n - 1].end():word.start()] != " ":
                break
            joined += word.group()
            if joined.lower() == wanted:
                end = word.end()
                if end < len(text) and text[end] in "/.:_-" and text[end + 1:end + 2].isalnum():
                    break  # inside a URL, an address or a file name
                spelled = text[first.start():end] if n == 0 else body
                return first.start(), end, f"#{spelled}"
            if not wanted.startswith(joined.lower()):
                break
    return None


def with_hashtags_in_place(text: str, tags: Iterable[str], network: str, *, has_media: bool) -> str:
    """`text` with each tag's keyword, where the text has it, turned into the hashtag in place
    ("we love coffee" -> "we love #coffee"); tags whose words are not in the text are appended.
    Every change is kept only while the text still fits the network's limits."""
    present = {t.lower() for t in re.findall(r"#[^\s#]+", text)}
    rest = []
    for tag in tags:
        rendered = hashtag(tag)
        if rendered is None or rendered.lower() in present:
            continue
        span = _inline_span(text, rendered[1:])
        if span is None:
            rest.append(rendered)
            continue
        start, end, inline = span
        candidate = text[:start] + inline + text[end:]
        if _fits(candidate, network, has_media):
            text = candidate
            present.add(rendered.lower())
    return with_hashtags(text, rest, network, has_media=has_media)
