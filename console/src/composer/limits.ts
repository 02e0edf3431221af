// Each network's text limits as herald/text/rules.py has them, with the way it counts. Used for the
// counters until (and where) a validation answer gives the measured length itself.
import { count, type CountMethod } from "./counting";

export interface TextLimit {
  limit: number;
  method: CountMethod;
  unit: string; // "characters", "weighted characters", "bytes"
}

export interface NetworkLimits {
  text: TextLimit;
  caption?: TextLimit; // replaces `text` when media is attached (Telegram)
  title?: TextLimit; // the networks with a title field
  titleRequired?: boolean;
  threads?: boolean; // takes `thread` parts as a reply chain
  rule: string; // the counting rule in words, shown as a hint
}

const chars = (limit: number): TextLimit => ({ limit, method: "characters", unit: "characters" });

export const LIMITS: Record<string, NetworkLimits> = {
  x: {
    text: { limit: 280, method: "weighted", unit: "weighted characters" },
    threads: true,
    rule: "Weighted: each URL counts 23, emoji and CJK characters 2.",
  },
  bluesky: {
    text: { limit: 300, method: "graphemes", unit: "characters" },
    threads: true,
    rule: "300 characters as you see them (graphemes), and at most 3,000 bytes.",
  },
  mastodon: {
    text: { limit: 500, method: "mastodon", unit: "characters" },
    threads: true,
    rule: "500 characters (the instance may allow more); each URL counts 23, a remote @user@domain as @user.",
  },
  threads: {
    text: { limit: 500, method: "threads", unit: "characters" },
    threads: true,
    rule: "500 characters; an emoji counts as its byte length.",
  },
  linkedin: { text: chars(3000), rule: "3,000 characters." },
  instagram: { text: chars(2200), rule: "2,200 characters, at most 30 hashtags; media required." },
  facebook: { text: chars(63206), rule: "63,206 characters." },
  telegram: {
    text: { limit: 4096, method: "utf16_units", unit: "characters" },
    caption: { limit: 1024, method: "utf16_units", unit: "characters" },
    rule: "4,096 characters, or 1,024 as a media caption (UTF-16 units: an emoji may count 2).",
  },
  youtube: {
    text: { limit: 5000, method: "utf8_bytes", unit: "bytes" },
    title: chars(100),
    titleRequired: true,
    rule: "Title up to 100 characters (required); description up to 5,000 bytes; one video.",
  },
  tiktok: {
    text: { limit: 2200, method: "utf16_units", unit: "characters" },
    rule: "2,200 characters; a video or photos required.",
  },
  pinterest: { text: chars(500), title: chars(100), rule: "Description 500 characters, title 100; a board is required." },
  reddit: {
    text: chars(40000),
    title: chars(300),
    titleRequired: true,
    rule: "Title up to 300 characters (required); a subreddit is required.",
  },
  google_business: { text: chars(1500), rule: "1,500 characters; one photo at most." },
};

const FALLBACK: NetworkLimits = { text: chars(5000), rule: "" };

export function limitsFor(network: string): NetworkLimits {
  return LIMITS[network] ?? FALLBACK;
}

/** The limit that applies to the text on `network` (Telegram's caption once media is attached). */
export function textLimit(network: string, hasMedia: boolean): TextLimit {
  const limits = limitsFor(network);
  return hasMedia && limits.caption ? limits.caption : limits.text;
}

export function hasTitle(network: string): boolean {
  return Boolean(limitsFor(network).title);
}

export function takesThreads(network: string): boolean {
  return Boolean(limitsFor(network).threads);
}

export function measure(network: string, text: string, hasMedia: boolean): { count: number; limit: TextLimit } {
  const limit = textLimit(network, hasMedia);
  return { count: count(text, limit.method), limit };
}
