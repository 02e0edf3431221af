"""Counting methods (herald.text.counting), checked against the networks' published examples and
the reference libraries they count with. Expected values are data copied from those sources:

- X: twitter/twitter-text `conformance/tests/validate.yml` (commit 3b8031c80efe49f16fd282a55e28eb23aef2ad85),
  sections `WeightedTweetsWithDiscountedEmojiCounterTest` and `UnicodeDirectionalMarkerCounterTest`
  (the ones `conformance/tests/validate.rs` runs with config v3, X's current weighting), plus the
  ASCII URL cases of its `lengths` section (equal under every config). Extra real-world strings:
  `parseTweet(text).weightedLength` of twitter-text 3.1.0 (npm, the reference implementation).
- Bluesky: bluesky-social/atproto `packages/common-web/tests/strings.test.ts` (graphemeLen, utf8Len),
  and for other scripts and newer emoji the counts of unicode-segmenter 0.17.3, the segmenter
  atproto's `graphemeLen` uses (packages/common-web/src/strings.ts).
- Mastodon: mastodon/mastodon `spec/validators/status_length_validator_spec.rb` (500-character
  baseline) and `app/validators/status_length_validator.rb` (URLs 23, `@user@domain` as `@user`,
  grapheme clusters).
"""

from __future__ import annotations

import pytest

from herald.text import counting
from herald.text.graphemes import emoji_length, grapheme_clusters
from herald.text.twitter import MAX_WEIGHTED_LENGTH, url_spans

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # man, woman, girl, boy (ZWJ)
POEM = (  # the 160 CJK characters of the twitter-text example
    "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。朱雀桥边野草花，乌衣巷口夕阳斜。"
    "旧时王谢堂前燕，飞入寻常百姓家。朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。"
    "泪湿罗巾梦不成，夜深前殿按歌声。红颜未老恩先断，斜倚薰笼坐到明。独在异乡为异客，每逢佳节倍思亲。"
    "遥知兄弟登高处，遍插茱萸少一人。"
)
KANA = "あいうえおかきくけこ"
SUPER_LONG_URL = "https://" + "somesuperlongurl" * 249 + ".com/foo"  # labels over 63 characters: not a URL
X = "xxxxxxxxxx-"

# (description from validate.yml, text, weightedLength)
TWITTER_TEXT_V3 = [
    ("Regular Tweet with url", "Hi http://test.co", 26),
    ("Just url", "http://test.co", 23),
    ("Long tweet, overflow at char index 280", "285 chars-" + X * 25, 285),
    ("Long tweet with url in the middle", "285 chars- http://www.twitter.com/jack " + X * 24, 299),
    ("Long tweet with url at the end", X * 24 + " http://www.twitter.com/jack ", 289),
    ("10 url string, no overflow", "https://www.twitter.com/aloha " * 10, 240),
    ("160 CJK char, overflow at char index 140", POEM, 320),
    ("160 emoji char, overflow at char index 140", "\U0001f637" * 160, 320),
    ("3 latin char + 160 CJK char", "the" + POEM, 323),
    ("'Á' is normalized into 1 char", "A\u0301B", 2),
    ("שּׁ is normalized into 3 chars", "A\ufb2c", 4),
    ("282 chars with a normalized character", "282 chars-" + X * 24 + "xxxxxA\u0301x", 281),
    ("Count a mix of single byte single word, and double word unicode characters", "H\U0001f431\u263a" + FAMILY, 7),
    ("Count unicode emoji chars inside the basic multilingual plane", "😷👾😡🔥💩", 10),
    ("Count unicode emoji chars outside the BMP with skin tone modifiers", "🙋🏽👨\u200d🎤", 4),
    (
        "Handle General Punctuation Characters with visible spaces(u2000-200A), no ZWJ/ZWNJ",
        "This is a tweet with general punctuation characters: \u2000\u2001\u2002\u2003\u2004\u2005\u2006"
        "\u2007\u2008\u2009\u200a\u200b ‐ ‑ ‒ – — ― ‖  ‗ ‘ ’ ‚ ‛ “ ” „ ‟ ′ ″ ‴ ‵ ‶ ‷",
        110,
    ),
    (
        "Handle long url with invalid domain labels and short url",
        "Long url with invalid domain labels and a short url: "
        + " ".join([SUPER_LONG_URL] * 3)
        + " https://validurl.com",
        12079,
    ),
    ("Handle a 64 character domain without protocol", "randomurl" * 7 + "s.com", 68),
    ("> 63 punycode characters in the host: not a URL", KANA * 12 + " http://" + KANA * 5 + "あいう.com", 358),
    ("< 63 punycode characters in the host: a URL", KANA * 12 + " http://" + KANA * 5 + "あい.com", 264),
    ("140 family emoji", FAMILY * 140, 280),
    (
        "Unicode 10.0 emoji",
        "Unicode 10.0 emoji: 🤪; 🧕; 🧕🏾; 🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
        34,
    ),
    ("Unicode 9.0 emoji", "Unicode 9.0 emoji: 🤠; 💃; 💃🏾", 29),
    ("Handle invalid characters", "ABC\u202a\uffffABC\ufffe", 12),
    ("Directional characters around a URL", "\u2066\u202ahttp://foobar.پاکستان/\u202c\u2069", 31),
    # `lengths` section (ASCII only, so the same under v1 and v3)
    ("Count the number of characters", "This is a test.", 15),
    ("Count a URL starting with http:// as 23 characters", "http://test.com", 23),
    ("Count a URL starting with https:// as 23 characters", "https://test.com", 23),
    ("Count a URL without protocol as 23 characters", "test.com", 23),
    ("Count multiple URLs correctly", "Test https://test.com test https://test.com test.com test", 86),
]

