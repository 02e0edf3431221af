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
from herald.posts.model import LinkCard, Post, PostStatus
from herald.text import mentions as mention_text
from herald.text.options import option_problems
from herald.text.richtext import render, style_for
from herald.text.rules import NetworkRule, mastodon_rule
from herald.text.structured import with_hashtags, with_hashtags_in_place, with_link
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
    problems = [
        p for n, url in enumerate(urls) if not is_media_id(url) for p in check_url_shape(url, field=f"media[{n}]")
    ]
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
# Networks that show a link as a card (Bluesky external embed, LinkedIn article, Facebook link
# attachment) when the post has no media; elsewhere the link's URL goes in the text.
LINK_CARD_NETWORKS = frozenset({"bluesky", "linkedin", "facebook"})
# Networks whose posts carry the link in a field of their own, with or without media (a Pinterest
# pin's destination link, a Google Business Profile post's call-to-action URL).
LINK_FIELD_NETWORKS = frozenset({"pinterest", "google_business"})


@dataclass(frozen=True)
class Step:
    """One network post a target needs: the post itself, a thread part, or the first comment."""

    kind: str  # "post", "part" or "comment"
    index: int  # its place among the target's steps (and in PostTarget.parts once done)
    text: str  # as the network receives it
    media: tuple[str, ...]
    reply_to: int | None  # the step it answers: the previous part, or the post for a comment
    field: str  # where the content came from in the request, for problems
    link: LinkCard | None = None  # shown as a card (the URL is then not in the text)
    mentions: tuple[mention_text.RenderedMention, ...] = ()

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
    return _shortened(post, render(text, style_for(network)), network)


def _shortened(post: Post, text: str, network: str) -> str:
    if not post.short_links:
        return text
    pieces, last = [], 0
    for start, end in url_spans(text):
        short = post.short_links.get(text[start:end], {}).get(network)
        if short:
            pieces += [text[last:start], short]
            last = end
    return "".join(pieces) + text[last:]


def card_for(post: Post, network: str) -> LinkCard | None:
    """The post's link as `network` shows it as a card (its short link when the post has them),
    or None where the URL goes in the text instead."""
    if post.link is None:
        return None
    if network not in LINK_FIELD_NETWORKS and (network not in LINK_CARD_NETWORKS or post.media):
        return None
    short = post.short_links.get(post.link.url, {}).get(network)
    return post.link.model_copy(update={"url": short}) if short else post.link


def _compose(post: Post, text: str, network: str, *, first: bool) -> tuple[str, list[mention_text.RenderedMention]]:
    """One step's text as the network receives it: rich text rendered, mentions written the
    network's way (the post's missing ones appended to its first step), then for the first step
    the link's URL where no card shows it, short links, and the hashtags that fit."""
    text = render(text, style_for(network))
    text, mentioned = mention_text.render(text, post.mentions, network, append_missing=first)
    if first and post.link is not None and card_for(post, network) is None:
        text = with_link(text, post.link.url)
    text = _shortened(post, text, network)
    if first:
        text = with_hashtags(text, post.hashtags, network, has_media=bool(post.media))
        auto = post.auto_hashtags
        if auto is not None and auto.position == "end":
            text = with_hashtags(text, auto.picked, network, has_media=bool(post.media))
        elif auto is not None:
            text = with_hashtags_in_place(text, auto.picked, network, has_media=bool(post.media))
    return text, mentioned


def steps_for(post: Post, network: str, account_id: str | None = None) -> list[Step]:
    post = post.for_target(network, account_id)
    parts = post.content_parts if network in THREAD_NETWORKS else post.content_parts[:1]
    steps = []
    for n, part in enumerate(parts):
        text, mentioned = _compose(post, part.text, network, first=n == 0)
        steps.append(Step(
            kind="post" if n == 0 else "part",
            index=n,
            text=text,
            media=tuple(part.media),
            reply_to=None if n == 0 else n - 1,
            field="" if n == 0 else f"thread[{n - 1}].",
            link=card_for(post, network) if n == 0 else None,
            mentions=tuple(mentioned),
        ))
    if post.first_comment is not None and network in FIRST_COMMENT_NETWORKS:
        comment = post.first_comment
        text, mentioned = _compose(post, comment.text, network, first=False)
        steps.append(Step("comment", len(steps), text, tuple(comment.media), 0, "first_comment.",
                          mentions=tuple(mentioned)))
    return steps


def is_media_id(ref: str) -> bool:
    """A reference to an uploaded media item (`med_...`) rather than an external URL; whether
    such an item exists is the post service's question."""
    return ref.startswith("med_")


