"""Rich text: tags rendered as Unicode mathematical letters, Reddit Markdown or plain text.

Expected characters are named here with `unicodedata.name`, independently of how the module
builds its tables, so a wrong code point (or a hole in the mathematical block) shows by name."""

from __future__ import annotations

import string
import unicodedata

import pytest

from herald.platforms.registry import NETWORKS
from herald.text.richtext import render, style_for

DIGITS = ("ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE")


def names(text: str) -> list[str]:
    return [unicodedata.name(char) for char in text]


def u(text: str) -> str:
    return render(text, "unicode")


def md(text: str) -> str:
    return render(text, "markdown")


def plain(text: str) -> str:
    return render(text, "plain")


# --- Unicode: every letter and digit of every style, checked by name --------------------------


@pytest.mark.parametrize("tag", ["b", "strong"])
def test_bold_maps_every_letter_and_digit(tag: str) -> None:
    upper, lower, digits = string.ascii_uppercase, string.ascii_lowercase, string.digits
    rendered = u(f"<{tag}>{upper}{lower}{digits}</{tag}>")
    assert names(rendered) == (
        [f"MATHEMATICAL BOLD CAPITAL {c}" for c in upper]
        + [f"MATHEMATICAL BOLD SMALL {c.upper()}" for c in lower]
        + [f"MATHEMATICAL BOLD DIGIT {d}" for d in DIGITS]
    )
    assert rendered[0] == "\U0001d400" and rendered[-10] == "\U0001d7ce"


@pytest.mark.parametrize("tag", ["i", "em", "var"])
def test_italic_maps_every_letter_with_planck_constant_for_the_hole_and_keeps_digits(tag: str) -> None:
    upper, lower = string.ascii_uppercase, string.ascii_lowercase
    rendered = u(f"<{tag}>{upper}{lower}0123456789</{tag}>")
    expected = [f"MATHEMATICAL ITALIC CAPITAL {c}" for c in upper]
    expected += ["PLANCK CONSTANT" if c == "h" else f"MATHEMATICAL ITALIC SMALL {c.upper()}" for c in lower]
    assert names(rendered[:52]) == expected
    assert rendered[52:] == "0123456789"  # Unicode has no italic digits
    assert u(f"<{tag}>h</{tag}>") == "\u210e"  # U+1D455 is unassigned: the letter is U+210E
    assert u(f"<{tag}>high</{tag}>") == "\u210e\U0001d456\U0001d454\u210e"


def test_bold_italic_maps_every_letter_and_uses_bold_digits() -> None:
    upper, lower = string.ascii_uppercase, string.ascii_lowercase
    rendered = u(f"<b><i>{upper}{lower}0123456789</i></b>")
    assert names(rendered) == (
        [f"MATHEMATICAL BOLD ITALIC CAPITAL {c}" for c in upper]
        + [f"MATHEMATICAL BOLD ITALIC SMALL {c.upper()}" for c in lower]
        + [f"MATHEMATICAL BOLD DIGIT {d}" for d in DIGITS]
    )
    assert unicodedata.name(u("<b><i>h</i></b>")) == "MATHEMATICAL BOLD ITALIC SMALL H"  # no hole here


@pytest.mark.parametrize("tag", ["code", "samp"])
def test_code_and_samp_are_monospace(tag: str) -> None:
    upper, lower = string.ascii_uppercase, string.ascii_lowercase
    rendered = u(f"<{tag}>{upper}{lower}0123456789</{tag}>")
    assert names(rendered) == (
        [f"MATHEMATICAL MONOSPACE CAPITAL {c}" for c in upper]
        + [f"MATHEMATICAL MONOSPACE SMALL {c.upper()}" for c in lower]
        + [f"MATHEMATICAL MONOSPACE DIGIT {d}" for d in DIGITS]
    )
    assert rendered[-10] == "\U0001d7f6"
    assert u(f"<{tag}>x = f(1);</{tag}>") == "\U0001d6a1 = \U0001d68f(\U0001d7f7);"


def test_subscript_digits_signs_and_the_letters_that_have_a_form() -> None:
    assert names(u("<sub>0123456789</sub>")) == [f"SUBSCRIPT {d}" for d in DIGITS]
    assert names(u("<sub>+-=()</sub>")) == [
        "SUBSCRIPT PLUS SIGN",
        "SUBSCRIPT MINUS",
        "SUBSCRIPT EQUALS SIGN",
        "SUBSCRIPT LEFT PARENTHESIS",
        "SUBSCRIPT RIGHT PARENTHESIS",
    ]
    letters = "aehijklmnoprstuvx"
    assert names(u(f"<sub>{letters}</sub>")) == [f"LATIN SUBSCRIPT SMALL LETTER {c.upper()}" for c in letters]
    assert u("H<sub>2</sub>O") == "H\u2082O"
    # No subscript form: kept as written (capitals, b, c, ...), and so are spaces and punctuation.
    assert u("<sub>bcdfgqwyzABC .,!</sub>") == "bcdfgqwyzABC .,!"


