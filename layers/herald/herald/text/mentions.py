"""Mentions rendered the native way per network, and each network's handle syntax.

A mention names a handle per network, and optionally a `default` handle, which is what the post's
text writes as `@default`. For each network, `@default` in the text becomes that network's handle,
and a mention the text does not contain is appended after it:

- plain `@handle` on X, Threads, Instagram, TikTok, Telegram, Facebook, YouTube, Pinterest, Reddit
  (`u/name` is not rendered for Reddit: Reddit links `@name` nowhere, and `u/` pings are opt-in) and
  Google Business; `@user@instance` on Mastodon for a remote account;
- `@handle.domain` on Bluesky, which the Bluesky adapter turns into a mention facet with the DID it
  resolves the handle to;
- `@[Name](urn:li:...)` on LinkedIn: the annotation LinkedIn's "little" text format reads as a
  mention, returned as a `MentionRef` too so the adapter escapes the rest of the text around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

# The handle syntax of each network (without the '@').
_HANDLE_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "x": (re.compile(r"[A-Za-z0-9_]{1,15}"), "1-15 letters, digits or _"),
    "bluesky": (
        re.compile(r"(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"),
        "a domain name such as alice.bsky.social",
    ),
    "mastodon": (
        re.compile(r"[A-Za-z0-9_]{1,30}(?:@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?"),
        "a user name, or user@instance for a remote account",
    ),
    "threads": (re.compile(r"[A-Za-z0-9._]{1,30}"), "1-30 letters, digits, . or _"),
    "instagram": (re.compile(r"[A-Za-z0-9._]{1,30}"), "1-30 letters, digits, . or _"),
    "tiktok": (re.compile(r"[A-Za-z0-9._]{2,24}"), "2-24 letters, digits, . or _"),
    "telegram": (re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}"), "5-32 letters, digits or _, starting with a letter"),
    "linkedin": (
        re.compile(r"urn:li:(?:person|organization|organizationBrand):[A-Za-z0-9_-]+"),
        "a member or organization URN such as urn:li:organization:1337",
    ),
}
_ANY_HANDLE = (re.compile(r"[^\s@][^\s]{0,99}"), "a handle without spaces")
_DEFAULT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
_HANDLE_CHARS = r"[A-Za-z0-9_.@-]"


class Mention(Protocol):
    """What this module needs of a mention (herald.posts.model.Mention has it)."""

    @property
    def default(self) -> str | None: ...

    @property
    def name(self) -> str | None: ...

    def handle_for(self, network: str) -> str | None: ...


@dataclass(frozen=True)
class RenderedMention:
    text: str  # as it appears in the rendered text
    ref: str  # the handle, or the LinkedIn URN
    name: str | None = None


def handle_problem(network: str | None, handle: str) -> str | None:
    """Why `handle` cannot be a mention on `network` (None: it can). `network` None: the default."""
    if network is None:
        pattern, rule = _DEFAULT, "letters, digits, _, . or -"
    else:
        pattern, rule = _HANDLE_RULES.get(network, _ANY_HANDLE)
    if network != "linkedin":
        handle = handle.removeprefix("@")
    return None if pattern.fullmatch(handle) else f"is not a {network or 'default'} handle ({rule})"


def normalized(handle: str, network: str | None) -> str:
    return handle if network == "linkedin" else handle.strip().removeprefix("@")


def usable_handle(mention: Mention, network: str) -> str | None:
    """The mention's handle on `network`: its own for the network, else the default when that is
    a valid handle there (a default "alice" is no Bluesky handle), else None."""
    handle = mention.handle_for(network)
    if not handle or handle_problem(network, handle) is not None:
        return None
    return handle


def _as_written(mention: Mention, network: str) -> RenderedMention | None:
    handle = usable_handle(mention, network)
    if handle is None:
        return None
    if network == "linkedin" and handle.startswith("urn:li:"):
        name = (mention.name or mention.default or "").replace("]", "").replace("[", "")
        return RenderedMention(f"@[{name}]({handle})", handle, name)
    return RenderedMention(f"@{normalized(handle, network)}", handle)


def _inline(default: str) -> re.Pattern[str]:
    # `@default` not inside a longer handle or an address: a trailing '.' may end the sentence.
    return re.compile(rf"(?<!{_HANDLE_CHARS})@{re.escape(default)}(?!{_HANDLE_CHARS}*[A-Za-z0-9_])", re.IGNORECASE)


def render(
    text: str, mentions: Iterable[Mention], network: str, *, append_missing: bool = True
) -> tuple[str, list[RenderedMention]]:
    """`text` with each mention written the network's way (see the module's docstring), and the
    mentions it holds, in order; with `append_missing`, the mentions it does not hold are appended.
    A mention without a handle for the network is left as written."""
    rendered: list[RenderedMention] = []
    missing: list[RenderedMention] = []
    for mention in mentions:
        written = _as_written(mention, network)
        if written is None:
            continue
        pattern = _inline(mention.default) if mention.default else None
        if pattern is not None and pattern.search(text):
            text = pattern.sub(lambda _m, w=written.text: w, text)
            rendered.append(written)
        elif written.text.lower() in text.lower():
            rendered.append(written)
        elif append_missing:
            missing.append(written)
    if missing:
        tail = " ".join(m.text for m in missing)
        text = f"{text}\n\n{tail}" if text.strip() else tail
        rendered += missing
    return text, rendered
