"""Rich text: a post's few inline HTML tags rendered the way each network can show them.

Authors write `<b>`/`<strong>`, `<i>`/`<em>`, `<code>`, `<samp>`, `<var>`, `<sub>`, `<sup>`, `<br>`
and `<p>`. `render(text, style)` turns that into one of three styles, and `style_for(network)`
says which style a network gets:

- "unicode" (X, Facebook, LinkedIn, Telegram, Instagram, Threads, Bluesky, Mastodon): letters and
  digits become the Unicode mathematical alphanumeric symbols (𝐛𝐨𝐥𝐝, 𝑖𝑡𝑎𝑙𝑖𝑐, 𝒃𝒐𝒕𝒉, 𝚖𝚘𝚗𝚘) or the
  sub/superscript characters (H₂O, x²). Only A-Z, a-z and 0-9 have such forms; every other
  character (accents, CJK, emoji, punctuation) is kept as written, and so is a letter or digit
  followed by a combining mark or variation selector (`e` + U+0301, the keycap emoji 1️⃣), which
  would otherwise lose its accent or stop being an emoji.
- "markdown" (Reddit): `**bold**`, `*italic*`, `***both***`, `` `code` ``, `^(superscript)`;
  Markdown has no subscript, so `<sub>` text stays plain. See `_escape` for how the plain text is
  protected from being read as Markdown.
- "plain" (YouTube, TikTok, Pinterest, Google Business): the tags are dropped.

Parsing is `html.parser.HTMLParser`'s, so it never fails: entities (`&amp;`, `&lt;`, `&#128512;`)
are decoded, unknown tags are dropped and their text kept, an unclosed tag runs to the end, an end
tag closes the latest open tag of that name even when tags are misnested (`<b><i>x</b>y</i>`
leaves `y` italic), a stray end tag is ignored, comments are dropped. A `<` that does not start a
tag (`a < b`, `<3`, `1 <= 2`) is text. Something that looks like a tag (`<` then a letter, up to
`>`) is a tag, as in HTML: write `&lt;` to show it. `<script>` and `<style>` are ordinary
(unknown) tags here, so their text is kept rather than swallowed.

Text outside the tags is kept exactly: spaces are not collapsed, `\\n` and the `\\u2063\\n`
sequence (INVISIBLE SEPARATOR + newline, which keeps blank lines on networks that squeeze them)
stay as given. `<br>` is a newline; `<p>` paragraphs are separated by one blank line (whitespace
right after a paragraph boundary is dropped, as HTML does, so `</p>\\n<p>` is not two blank lines).

Length limits apply to the rendered text (a bold letter is 2 UTF-16 units and a Markdown escape one
more character), so validate what `render` returns. Pure: standard library only."""

from __future__ import annotations

import re
import string
import unicodedata
from html.parser import HTMLParser

UNICODE = "unicode"
MARKDOWN = "markdown"
PLAIN = "plain"
STYLES: tuple[str, ...] = (UNICODE, MARKDOWN, PLAIN)

_NETWORK_STYLES: dict[str, str] = {
    "x": UNICODE,
    "facebook": UNICODE,
    "linkedin": UNICODE,
    "telegram": UNICODE,
    "instagram": UNICODE,
    "threads": UNICODE,
    "bluesky": UNICODE,
    "mastodon": UNICODE,
    "reddit": MARKDOWN,
    "youtube": PLAIN,
    "tiktok": PLAIN,
    "pinterest": PLAIN,
    "google_business": PLAIN,
}


def style_for(network: str) -> str:
    """The rendering style for one of Herald's network names; ValueError for an unknown network."""
    try:
        return _NETWORK_STYLES[network]
    except KeyError:
        raise ValueError(f"no rich-text style for network {network!r}") from None


def render(text: str, style: str) -> str:
    """`text` (with the inline tags above) rendered in `style`: "unicode", "markdown" or "plain"."""
    if style not in STYLES:
        raise ValueError(f"unknown rich-text style {style!r}; expected one of {', '.join(STYLES)}")
    segments = _parse(text)
    if style == PLAIN:
        return "".join(chunk for _, chunk in segments)
    if style == UNICODE:
        return _render_unicode(segments)
    return _render_markdown(segments)


# --- Parsing -----------------------------------------------------------------------------------

# Formatting tags and what they mean; any other tag but <br> and <p> is dropped, its text kept.
_KINDS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "var": "italic",  # HTML shows variables in italics
    "code": "mono",
    "samp": "mono",
    "sub": "sub",
    "sup": "sup",
}