def test_superscript_digits_signs_and_the_letters_that_have_a_form() -> None:
    assert names(u("<sup>0123456789</sup>")) == [
        "SUPERSCRIPT ZERO",
        "SUPERSCRIPT ONE",
        "SUPERSCRIPT TWO",
        "SUPERSCRIPT THREE",
        *(f"SUPERSCRIPT {d}" for d in DIGITS[4:]),
    ]
    assert u("<sup>123</sup>") == "\u00b9\u00b2\u00b3"  # Latin-1's ¹²³, not U+2071..U+2073
    assert names(u("<sup>+-=()</sup>")) == [
        "SUPERSCRIPT PLUS SIGN",
        "SUPERSCRIPT MINUS",
        "SUPERSCRIPT EQUALS SIGN",
        "SUPERSCRIPT LEFT PARENTHESIS",
        "SUPERSCRIPT RIGHT PARENTHESIS",
    ]
    small = "abcdefghijklmnoprstuvwxyz"  # every small letter but q
    assert names(u(f"<sup>{small}</sup>")) == [
        f"SUPERSCRIPT LATIN SMALL LETTER {c.upper()}" if c in "in" else f"MODIFIER LETTER SMALL {c.upper()}"
        for c in small
    ]
    capitals = "ABDEGHIJKLMNOPRTUVW"
    assert names(u(f"<sup>{capitals}</sup>")) == [f"MODIFIER LETTER CAPITAL {c}" for c in capitals]
    # Small q and capital C, F, Q only exist since Unicode 14 (poor font support); S, X, Y, Z never.
    assert u("<sup>qCFQSXYZ</sup>") == "qCFQSXYZ"
    assert u("E = mc<sup>2</sup>, x<sup>n+1</sup>") == "E = mc\u00b2, x\u207f\u207a\u00b9"


# --- Unicode: which characters are left alone -----------------------------------------------


def test_accents_cjk_emoji_and_punctuation_inside_bold_are_unchanged() -> None:
    assert (
        u("<b>Café 東京 😀👍🏽 ¡olé!</b>")
        == "\U0001d402\U0001d41a\U0001d41f\u00e9 東京 😀👍🏽 ¡\U0001d428\U0001d425\u00e9!"
    )
    assert u("<b>日本語のテキスト</b>") == "日本語のテキスト"
    assert u("<b>👨‍👩‍👧 🇫🇷</b>") == "👨‍👩‍👧 🇫🇷"
    assert u("<i>αβγ Ωmega</i>") == "αβγ \u03a9\U0001d45a\U0001d452\U0001d454\U0001d44e"


def test_a_letter_or_digit_carrying_a_mark_is_unchanged() -> None:
    keycap = "1\ufe0f\u20e3"  # the keycap emoji 1️⃣: digit, VARIATION SELECTOR-16, COMBINING ENCLOSING KEYCAP
    assert u(f"<b>{keycap} 2</b>") == f"{keycap} \U0001d7d0"
    decomposed = "e\u0301"  # é as e + COMBINING ACUTE ACCENT: kept, like the precomposed é
    assert u(f"<b>{decomposed}t{decomposed}</b>") == f"{decomposed}\U0001d42d{decomposed}"
    assert u("<b>1</b>\ufe0f\u20e3") == keycap  # the mark may sit after the closing tag


# --- Nesting, misnesting, unclosed and unknown tags, entities --------------------------------


def test_nested_bold_and_italic_in_either_order_are_bold_italic() -> None:
    bold_italic_x = "\U0001d499"
    assert unicodedata.name(bold_italic_x) == "MATHEMATICAL BOLD ITALIC SMALL X"
    for text in ("<b><i>x</i></b>", "<i><b>x</b></i>", "<strong><em>x</em></strong>", "<em><b>x</b></em>"):
        assert u(text) == bold_italic_x
    assert names(u("<b>a<i>b</i>c</b>")) == [
        "MATHEMATICAL BOLD SMALL A",
        "MATHEMATICAL BOLD ITALIC SMALL B",
        "MATHEMATICAL BOLD SMALL C",
    ]
    assert u("<b><b>x</b>y</b>z") == "\U0001d431\U0001d432z"  # the inner </b> closes only the inner <b>


