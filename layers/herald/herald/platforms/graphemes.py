"""User-perceived characters: Unicode extended grapheme clusters (UAX #29), stdlib only.

`unicodedata` has no Grapheme_Cluster_Break or Extended_Pictographic property, so the few
classes the rules need are derived here: general categories for Control/Extend/SpacingMark,
the algorithmic Hangul ranges, and tables for Prepend and Extended_Pictographic (emoji-data.txt,
Unicode 15.1). Rules GB3-GB13 are applied in full, including GB9c (Indic conjuncts, Unicode 15.1),
so emoji ZWJ sequences, skin tones, flags, keycaps, combining marks and conjuncts such as "स्ते"
each make one cluster, as `Intl.Segmenter` on current Node (the Bluesky PDS) counts them."""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

# Extended_Pictographic=Yes, as inclusive ranges (emoji-data.txt, Unicode 15.0).
_EXTENDED_PICTOGRAPHIC: tuple[tuple[int, int], ...] = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122),
    (0x2139, 0x2139), (0x2194, 0x2199), (0x21A9, 0x21AA), (0x231A, 0x231B), (0x2328, 0x2328),
    (0x2388, 0x2388), (0x23CF, 0x23CF), (0x23E9, 0x23F3), (0x23F8, 0x23FA), (0x24C2, 0x24C2),
    (0x25AA, 0x25AB), (0x25B6, 0x25B6), (0x25C0, 0x25C0), (0x25FB, 0x25FE), (0x2600, 0x2605),
    (0x2607, 0x2612), (0x2614, 0x2685), (0x2690, 0x2705), (0x2708, 0x2712), (0x2714, 0x2714),
    (0x2716, 0x2716), (0x271D, 0x271D), (0x2721, 0x2721), (0x2728, 0x2728), (0x2733, 0x2734),
    (0x2744, 0x2744), (0x2747, 0x2747), (0x274C, 0x274C), (0x274E, 0x274E), (0x2753, 0x2755),
    (0x2757, 0x2757), (0x2763, 0x2767), (0x2795, 0x2797), (0x27A1, 0x27A1), (0x27B0, 0x27B0),
    (0x27BF, 0x27BF), (0x2934, 0x2935), (0x2B05, 0x2B07), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50),
    (0x2B55, 0x2B55), (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299),
    (0x1F000, 0x1F0FF), (0x1F10D, 0x1F10F), (0x1F12F, 0x1F12F), (0x1F16C, 0x1F171),
    (0x1F17E, 0x1F17F), (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A), (0x1F1AD, 0x1F1E5),
    (0x1F201, 0x1F20F), (0x1F21A, 0x1F21A), (0x1F22F, 0x1F22F), (0x1F232, 0x1F23A),
    (0x1F23C, 0x1F23F), (0x1F249, 0x1F3FA), (0x1F400, 0x1F53D), (0x1F546, 0x1F64F),
    (0x1F680, 0x1F6FF), (0x1F774, 0x1F77F), (0x1F7D5, 0x1F7FF), (0x1F80C, 0x1F80F),
    (0x1F848, 0x1F84F), (0x1F85A, 0x1F85F), (0x1F888, 0x1F88F), (0x1F8AE, 0x1F8FF),
    (0x1F90C, 0x1F93A), (0x1F93C, 0x1F945), (0x1F947, 0x1FAFF), (0x1FC00, 0x1FFFD),
)  # fmt: skip
_PICTOGRAPHIC_STARTS = tuple(start for start, _ in _EXTENDED_PICTOGRAPHIC)

# Grapheme_Cluster_Break=Prepend (Unicode 15.0).
_PREPEND: tuple[tuple[int, int], ...] = (
    (0x0600, 0x0605), (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2),
    (0x0D4E, 0x0D4E), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x111C2, 0x111C3),
    (0x1193F, 0x1193F), (0x11941, 0x11941), (0x11A3A, 0x11A3A), (0x11A84, 0x11A89),
    (0x11D46, 0x11D46), (0x11F02, 0x11F02),
)  # fmt: skip

# Spacing marks (Mc) that are Grapheme_Extend, hence Extend rather than SpacingMark.
_EXTEND_MC = frozenset(
    [0x09BE, 0x09D7, 0x0B3E, 0x0B57, 0x0BBE, 0x0BD7, 0x0CC2, 0x0CD5, 0x0CD6, 0x0D3E, 0x0D57, 0x0DCF,
     0x0DDF, 0x1B35, 0x302E, 0x302F, 0x1133E, 0x11357, 0x114B0, 0x114BD, 0x115AF, 0x11930, 0x1D165,
     0x1D16E, 0x1D16F, 0x1D170, 0x1D171, 0x1D172]
)  # fmt: skip
# Spacing marks UAX #29 leaves out of SpacingMark (breaks are allowed before them).
_OTHER_MC = frozenset(
    [0x102B, 0x102C, 0x1038, 0x1062, 0x1063, 0x1064, 0x1067, 0x1068, 0x1069, 0x106A, 0x106B, 0x106C,
     0x106D, 0x1083, 0x1087, 0x1088, 0x1089, 0x108A, 0x108B, 0x108C, 0x108F, 0x109A, 0x109B, 0x109C,
     0x1A61, 0x1A63, 0x1A64, 0xAA7B, 0xAA7D, 0x11720, 0x11721]
)  # fmt: skip