# A run of text and the formatting kinds around it, outermost first (a kind may repeat).
_Segment = tuple[tuple[str, ...], str]

_BLOCK_WHITESPACE = " \t\r\n\f"


class _Parser(HTMLParser):
    # No raw-text elements: text after <script>, <style> (and, on newer Pythons, <title>,
    # <textarea>, <xmp>, <iframe>...) is parsed like any other, so one stray tag cannot swallow
    # the rest of a post.
    CDATA_CONTENT_ELEMENTS: tuple[str, ...] = ()
    RCDATA_CONTENT_ELEMENTS: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.segments: list[_Segment] = []
        self._open: list[str] = []  # open formatting tag names, outermost first
        self._tail = ""  # the last two characters written
        self._paragraph_pending = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _KINDS:
            self._open.append(tag)
        elif tag == "br":
            self._write("\n", block_start=False)
        elif tag == "p":
            self._paragraph()

    def handle_endtag(self, tag: str) -> None:
        if tag in _KINDS:
            for index in range(len(self._open) - 1, -1, -1):
                if self._open[index] == tag:
                    del self._open[index]
                    break
        elif tag == "p":
            self._paragraph()
        # </br> is ignored: <br></br> is one line break, not two.

    def handle_data(self, data: str) -> None:
        self._write(data, block_start=True)

    def _paragraph(self) -> None:
        self._paragraph_pending = True

    def _write(self, text: str, *, block_start: bool) -> None:
        if self._paragraph_pending:
            if block_start:
                text = text.lstrip(_BLOCK_WHITESPACE)
            if not text:
                return
            self._paragraph_pending = False
            if self.segments:  # no blank line before the first paragraph, none after the last
                newlines = 2 if self._tail == "\n\n" else 1 if self._tail.endswith("\n") else 0
                self._append((), "\n" * (2 - newlines))
        self._append(tuple(_KINDS[tag] for tag in self._open), text)

    def _append(self, kinds: tuple[str, ...], text: str) -> None:
        if not text:
            return
        if self.segments and self.segments[-1][0] == kinds:
            self.segments[-1] = (kinds, self.segments[-1][1] + text)
        else:
            self.segments.append((kinds, text))
        self._tail = (self._tail + text)[-2:]


def _parse(text: str) -> list[_Segment]:
    parser = _Parser()
    parser.feed(text)
    parser.close()
    return parser.segments


# --- Unicode -----------------------------------------------------------------------------------

_DIGIT_NAMES = ("ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE")


def _by_name(names: dict[str, str]) -> dict[str, str]:
    """Characters looked up by their Unicode names, so a wrong table fails at import."""
    return {char: unicodedata.lookup(name) for char, name in names.items()}


def _mathematical(style: str, *, digits: str | None, holes: dict[str, str] | None = None) -> dict[str, str]:
    """A-Z, a-z (and 0-9 in the `digits` style) in one MATHEMATICAL style of the U+1D400 block.

    `holes` names the letterlike symbols that stand for the letters the block leaves unassigned
    because they were encoded earlier (italic h is U+210E PLANCK CONSTANT)."""
    holes = holes or {}
    names = {c: f"MATHEMATICAL {style} CAPITAL {c}" for c in string.ascii_uppercase}
    names |= {c: holes.get(c, f"MATHEMATICAL {style} SMALL {c.upper()}") for c in string.ascii_lowercase}
    if digits is not None:
        names |= {str(n): f"MATHEMATICAL {digits} DIGIT {name}" for n, name in enumerate(_DIGIT_NAMES)}
    return _by_name(names)


_BOLD = _mathematical("BOLD", digits="BOLD")
# Italic has no digits (they stay as written) and one hole in the block: small h.
_ITALIC = _mathematical("ITALIC", digits=None, holes={"h": "PLANCK CONSTANT"})
_BOLD_ITALIC = _mathematical("BOLD ITALIC", digits="BOLD")  # no bold-italic digits: bold ones
_MONOSPACE = _mathematical("MONOSPACE", digits="MONOSPACE")

_SIGNS = {"+": "PLUS SIGN", "-": "MINUS", "\u2212": "MINUS", "=": "EQUALS SIGN"}
_SIGNS |= {"(": "LEFT PARENTHESIS", ")": "RIGHT PARENTHESIS"}

