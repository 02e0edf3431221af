"""Hashtags picked from a post's own text (`auto_hashtags`), offline: no model, no network.

`suggest_hashtags(text, max_tags=3)` ranks the text's keyphrases (1 or 2 words) with YAKE, from
the `yake-rust` package (a Rust port that scores as the reference implementation does; see
docs/decisions.md), and turns the best into hashtags, most relevant first:

- The keyword source is the text as shown: rich-text tags (`<b>`, `<p>`, ...) are dropped and
  entities decoded (`richtext.render(..., "plain")`). URLs (with or without a scheme, as
  twitter-text finds them), e-mail addresses, @mentions, #hashtags, $cashtags, emoji and other
  symbols are taken out and act as phrase breaks, so no keyphrase comes from them or spans them.
  A line break ends a sentence (posts use lines instead of full stops); a possessive `'s` and a
  French/Italian elision (`l'`, `qu'`, `dell'`) break a phrase. Text is read NFKC-normalised, so
  𝐛𝐨𝐥𝐝 or ｆｕｌｌｗｉｄｔｈ letters count as plain ones.
- A phrase of several words becomes CamelCase (`roadmap planning` -> `#RoadmapPlanning`; a word
  with capitals of its own keeps them: `AWS Lambda` -> `#AWSLambda`); in scripts without letter
  case (Arabic, Hebrew, Devanagari, ...) its words are joined with `_`. A single word keeps the
  form it first has in the text. A tag holds only letters, marks, digits and `_` (any script), at
  least one letter (never a pure number), and at most `MAX_TAG_CHARS` characters.
- Left out: a phrase with a stopword or a lone lowercase letter inside (`product at Linear`); a
  phrase repeating a word, or sharing one with a better-ranked tag or with a tag already in the
  text or in `exclude` (after `#AWSLambda`, neither `#AWS` nor `#Lambda`; `#CustomerSupport` in
  the text keeps out `#Customer`); a single word that is neither a name (capitals other than at a
  sentence's start: `Herald`, `API`, `iPhone`) nor repeated in the text (`join`, `week`, a
  sentence-initial `Big`); and any tag already in the text or in `exclude`, or the start or end
  of one (`#lambda` when `#awslambda` is there), compared case-insensitively.
- Deterministic: candidates are sorted here by score rounded to 9 significant digits (the
  extractor's last digits vary between processes with its hash-map order), then by the first
  position of the phrase's first word, then alphabetically.

Language: YAKE's features are language-independent, but its stopwords are per language
(`LANGUAGES`: 33 of the lists yake-rust ships; its `br` list is a subset of its Portuguese one,
not Breton, and is not used). A declared `language` (ISO 639-1 code or BCP 47 tag: `de`, `pt-BR`,
`cs`) picks its list when there is one; otherwise the list that matches most of the text's words
is used, English on a tie or when none matches. A language without a list so runs with, in effect,
no stopwords: its function words can end up inside phrases (Korean, whose words also carry their
particles, gets tags such as `#인공지능과_클라우드`).
Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Myanmar,
Tibetan) would need a dictionary-based word segmenter: YAKE's "words" there are whole clauses,
so phrases in them are never suggested.

The extractor is imported on first use: only the API imports this module, and only for a post
that asks for auto hashtags."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import regex

from herald.text import richtext, twitter

if TYPE_CHECKING:
    from yake_rust import Yake

MAX_TAG_CHARS = 30  # longer tags are hard to read (and a sign of a mis-tokenised clause)
NGRAMS = 2  # longest keyphrase, in words: 3-word phrases mostly dragged in a verb ("Introducing Nimbus Notes")

# The stopword lists yake-rust ships (the reference implementation's; "cz" is its code for Czech),
# English first: it wins a tie in detection.
LANGUAGES: tuple[str, ...] = (
    "en", "ar", "bg", "cz", "da", "de", "el", "es", "et", "fa", "fi", "fr", "hi", "hr", "hu", "hy",
    "id", "it", "ja", "lt", "lv", "nl", "no", "pl", "pt", "ro", "ru", "sk", "sl", "sv", "tr", "uk", "zh",
)  # fmt: skip
_LANGUAGE_ALIASES = {"cs": "cz", "nb": "no", "nn": "no"}

# The same hashtag as herald.text.counting counts: # or fullwidth ＃, not inside a word, not a keycap.
_HASHTAG = regex.compile(
    r"(?<![\p{L}\p{M}\p{N}_&])[#\uFF03](?![\uFE0F\u20E3])[\p{L}\p{M}\p{N}_]*[\p{L}\p{M}][\p{L}\p{M}\p{N}_]*"
)
_CASHTAG = regex.compile(r"(?<![\p{L}\p{N}_$])\$[A-Za-z]{1,6}(?:[._][A-Za-z]{1,2})?(?![\p{L}\p{N}_])")
_EMAIL = regex.compile(r"[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+")
# @user, @user@domain (Mastodon), @handle.bsky.social; not inside a word or after "/" or "=".
_MENTION = regex.compile(r"(?<![\p{L}\p{N}_/=@])[@\uFF20][\p{L}\p{N}_]+(?:[.-][\p{L}\p{N}_]+)*(?:@[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)+)?")
# Emoji and symbols (including their joiners, variation selectors, keycaps and skin tones).
_SYMBOLS = regex.compile(r"[\p{S}\p{Extended_Pictographic}\uFE0E\uFE0F\u200D\u20E3]+")
_POSSESSIVE = regex.compile(r"(?<=[\p{L}\p{N}])['’]s\b", regex.IGNORECASE)
# French and Italian elided articles and pronouns (l'hôtel, qu'on, dell'arte): the word is what follows.
_ELISION = regex.compile(
    r"(?<![\p{L}\p{M}])(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|all|dall|dell|nell|sull|un)['’](?=\p{L})", regex.IGNORECASE
)
_LINE_BREAK = regex.compile(r"[ \t]*(?:\r\n|[\n\r\u2028\u2029\u0085])\s*")
_SENTENCE_END = regex.compile(r"[.!?…。！？:;]$")
_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+")
_LETTER = regex.compile(r"\p{L}")
_CASED = regex.compile(r"[\p{Lu}\p{Ll}\p{Lt}]")
_BREAK = " , "  # a comma token: YAKE never lets a keyphrase cross punctuation
_SENTENCE_GAP = regex.compile(r"[.!?…。！？]|\s,\s")  # between two words: a sentence (or a break) ends
_ALL = 100_000  # ask the extractor for every candidate; the order is settled here
_CAMEL_BOUNDARY = regex.compile(r"\s+|(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})")
# Scripts written without spaces between words: YAKE cannot segment them, so its "words" are clauses.
_UNSPACED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}]")


def suggest_hashtags(
    text: str, *, max_tags: int, exclude: Iterable[str] = (), language: str | None = None
) -> list[str]:
    """Up to `max_tags` hashtags (with '#') for `text`, most relevant first; [] when nothing fits.

    `exclude` holds tags (with or without '#') never to suggest, besides those already in the text.
    `language` is the post's declared language, if any (see the module's docstring)."""
    if max_tags <= 0 or not text.strip():
        return []
    plain = richtext.render(text, richtext.PLAIN)
    existing = [tag.strip().lstrip("#\uFF03") for tag in exclude] + [tag[1:] for tag in _HASHTAG.findall(plain)]
    taken = {_key(tag) for tag in existing if tag}
    used_words = {word for tag in existing for word in _tag_words(tag)}
    source = _keyword_source(plain)
    words_seen = _words_seen(source)
    if not words_seen:
        return []
    lang = _language(words_seen, language)
    try:
        ranked = _extractor(lang).get_n_best(source, n=_ALL)
    except BaseException as error:  # a Rust panic (pyo3's PanicException derives from BaseException)
        if type(error).__name__ != "PanicException":
            raise
        return []
    stopwords = _stopwords(lang)
    candidates = []
    for phrase, score in ranked:
        words = _WORD.findall(unicodedata.normalize("NFKC", phrase))
        if words and not _UNSPACED.search(phrase):
            first = words_seen.get(_key(words[0]))
            # Rounded: the extractor's last digits vary between processes (hash-map order).
            candidates.append((float(f"{score:.9g}"), first.position if first else len(source), _key(phrase), words))

    tags: list[str] = []
    for *_, words in sorted(candidates, key=lambda c: c[:3]):
        keys = [_key(word) for word in words]
        if any(key in used_words for key in keys) or len(set(keys)) < len(keys):
            continue  # shares a word with a better tag, or repeats one ("Word Word")
        if len(words) > 1 and any(key in stopwords or (len(key) == 1 and key.islower()) for key in keys):
            continue  # "product at Linear"; "don t" (an apostrophe splits words)
        if len(words) == 1 and not _makes_a_tag_alone(words_seen.get(keys[0])):
            continue
        body = _tag_body(words)
        key = _key(body)
        if len(body) > MAX_TAG_CHARS or not _LETTER.search(body) or _part_of_any(key, taken):
            continue
        tags.append(f"#{body}")
        taken.add(key)
        used_words.update(keys)
        if len(tags) == max_tags:
            break
    return tags


@dataclass
class _Seen:
    """How a word (case-folded) occurs in the keyword source."""

    position: int  # of its first occurrence
    count: int = 0
    named: bool = False  # written with capitals somewhere other than at a sentence's start


def _words_seen(source: str) -> dict[str, _Seen]:
    seen: dict[str, _Seen] = {}
    previous_end = 0
    for match in _WORD.finditer(source):
        word = match[0]
        entry = seen.setdefault(_key(word), _Seen(match.start()))
        entry.count += 1
        capitals = sum(c.isupper() for c in word)
        sentence_start = previous_end == 0 or _SENTENCE_GAP.search(source, previous_end, match.start())
        if capitals > 1 or (capitals == 1 and (not word[0].isupper() or not sentence_start)):
            entry.named = True  # API, PyCon, iPhone; Herald mid-sentence
        previous_end = match.end()
    return seen


def _makes_a_tag_alone(seen: _Seen | None) -> bool:
    """A single word makes a tag when it is a name, brand or acronym (capitals not explained by a
    sentence's start) or occurs twice or more; a common word said once (`join`, `week`, a
    sentence-initial `Big`) does not."""
    return seen is not None and (seen.named or seen.count > 1)


def _part_of_any(key: str, taken: set[str]) -> bool:
    """`key` is a tag taken already, or begins or ends one (`lambda` and `awslambda`)."""
    return any(tag.startswith(key) or tag.endswith(key) for tag in taken)


def _tag_words(tag: str) -> list[str]:
    """The words of an existing tag, split at `_` and at CamelCase boundaries (`CustomerSupport`)."""
    return [_key(word) for word in _CAMEL_BOUNDARY.split(tag.replace("_", " ")) if word.strip()]


def _keyword_source(plain: str) -> str:
    """The text YAKE reads: entities and symbols replaced by phrase breaks, lines made sentences."""
    spans = list(twitter.url_spans(plain))
    for pattern in (_EMAIL, _MENTION, _HASHTAG, _CASHTAG):
        spans.extend(match.span() for match in pattern.finditer(plain))
    pieces: list[str] = []
    position = 0
    for start, end in sorted(spans):
        if end <= position:
            continue
        pieces += [plain[position : max(start, position)], _BREAK]
        position = end
    pieces.append(plain[position:])
    source = _SYMBOLS.sub(_BREAK, "".join(pieces))
    source = unicodedata.normalize("NFKC", source)  # 𝐁𝐨𝐥𝐝 and ｆｕｌｌｗｉｄｔｈ letters read as plain ones
    source = _ELISION.sub(_BREAK, _POSSESSIVE.sub(_BREAK, source))
    lines = [line.strip() for line in _LINE_BREAK.split(source)]
    return " ".join(line if _SENTENCE_END.search(line) else f"{line}." for line in lines if line)


def _tag_body(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    if not all(_CASED.search(word) for word in words):
        return "_".join(words)  # no letter case to mark the word boundaries
    return "".join(word if any(c.isupper() for c in word) else word[:1].upper() + word[1:] for word in words)


def _key(tag: str) -> str:
    return unicodedata.normalize("NFKC", tag).casefold()


def _language(words_seen: dict[str, _Seen], declared: str | None) -> str:
    if declared:
        primary = declared.strip().replace("_", "-").split("-")[0].lower()
        primary = _LANGUAGE_ALIASES.get(primary, primary)
        if primary in LANGUAGES:
            return primary
    best, best_hits = LANGUAGES[0], 0
    for lang in LANGUAGES:  # English first, so it wins ties
        stopwords = _stopwords(lang)
        hits = sum(seen.count for word, seen in words_seen.items() if word in stopwords)
        if hits > best_hits:
            best, best_hits = lang, hits
    return best


@functools.cache
def _extractor(lang: str) -> Yake:
    from yake_rust import Yake

    # Duplicates are removed here (by shared words), after a deterministic sort.
    return Yake(language=lang, ngrams=NGRAMS, remove_duplicates=False)


@functools.cache
def _stopwords(lang: str) -> frozenset[str]:
    return frozenset(word.casefold() for word in _extractor(lang).stopwords)
