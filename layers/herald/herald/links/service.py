"""Short-link use cases."""

from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from herald.clock import Clock
from herald.errors import Conflict, InvalidRequest, NotFound
from herald.ids import new_id
from herald.links.model import DEFAULT_CHANNEL, ClickCount, CodeTarget, ShortLink

_CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 8  # 62^8 ≈ 2e14: guessing a live code is impractical


class LinkNotFound(NotFound):
    code = "link_not_found"


class LinkStore(Protocol):
    def find_for(self, workspace_id: str, profile_id: str, url_key: str) -> ShortLink | None: ...

    def add(self, link: ShortLink, url_key: str) -> None: ...

    def add_code(self, link: ShortLink, channel: str, code: str) -> ShortLink: ...

    def get(self, workspace_id: str, link_id: str) -> ShortLink: ...

    def resolve(self, code: str) -> CodeTarget | None: ...

    def count_click(self, target: CodeTarget, day: str, referrer: str) -> None: ...

    def clicks(self, link: ShortLink) -> list[ClickCount]: ...


def new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def referrer_host(header: str | None) -> str:
    """Only the referring host is kept (no paths or queries: they may carry personal data)."""
    host = urlsplit(header or "").hostname
    return host.lower() if host else "none"


def check_target_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest("A short link needs an http(s) URL.", details=[{"field": "url", "value": url}])
    return url


def _url_key(post_id: str | None, url: str) -> str:
    """One link per URL and post (or per URL, without a post)."""
    return hashlib.sha256(f"{post_id or ''}\n{url}".encode()).hexdigest()


@dataclass
class LinkService:
    store: LinkStore
    clock: Clock

    def shorten(
        self, workspace_id: str, profile_id: str, url: str, post_id: str | None, channels: Iterable[str]
    ) -> ShortLink:
        """The link for this URL and post (made once, then reused), with a code for each channel."""
        check_target_url(url)
        url_key = _url_key(post_id, url)
        link = self.store.find_for(workspace_id, profile_id, url_key)
        if link is None:
            candidate = ShortLink(
                id=new_id("lnk"), workspace_id=workspace_id, profile_id=profile_id, url=url, post_id=post_id,
                created_at=self.clock.now(),
            )
            try:
                self.store.add(candidate, url_key)
                link = candidate
            except Conflict:  # made meanwhile by a concurrent request: use that one
                link = self.store.find_for(workspace_id, profile_id, url_key)
                assert link is not None
        for channel in dict.fromkeys([DEFAULT_CHANNEL, *channels]):
            while channel not in link.codes:
                try:
                    link = self.store.add_code(link, channel, new_code())
                except Conflict:  # a code collision, or a concurrent request added this channel
                    link = self.store.get(workspace_id, link.id)
        return link

    def short_urls(
        self, workspace_id: str, profile_id: str, post_id: str, urls: list[str], networks: list[str], base: str
    ) -> dict[str, dict[str, str]]:
        """URL -> network -> `{base}/l/{code}` for a post (the LinkShortener port)."""
        mapping: dict[str, dict[str, str]] = {}
        for url in urls:
            link = self.shorten(workspace_id, profile_id, url, post_id, networks)
            mapping[url] = {network: f"{base.rstrip('/')}/l/{link.codes[network]}" for network in networks}
        return mapping

    def clicks_by_channel(self, workspace_id: str, profile_id: str, post_id: str, urls: Iterable[str]) -> dict[str, int]:
        """Clicks on a post's short links, by channel (a network, or "direct"), all days together."""
        counted: dict[str, int] = {}
        for url in urls:
            link = self.store.find_for(workspace_id, profile_id, _url_key(post_id, url))
            for count in self.store.clicks(link) if link is not None else []:
                counted[count.channel] = counted.get(count.channel, 0) + count.clicks
        return counted

    def get(self, workspace_id: str, profile_id: str, link_id: str) -> tuple[ShortLink, list[ClickCount]]:
        link = self.store.get(workspace_id, link_id)
        if link.profile_id != profile_id:
            raise LinkNotFound(f"No link {link_id}.")
        return link, self.store.clicks(link)

    def follow(self, code: str, referrer: str | None) -> str:
        """The URL behind a code; the click is counted before answering."""
        target = self.store.resolve(code)
        if target is None:
            raise LinkNotFound("No such short link.")
        self.store.count_click(target, self.clock.now().strftime("%Y-%m-%d"), referrer_host(referrer))
        return target.url
