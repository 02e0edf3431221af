"""Network names: Ayrshare's `platforms` values and Herald's network ids, both ways."""

from __future__ import annotations

from collections.abc import Iterable

from herald.api.compat.errors import AyrshareError

# Ayrshare's name -> Herald's network id. `mastodon` is Herald's own addition (Ayrshare has none).
TO_HERALD: dict[str, str] = {
    "twitter": "x",
    "gmb": "google_business",
    "facebook": "facebook",
    "instagram": "instagram",
    "linkedin": "linkedin",
    "bluesky": "bluesky",
    "threads": "threads",
    "telegram": "telegram",
    "tiktok": "tiktok",
    "youtube": "youtube",
    "pinterest": "pinterest",
    "reddit": "reddit",
    "mastodon": "mastodon",
}
TO_AYRSHARE: dict[str, str] = {herald: ayrshare for ayrshare, herald in TO_HERALD.items()}
ALL = "all"
# Ayrshare knows it, Herald does not publish there.
UNSUPPORTED = frozenset({"snapchat"})


def ayrshare_name(network: str) -> str:
    return TO_AYRSHARE.get(network, network)


def herald_name(platform: str) -> str:
    return TO_HERALD[platform]


def parse_platforms(value: object, field: str = "platforms") -> list[str]:
    """Ayrshare names (a list, or one name as a string) -> those names, checked, in order and
    without repeats; `all` stays as it is (the caller expands it to the linked networks)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise AyrshareError(f"`{field}` must be a non-empty array of platform names.", herald_code="validation_error")
    names = [v.strip().lower() for v in value]
    unknown = [n for n in names if n not in TO_HERALD and n != ALL]
    if unknown:
        supported = ", ".join([*sorted(TO_HERALD), ALL])
        reasons = [
            f"{n!r} is not supported by Herald" if n in UNSUPPORTED else
            f"{n!r} is not a platform name (use {'twitter' if n == 'x' else 'gmb' if n == 'google_business' else 'one of: ' + supported})"
            for n in unknown
        ]
        raise AyrshareError("Invalid platforms: " + "; ".join(reasons) + ".", herald_code="unknown_platform",
                            details=[{"field": field, "value": n} for n in unknown])
    return list(dict.fromkeys(names))


def to_herald(platforms: Iterable[str]) -> list[str]:
    return [TO_HERALD[p] for p in platforms]
