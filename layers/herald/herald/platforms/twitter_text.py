"""X's weighted text length (twitter-text configuration v3), stdlib only.

The text is NFC-normalised; every URL counts 23; every emoji sequence (ZWJ, skin tone, flag,
keycap, tag sequence) counts 2 as a whole; any other code point counts 1 in the v3 ranges below
and 2 elsewhere (CJK, most symbols).

URL detection follows twitter-text's extractor: `http(s)://` URLs with any alphabetic TLD, and
bare ASCII domains whose TLD twitter-text knows, except a bare `name.<ccTLD>` without a path
(so "file.py" is text but "t.co", "www.site.io" and "site.io/x" are URLs). Its full list has
about 1,500 generic TLDs; the common ones are kept here, so a bare domain under a rare generic TLD
counts as text. A URL with a scheme is always found."""

from __future__ import annotations

import re
import unicodedata

from herald.platforms.graphemes import (
    KEYCAP,
    VARIATION_SELECTOR_16,
    ZWJ,
    grapheme_clusters,
    is_emoji_modifier,
    is_extended_pictographic,
    is_regional_indicator,
)

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
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

# Candidates only; `_accept` applies the rules a regex cannot (TLD lists, label lengths, preceding char).
_URL_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9@\uff20$#\uff03\u202a-\u202e])"
    r"(?P<scheme>https?://)?"
    r"(?P<host>(?:[\w-]+\.)+(?P<tld>[a-z]{2,63}))(?![a-z0-9@+-])"
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
        if _accept(text, match):
            end = _trim_end(text, match)
            spans.append((match.start(), end))
            position = end
        else:
            position = match.start() + 1
    return spans


def _accept(text: str, match: re.Match[str]) -> bool:
    labels = match["host"].split(".")
    if not all(_valid_label(label) for label in labels) or "_" in labels[-2]:
        return False
    if match["scheme"]:
        return True
    tld = match["tld"].lower()
    if not match["host"].isascii() or tld not in _COUNTRY_TLDS | _GENERIC_TLDS:
        return False
    if match.start() > 0 and text[match.start() - 1] in "-_./":
        return False
    is_short_country_domain = tld in _COUNTRY_TLDS and len(labels) == 2 and not match["path"]
    return not is_short_country_domain or match["host"].lower() == "t.co"


def _valid_label(label: str) -> bool:
    if not label or label.startswith("-") or label.endswith("-"):
        return False
    try:
        encoded = label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
    except UnicodeError:
        return False
    return len(encoded) <= 63


def _trim_end(text: str, match: re.Match[str]) -> int:
    """Drop trailing punctuation a URL cannot end with (a closing parenthesis only when unpaired)."""
    end = match.end()
    host_end = match.end("host")
    while end > host_end:
        last = text[end - 1]
        url = text[match.start() : end]
        if _PATH_END.match(last) or (last == ")" and url.count("(") >= url.count(")")):
            break
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
        code_points = [ord(char) for char in cluster]
        emoji_length = _emoji_prefix_length(code_points)
        if emoji_length:
            total += EMOJI_WEIGHT
        total += sum(_code_point_weight(cp) for cp in code_points[emoji_length:])
    return total


def _code_point_weight(cp: int) -> int:
    return 1 if any(start <= cp <= end for start, end in _LIGHT_RANGES) else 2


def _emoji_prefix_length(code_points: list[int]) -> int:
    """How many leading code points of a grapheme cluster form one emoji (0: not an emoji)."""
    first, rest = code_points[0], code_points[1:]
    if chr(first) in "0123456789#*":
        if rest[:2] == [VARIATION_SELECTOR_16, KEYCAP]:
            return 3
        return 2 if rest[:1] == [KEYCAP] else 0
    if is_regional_indicator(first):
        return 2 if rest and is_regional_indicator(rest[0]) else 0
    if not is_extended_pictographic(first):
        return 0
    if first < 0x2000 and rest[:1] != [VARIATION_SELECTOR_16]:
        return 0  # (c) and (r) are emoji only in emoji presentation
    length = 1
    for cp in rest:
        if not _continues_emoji(cp):
            break
        length += 1
    return length


def _continues_emoji(cp: int) -> bool:
    return (
        cp in (VARIATION_SELECTOR_16, ZWJ, KEYCAP)
        or is_emoji_modifier(cp)
        or is_extended_pictographic(cp)
        or 0xE0020 <= cp <= 0xE007F  # tag sequences (subdivision flags)
    )
