"""LinkedIn's "little" text format for post commentary and comments.

In little, `\\ | { } @ [ ] ( ) < > # * _ ~` are reserved: unescaped, LinkedIn may cut the post at
the first one and still answer success. `commentary` escapes them everywhere except in the
elements meant as such: mention annotations `@[Name](urn:li:...)` that Herald rendered, hashtags
(`#tag`, a HashtagElement) and URLs, which must stay intact to link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from herald.text.twitter import url_spans

RESERVED = frozenset("\\|{}@[]()<>#*_~")
_HASHTAG = re.compile(r"(?<![\w#])#\w+")


def escape(text: str) -> str:
    return "".join(f"\\{ch}" if ch in RESERVED else ch for ch in text)


def _kept_spans(text: str, annotations: Iterable[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for annotation in dict.fromkeys(annotations):
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(annotation), text)]
    spans += url_spans(text)
    spans += [(m.start(), m.end()) for m in _HASHTAG.finditer(text)]
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if kept and start < kept[-1][1]:  # overlaps an earlier element (a '#' inside a URL)
            continue
        kept.append((start, end))
    return kept


def commentary(text: str, annotations: Iterable[str] = ()) -> str:
    """`text` as little: reserved characters escaped outside the mention `annotations` (exactly
    as they appear in the text), hashtags and URLs."""
    pieces, last = [], 0
    for start, end in _kept_spans(text, annotations):
        pieces += [escape(text[last:start]), text[start:end]]
        last = end
    return "".join(pieces) + escape(text[last:])
