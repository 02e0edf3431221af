"""Which networks Herald knows, which have adapters, and how to open one for an account.

Adapter and simulator modules are imported on first use only."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from herald.accounts.model import Account
    from herald.platforms.base import MediaSource, Platform

# Every network Herald targets; names are the native API's (the compatible API maps its own).
NETWORKS: tuple[str, ...] = (
    "x",
    "linkedin",
    "facebook",
    "instagram",
    "threads",
    "bluesky",
    "mastodon",
    "telegram",
    "youtube",
    "tiktok",
    "pinterest",
    "reddit",
    "google_business",
)

_ADAPTERS: dict[str, str] = {
    "x": "herald.platforms.x:XPlatform",
    "bluesky": "herald.platforms.bluesky:BlueskyPlatform",
    "linkedin": "herald.platforms.linkedin:LinkedInPlatform",
    "facebook": "herald.platforms.facebook:FacebookPlatform",
    "instagram": "herald.platforms.instagram:InstagramPlatform",
    "threads": "herald.platforms.threads:ThreadsPlatform",
    "mastodon": "herald.platforms.mastodon:MastodonPlatform",
    "telegram": "herald.platforms.telegram:TelegramPlatform",
    "youtube": "herald.platforms.youtube:YouTubePlatform",
    "tiktok": "herald.platforms.tiktok:TikTokPlatform",
    "pinterest": "herald.platforms.pinterest:PinterestPlatform",
    "reddit": "herald.platforms.reddit:RedditPlatform",
    "google_business": "herald.platforms.google_business:GoogleBusinessPlatform",
}

_SIMULATORS: dict[str, str] = {
    "x": "herald.platforms.simulators.x:XSimulator",
    "bluesky": "herald.platforms.simulators.bluesky:BlueskySimulator",
    "linkedin": "herald.platforms.simulators.linkedin:LinkedInSimulator",
    "facebook": "herald.platforms.simulators.facebook:FacebookSimulator",
    "instagram": "herald.platforms.simulators.instagram:InstagramSimulator",
    "threads": "herald.platforms.simulators.threads:ThreadsSimulator",
    "mastodon": "herald.platforms.simulators.mastodon:MastodonSimulator",
    "telegram": "herald.platforms.simulators.telegram:TelegramSimulator",
    "youtube": "herald.platforms.simulators.youtube:YouTubeSimulator",
    "tiktok": "herald.platforms.simulators.tiktok:TikTokSimulator",
    "pinterest": "herald.platforms.simulators.pinterest:PinterestSimulator",
    "reddit": "herald.platforms.simulators.reddit:RedditSimulator",
    "google_business": "herald.platforms.simulators.google_business:GoogleBusinessSimulator",
}

# httpx logs every request URL at INFO, and some networks carry the token in the URL (Telegram's
# bot API): keep its request lines out of the logs.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

# Seconds for one network call; a Lambda publish run holds several of these.
HTTP_TIMEOUT_SECONDS = 20.0


def _load(path: str) -> type:
    module_name, _, attr = path.partition(":")
    return getattr(importlib.import_module(module_name), attr)  # type: ignore[no-any-return]


def has_adapter(network: str) -> bool:
    """Whether Herald can publish to `network` (its adapter module is present)."""
    path = _ADAPTERS.get(network)
    return path is not None and importlib.util.find_spec(path.partition(":")[0]) is not None


def adapter_class(network: str) -> type[Platform]:
    return _load(_ADAPTERS[network])


def reads_mentions(account: Account) -> bool:
    """Whether `account`'s mentions are read: its network's adapter reads them, and the permissions
    the account granted (where they are known) allow it."""
    return has_adapter(account.platform) and adapter_class(account.platform).may_read_mentions(account.permissions)


def watched_each_collection(account: Account) -> bool:
    """Whether each analytics collection reads `account` even when none of its posts are tracked:
    for its mentions, or for its own metrics where its network reports per account."""
    if not has_adapter(account.platform):
        return False
    cls = adapter_class(account.platform)
    return cls.may_read_mentions(account.permissions) or cls.reports_account_metrics()


def open_platform(account: Account) -> Platform:
    """An adapter for `account` (its credentials opened): against the real network, or its
    simulator in test mode; with the deployment's app on that network and a media source."""
    from herald.platforms.apps import app_for
    from herald.platforms.base import Credentials

    cls = adapter_class(account.platform)
    credentials = Credentials(account_id=account.id, username=account.username, tokens=dict(account.credentials),
                              expires_at=account.token_expires_at)
    if account.mode == "test":
        simulator = _load(_SIMULATORS[account.platform]).for_account(account)
        client = _client(simulator.handle)
    else:
        client = _client(None)
    return cls(client, credentials, app=app_for(account.platform, account.mode), media=_media_source())


def connect_client(network: str, mode: str) -> httpx.Client:
    """The HTTP client a connection to `network` is made with: the network itself, or in test mode
    its simulator's connect handler."""
    if mode == "test":
        from herald.platforms.simulators import connect_handler

        return _client(connect_handler(network))
    return _client(None)


def _client(handler: Callable[[httpx.Request], httpx.Response] | None) -> httpx.Client:
    import httpx

    if handler is not None:
        return httpx.Client(transport=httpx.MockTransport(handler), timeout=HTTP_TIMEOUT_SECONDS)
    return httpx.Client(timeout=HTTP_TIMEOUT_SECONDS, follow_redirects=False)


def _media_source() -> MediaSource:
    from herald.media.source import HttpMediaSource
    from herald.settings import get_settings

    return HttpMediaSource(max_bytes=get_settings().media_max_bytes)
