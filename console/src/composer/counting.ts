// The ways networks count text, mirrored from herald/text/counting.py so the counters move as
// you type. The API's `measured` wins whenever a validation answer gives one: these are for the
// 400 ms between a keystroke and that answer, and for networks the text still fits.

export type CountMethod = "weighted" | "graphemes" | "utf8_bytes" | "characters" | "utf16_units" | "threads" | "mastodon";

const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });
const encoder = new TextEncoder();

export function graphemeClusters(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

// One emoji at the start of a grapheme cluster (herald/text/graphemes.py's _EMOJI).
const EMOJI =
  /^(?:[0-9#*]\uFE0F?\u20E3|\p{Regional_Indicator}{2}|(?:[\u00A9\u00AE]\uFE0F|(?![\u00A9\u00AE])\p{Extended_Pictographic})(?:[\uFE0F\u200D\u20E3\u{E0020}-\u{E007F}]|\p{Emoji_Modifier}|\p{Extended_Pictographic})*)/u;

/** The leading emoji of a cluster ("" when it does not start with one). */
export function leadingEmoji(cluster: string): string {
  return EMOJI.exec(cluster)?.[0] ?? "";
}

const codePoints = (text: string) => Array.from(text).length;
const utf8Bytes = (text: string) => encoder.encode(text).length;

// twitter-text's URL extraction, simplified: scheme URLs with any TLD, bare domains with a common
// TLD, but not a bare `name.<ccTLD>` without a path (except t.co).
const URL_CANDIDATE =
  /(?<![A-Za-z0-9@\uff20$#\uff03])(https?:\/\/)?((?:[\p{L}\p{N}_-]{1,63}\.){1,16}([a-z]{2,63}|[^\W\d_a-z]{2,63}))(?![a-z0-9@+-])(?::\d+)?(\/[^\s?]*)?(\?[^\s]*)?/giu;
const COMMON_TLDS = new Set(
  "com net org edu gov info biz io co dev app ai me ly tv fm gg sh xyz site online store blog news social link page shop tech cloud design".split(
    " ",
  ),
);

/** Drops trailing punctuation a URL cannot end with (a closing parenthesis only when unpaired). */
function trimUrl(url: string): string {
  let end = url.length;
  while (end > 0) {
    const last = url[end - 1];
    const opened = url.slice(0, end).split("(").length - 1;
    const closed = url.slice(0, end).split(")").length - 1;
    if (last === ")" ? closed <= opened : !".,;:!?'\"]".includes(last)) break;
    end -= 1;
  }
  return url.slice(0, end);
}

/** [start, end) of each URL X would count as 23, left to right. */
export function urlSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  for (const match of text.matchAll(URL_CANDIDATE)) {
    const [whole, scheme, host, tld, path] = match;
    const start = match.index ?? 0;
    if (!scheme) {
      const labels = host.split(".");
      const isCountry = tld.length === 2;
      if (!/^[\x00-\x7f]+$/.test(host) || (!isCountry && !COMMON_TLDS.has(tld.toLowerCase()))) continue;
      if (start > 0 && "-_./".includes(text[start - 1])) continue;
      if (isCountry && labels.length === 2 && !path && host.toLowerCase() !== "t.co") continue;
    }
    spans.push([start, start + trimUrl(whole).length]);
  }
  return spans;
}

const LIGHT_RANGES: [number, number][] = [
  [0x0000, 0x10ff],
  [0x2000, 0x200d],
  [0x2010, 0x201f],
  [0x2032, 0x2037],
];

function weigh(segment: string): number {
  let total = 0;
  for (const cluster of graphemeClusters(segment)) {
    const emoji = leadingEmoji(cluster);
    if (emoji) total += 2;
    for (const char of cluster.slice(emoji.length)) {
      const cp = char.codePointAt(0) ?? 0;
      total += LIGHT_RANGES.some(([a, b]) => cp >= a && cp <= b) ? 1 : 2;
    }
  }
  return total;
}

/** X's weighted length: URLs 23, emoji 2, CJK and most symbols 2, Latin 1. */
export function weighted(text: string): number {
  const normalized = text.normalize("NFC");
  let total = 0;
  let position = 0;
  for (const [start, end] of urlSpans(normalized)) {
    total += weigh(normalized.slice(position, start)) + 23;
    position = end;
  }
  return total + weigh(normalized.slice(position));
}

const MASTODON_MENTION = /(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(@\w+(?:[.-]+\w+)*)?/gi;

/** Mastodon: graphemes, a scheme URL as 23 and `@user@domain` as `@user`. */
export function mastodon(text: string): number {
  const entities: [number, number, string][] = urlSpans(text)
    .filter(([start, end]) => /^https?:\/\//i.test(text.slice(start, end)))
    .map(([start, end]) => [start, end, "x".repeat(23)]);
  for (const match of text.matchAll(MASTODON_MENTION)) {
    const start = match.index ?? 0;
    entities.push([start, start + match[0].length, `@${match[1]}`]);
  }
  entities.sort((a, b) => a[0] - b[0]);
  let countable = "";
  let position = 0;
  for (const [start, end, replacement] of entities) {
    if (start < position) continue;
    countable += text.slice(position, start) + replacement;
    position = end;
  }
  return graphemeClusters(countable + text.slice(position)).length;
}

/** Threads: code points, an emoji counting as its UTF-8 byte length. */
export function threads(text: string): number {
  let total = 0;
  for (const cluster of graphemeClusters(text.normalize("NFC"))) {
    const emoji = leadingEmoji(cluster);
    total += utf8Bytes(emoji) + codePoints(cluster.slice(emoji.length));
  }
  return total;
}

export function count(text: string, method: CountMethod): number {
  switch (method) {
    case "weighted":
      return weighted(text);
    case "graphemes":
      return graphemeClusters(text).length;
    case "utf8_bytes":
      return utf8Bytes(text);
    case "characters":
      return codePoints(text.normalize("NFC"));
    case "utf16_units":
      return text.length;
    case "threads":
      return threads(text);
    case "mastodon":
      return mastodon(text);
  }
}