_SUBSCRIPT = _by_name(
    {str(n): f"SUBSCRIPT {name}" for n, name in enumerate(_DIGIT_NAMES)}
    | {sign: f"SUBSCRIPT {name}" for sign, name in _SIGNS.items()}
    # Every small letter with a subscript form; capitals have none.
    | {c: f"LATIN SUBSCRIPT SMALL LETTER {c.upper()}" for c in "aehijklmnoprstuvx"}
)

# Superscript letters are the modifier letters every common font has (Unicode 6 and earlier).
# The ones added in Unicode 14 (small q, capital C, F, Q) show as boxes on many phones, so q, C,
# F, Q and the capitals with no form at all (S, X, Y, Z) stay as written.
_SUPERSCRIPT = _by_name(
    {str(n): f"SUPERSCRIPT {name}" for n, name in enumerate(_DIGIT_NAMES)}
    | {sign: f"SUPERSCRIPT {name}" for sign, name in _SIGNS.items()}
    | {c: f"MODIFIER LETTER SMALL {c.upper()}" for c in "abcdefghjklmoprstuvwxyz"}
    | {"i": "SUPERSCRIPT LATIN SMALL LETTER I", "n": "SUPERSCRIPT LATIN SMALL LETTER N"}
    | {c: f"MODIFIER LETTER CAPITAL {c}" for c in "ABDEGHIJKLMNOPRTUVW"}
)


def _unicode_table(kinds: tuple[str, ...]) -> dict[str, str] | None:
    """One table per run: sub/superscript (the innermost) wins, then monospace, then bold/italic."""
    for kind in reversed(kinds):
        if kind == "sub":
            return _SUBSCRIPT
        if kind == "sup":
            return _SUPERSCRIPT
    if "mono" in kinds:
        return _MONOSPACE
    bold, italic = "bold" in kinds, "italic" in kinds
    if bold and italic:
        return _BOLD_ITALIC
    if bold:
        return _BOLD
    if italic:
        return _ITALIC
    return None


def _is_mark(char: str) -> bool:
    """Combining marks, enclosing marks (U+20E3 keycap) and variation selectors (U+FE0F)."""
    return unicodedata.category(char).startswith("M")


def _render_unicode(segments: list[_Segment]) -> str:
    out: list[str] = []
    for index, (kinds, text) in enumerate(segments):
        table = _unicode_table(kinds)
        if table is None:
            out.append(text)
            continue
        following = segments[index + 1][1][:1] if index + 1 < len(segments) else ""
        chars = list(text)
        for at, char in enumerate(chars):
            after = chars[at + 1] if at + 1 < len(chars) else following
            if char in table and not (after and _is_mark(after)):
                chars[at] = table[char]
        out.append("".join(chars))
    return "".join(out)


# --- Markdown (Reddit) -------------------------------------------------------------------------

# Characters that start inline Markdown anywhere in a line: \ * _ ` ~ (strikethrough) ^
# (superscript) [ (links); > only before ! (Reddit's >!spoiler!<); & only where it would start
# an entity (&copy; &#169;).
_INLINE_SPECIAL = re.compile(r"[\\*_`~^\[]|>(?=!)|&(?=[A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#[xX][0-9A-Fa-f]+;)")
# Bare links are autolinked by Reddit and must stay byte-for-byte, so they are not escaped.
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Line starts that begin a block: heading, quote, bullet, setext underline or rule, numbered item.
_LINE_HEADING_OR_QUOTE = re.compile(r"^( {0,3})([#>])", re.MULTILINE)
_LINE_BULLET = re.compile(r"^( {0,3})([-+])(?=[ \t]|$)", re.MULTILINE)
_LINE_UNDERLINE = re.compile(r"^( {0,3})(?=(?:=+|-+)[ \t]*$)", re.MULTILINE)
_LINE_NUMBERED = re.compile(r"^( {0,3}[0-9]{1,9})([.)])(?=[ \t]|$)", re.MULTILINE)
# Characters that cannot sit inside Reddit's ^(...): it ends at the first ), and a backslash
# escape inside it ends it early too; so these are written, escaped, outside the parentheses.
_NOT_IN_SUPERSCRIPT = re.compile(r"[()]|" + _INLINE_SPECIAL.pattern)

_EMPHASIS = {"bold": "**", "italic": "*"}


