"""A post's content checked against its networks' rules (herald.text.validation): at create,
update and schedule time (errors refuse the change), on every answer (warnings), and again per
target at publish time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from herald.errors import InvalidContent, MediaUnsupported
from herald.media.urls import MediaUrlError, check_url_shape, expected_kind
from herald.posts.model import Post, PostStatus
from herald.text.richtext import render, style_for
from herald.text.twitter import url_spans
from herald.text.validation import ContentToCheck, Problem, validate, validate_all

_WAITING = (PostStatus.SCHEDULED, PostStatus.PAUSED, PostStatus.PENDING_APPROVAL)


@dataclass(frozen=True)
class Findings:
    errors: list[Problem]
    warnings: list[Problem]


def refuse_unsafe_media_urls(urls: Iterable[str]) -> None:
    """Media URLs must be https and may not name a private, loopback or link-local address
    (checked on every create and edit; names are resolved and fetched at publish time)."""
    problems = [p for n, url in enumerate(urls) for p in check_url_shape(url, field=f"media[{n}]")]
    if problems:
        raise MediaUrlError(*problems)


def links_in(text: str) -> list[str]:
    """The http(s) URLs of `text`, in order, once each (bare domains are left alone)."""
    found = (text[start:end] for start, end in url_spans(text))
    return list(dict.fromkeys(u for u in found if u.lower().startswith(("http://", "https://"))))


def text_for(post: Post, network: str) -> str:
    """The post's text as `network` receives it: its rich-text tags rendered the network's way
    (Unicode styles, Reddit Markdown, or plain), and its links replaced by their short links."""
    text = render(post.text, style_for(network))
    if not post.short_links:
        return text
    pieces, last = [], 0
    for start, end in url_spans(text):
        short = post.short_links.get(text[start:end], {}).get(network)
        if short:
            pieces += [text[last:start], short]
            last = end
    return "".join(pieces) + text[last:]


def content_for(post: Post, network: str) -> ContentToCheck:
    # Without inspection (media ids arrive with uploads) a URL's kind is read from its extension;
    # one without a known extension is taken for an image.
    kinds = tuple(expected_kind(url, None) or "image" for url in post.media)
    return ContentToCheck(text=text_for(post, network), media=kinds, title=post.title)


def check(post: Post, networks: Iterable[str], now: datetime) -> Findings:
    """Lengths are measured after rendering, as each network will count them."""
    waiting = post.status in _WAITING or post.status is PostStatus.DRAFT
    problems = validate_all(ContentToCheck(), [], now=now, scheduled_at=post.scheduled_at if waiting else None)
    for network in sorted(set(networks)):
        problems += validate(content_for(post, network), network)
    return Findings(
        errors=[p for p in problems if p.severity == "error"],
        warnings=[p for p in problems if p.severity == "warning"],
    )


def refuse_if_invalid(post: Post, now: datetime) -> None:
    """Raise with every error as a detail (media_unsupported when only media are wrong)."""
    findings = check(post, [t.platform for t in post.targets], now)
    if not findings.errors:
        return
    details: list[dict[str, Any]] = [p.as_detail() for p in findings.errors]
    networks = sorted({p.network or "" for p in findings.errors})
    message = f"The content breaks the rules of {', '.join(networks)}: " + "; ".join(
        p.message for p in findings.errors[:3]
    ) + ("; ..." if len(findings.errors) > 3 else "")
    if all(p.code == "media_unsupported" for p in findings.errors):
        raise MediaUnsupported(message, details=details)
    raise InvalidContent(message, details=details)


def problems_for(post: Post, network: str) -> list[Problem]:
    """Errors for one target at publish time (the rules may have changed since scheduling)."""
    return [p for p in validate(content_for(post, network), network) if p.severity == "error"]