def test_misnested_tags_close_the_tag_named_and_leave_the_others_open() -> None:
    assert names(u("<b><i>x</b>y</i>z")) == [
        "MATHEMATICAL BOLD ITALIC SMALL X",
        "MATHEMATICAL ITALIC SMALL Y",
        "LATIN SMALL LETTER Z",
    ]
    assert plain("<b><i>x</b>y</i>z") == "xyz"


def test_unclosed_tags_run_to_the_end_and_stray_end_tags_are_ignored() -> None:
    assert u("plain <b>bold") == "plain \U0001d41b\U0001d428\U0001d425\U0001d41d"
    assert u("a</b>b</i>c</em>d") == "abcd"
    assert u("<b>ab</strong>c") == "\U0001d41a\U0001d41b\U0001d41c"  # </strong> does not close <b>


def test_unknown_tags_are_dropped_and_their_text_kept() -> None:
    text = '<span class="x">Hi</span> <blink>there</blink>, <a href="https://example.com">link</a><img src=x>!'
    assert plain(text) == "Hi there, link!"
    assert u("<u><b>x</b></u>") == "\U0001d431"
    assert plain("<!-- a comment -->kept") == "kept"


def test_script_and_style_tags_do_not_swallow_the_rest() -> None:
    assert plain("<script>a &amp; <b>b</b></script> <style>c</style>") == "a & b c"
    assert u("<title><b>x</b>") == "\U0001d431"


def test_entities_are_decoded_and_decoded_markup_is_text() -> None:
    assert (
        plain("Tom &amp; Jerry &lt;3 &quot;hi&quot; caf&#233; &#x1F600; &nbsp;.") == 'Tom & Jerry <3 "hi" café 😀 \xa0.'
    )
    assert u("&lt;b&gt;not bold&lt;/b&gt;") == "<b>not bold</b>"
    assert u("<b>R&amp;D</b>") == "\U0001d411&\U0001d403"


@pytest.mark.parametrize("style", ["unicode", "markdown", "plain"])
@pytest.mark.parametrize("text", ["a < b", "I <3 you", "1 <= 2 >= 0", "<<>>", "x < y > z", "trailing <"])
def test_a_less_than_sign_that_starts_no_tag_is_text(text: str, style: str) -> None:
    assert render(text, style) == text


# --- Line breaks ------------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["unicode", "markdown", "plain"])
def test_newlines_and_the_invisible_separator_sequence_are_kept(style: str) -> None:
    text = "First line\u2063\n\u2063\nAfter a kept blank line\n\nand\r\nmore"
    assert render(text, style) == text
    assert render("<b>go</b>\u2063\n\u2063\nnext", style).endswith("\u2063\n\u2063\nnext")


def test_br_is_a_newline_and_paragraphs_are_separated_by_one_blank_line() -> None:
    assert plain("one<br>two<br/>three<br />four</br>") == "one\ntwo\nthree\nfour"
    assert plain("<p>First</p><p>Second</p>") == "First\n\nSecond"
    assert plain("<p>First</p>\n\n  <p>\nSecond</p>\n") == "First\n\nSecond"
    assert plain("<p>First\n</p><p>Second") == "First\n\nSecond"
    assert plain("Intro<p>Body</p>Outro") == "Intro\n\nBody\n\nOutro"
    assert u("<p><b>Hi</b></p><p>there</p>") == "\U0001d407\U0001d422\n\nthere"


# --- Markdown (Reddit) ------------------------------------------------------------------------


def test_markdown_formats() -> None:
    assert md("<b>bold</b> <i>it</i>") == "**bold** *it*"
    assert md("<b>bold</b> <strong>strong</strong>") == "**bold strong**"  # one run: same emphasis
    assert md("<i>it</i>, <em>em</em>, <var>n</var>") == "*it*, *em*, *n*"
    assert md("<b><i>both</i></b> and <i><b>both</b></i>") == "***both*** and ***both***"
    assert md("run <code>ls -la</code> or <samp>ok</samp>") == "run `ls -la` or `ok`"
    assert md("x<sup>2</sup> and <sup>two words</sup>") == "x^(2) and ^(two words)"
    assert md("H<sub>2</sub>O") == "H2O"  # Markdown has no subscript


def test_markdown_keeps_delimiters_next_to_words_and_inside_one_line() -> None:
    assert md("<b> spaced </b>out") == " **spaced** out"
    assert md("<b>a <i>b</i></b> c") == "**a *b*** c"
    assert md("<b>line one\nline two</b>") == "**line one**\n**line two**"
    assert md("<b>   </b>x") == "   x"


def test_markdown_code_is_not_escaped_and_gets_a_longer_fence_around_backticks() -> None:
    assert md("<code>a_b * 2</code>") == "`a_b * 2`"
    assert md("<code>say `hi`</code>") == "`` say `hi` ``"