def _escape(text: str) -> str:
    """Plain text escaped so that Reddit shows it as written.

    The rule: a backslash goes before every character that would start inline Markdown (`\\`,
    `*`, `_`, `` ` ``, `~`, `^`, `[`, `>` before `!`, `&` before an entity name), except inside
    bare URLs (`https://…`, `www.…`), which Reddit links as they are. Block syntax is escaped at the
    start of a line only, where it means something: by `_escape_line_starts` on the whole output."""
    out: list[str] = []
    last = 0
    for url in _URL.finditer(text):
        out.append(_INLINE_SPECIAL.sub(r"\\\g<0>", text[last : url.start()]))
        out.append(url.group())
        last = url.end()
    out.append(_INLINE_SPECIAL.sub(r"\\\g<0>", text[last:]))
    return "".join(out)


def _escape_line_starts(text: str) -> str:
    """A backslash before block syntax at the start of a line (after up to three spaces): `#`,
    `>`, a `-`/`+` bullet, a line of only `=` or `-` (setext heading underline, rule) and the `.`
    or `)` of a numbered item (`1. `). (`*` bullets are already escaped, like every `*`.)"""
    text = _LINE_HEADING_OR_QUOTE.sub(r"\1\\\2", text)
    text = _LINE_BULLET.sub(r"\1\\\2", text)
    text = _LINE_UNDERLINE.sub(r"\1\\", text)
    return _LINE_NUMBERED.sub(r"\1\\\2", text)


def _code_span(text: str) -> str:
    """Inline code: a fence one backtick longer than any backtick run inside (nothing is escaped
    in code), padded with a space where the content starts or ends with a backtick."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _superscript(text: str) -> str:
    """Reddit's `^(…)`; characters that cannot go inside are written, escaped, between groups."""
    out: list[str] = []
    last = 0
    for special in _NOT_IN_SUPERSCRIPT.finditer(text):
        out.append(_superscript_group(text[last : special.start()]))
        out.append(_escape(special.group()))
        last = special.end()
    out.append(_superscript_group(text[last:]))
    return "".join(out)


def _superscript_group(text: str) -> str:
    core = text.strip()
    if not core:
        return text
    start = text.index(core)
    return f"{text[:start]}^({core}){text[start + len(core) :]}"


def _markdown_kind(kinds: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """The emphasis delimiters to be open (outermost first) and how the text itself is written."""
    emphasis = tuple(dict.fromkeys(kind for kind in kinds if kind in _EMPHASIS))
    if "mono" in kinds:
        return emphasis, "code"
    if "sup" in kinds:
        return emphasis, "sup"
    return emphasis, "text"  # <sub> has no Markdown: plain


class _MarkdownWriter:
    """Opens and closes emphasis delimiters between words, never next to whitespace (`** x**` is
    not bold), and closes them all at a line break (emphasis does not span lines)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self._open: list[str] = []

    def _close_to(self, keep: int) -> None:
        while len(self._open) > keep:
            self.out.append(_EMPHASIS[self._open.pop()])

    def write(self, whitespace: str, emphasis: tuple[str, ...], rendered: str) -> None:
        if "\n" in whitespace:
            self._close_to(0)
        else:
            common = 0
            while common < min(len(self._open), len(emphasis)) and self._open[common] == emphasis[common]:
                common += 1
            self._close_to(common)
        self.out.append(whitespace)
        for kind in emphasis[len(self._open) :]:
            self._open.append(kind)
            self.out.append(_EMPHASIS[kind])
        self.out.append(rendered)

    def finish(self, whitespace: str) -> str:
        self._close_to(0)
        self.out.append(whitespace)
        return "".join(self.out)


def _render_markdown(segments: list[_Segment]) -> str:
    writer = _MarkdownWriter()
    writes = {"code": _code_span, "sup": _superscript, "text": _escape}
    pending = ""  # whitespace not written yet
    current: tuple[tuple[str, ...], str] | None = None  # the run being collected...
    collected: list[str] = []  # ...its words and the whitespace between them
    before = ""  # the whitespace before that run

    def flush() -> None:
        if current is not None:
            writer.write(before, current[0], writes[current[1]]("".join(collected)))

    for kinds, text in segments:
        key = _markdown_kind(kinds)
        for piece in re.findall(r"\s+|\S+", text):
            if piece.isspace():
                pending += piece
            elif key == current and "\n" not in pending:
                collected += [pending, piece]
                pending = ""
            else:
                flush()
                current, collected, before, pending = key, [piece], pending, ""
    flush()
    return _escape_line_starts(writer.finish(pending))