# Indic_Conjunct_Break=Linker (viramas) and =Consonant (Unicode 15.1), for GB9c.
_CONJUNCT_LINKERS = frozenset([0x094D, 0x09CD, 0x0ACD, 0x0B4D, 0x0C4D, 0x0D4D])
_CONJUNCT_CONSONANTS: tuple[tuple[int, int], ...] = (
    (0x0915, 0x0939), (0x0958, 0x095F), (0x0978, 0x097F), (0x0995, 0x09A8), (0x09AA, 0x09B0),
    (0x09B2, 0x09B2), (0x09B6, 0x09B9), (0x09DC, 0x09DD), (0x09DF, 0x09DF), (0x09F0, 0x09F1),
    (0x0A95, 0x0AA8), (0x0AAA, 0x0AB0), (0x0AB2, 0x0AB3), (0x0AB5, 0x0AB9), (0x0AF9, 0x0AF9),
    (0x0B15, 0x0B28), (0x0B2A, 0x0B30), (0x0B32, 0x0B33), (0x0B35, 0x0B39), (0x0B5C, 0x0B5D),
    (0x0B5F, 0x0B5F), (0x0B71, 0x0B71), (0x0C15, 0x0C28), (0x0C2A, 0x0C39), (0x0C58, 0x0C5A),
    (0x0D15, 0x0D3A),
)  # fmt: skip

ZWJ = 0x200D
VARIATION_SELECTOR_16 = 0xFE0F
KEYCAP = 0x20E3


def _in_ranges(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(start <= cp <= end for start, end in ranges)


def is_extended_pictographic(cp: int) -> bool:
    index = bisect_right(_PICTOGRAPHIC_STARTS, cp) - 1
    return index >= 0 and cp <= _EXTENDED_PICTOGRAPHIC[index][1]


def is_regional_indicator(cp: int) -> bool:
    return 0x1F1E6 <= cp <= 0x1F1FF


def is_emoji_modifier(cp: int) -> bool:
    return 0x1F3FB <= cp <= 0x1F3FF


def _break_class(cp: int) -> str:
    """The Grapheme_Cluster_Break value of one code point (ExtPict folded in as its own class)."""
    if cp == 0x0D:
        return "CR"
    if cp == 0x0A:
        return "LF"
    if cp == ZWJ:
        return "ZWJ"
    if is_regional_indicator(cp):
        return "RI"
    if cp == 0x200C or is_emoji_modifier(cp) or 0xE0020 <= cp <= 0xE007F or 0xFF9E <= cp <= 0xFF9F:
        return "Extend"
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return "L"
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return "V"
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return "T"
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    if _in_ranges(cp, _PREPEND):
        return "Prepend"
    if cp in (0x0E33, 0x0EB3):
        return "SpacingMark"
    category = unicodedata.category(chr(cp))
    if category in ("Cc", "Cf", "Zl", "Zp", "Cs"):
        return "Control"
    if category in ("Mn", "Me"):
        return "Extend"
    if category == "Mc":
        if cp in _EXTEND_MC:
            return "Extend"
        return "Other" if cp in _OTHER_MC else "SpacingMark"
    if is_extended_pictographic(cp):
        return "ExtPict"
    return "Other"


_HANGUL_PAIRS = frozenset(
    [("L", "L"), ("L", "V"), ("L", "LV"), ("L", "LVT"), ("LV", "V"), ("LV", "T"), ("V", "V"), ("V", "T"),
     ("LVT", "T"), ("T", "T")]
)  # fmt: skip


@dataclass
class _Context:
    """What the rules need to know about the cluster so far."""

    previous: str = ""
    pictographic_run: bool = False  # it ends in ExtPict Extend*
    joined_pictograph: bool = False  # ... followed by a ZWJ (GB11 may join the next ExtPict)
    regional_run: int = 0  # regional indicators immediately before this point
    conjunct: int = 0  # 1: after Consonant [Extend Linker]*; 2: and a Linker was among them (GB9c)

    def advance(self, cp: int, current: str) -> None:
        if current == "ExtPict":
            self.pictographic_run, self.joined_pictograph = True, False
        elif current == "Extend":
            self.joined_pictograph = False
        elif current == "ZWJ":
            self.joined_pictograph, self.pictographic_run = self.pictographic_run, False
        else:
            self.pictographic_run = self.joined_pictograph = False
        self.regional_run = self.regional_run + 1 if current == "RI" else 0
        if _in_ranges(cp, _CONJUNCT_CONSONANTS):
            self.conjunct = 1
        elif cp in _CONJUNCT_LINKERS:
            self.conjunct = 2 if self.conjunct else 0
        elif current not in ("Extend", "ZWJ"):
            self.conjunct = 0
        self.previous = current

    def breaks_before(self, cp: int, current: str) -> bool:
        previous = self.previous
        if previous == "CR" and current == "LF":  # GB3
            return False
        if previous in ("Control", "CR", "LF") or current in ("Control", "CR", "LF"):  # GB4, GB5
            return True
        if (previous, current) in _HANGUL_PAIRS:  # GB6-GB8
            return False
        if current in ("Extend", "ZWJ", "SpacingMark") or previous == "Prepend":  # GB9, GB9a, GB9b
            return False
        if self.conjunct == 2 and _in_ranges(cp, _CONJUNCT_CONSONANTS):  # GB9c
            return False
        if previous == "ZWJ" and current == "ExtPict" and self.joined_pictograph:  # GB11
            return False
        if previous == "RI" and current == "RI":  # GB12, GB13: pair them up
            return self.regional_run % 2 == 0
        return True  # GB999


def grapheme_clusters(text: str) -> Iterator[str]:
    """Split `text` into extended grapheme clusters."""
    context = _Context()
    start = 0
    for index, char in enumerate(text):
        cp = ord(char)
        current = _break_class(cp)
        if index > 0 and context.breaks_before(cp, current):
            yield text[start:index]
            start = index
        context.advance(cp, current)
    if text:
        yield text[start:]


def grapheme_count(text: str) -> int:
    return sum(1 for _ in grapheme_clusters(text))
