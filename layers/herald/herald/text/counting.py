"""One function per way a network counts text, and hashtags.

| method | networks | counts |
| --- | --- | --- |
| `weighted` | X | twitter-text v3 weights: URLs 23, emoji and CJK 2 (`herald.text.twitter`) |
| `graphemes` | Bluesky (with `utf8_bytes`) | user-perceived characters (UAX #29, current Unicode) |
| `utf8_bytes` | Bluesky, YouTube description | bytes of the UTF-8 encoding |
| `characters` | most others | code points after NFC normalisation |
| `utf16_units` | Telegram, TikTok | UTF-16 code units (an emoji outside the BMP is 2) |
| `threads` | Threads | code points, but an emoji counts as its UTF-8 byte length |
| `mastodon` | Mastodon | graphemes, with every `http(s)://` URL as 23 and `@user@domain` as `@user` |

Mastodon's rule is its StatusLengthValidator's (app/validators/status_length_validator.rb):
URLs that have a scheme become a 23-character placeholder, mentions keep only their local part,
and the result is measured in grapheme clusters (`each_grapheme_cluster`), not code points."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import regex

from herald.text import twitter
from herald.text.graphemes import emoji_length, grapheme_clusters, grapheme_count

MASTODON_URL_WEIGHT = 23  # an instance's configuration.statuses.characters_reserved_per_url

# Mastodon's Account::MENTION_RE: @user, optionally @domain; not after "=", "/" or a word character.
_MASTODON_MENTION = re.compile(
    r"(?<![=/\w])@(?P<user>[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?P<domain>@\w+(?:[.-]+\w+)*)?", re.IGNORECASE
)
# A hashtag: # or fullwidth ＃, not inside a word or after &, with at least one letter (so "#1" is
# not one), and not a keycap emoji (#️⃣).
_HASHTAG = regex.compile(
    r"(?<![\p{L}\p{M}\p{N}_&])[#\uFF03](?![\uFE0F\u20E3])[\p{L}\p{M}\p{N}_]*[\p{L}\p{M}][\p{L}\p{M}\p{N}_]*"
)


def weighted(text: str) -> int:
    """X's weighted length (twitter-text v3)."""
    return twitter.weighted_length(text)


def graphemes(text: str) -> int:
    return grapheme_count(text)


def utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def characters(text: str) -> int:
    """Code points after NFC normalisation (a letter and its combining accent count once)."""
    return len(unicodedata.normalize("NFC", text))


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def threads(text: str) -> int:
    """Threads: code points (after NFC), except that an emoji counts as its UTF-8 byte length."""
    total = 0
    for cluster in grapheme_clusters(unicodedata.normalize("NFC", text)):
        emoji = emoji_length(cluster)
        total += utf8_bytes(cluster[:emoji]) + len(cluster) - emoji
    return total


def mastodon(text: str, *, url_weight: int = MASTODON_URL_WEIGHT) -> int:
    """Mastodon's countable length: graphemes, URLs with a scheme as `url_weight`, and remote
    mentions (`@user@domain`) as `@user`. Where a URL and a mention overlap the earlier wins."""
    entities: list[tuple[int, int, str]] = [
        (start, end, "x" * url_weight)
        for start, end in twitter.url_spans(text)
        if text[start:end].lower().startswith(("http://", "https://"))
    ]
    for match in _MASTODON_MENTION.finditer(text):
        if not text.startswith(("@", "://"), match.end()) and _is_domain(match["domain"]):
            entities.append((match.start(), match.end(), "@" + match["user"]))
    countable: list[str] = []
    position = 0
    for start, end, replacement in sorted(entities):
        if start < position:
            continue  # overlaps the entity before it
        countable += [text[position:start], replacement]
        position = end
    countable.append(text[position:])
    return grapheme_count("".join(countable))


def _is_domain(domain: str | None) -> bool:
    """No domain (a local mention), or one within DNS limits: Mastodon counts a mention with an
    overly long domain in full."""
    if not domain:
        return True
    name = domain[1:]
    return len(name) <= 253 and all(len(label) <= 63 for label in name.split("."))


def hashtags(text: str) -> int:
    """How many hashtags `text` has (#tag, with at least one letter)."""
    return len(_HASHTAG.findall(text))


COUNTERS: dict[str, Callable[[str], int]] = {
    "weighted": weighted,
    "graphemes": graphemes,
    "utf8_bytes": utf8_bytes,
    "characters": characters,
    "utf16_units": utf16_units,
    "threads": threads,
    "mastodon": mastodon,
}

# How each method's unit is named in messages ("291 of 280 weighted characters").
UNITS: dict[str, str] = {
    "weighted": "weighted characters",
    "graphemes": "characters",
    "utf8_bytes": "bytes",
    "characters": "characters",
    "utf16_units": "characters",
    "threads": "characters",
    "mastodon": "characters",
}


def count(text: str, method: str) -> int:
    return COUNTERS[method](text)