# twitter-text 3.1.0 parseTweet(text).weightedLength
TWITTER_TEXT_3_1_0 = [
    ("🇯🇵🇫🇷", 4),  # two flags
    ("🇺🇦", 2),
    ("1\ufe0f\u20e3", 2),  # keycap
    ("#\ufe0f\u20e3", 2),
    ("©", 1),  # text presentation: a Latin-1 character
    ("©\ufe0f", 2),  # emoji presentation
    ("™", 2),
    ("❤", 2),
    ("❤\ufe0f", 2),
    ("✨", 2),
    ("\U0001fae8", 2),  # shaking face (Unicode 15)
    ("👍🏽", 2),  # skin tone
    ("👍🏿👍🏻", 4),
    ("👩\u200d❤\ufe0f\u200d💋\u200d👨", 2),  # kiss: one ZWJ sequence
    ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", 2),  # Scotland (tag sequence)
    ("한국어", 6),  # Hangul weighs 2
    ("\u1100\u1161\u11a8", 2),  # conjoining jamo: NFC makes one syllable
    ("e\u0301", 1),  # combining acute: NFC makes one é
    ("A\u030a", 1),
    ("नमस्ते", 6),  # Devanagari is below U+10FF: weight 1 per code point
    ("ภาษาไทย", 7),
    ("Привет, мир", 11),
    ("Ελληνικά", 8),
    ("עברית", 5),
    ("مرحبا", 5),
    ("こんにちは世界", 14),
    ("ｶﾀｶﾅ", 8),  # half-width katakana weigh 2
    ("example.com", 23),  # URL without scheme
    ("www.example.com/path?q=1", 23),
    ("HTTPS://EXAMPLE.COM/INDEX.HTML", 23),
    ("http://example.com/Русские_слова", 23),
    ("go to https://en.wikipedia.org/wiki/Foo_(bar), ok", 33),  # balanced parenthesis kept, comma not
    ("https://example.com/" + "a" * 300, 23),  # a long URL still counts 23
    ("t.co/abcde bit.ly/abcde", 47),
    ("mail me at foo@example.com", 26),  # an e-mail address is not a URL
    ("@user hi", 8),
]


@pytest.mark.parametrize(("description", "text", "expected"), TWITTER_TEXT_V3, ids=[c[0] for c in TWITTER_TEXT_V3])
def test_weighted_matches_twitter_text_conformance(description: str, text: str, expected: int) -> None:
    assert counting.weighted(text) == expected


@pytest.mark.parametrize(("text", "expected"), TWITTER_TEXT_3_1_0)
def test_weighted_matches_twitter_text_reference_library(text: str, expected: int) -> None:
    assert counting.weighted(text) == expected


def test_weighted_limit_is_280() -> None:
    assert MAX_WEIGHTED_LENGTH == 280
    assert counting.weighted(FAMILY * 140) == 280  # 140 family emoji fit exactly (conformance)