def test_markdown_escapes_metacharacters_of_the_plain_text() -> None:
    assert md("5 * 3 = 15 and snake_case") == "5 \\* 3 = 15 and snake\\_case"
    assert md("*not italic* and __not bold__") == "\\*not italic\\* and \\_\\_not bold\\_\\_"
    assert md("a `tick`, ~~no strike~~, 2^10, back\\slash, [not](a link)") == (
        "a \\`tick\\`, \\~\\~no strike\\~\\~, 2\\^10, back\\\\slash, \\[not](a link)"
    )
    assert md("<b>2 * 3</b>") == "**2 \\* 3**"
    assert md(">!not a spoiler!<, a -> b, &amp;copy; and AT&amp;T") == "\\>!not a spoiler!<, a -> b, \\&copy; and AT&T"


def test_markdown_escapes_block_syntax_at_line_starts_only() -> None:
    text = (
        "# not a heading\n> not a quote\n- not a bullet\n+ nor this\n1. not a list\n2) nor this\n---\nsee #tag - 1. ok"
    )
    assert md(text) == (
        "\\# not a heading\n\\> not a quote\n\\- not a bullet\n\\+ nor this\n1\\. not a list\n2\\) nor this\n"
        "\\---\nsee #tag - 1. ok"
    )
    assert md("Title\n===\n-5 degrees\n  # indented") == "Title\n\\===\n-5 degrees\n  \\# indented"


def test_markdown_leaves_urls_as_they_are() -> None:
    assert md("see https://example.com/a_b*c_(d) and www.my_site.com/~x, not a_b") == (
        "see https://example.com/a_b*c_(d) and www.my_site.com/~x, not a\\_b"
    )


def test_markdown_superscript_keeps_what_cannot_go_inside_outside() -> None:
    # Reddit's ^( ends at the first ) and at a backslash escape, so those characters go outside.
    assert md("<sup>f(x)</sup>") == "^(f)(^(x))"
    assert md("<sup>a*b</sup>") == "^(a)\\*^(b)"


# --- Plain ------------------------------------------------------------------------------------


def test_plain_strips_tags_and_decodes_entities() -> None:
    assert plain("<b>Bold</b>, <i>it</i>, <code>x&lt;1</code>, H<sub>2</sub>O, x<sup>2</sup>") == (
        "Bold, it, x<1, H2O, x2"
    )


# Strings without tags and without `&`: the plain rendering is the string itself.
PLAIN_SAMPLES = [
    "",
    " ",
    "Hello, world!",
    "  leading and trailing spaces  ",
    "tabs\tand\nnewlines\n\n\nand\r\nCRLF",
    "a < b, b > a, a<=b, 1<2, <3, >_<, <<<, >>>",
    "**not markdown** _nor_ `this` # or > this",
    "back\\slash \\n and quotes \"' ;",
    "emoji 😀👍🏽👨‍👩‍👧🇫🇷 1\ufe0f\u20e3 and CJK 日本語 한국어",
    "e\u0301 composed é, RTL \u05e9\u05dc\u05d5\u05dd, ZWJ \u200d, BOM \ufeff",
    "\u2063\n\u2063\n",
    "𝐀𝐥𝐫𝐞𝐚𝐝𝐲 𝐛𝐨𝐥𝐝 and ℎ and x²",
    "100% sure; 3 > 2 < 4",
]


@pytest.mark.parametrize("text", PLAIN_SAMPLES)
def test_plain_and_unicode_renderings_of_text_without_tags_are_the_text(text: str) -> None:
    assert render(text, "plain") == text
    assert render(text, "unicode") == text


# --- Styles per network -----------------------------------------------------------------------

EXPECTED_STYLES = {
    "x": "unicode",
    "facebook": "unicode",
    "linkedin": "unicode",
    "telegram": "unicode",
    "instagram": "unicode",
    "threads": "unicode",
    "bluesky": "unicode",
    "mastodon": "unicode",
    "reddit": "markdown",
    "youtube": "plain",
    "tiktok": "plain",
    "pinterest": "plain",
    "google_business": "plain",
}


@pytest.mark.parametrize(("network", "style"), sorted(EXPECTED_STYLES.items()))
def test_style_for_each_network(network: str, style: str) -> None:
    assert style_for(network) == style


def test_every_network_herald_knows_has_a_style() -> None:
    assert set(NETWORKS) == set(EXPECTED_STYLES)


def test_unknown_network_and_style_are_refused() -> None:
    with pytest.raises(ValueError, match="myspace"):
        style_for("myspace")
    with pytest.raises(ValueError, match="html"):
        render("x", "html")
