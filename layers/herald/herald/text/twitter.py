"""X's weighted text length (twitter-text configuration v3).

The text is NFC-normalised; every URL counts 23; every emoji sequence (ZWJ, skin tone, flag,
keycap, tag sequence) counts 2 as a whole; any other code point counts 1 in the v3 ranges below
and 2 elsewhere (CJK, most symbols). Emoji are recognised at the start of each grapheme cluster
by their Unicode properties (the `regex` package, current Unicode). Checked against
twitter-text's conformance examples (tests/unit/test_text_counting.py).

URL detection follows twitter-text's extractor: `http(s)://` URLs with any alphabetic TLD
(internationalised ones such as `.پاکستان` too), and bare ASCII domains whose TLD twitter-text
knows, except a bare `name.<ccTLD>` without a path (so "file.py" is text but "t.co",
"www.site.io" and "site.io/x" are URLs). Its full list has about 1,500 generic TLDs; the common
ones are kept here, so a bare domain under a rare generic TLD counts as text. A URL longer than
4,096 characters is text, as in twitter-text.

Known differences from twitter-text 3.1.0 (npm), which may or may not be X's today: it links a bare
`name.<ccTLD>` too ("file.py" weighs 23 there, 7 here; tests/contract/test_x.py pins 7), and its
emoji list stops at Unicode 11, so a newer ZWJ sequence weighs per code point there (phoenix 5,
transgender flag 7) and 2 here."""

from __future__ import annotations

import re
import unicodedata

from herald.text.graphemes import emoji_length, grapheme_clusters

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
MAX_URL_LENGTH = 4096  # twitter-text: a longer URL is not linked, so it counts as text
EMOJI_WEIGHT = 2
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))  # weight 1

_COUNTRY_TLDS = frozenset(
    """ac ad ae af ag ai al am an ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo bq br bs
    bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg eh er
    es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id
    ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly
    ma mc md me mf mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz
    om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so
    sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tp tr tt tv tw tz ua ug uk um us uy uz va vc ve
    vg vi vn vu wf ws ye yt za zm zw""".split()
)
_GENERIC_TLDS = frozenset(
    """academy accountant aero agency app arpa art asia auto bank bar beauty beer bid bike biz black blog blue
    business cafe capital car cars cat center chat church city click cloud club codes coffee com community
    company computer consulting coop cricket data date design dev digital directory domains download earth
    edu education email energy estate events exchange expert express faith family farm fashion film finance
    fitness food football foundation fun fund fyi gallery game games garden global gmbh golf gov green group
    guide guru health help homes host hosting house how icu inc info ink insurance int jobs kitchen land law
    legal life link live llc loan lol london love ltd market marketing markets media men mil mobi money movie
    museum music name net network news ninja nyc one online org page paris party photo photography photos
    pink pizza plus porn post press pro properties pub racing radio realty recipes red rentals report
    restaurant review reviews rocks run school science security services sexy shop show site soccer social
    software solar solutions space store stream studio style systems taxi team tech technology tel tickets
    tips today tokyo tools top tours trade travel university vegas ventures video vip watch webcam website
    wiki win wine work works world wtf xxx xyz yoga zone""".split()
)

_KNOWN_TLDS = _COUNTRY_TLDS | _GENERIC_TLDS

# Candidates only; `_accept` applies the rules a regex cannot (TLD lists, label lengths, preceding char).
# Labels are bounded (63 characters, possessive) and so is their number (16), so a search costs
# little per start position even on text like "a.a.a.a…" (unbounded, that took minutes on 100 kB).
# Directional marks may precede a URL; the invalid characters U+FEFF, U+FFFE, U+FFFF may not.
_URL_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9@\uff20$#\uff03\ufeff\ufffe\uffff])"
    r"(?P<scheme>https?://)?"
    r"(?P<host>(?:[\w-]{1,63}+\.){1,16}(?P<tld>[a-z]{2,63}|[^\W\d_a-z]{2,63}))(?![a-z0-9@+-])"
    r"(?::\d+)?"
    r"(?P<path>/[a-z0-9\u00c0-\u024f\u0300-\u036f\u0400-\u04ff\u1e00-\u1eff!*';:=+,.$/%#\[\]\-\u2013_~&|@()]*)?"
    r"(?P<query>\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*)?",
    re.IGNORECASE,
)
_PATH_END = re.compile(r"[a-z0-9\u00c0-\u024f\u0400-\u04ff\u1e00-\u1eff=_#/+&-]", re.IGNORECASE)


def url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each URL twitter-text would extract from `text`, left to right."""
    spans: list[tuple[int, int]] = []
    position = 0
    while match := _URL_CANDIDATE.search(text, position):
        if not _accept(text, match):
            position = match.start() + 1
            continue
        end = _trim_end(text, match)
        if _ascii_length(match, end) > MAX_URL_LENGTH:
            position = match.end()  # too long: the whole candidate is text
            continue
        spans.append((match.start(), end))
        position = end
    return spans


def _accept(text: str, match: re.Match[str]) -> bool:
    tld = match["tld"].lower()
    if not match["scheme"] and (not match["host"].isascii() or tld not in _KNOWN_TLDS):
        return False  # checked first: cheap, and it spares punycode on every CJK start position
    labels = match["host"].split(".")
    if not all(_valid_label(label) for label in labels) or "_" in labels[-2]:
        return False
    if match["scheme"]:
        return True
    if match.start() > 0 and text[match.start() - 1] in "-_./":
        return False
    is_short_country_domain = tld in _COUNTRY_TLDS and len(labels) == 2 and not match["path"]
    return not is_short_country_domain or match["host"].lower() == "t.co"


def _valid_label(label: str) -> bool:
    if not label or label.startswith("-") or label.endswith("-"):
        return False
    try:
        return len(_ascii_label(label)) <= 63
    except UnicodeError:
        return False


def _ascii_label(label: str) -> str:
    return label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")


def _ascii_length(match: re.Match[str], end: int) -> int:
    """The URL's length as twitter-text limits it: with a scheme (https:// when it has none) and
    its host in punycode."""
    host = match["host"]
    ascii_host = ".".join(_ascii_label(label) for label in host.split("."))
    scheme = "" if match["scheme"] else "https://"
    return len(scheme) + (end - match.start()) + len(ascii_host) - len(host)


def _trim_end(text: str, match: re.Match[str]) -> int:
    """Drop trailing punctuation a URL cannot end with (a closing parenthesis only when unpaired)."""
    end = match.end()
    host_end = match.end("host")
    url = text[match.start() : end]
    opened, closed = url.count("("), url.count(")")
    while end > host_end:
        last = text[end - 1]
        if _PATH_END.match(last) or (last == ")" and opened >= closed):
            break
        if last == "(":
            opened -= 1
        elif last == ")":
            closed -= 1
        end -= 1
    return end


def weighted_length(text: str) -> int:
    normalized = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for start, end in url_spans(normalized):
        total += _weigh(normalized[position:start]) + URL_WEIGHT
        position = end
    return total + _weigh(normalized[position:])


def _weigh(segment: str) -> int:
    total = 0
    for cluster in grapheme_clusters(segment):
        emoji = emoji_length(cluster)
        if emoji:
            total += EMOJI_WEIGHT
        total += sum(_code_point_weight(ord(char)) for char in cluster[emoji:])
    return total


def _code_point_weight(cp: int) -> int:
    return 1 if any(start <= cp <= end for start, end in _LIGHT_RANGES) else 2