@pytest.mark.parametrize(
    ("text", "urls"),
    [  # twitter-text conformance/tests/extract.yml, section `urls`
        ("http://ああ.com", ["http://ああ.com"]),
        (
            "text http://google.com/#search?q=iphone%20-filter%3Alinks",
            ["http://google.com/#search?q=iphone%20-filter%3Alinks"],
        ),
        ("text http://somehost.com:3000", ["http://somehost.com:3000"]),
        ("text http://en.wikipedia.org/wiki/Primer_(film)", ["http://en.wikipedia.org/wiki/Primer_(film)"]),
        ("text http://no-tld", []),
        ("text http://tld-too-short.x", []),
        ("text http://foo.com?#foo text", ["http://foo.com?#foo"]),
        ("foo.com foo.net foo.org foo.edu foo.gov", ["foo.com", "foo.net", "foo.org", "foo.edu", "foo.gov"]),
        ("t.co/abcde bit.ly/abcde", ["t.co/abcde", "bit.ly/abcde"]),
        ("Go to http://example.com/a+ or http://example.com/a-", ["http://example.com/a+", "http://example.com/a-"]),
        (
            "これは日本語です。example.com/path/index.html中国語example.com/path한국",
            ["example.com/path/index.html", "example.com/path"],
        ),
        ("Go to http://twitter.com/Русские_слова", ["http://twitter.com/Русские_слова"]),
        ("text http://domain-dash_2314352345_dfasd.foo-cow_4352.com", []),
        ("test http://sub_domain-dash.twitter.com", ["http://sub_domain-dash.twitter.com"]),
        ("test http://a.b.cd", ["http://a.b.cd"]),
        ("(http://twitter.com", ["http://twitter.com"]),
        ("@user Try http:// example.com/path", ["example.com/path"]),
    ],
)
def test_url_spans_match_twitter_text_extraction(text: str, urls: list[str]) -> None:
    assert [text[start:end] for start, end in url_spans(text)] == urls


def test_a_url_over_4096_characters_is_text() -> None:
    url = "http://example.com/valid?" + "#foo?" * 1000  # twitter-text MAX_URL_LENGTH 4096
    assert url_spans(url) == []
    assert counting.weighted(url) == len(url)


# --- graphemes and bytes (Bluesky) ------------------------------------------------------------

ATPROTO_STRINGS = [  # packages/common-web/tests/strings.test.ts: (text, graphemeLen, utf8Len)
    ("a", 1, 1),
    ("~", 1, 1),
    ("ö", 1, 2),
    ("ñ", 1, 2),
    ("©", 1, 2),
    ("⽘", 1, 3),
    ("☎", 1, 3),
    ("𓋓", 1, 4),
    ("😀", 1, 4),
    ("\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f467", 1, 25),
    ("a~öñ©⽘☎𓋓😀\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f467", 10, None),
]