def media_refs(post: Post) -> list[str]:
    """Every media reference of the post (URLs and media ids), once each, in order."""
    refs = [*post.media, *(r for part in post.thread for r in part.media)]
    refs += post.first_comment.media if post.first_comment else []
    refs += [r for o in post.overrides.values() for r in o.media or ()]
    return list(dict.fromkeys(refs))


def _kinds(post: Post, refs: Iterable[str]) -> tuple[Any, ...]:
    # An uploaded item's kind is what the inspection read; a URL's comes from its extension or the
    # post's is_video flag, and one with neither is taken for an image.
    kinds = []
    for ref in refs:
        upload = post.uploads.get(ref)
        if upload is not None and upload.facts is not None and upload.facts.kind is not None:
            kinds.append(upload.facts.kind)
        else:
            kinds.append(expected_kind(ref, post.is_video) or "image")
    return tuple(kinds)


def _upload_problems(post: Post, refs: Iterable[str], network: str, field: str) -> list[Problem]:
    """Uploaded items judged by what the inspection found, against `network`'s media rules."""
    problems = []
    for n, ref in enumerate(refs):
        upload = post.uploads.get(ref) if is_media_id(ref) else None
        if upload is None:
            continue
        where = f"{field}media[{n}]"
        if upload.status == "missing":
            problems.append(Problem(network, where, "media_not_found", f"media {ref} no longer exists"))
        elif upload.status == "rejected":
            problems.append(Problem(network, where, "media_unsupported",
                                    f"media {ref} was rejected: {upload.problem or 'unusable file'}"))
        elif upload.status != "ready" or upload.facts is None:
            problems.append(Problem(network, where, "media_pending",
                                    f"media {ref} is still being uploaded or inspected; it is checked again "
                                    "before publishing", severity="warning"))
        else:
            from herald.media.compat import report

            for verdict in report(upload.facts, [network]):
                if not verdict.ok:
                    problems.append(Problem(network, where, "media_unsupported",
                                            f"{network}: " + " ".join(verdict.reasons + verdict.suggestions)))
    return problems


def mention_problems(post: Post, network: str | None = None) -> list[Problem]:
    """For the whole post (`network` None): default handles that cannot be a handle anywhere and
    handles given for a network in the wrong syntax. For one target network: a warning for each
    mention that is not made there (no handle of its own, and the default is not a valid one)."""
    problems = []
    for n, mention in enumerate(post.mentions):
        if network is not None:
            if mention_text.usable_handle(mention, network) is None:
                problems.append(Problem(network, f"mentions[{n}]", "mention_skipped",
                                        f"{mention.default or mention.name or 'a mention'} is not mentioned on "
                                        f"{network}: give its {network} handle as mentions[{n}].{network}",
                                        severity="warning"))
            continue
        if mention.default is not None and (wrong := mention_text.handle_problem(None, mention.default)):
            problems.append(Problem(None, f"mentions[{n}].default", "invalid_content", f"{mention.default!r} {wrong}"))
        for named, handle in mention.handles.items():
            if wrong := mention_text.handle_problem(named, handle):
                problems.append(Problem(named, f"mentions[{n}].{named}", "invalid_content", f"{handle!r} {wrong}"))
        if mention.handles.get("linkedin") and not (mention.name or "").strip():
            problems.append(Problem("linkedin", f"mentions[{n}].name", "missing_field",
                                    "a LinkedIn mention needs the member's or organization's exact name"))
    return problems


def _step_problems(post: Post, network: str, account_id: str | None = None) -> list[Problem]:
    problems: list[Problem] = []
    sent = post.for_target(network, account_id)
    options = post.options_for(network, account_id)
    for step in steps_for(post, network, account_id):
        title = sent.title if step.index == 0 else None
        content = ContentToCheck(text=step.text, media=_kinds(sent, step.media), title=title, options=options)
        found = validate(content, network, rule=_rule_for(post, network, account_id))
        if step.index > 0:
            found = [p for p in found if _applies_to_a_reply(p)]
        problems += [dataclasses.replace(p, field=step.field + p.field) for p in found]
        problems += _upload_problems(sent, step.media, network, step.field)
        if step.kind == "comment" and step.media and network not in FIRST_COMMENT_MEDIA_NETWORKS:
            problems.append(Problem(network, "first_comment.media", "media_unsupported",
                                    f"{network} takes no media in a first comment (Facebook and X do)"))
    problems += mention_problems(post, network)
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


def _rule_for(post: Post, network: str, account_id: str | None) -> NetworkRule | None:
    """The rule of one target's account where it has its own limits (a Mastodon instance's), else
    None for the network's rule."""
    target = next((t for t in post.targets if t.account_id == account_id), None)
    if network != "mastodon" or target is None or not target.limits:
        return None
    return mastodon_rule(target.limits.get("max_characters", 500), target.limits.get("max_media_attachments", 4))


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
    problems += mention_problems(post)
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
