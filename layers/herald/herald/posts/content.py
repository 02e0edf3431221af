"""A post's content checked against its networks' rules (herald.text.validation): at create,
update and schedule time (errors refuse the change), on every answer (warnings), and again per
target at publish time."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from herald.errors import InvalidContent, MediaUnsupported
from herald.media.urls import MediaUrlError, check_url_shape, expected_kind
from herald.posts.model import Post, PostStatus
from herald.text.options import option_problems
from herald.text.richtext import render, style_for
from herald.text.structured import with_hashtags, with_link
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


# Networks whose replies chain a thread, and those with a comment or reply for a first comment.
THREAD_NETWORKS = frozenset({"x", "threads", "bluesky", "mastodon"})
FIRST_COMMENT_NETWORKS = frozenset(
    {"x", "bluesky", "threads", "mastodon", "facebook", "instagram", "linkedin", "youtube", "reddit"}
)
FIRST_COMMENT_MEDIA_NETWORKS = frozenset({"facebook", "x"})


@dataclass(frozen=True)
class Step:
    """One network post a target needs: the post itself, a thread part, or the first comment."""

    kind: str  # "post", "part" or "comment"
    index: int  # its place among the target's steps (and in PostTarget.parts once done)
    text: str  # as the network receives it
    media: tuple[str, ...]
    reply_to: int | None  # the step it answers: the previous part, or the post for a comment
    field: str  # where the content came from in the request, for problems

    @property
    def key_suffix(self) -> str:
        """Distinguishes this step's idempotency and record keys from the post's."""
        return "" if self.index == 0 else f":{self.index}"


def all_texts(post: Post) -> list[str]:
    link = [post.link.url] if post.link else []
    return link + [p.text for p in post.content_parts] + ([post.first_comment.text] if post.first_comment else [])


def render_for(post: Post, text: str, network: str) -> str:
    """`text` as `network` receives it: rich-text tags rendered the network's way (Unicode styles,
    Reddit Markdown, or plain), and links replaced by their short links when the post asks."""
    text = render(text, style_for(network))
    if not post.short_links:
        return text
    pieces, last = [], 0
    for start, end in url_spans(text):
        short = post.short_links.get(text[start:end], {}).get(network)
        if short:
            pieces += [text[last:start], short]
            last = end
    return "".join(pieces) + text[last:]


def _first_text(post: Post, network: str) -> str:
    """The post's own text with its structured content: the link (no network card is built yet,
    so its URL goes in the text) and the hashtags that fit."""
    text = render_for(post, with_link(post.text, post.link.url if post.link else None), network)
    return with_hashtags(text, post.hashtags, network, has_media=bool(post.media))


def steps_for(post: Post, network: str, account_id: str | None = None) -> list[Step]:
    post = post.for_target(network, account_id)
    parts = post.content_parts if network in THREAD_NETWORKS else post.content_parts[:1]
    steps = [
        Step(
            kind="post" if n == 0 else "part",
            index=n,
            text=_first_text(post, network) if n == 0 else render_for(post, part.text, network),
            media=tuple(part.media),
            reply_to=None if n == 0 else n - 1,
            field="" if n == 0 else f"thread[{n - 1}].",
        )
        for n, part in enumerate(parts)
    ]
    if post.first_comment is not None and network in FIRST_COMMENT_NETWORKS:
        comment = post.first_comment
        steps.append(
            Step("comment", len(steps), render_for(post, comment.text, network), tuple(comment.media), 0,
                 "first_comment.")
        )
    return steps


def _kinds(urls: Iterable[str]) -> tuple[Any, ...]:
    # Without inspection (media ids arrive with uploads) a URL's kind is read from its extension;
    # one without a known extension is taken for an image.
    return tuple(expected_kind(url, None) or "image" for url in urls)


def _step_problems(post: Post, network: str, account_id: str | None = None) -> list[Problem]:
    problems: list[Problem] = []
    sent = post.for_target(network, account_id)
    options = post.options_for(network, account_id)
    for step in steps_for(post, network, account_id):
        title = sent.title if step.index == 0 else None
        content = ContentToCheck(text=step.text, media=_kinds(step.media), title=title, options=options)
        found = validate(content, network)
        if step.index > 0:
            found = [p for p in found if _applies_to_a_reply(p)]
        problems += [dataclasses.replace(p, field=step.field + p.field) for p in found]
        if step.kind == "comment" and step.media and network not in FIRST_COMMENT_MEDIA_NETWORKS:
            problems.append(Problem(network, "first_comment.media", "media_unsupported",
                                    f"{network} takes no media in a first comment (Facebook and X do)"))
    for name, wrong in option_problems(network, options):
        problems.append(Problem(network, f"options.{name}", "invalid_content", f"{network} option {name} {wrong}"))
    if post.thread and network not in THREAD_NETWORKS:
        problems.append(Problem(network, "thread", "invalid_content",
                                f"{network} has no threads (X, Threads, Bluesky and Mastodon do)"))
    if post.first_comment is not None and network not in FIRST_COMMENT_NETWORKS:
        problems.append(Problem(network, "first_comment", "first_comment_skipped",
                                f"{network} has no comments: the first comment is not sent there",
                                severity="warning"))
    return problems


def _applies_to_a_reply(problem: Problem) -> bool:
    """A reply carries no title, options or required media of its own: its text rules apply, and
    its media rules when it has media."""
    return problem.field == "text" or (problem.field != "title" and problem.code != "missing_field")


def links_in_post(post: Post) -> list[str]:
    return list(dict.fromkeys(url for text in all_texts(post) for url in links_in(text)))


def check(post: Post, now: datetime) -> Findings:
    """Every target's content (its overrides applied) and every step on its own; lengths are
    measured after rendering, as each network will count them."""
    waiting = post.status in _WAITING or post.status is PostStatus.DRAFT
    problems = validate_all(ContentToCheck(), [], now=now, scheduled_at=post.scheduled_at if waiting else None)
    for target in sorted(post.targets, key=lambda t: (t.platform, t.account_id)):
        problems += _step_problems(post, target.platform, target.account_id)
    problems = list(dict.fromkeys(problems))  # accounts on one network without overrides agree
    return Findings(
        errors=[p for p in problems if p.severity == "error"],
        warnings=[p for p in problems if p.severity == "warning"],
    )


def refuse_if_invalid(post: Post, now: datetime) -> None:
    """Raise with every error as a detail (media_unsupported when only media are wrong)."""
    findings = check(post, now)
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


def problems_for(post: Post, network: str, account_id: str | None = None) -> list[Problem]:
    """Errors for one target at publish time (the rules may have changed since scheduling)."""
    return [p for p in _step_problems(post, network, account_id) if p.severity == "error"]