UNICODE_SEGMENTER = [  # unicode-segmenter 0.17.3 countGraphemes, and UTF-8 bytes
    ("\u0928\u092e\u0938\u094d\u0924\u0947", 3, 18),  # नमस्ते (Devanagari conjunct)
    ("\u0915\u094d\u0937\u0924\u094d\u0930\u093f\u092f", 3, 24),  # क्षत्रिय
    ("\u0936\u094d\u0930\u0940\u092e\u093e\u0928\u094d", 3, 24),  # श्रीमान्
    ("\u09b8\u09cd\u09a4\u09cd\u09b0\u09c0", 1, 18),  # স্ত্রী (Bengali)
    ("\u0995\u09cd\u09b7\u09ae\u09be", 2, 15),  # ক্ষমা
    ("\u0ba4\u0bae\u0bbf\u0bb4\u0bcd", 3, 15),  # தமிழ் (Tamil: no conjunct joining)
    ("\u0bb8\u0bcd\u0bb0\u0bc0", 2, 12),  # ஸ்ரீ
    ("\u0d2e\u0d32\u0d2f\u0d3e\u0d33\u0d02", 4, 18),  # മലയാളം
    ("\u0d15\u0d4d\u0d37\u0d47\u0d24\u0d4d\u0d30\u0d02", 2, 24),  # ക്ഷേത്രം
    ("\u1797\u17b6\u179f\u17b6\u1781\u17d2\u1798\u17c2\u179a", 4, 27),  # ភាសាខ្មែរ (Khmer, Unicode 16 rules)
    ("\u179f\u17d2\u178f\u17d2\u179a\u17b8", 1, 18),  # ស្ត្រី
    ("\u1000\u103b\u103d\u1014\u103a\u102f\u1015\u103a", 3, 24),  # ကျွန်ုပ် (Myanmar)
    ("\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22", 7, 21),  # ภาษาไทย
    ("\u0e19\u0e49\u0e33", 1, 9),  # น้ำ (Thai SARA AM)
    ("\u1b13\u1b44\u1b31", 1, 9),  # ᬓ᭄ᬱ (Balinese, Unicode 16 rules)
    ("\ua98f\ua9c0\ua9b1", 1, 9),  # ꦏ꧀ꦱ (Javanese, Unicode 16 rules)
    ("\ud55c\uad6d\uc5b4", 3, 9),  # 한국어
    ("\u1100\u1161\u11a8", 1, 9),  # conjoining jamo make one syllable
    (
        "Z\u0324\u0354\u0367\u0311\u0313\xe4\u0356\u032d\u0308\u0307l\u036e\u0312\u036b\u01e7\u0317\u035a\u031a"
        "o\u0319\u0314\u036e\u0307\u0350\u0307",
        5,
        49,
    ),  # "Zalgo": stacked combining marks
    ("\u05e2\u05b4\u05d1\u05b0\u05e8\u05b4\u05d9\u05ea", 5, 16),  # עִבְרִית (Hebrew with points)
    ("\u0627\u0644\u0639\u064e\u0631\u064e\u0628\u0650\u064a\u064e\u0651\u0629", 7, 24),  # العَرَبِيَّة
    ("\U0001f426\u200d\U0001f525", 1, 11),  # phoenix (Unicode 15.1 ZWJ sequence)
    ("\U0001f642\u200d\u2194\ufe0f", 1, 13),  # head shaking horizontally
    ("\U0001f469\U0001f3fd\u200d\U0001f91d\u200d\U0001f468\U0001f3ff", 1, 26),  # couple, two skin tones
    ("\U0001f9d1\u200d\U0001f9d1\u200d\U0001f9d2", 1, 18),  # family: adult, adult, child
    ("\U0001f3f3\ufe0f\u200d\u26a7\ufe0f", 1, 16),  # transgender flag
    ("\U0001f1ef\U0001f1f5\U0001f1eb\U0001f1f7\U0001f1e9", 3, 20),  # two flags and a lone indicator
    ("1\ufe0f\u20e3", 1, 7),  # keycap
    ("\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", 1, 28),  # Scotland
    ("\r\n", 1, 2),
    ("\U0001fae9", 1, 4),  # face with bags under eyes (Unicode 16)
]


@pytest.mark.parametrize(("text", "graphemes", "size"), ATPROTO_STRINGS + UNICODE_SEGMENTER)
def test_graphemes_and_bytes_match_atproto(text: str, graphemes: int, size: int | None) -> None:
    assert counting.graphemes(text) == graphemes
    assert len(grapheme_clusters(text)) == graphemes
    if size is not None:
        assert counting.utf8_bytes(text) == size


def test_graphemes_do_not_normalise() -> None:
    assert counting.graphemes("e\u0301" * 300) == 300
    assert counting.utf8_bytes("e\u0301" * 300) == 900  # as sent, not as NFC (which would be 600)


# --- characters, UTF-16 units, Threads --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "characters", "utf16"),
    [
        ("hello", 5, 5),
        ("e\u0301", 1, 2),  # NFC composes é
        ("A\ufb2c", 4, 2),  # NFC decomposes the Hebrew presentation form into 3 (twitter-text example)
        ("\u1100\u1161\u11a8", 1, 3),  # conjoining jamo compose into 각
        ("한국어", 3, 3),
        ("😀", 1, 2),  # outside the BMP: 2 UTF-16 units
        (FAMILY, 7, 11),  # atproto rich-text tests: a family emoji spans 11 UTF-16 units
        ("🇯🇵", 2, 4),
        ("\U00010000\U0010ffff", 2, 4),
    ],
)
def test_characters_and_utf16_units(text: str, characters: int, utf16: int) -> None:
    assert counting.characters(text) == characters
    assert counting.utf16_units(text) == utf16


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        ("😀", 4),  # an emoji counts as its UTF-8 byte length
        ("hi 😀", 7),
        (FAMILY, 25),
        ("🇯🇵", 8),
        ("👍🏽", 8),
        ("©", 1),  # text presentation: a character
        ("한국어", 3),
        ("e\u0301", 1),
    ],
)
def test_threads_counts_emoji_as_utf8_bytes(text: str, expected: int) -> None:
    assert counting.threads(text) == expected


