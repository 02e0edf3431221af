"""The per-network rules table (herald.text.rules) says what the issue and the per-network
reference (shared docs/platforms.md, section 0 and each network's Limits) say."""

from __future__ import annotations

import subprocess
import sys

import pytest

from herald.platforms.registry import NETWORKS
from herald.text.counting import COUNTERS
from herald.text.rules import MEDIA_KINDS, RULES, TextLimit, mastodon_rule, rule_for


def test_every_network_has_a_rule() -> None:
    assert set(RULES) == set(NETWORKS)
    for network, rule in RULES.items():
        assert rule.network == network
        assert rule.name


def test_every_limit_names_a_counting_method() -> None:
    for rule in RULES.values():
        limits = [*rule.text, *rule.caption, *([rule.title] if rule.title else [])]
        assert limits, rule.network
        for limit in limits:
            assert limit.method in COUNTERS, (rule.network, limit)
            assert limit.limit > 0


@pytest.mark.parametrize(
    ("network", "limits"),
    [
        ("x", [(280, "weighted")]),
        ("bluesky", [(300, "graphemes"), (3000, "utf8_bytes")]),
        ("threads", [(500, "threads")]),
        ("linkedin", [(3000, "characters")]),
        ("instagram", [(2200, "characters")]),
        ("facebook", [(63206, "characters")]),
        ("mastodon", [(500, "mastodon")]),
        ("telegram", [(4096, "utf16_units")]),
        ("youtube", [(5000, "utf8_bytes")]),  # the description
        ("tiktok", [(2200, "utf16_units")]),
        ("pinterest", [(500, "characters")]),
        ("reddit", [(40000, "characters")]),
        ("google_business", [(1500, "characters")]),
    ],
)
def test_text_limits(network: str, limits: list[tuple[int, str]]) -> None:
    assert [(limit.limit, limit.method) for limit in RULES[network].text] == limits


def test_telegram_caption_replaces_the_text_limit_when_media_is_attached() -> None:
    telegram = RULES["telegram"]
    assert telegram.caption == (TextLimit(1024, "utf16_units"),)
    assert telegram.text_limits(has_media=True) == telegram.caption
    assert telegram.text_limits(has_media=False) == telegram.text
    assert RULES["x"].text_limits(has_media=True) == RULES["x"].text  # others keep their text limit


def test_titles() -> None:
    titled = {network: (rule.title, rule.title_required) for network, rule in RULES.items() if rule.title}
    assert titled == {
        "youtube": (TextLimit(100, "characters"), True),
        "reddit": (TextLimit(300, "characters"), True),
        "pinterest": (TextLimit(100, "characters"), False),
    }
    assert all(not rule.title_required for rule in RULES.values() if rule.title is None)


def test_required_options_and_hashtags() -> None:
    assert {n: r.required_options for n, r in RULES.items() if r.required_options} == {"reddit": ("subreddit",),
                                                                                     "pinterest": ("board_id",)}
    assert {n: r.max_hashtags for n, r in RULES.items() if r.max_hashtags is not None} == {"instagram": 30}
    assert {n: r.forbidden_characters for n, r in RULES.items() if r.forbidden_characters} == {"youtube": "<>"}


def test_empty_text_is_allowed_only_where_the_issue_says() -> None:
    allowed = {network for network, rule in RULES.items() if rule.empty_text_allowed}
    assert allowed == {"facebook", "instagram", "linkedin", "tiktok", "x"}


def test_required_media() -> None:
    required = {network for network, rule in RULES.items() if rule.media.required}
    assert required == {"instagram", "tiktok", "youtube", "pinterest"}
    assert RULES["youtube"].media.kinds == {"video"}
    assert RULES["pinterest"].media.kinds == {"image", "video"}


def test_x_takes_four_images_or_one_video_or_one_gif() -> None:
    media = RULES["x"].media
    assert media.max_items == 4
    assert media.kinds == set(MEDIA_KINDS)
    assert (media.kind_cap("image"), media.kind_cap("video"), media.kind_cap("gif")) == (None, 1, 1)
    assert media.alone == {"video", "gif"}


@pytest.mark.parametrize(
    ("network", "max_items", "kinds"),
    [
        ("linkedin", 20, {"image", "video", "gif"}),
        ("facebook", None, {"image", "video"}),
        ("instagram", 10, {"image", "video"}),
        ("threads", 20, {"image", "video"}),
        ("bluesky", 4, {"image", "video"}),
        ("mastodon", 4, {"image", "video", "gif"}),
        ("telegram", 10, {"image", "video", "gif"}),
        ("youtube", 1, {"video"}),
        ("tiktok", 35, {"image", "video"}),
        ("pinterest", 5, {"image", "video"}),
        ("reddit", 1, {"image", "video", "gif"}),
        ("google_business", 1, {"image"}),
    ],
)
def test_media_limits(network: str, max_items: int | None, kinds: set[str]) -> None:
    media = RULES[network].media
    assert (media.max_items, set(media.kinds)) == (max_items, kinds)


def test_mastodon_rule_follows_the_instance() -> None:
    assert mastodon_rule() == RULES["mastodon"]
    custom = mastodon_rule(max_characters=11000, max_media_attachments=8)
    assert custom.text == (TextLimit(11000, "mastodon"),)
    assert custom.media.max_items == 8
    assert custom.media.kind_cap("video") == 1


def test_unknown_network() -> None:
    with pytest.raises(ValueError, match="unknown network 'myspace'"):
        rule_for("myspace")


def test_the_text_package_is_pure_domain_code() -> None:
    code = (
        "import sys, herald.text.validation, herald.text.counting, herald.text.rules; "
        "print(sorted(m for m in ('boto3', 'botocore', 'httpx', 'pydantic') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
