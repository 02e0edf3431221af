"""User-perceived characters: Unicode extended grapheme clusters (UAX #29), and emoji in them.

Counted with the `regex` package's `\\X`, which follows the current Unicode version (17.0 in
regex 2026.11.15), as Bluesky does: atproto's `graphemeLen` uses unicode-segmenter (Unicode 17).
The standard library has no grapheme segmentation and its `unicodedata` lags (15.0 in Python
3.12), so newer emoji and conjunct rules would be miscounted without it."""

from __future__ import annotations

import regex

_CLUSTER = regex.compile(r"\X")
_REGIONAL_RUN = regex.compile(r"\p{Regional_Indicator}{3,}")

# One emoji at the start of a grapheme cluster: a keycap, a flag (two regional indicators), or a
# pictograph with its presentation selector, skin tones, ZWJ-joined pictographs and tag characters
# (subdivision flags). (c) and (r) are emoji only in emoji presentation (followed by U+FE0F).
_EMOJI = regex.compile(
    r"[0-9#*]\uFE0F?\u20E3"
    r"|\p{Regional_Indicator}{2}"
    r"|(?:[\u00A9\u00AE]\uFE0F|(?![\u00A9\u00AE])\p{Extended_Pictographic})"
    r"(?:[\uFE0F\u200D\u20E3\U000E0020-\U000E007F]|\p{Emoji_Modifier}|\p{Extended_Pictographic})*"
)


def grapheme_clusters(text: str) -> list[str]:
    """`text` split into extended grapheme clusters."""
    # For each flag, `\X` looks back over the whole run of regional indicators before it, which is
    # quadratic on a long run (100,000 of them took half a minute). Runs pair up from their start
    # (UAX #29 GB12, GB13), so the text is cut between pairs first and each piece split alone.
    clusters: list[str] = []
    start = 0
    for run in _REGIONAL_RUN.finditer(text):
        for cut in range(run.start() + 2, run.end(), 2):
            clusters += _CLUSTER.findall(text[start:cut])
            start = cut
    clusters += _CLUSTER.findall(text[start:])
    return clusters


def grapheme_count(text: str) -> int:
    return len(grapheme_clusters(text))


def emoji_length(cluster: str) -> int:
    """How many leading code points of a grapheme cluster form one emoji (0: it is not an emoji)."""
    match = _EMOJI.match(cluster)
    return match.end() if match else 0