def test_emoji_length_is_the_emoji_prefix_of_a_cluster() -> None:
    assert emoji_length(FAMILY) == len(FAMILY)
    assert emoji_length("©") == 0
    assert emoji_length("©\ufe0f") == 2
    assert emoji_length("a") == 0
    assert emoji_length("1\ufe0f\u20e3") == 3


# --- Mastodon ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "text", "expected"),
    [  # status_length_validator_spec.rb: over 500 is refused
        ("auto-linkable space-separated URL counts 23", "a" * 476 + " http://" + "b" * 30 + ".com/example", 500),
        ("non-autolinkable URL counts in full", "a" * 476 + "http://" + "b" * 30 + ".com/example", 525),
        ("overly long URL counts in full", "http://example.com/valid?" + "#foo?" * 1000, 5025),
        ("only the front part of remote usernames", "a" * 475 + " @alice@" + "b" * 30 + ".com", 482),
        ("both parts of remote usernames for overly long domains", "@alice@" + "b" * 500 + ".com", 511),
        ("multi byte emoji as single character", "✨" * 500, 500),
        ("ZWJ sequence emoji as single character", "\U0001f3f3\ufe0f\u200d\u26a7\ufe0f" * 500, 500),
    ],
)
def test_mastodon_matches_its_length_validator(description: str, text: str, expected: int) -> None:
    assert counting.mastodon(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://example.com/a/very/long/path?x=1", 4 + 23),
        ("see example.com", 15),  # without a scheme a URL is plain text (extract_url_without_protocol: false)
        ("@alice hello", 12),  # a local mention counts as written
        ("cc @alice@mastodon.social and @bob@example.org", 3 + 6 + 5 + 4),
        ("https://a.example/@alice@b.example", 23),  # a mention inside a URL: the URL wins
        ("mail alice@example.com", 22),  # an address is not a mention
    ],
)
def test_mastodon_urls_and_mentions(text: str, expected: int) -> None:
    assert counting.mastodon(text) == expected


def test_mastodon_url_weight_follows_the_instance() -> None:
    assert counting.mastodon("go https://example.com/x", url_weight=30) == 3 + 30


# --- hashtags and the method table ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#one #two #three", 3),
        ("no tags", 0),
        ("#1 #2024", 0),  # at least one letter
        ("#2024vibes", 1),
        ("a#b", 0),  # inside a word
        ("&#35; entity", 0),
        ("#\ufe0f\u20e3 keycap", 0),
        ("＃全角 #café #ทดสอบ #हिन्दी", 4),
        ("#tag1,#tag2.#tag3", 3),
        (" ".join(f"#tag{n}" for n in range(31)), 31),
    ],
)
def test_hashtags(text: str, expected: int) -> None:
    assert counting.hashtags(text) == expected


@pytest.mark.parametrize(
    ("text", "method", "expected"),
    [  # 100,000 characters (the API's cap) of text that made the counters super-linear
        ("a." * 50_000, "weighted", 100_000),  # URL candidates at every label: took minutes
        ("a." * 50_000, "mastodon", 100_000),
        ("あ.い" * 33_333, "weighted", 166_665),  # non-ASCII hosts at every start position
        ("\U0001f1ef" * 100_000, "graphemes", 50_000),  # a run of regional indicators: quadratic in \X
        ("\U0001f1ef" * 100_000, "weighted", 100_000),
        ("http://a.com/" + "!" * 99_987, "weighted", 23 + 99_987),  # trailing punctuation, trimmed one by one
    ],
)
def test_long_adversarial_text_is_counted_right(text: str, method: str, expected: int) -> None:
    # How long these take is measured by `make bench` (bench/text_counting.py), not asserted here.
    assert counting.count(text, method) == expected


def test_a_run_of_regional_indicators_pairs_from_its_start() -> None:
    text = "a" + "\U0001f1ef" * 7 + "\u0301b"  # three flags, then a lone indicator carrying the accent
    assert grapheme_clusters(text) == ["a", *["\U0001f1ef" * 2] * 3, "\U0001f1ef\u0301", "b"]


def test_every_method_has_a_counter_and_a_unit() -> None:
    assert set(counting.COUNTERS) == set(counting.UNITS)
    assert set(counting.COUNTERS) == {
        "weighted",
        "graphemes",
        "utf8_bytes",
        "characters",
        "utf16_units",
        "threads",
        "mastodon",
    }
    for method in counting.COUNTERS:
        assert counting.count("", method) == 0
        assert counting.count("abc", method) == 3
