"""Content validation (herald.text.validation): every network's limits at the boundary, required
media and fields, media kinds and mixes, empty text, warnings. Each boundary case uses real-world
text whose count under the network's method is pinned in tests/unit/test_text_counting.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from herald.platforms.registry import NETWORKS
from herald.text.rules import RULES, mastodon_rule
from herald.text.validation import ContentToCheck, Problem, has_errors, validate, validate_all

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 1 grapheme, 25 UTF-8 bytes
LONG_URL = "https://example.com/" + "very-long-path/" * 20 + "?utm_source=herald"

# What a network needs besides text, so that only the text is under test.
NEEDS: dict[str, dict[str, Any]] = {
    "instagram": {"media": ("image",)},
    "tiktok": {"media": ("video",)},
    "pinterest": {"media": ("image",), "options": {"board_id": "549755885175"}},
    "youtube": {"media": ("video",), "title": "Launch demo"},
    "reddit": {"title": "Launch demo", "options": {"subreddit": "python"}},
}


def content(network: str, text: str = "Hello", **fields: Any) -> ContentToCheck:
    return ContentToCheck(**{"text": text, **NEEDS.get(network, {}), **fields})


def errors(problems: list[Problem]) -> list[tuple[str | None, str, str, int | None, int | None]]:
    return [(p.network, p.field, p.code, p.limit, p.measured) for p in problems if p.severity == "error"]


# (network, text at the limit, the same plus one unit, limit, measured when over)
BOUNDARIES = [
    ("x", "故" * 140, "故" * 140 + "a", 280, 281),  # CJK weighs 2
    ("x", "Read " + LONG_URL + " " + "a" * 251, "Read " + LONG_URL + " " + "a" * 252, 280, 281),  # URL = 23
    ("x", FAMILY * 140, FAMILY * 140 + "a", 280, 281),  # a ZWJ family weighs 2
    ("linkedin", "e\u0301" * 3000, "e\u0301" * 3001, 3000, 3001),  # combining marks: NFC characters
    ("facebook", "a" * 63206, "a" * 63207, 63206, 63207),
    ("instagram", "한" * 2200, "한" * 2201, 2200, 2201),
    ("threads", "😀" * 124 + "abcd", "😀" * 124 + "abcde", 500, 501),  # an emoji counts 4
    ("bluesky", "👍🏽" * 300, "👍🏽" * 301, 300, 301),  # graphemes (skin tone joins)
    ("bluesky", FAMILY * 120, FAMILY * 120 + "a", 3000, 3001),  # UTF-8 bytes (120 graphemes)
    ("mastodon", "a" * 476 + " " + LONG_URL, "a" * 477 + " " + LONG_URL, 500, 501),  # URL = 23
    ("mastodon", "a" * 493 + " @alice@mastodon.social", "a" * 494 + " @alice@mastodon.social", 500, 501),
    ("telegram", "😀" * 2048, "😀" * 2048 + "a", 4096, 4097),  # UTF-16 units
    ("youtube", "é" * 2500, "é" * 2500 + "a", 5000, 5001),  # description bytes
    ("tiktok", "🇯🇵" * 550, "🇯🇵" * 550 + "a", 2200, 2201),  # UTF-16 units: a flag is 4
    ("pinterest", "ü" * 500, "ü" * 501, 500, 501),
    ("reddit", "a" * 40000, "a" * 40001, 40000, 40001),
    ("google_business", "ß" * 1500, "ß" * 1501, 1500, 1501),
]


@pytest.mark.parametrize(("network", "at_limit", "over", "limit", "measured"), BOUNDARIES)
def test_text_limit_boundary(network: str, at_limit: str, over: str, limit: int, measured: int) -> None:
    assert validate(content(network, at_limit), network) == []
    assert errors(validate(content(network, over), network)) == [(network, "text", "invalid_content", limit, measured)]


def test_every_network_is_covered_at_its_text_limits() -> None:
    covered = {(network, limit) for network, _, _, limit, _ in BOUNDARIES}
    expected = {(network, limit.limit) for network in NETWORKS for limit in RULES[network].text}
    assert covered == expected


def test_messages_name_the_network_the_measure_and_the_unit() -> None:
    [problem] = validate(ContentToCheck(text="x" * 291), "x")
    assert problem.message == "X counts this text as 291 of 280 weighted characters"
    [problem] = validate(ContentToCheck(text=FAMILY * 121), "bluesky")
    assert problem.message == "Bluesky counts this text as 3,025 of 3,000 bytes"
    assert problem.as_detail() == {
        "network": "bluesky",
        "field": "text",
        "code": "invalid_content",
        "message": "Bluesky counts this text as 3,025 of 3,000 bytes",
        "limit": 3000,
        "measured": 3025,
        "severity": "error",
    }


def test_bluesky_reports_both_limits() -> None:
    text = "👨\u200d👩\u200d👧\u200d👦" * 301  # 301 graphemes, 7,525 bytes
    assert errors(validate(ContentToCheck(text=text), "bluesky")) == [
        ("bluesky", "text", "invalid_content", 300, 301),
        ("bluesky", "text", "invalid_content", 3000, 7525),
    ]


def test_telegram_caption_with_media_and_text_without() -> None:
    caption = "😀" * 512  # 1,024 UTF-16 units
    assert validate(ContentToCheck(text=caption, media=("image",)), "telegram") == []
    [problem] = validate(ContentToCheck(text=caption + "a", media=("image",)), "telegram")
    assert (problem.field, problem.limit, problem.measured) == ("text", 1024, 1025)
    assert problem.message == "Telegram counts this caption (text sent with media) as 1,025 of 1,024 characters"
    assert validate(ContentToCheck(text=caption + "a"), "telegram") == []  # a plain message may hold 4,096


def test_instagram_allows_30_hashtags() -> None:
    tags = " ".join(f"#tag{n}" for n in range(30))
    assert validate(ContentToCheck(text=tags, media=("image",)), "instagram") == []
    [problem] = validate(ContentToCheck(text=tags + " #one_more", media=("image",)), "instagram")
    assert (problem.field, problem.code, problem.limit, problem.measured) == ("hashtags", "invalid_content", 30, 31)
    assert problem.message == "Instagram allows 30 hashtags; this text has 31"
    assert validate(ContentToCheck(text=tags + " #one_more"), "x") == []  # other networks do not count them


def test_mastodon_instance_limits() -> None:
    text = "a" * 600
    assert errors(validate(ContentToCheck(text=text), "mastodon")) == [
        ("mastodon", "text", "invalid_content", 500, 600)
    ]
    assert validate(ContentToCheck(text=text), "mastodon", rule=mastodon_rule(max_characters=1000)) == []
    media = ("image",) * 6
    assert (
        validate(ContentToCheck(text="hi", media=media), "mastodon", rule=mastodon_rule(max_media_attachments=8)) == []
    )
    rules = {"mastodon": mastodon_rule(max_characters=1000)}
    assert validate_all(ContentToCheck(text=text), ["mastodon", "x"], rules=rules) == validate(
        ContentToCheck(text=text), "x"
    )


# --- titles and per-network fields -----------------------------------------------------------


def test_youtube_needs_a_title_of_at_most_100_characters() -> None:
    video = ("video",)
    assert errors(validate(ContentToCheck(text="Demo", media=video), "youtube")) == [
        ("youtube", "title", "missing_field", None, None)
    ]
    assert validate(ContentToCheck(text="Demo", media=video, title="É" * 100), "youtube") == []
    assert errors(validate(ContentToCheck(text="Demo", media=video, title="e\u0301" * 101), "youtube")) == [
        ("youtube", "title", "invalid_content", 100, 101)
    ]


def test_youtube_refuses_angle_brackets() -> None:
    problems = validate(ContentToCheck(text="a <b> tag", media=("video",), title="1 < 2"), "youtube")
    assert errors(problems) == [
        ("youtube", "text", "invalid_content", 0, 2),
        ("youtube", "title", "invalid_content", 0, 1),
    ]
    assert problems[0].message == "YouTube does not allow < or > in the text"


def test_reddit_needs_a_subreddit_and_a_title() -> None:
    assert errors(validate(ContentToCheck(text="Body"), "reddit")) == [
        ("reddit", "title", "missing_field", None, None),
        ("reddit", "subreddit", "missing_field", None, None),
    ]
    ok = ContentToCheck(text="Body", title="T" * 300, options={"subreddit": "python"})
    assert validate(ok, "reddit") == []
    over = ContentToCheck(text="Body", title="T" * 301, options={"subreddit": "python"})
    assert errors(validate(over, "reddit")) == [("reddit", "title", "invalid_content", 300, 301)]
    blank = ContentToCheck(text="Body", title="  ", options={"subreddit": " "})
    assert [p.field for p in validate(blank, "reddit")] == ["title", "subreddit"]


def test_pinterest_title_is_optional_but_limited() -> None:
    assert validate(ContentToCheck(text="Pin", media=("image",), options={"board_id": "1"}), "pinterest") == []
    assert errors(validate(ContentToCheck(text="Pin", media=("image",), title="T" * 101, options={"board_id": "1"}), "pinterest")) == [
        ("pinterest", "title", "invalid_content", 100, 101)
    ]


def test_a_title_is_ignored_where_the_network_has_none() -> None:
    assert validate(ContentToCheck(text="Hello", title="T" * 1000), "x") == []


# --- media -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("network", "needs"),
    [
        ("instagram", "Instagram needs an image or video"),
        ("tiktok", "TikTok needs an image or video"),
        ("youtube", "YouTube needs a video"),
        ("pinterest", "Pinterest needs an image or video"),
    ],
)
def test_required_media(network: str, needs: str) -> None:
    problems = validate(ContentToCheck(text="Hello", title="Title", options={"board_id": "1"}), network)
    assert errors(problems) == [(network, "media", "missing_field", 1, 0)]
    assert problems[0].message == needs


def test_pinterest_needs_an_image_or_video_not_a_gif() -> None:
    assert errors(validate(ContentToCheck(text="Pin", media=("gif",), options={"board_id": "1"}), "pinterest")) == [
        ("pinterest", "media", "media_unsupported", 0, 1)
    ]
    assert validate(ContentToCheck(text="Pin", media=("video",), options={"board_id": "1"}), "pinterest") == []


@pytest.mark.parametrize(
    ("media", "problems"),
    [
        (("image",) * 4, []),
        (("image",) * 5, [("x", "media", "media_unsupported", 4, 5)]),
        (("video",), []),
        (("gif",), []),
        (("video", "video"), [("x", "media", "media_unsupported", 1, 2)]),
        (("gif", "gif"), [("x", "media", "media_unsupported", 1, 2)]),
        (("image", "video"), [("x", "media", "media_unsupported", 1, 2)]),
        (("gif", "image", "image"), [("x", "media", "media_unsupported", 1, 3)]),
        (
            ("video", "gif"),
            [("x", "media", "media_unsupported", 1, 2), ("x", "media", "media_unsupported", 1, 2)],
        ),
    ],
)
def test_x_takes_four_images_or_one_video_or_one_gif(media: tuple[str, ...], problems: list[Any]) -> None:
    assert errors(validate(ContentToCheck(text="Hello", media=media), "x")) == problems  # type: ignore[arg-type]


def test_x_media_messages() -> None:
    [mixed] = validate(ContentToCheck(text="Hello", media=("image", "video")), "x")
    assert mixed.message == "X posts a video on its own, without other media"
    [two] = validate(ContentToCheck(text="Hello", media=("video", "video")), "x")
    assert two.message == "X allows 1 video in a post; this post has 2"
    [five] = validate(ContentToCheck(text="Hello", media=("image",) * 5), "x")
    assert five.message == "X allows 4 media items in a post; this post has 5"


@pytest.mark.parametrize(
    ("network", "media", "problem"),
    [
        ("google_business", ("video",), ("media_unsupported", 0, 1)),
        ("google_business", ("image", "image"), ("media_unsupported", 1, 2)),
        ("youtube", ("image",), ("media_unsupported", 0, 1)),
        ("instagram", ("gif",), ("media_unsupported", 0, 1)),
        ("instagram", ("image",) * 11, ("media_unsupported", 10, 11)),
        ("bluesky", ("image",) * 5, ("media_unsupported", 4, 5)),
        ("bluesky", ("video", "image"), ("media_unsupported", 1, 2)),
        ("telegram", ("gif", "image"), ("media_unsupported", 1, 2)),
        ("telegram", ("image",) * 11, ("media_unsupported", 10, 11)),
        ("tiktok", ("video", "image"), ("media_unsupported", 1, 2)),
        ("tiktok", ("image",) * 36, ("media_unsupported", 35, 36)),
        ("reddit", ("image", "image"), ("media_unsupported", 1, 2)),
        ("mastodon", ("video", "image"), ("media_unsupported", 1, 2)),
        ("linkedin", ("image",) * 21, ("media_unsupported", 20, 21)),
    ],
)
def test_media_refused(network: str, media: tuple[str, ...], problem: tuple[str, int, int]) -> None:
    found = errors(validate(content(network, media=media), network))
    assert (network, "media", *problem) in found


@pytest.mark.parametrize(
    ("network", "media"),
    [
        ("instagram", ("image", "video") * 5),  # a carousel mixes kinds
        ("facebook", ("image",) * 30),  # no documented cap on photos
        ("tiktok", ("image",) * 35),
        ("telegram", ("image", "video") * 5),
        ("bluesky", ("image",) * 4),
        ("mastodon", ("image", "gif", "image", "gif")),
        ("linkedin", ("image",) * 20),
    ],
)
def test_media_accepted(network: str, media: tuple[str, ...]) -> None:
    assert validate(content(network, media=media), network) == []  # type: ignore[arg-type]


def test_media_kinds_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown media kinds"):
        ContentToCheck(text="hi", media=("audio",))  # type: ignore[arg-type]


# --- empty text ------------------------------------------------------------------------------


@pytest.mark.parametrize("network", NETWORKS)
def test_empty_text_with_media(network: str) -> None:
    media = ("video",) if network == "youtube" else ("image",)
    problems = errors(validate(content(network, "", media=media), network))
    if network in {"facebook", "instagram", "linkedin", "tiktok", "x"}:
        assert problems == []
    else:
        assert problems == [(network, "text", "missing_field", None, None)]


@pytest.mark.parametrize("network", NETWORKS)
def test_no_text_and_no_media_is_refused_everywhere(network: str) -> None:
    options = {"subreddit": "python", "board_id": "1"}
    problems = validate(ContentToCheck(text=" \n\t", title="Title", options=options), network)
    assert ("text", "missing_field") in [(p.field, p.code) for p in problems]


def test_empty_text_messages() -> None:
    [x] = validate(ContentToCheck(text=""), "x")
    assert x.message == "X needs text or media"
    [threads] = validate(ContentToCheck(text="", media=("image",)), "threads")
    assert threads.message == "Threads needs text, even with media"


# --- warnings and several networks -----------------------------------------------------------


def test_scheduled_less_than_10_minutes_ahead_is_a_warning() -> None:
    soon = NOW + timedelta(minutes=9, seconds=59)
    [warning] = validate(ContentToCheck(text="Hello"), "x", now=NOW, scheduled_at=soon)
    assert (warning.network, warning.field, warning.code, warning.severity) == (
        None,
        "scheduled_at",
        "scheduled_soon",
        "warning",
    )
    assert (warning.limit, warning.measured) == (600, 599)
    assert warning.message.startswith("The post is scheduled 9 minutes ahead, less than 10 minutes")
    assert not has_errors([warning])
    assert validate(ContentToCheck(text="Hello"), "x", now=NOW, scheduled_at=NOW + timedelta(minutes=10)) == []
    assert validate(ContentToCheck(text="Hello"), "x", now=NOW) == []  # publish now, or at publish time
    [past] = validate(ContentToCheck(text="Hello"), "x", now=NOW, scheduled_at=NOW - timedelta(seconds=5))
    assert past.measured == 0


def test_validate_all_sorts_by_network_and_warns_once() -> None:
    post = ContentToCheck(text="x" * 600, media=("gif",))
    problems = validate_all(post, ["x", "bluesky", "instagram", "x"], now=NOW, scheduled_at=NOW + timedelta(minutes=3))
    assert [(p.network, p.field, p.code) for p in problems] == [
        (None, "scheduled_at", "scheduled_soon"),
        ("bluesky", "text", "invalid_content"),
        ("bluesky", "media", "media_unsupported"),
        ("instagram", "media", "media_unsupported"),
        ("x", "text", "invalid_content"),
    ]
    assert has_errors(problems)


def test_a_post_that_fits_everywhere() -> None:
    post = ContentToCheck(
        text="Launch day 🚀 #herald https://example.com/launch",
        media=("image",),
        title="Herald launch",
        options={"subreddit": "selfhosted", "board_id": "549755885175"},
    )
    networks = [n for n in NETWORKS if n != "youtube"]  # YouTube takes only a video
    assert validate_all(post, networks, now=NOW, scheduled_at=NOW + timedelta(hours=1)) == []


def test_unknown_network_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown network"):
        validate(ContentToCheck(text="hi"), "orkut")
