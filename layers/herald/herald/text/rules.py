"""What each network accepts in one post: one table, `RULES`, keyed by Herald's network names.

Numbers come from the per-network reference (shared docs/platforms.md, section 0 and each
network's **Limits**); a comment cites the source only where a number or a counting method is
surprising. A text limit names its counting method (a key of `herald.text.counting.COUNTERS`).
Mastodon's limits belong to the instance: `mastodon_rule` builds the rule for other values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MediaKind = Literal["image", "video", "gif"]
MEDIA_KINDS: tuple[MediaKind, ...] = ("image", "video", "gif")


@dataclass(frozen=True)
class TextLimit:
    limit: int
    method: str  # how the network counts: a key of herald.text.counting.COUNTERS


@dataclass(frozen=True)
class MediaRule:
    required: bool = False
    max_items: int | None = 0  # None: no documented cap; 0: no media at all
    kinds: frozenset[MediaKind] = frozenset()
    per_kind: tuple[tuple[MediaKind, int], ...] = ()  # caps for a kind below max_items
    alone: frozenset[MediaKind] = frozenset()  # kinds that cannot be combined with other media

    def kind_cap(self, kind: MediaKind) -> int | None:
        """The cap for one kind when it is below `max_items` (None: only `max_items` applies)."""
        return dict(self.per_kind).get(kind)


@dataclass(frozen=True)
class NetworkRule:
    network: str
    name: str  # as people write it, for messages
    text: tuple[TextLimit, ...]
    media: MediaRule
    caption: tuple[TextLimit, ...] = ()  # replaces `text` when media is attached (Telegram)
    empty_text_allowed: bool = False  # with media attached; text or media is always needed
    max_hashtags: int | None = None
    title: TextLimit | None = None  # None: the network has no title
    title_required: bool = False
    required_options: tuple[str, ...] = ()
    forbidden_characters: str = ""  # in text and title

    def text_limits(self, has_media: bool) -> tuple[TextLimit, ...]:
        return self.caption if has_media and self.caption else self.text


_IMAGE_VIDEO: frozenset[MediaKind] = frozenset({"image", "video"})
_ALL_KINDS: frozenset[MediaKind] = frozenset(MEDIA_KINDS)


def mastodon_rule(max_characters: int = 500, max_media_attachments: int = 4) -> NetworkRule:
    """Mastodon's rule for an instance (GET /api/v2/instance: configuration.statuses)."""
    return NetworkRule(
        network="mastodon",
        name="Mastodon",
        text=(TextLimit(max_characters, "mastodon"),),
        # Several images or GIFs, or one video alone (PostStatusService: images_and_video).
        media=MediaRule(
            max_items=max_media_attachments, kinds=_ALL_KINDS, per_kind=(("video", 1),), alone=frozenset({"video"})
        ),
    )


RULES: dict[str, NetworkRule] = {
    rule.network: rule
    for rule in (
        NetworkRule(
            network="x",
            name="X",
            text=(TextLimit(280, "weighted"),),
            empty_text_allowed=True,
            # 4 photos, or 1 animated GIF, or 1 video.
            media=MediaRule(
                max_items=4,
                kinds=_ALL_KINDS,
                per_kind=(("video", 1), ("gif", 1)),
                alone=frozenset({"video", "gif"}),
            ),
        ),
        NetworkRule(
            network="linkedin",
            name="LinkedIn",
            text=(TextLimit(3000, "characters"),),
            empty_text_allowed=True,
            # 1 video, or up to 20 images (20 is unverified in the reference).
            media=MediaRule(max_items=20, kinds=_ALL_KINDS, per_kind=(("video", 1),), alone=frozenset({"video"})),
        ),
        NetworkRule(
            network="facebook",
            name="Facebook",
            text=(TextLimit(63206, "characters"),),
            empty_text_allowed=True,
            # Many photos (no documented cap) or 1 video; photos are JPG/PNG.
            media=MediaRule(max_items=None, kinds=_IMAGE_VIDEO, per_kind=(("video", 1),), alone=frozenset({"video"})),
        ),
        NetworkRule(
            network="instagram",
            name="Instagram",
            text=(TextLimit(2200, "characters"),),
            empty_text_allowed=True,
            max_hashtags=30,
            media=MediaRule(required=True, max_items=10, kinds=_IMAGE_VIDEO),  # a carousel mixes both
        ),
        NetworkRule(
            network="threads",
            name="Threads",
            # 500 characters, an emoji counting as its UTF-8 byte length (Threads posts docs).
            text=(TextLimit(500, "threads"),),
            media=MediaRule(max_items=20, kinds=_IMAGE_VIDEO),  # carousel size 20: unverified
        ),
        NetworkRule(
            network="bluesky",
            name="Bluesky",
            text=(TextLimit(300, "graphemes"), TextLimit(3000, "utf8_bytes")),
            media=MediaRule(max_items=4, kinds=_IMAGE_VIDEO, per_kind=(("video", 1),), alone=frozenset({"video"})),
        ),
        mastodon_rule(),
        NetworkRule(
            network="telegram",
            name="Telegram",
            # Bot API limits are in UTF-16 code units, the unit of its entity offsets.
            text=(TextLimit(4096, "utf16_units"),),
            caption=(TextLimit(1024, "utf16_units"),),
            # An album holds 2-10 photos and videos; an animation (GIF) is sent on its own.
            media=MediaRule(max_items=10, kinds=_ALL_KINDS, per_kind=(("gif", 1),), alone=frozenset({"gif"})),
        ),
        NetworkRule(
            network="youtube",
            name="YouTube",
            text=(TextLimit(5000, "utf8_bytes"),),  # the description: 5,000 bytes, not characters
            title=TextLimit(100, "characters"),
            title_required=True,
            forbidden_characters="<>",
            media=MediaRule(required=True, max_items=1, kinds=frozenset({"video"})),
        ),
        NetworkRule(
            network="tiktok",
            name="TikTok",
            text=(TextLimit(2200, "utf16_units"),),  # UTF-16 units: TikTok's wording, unverified
            empty_text_allowed=True,
            # 1 video, or up to 35 photos.
            media=MediaRule(
                required=True, max_items=35, kinds=_IMAGE_VIDEO, per_kind=(("video", 1),), alone=frozenset({"video"})
            ),
        ),
        NetworkRule(
            network="pinterest",
            name="Pinterest",
            text=(TextLimit(500, "characters"),),
            title=TextLimit(100, "characters"),
            required_options=("board_id",),  # listed by GET /v1/accounts/{id}/boards
            # 1 image or video; a carousel of up to 5 images.
            media=MediaRule(
                required=True, max_items=5, kinds=_IMAGE_VIDEO, per_kind=(("video", 1),), alone=frozenset({"video"})
            ),
        ),
        NetworkRule(
            network="reddit",
            name="Reddit",
            text=(TextLimit(40000, "characters"),),  # self-post body: unverified in the reference
            title=TextLimit(300, "characters"),
            title_required=True,
            required_options=("subreddit",),
            media=MediaRule(max_items=1, kinds=_ALL_KINDS),
        ),
        NetworkRule(
            network="google_business",
            name="Google Business Profile",
            text=(TextLimit(1500, "characters"),),
            media=MediaRule(max_items=1, kinds=frozenset({"image"})),  # one photo; no video through the API
        ),
    )
}


def rule_for(network: str) -> NetworkRule:
    try:
        return RULES[network]
    except KeyError:
        raise ValueError(f"unknown network {network!r}") from None
