import { describe, expect, it } from "vitest";
import { count, urlSpans } from "./counting";
import { measure } from "./limits";

// Expected values are what herald/text/counting.py answers for the same strings.
const CASES: [string, number, number, number, number, number][] = [
  // text, weighted, graphemes, threads, mastodon, utf16
  ["hello", 5, 5, 5, 5, 5],
  ["hello https://example.com/abc", 29, 29, 29, 29, 29],
  ["日本", 4, 2, 2, 2, 2],
  ["👍", 2, 1, 4, 1, 2],
  ["👨\u200d👩\u200d👧", 2, 1, 18, 1, 8],
  ["file.py", 7, 7, 7, 7, 7],
  ["t.co", 23, 4, 4, 4, 4],
  ["site.io/x", 23, 9, 9, 9, 9],
  ["www.example.com", 23, 15, 15, 15, 15],
  ["Check (https://example.com).", 32, 28, 28, 32, 28],
  ["see https://en.wikipedia.org/wiki/Foo_(bar) ok", 30, 46, 46, 30, 46],
  ["a\u0301", 1, 1, 1, 1, 2],
];

describe("counting like each network", () => {
  it.each(CASES)("%s", (text, weighted, graphemes, threads, mastodon, utf16) => {
    expect(count(text, "weighted")).toBe(weighted);
    expect(count(text, "graphemes")).toBe(graphemes);
    expect(count(text, "threads")).toBe(threads);
    expect(count(text, "mastodon")).toBe(mastodon);
    expect(count(text, "utf16_units")).toBe(utf16);
  });

  it("counts a remote Mastodon mention as its local part", () => {
    expect(count("hi @alice@example.social", "mastodon")).toBe(9);
  });

  it("counts bytes and code points", () => {
    expect(count("é👍", "utf8_bytes")).toBe(6);
    expect(count("e\u0301", "characters")).toBe(1);
  });

  it("finds URLs with and without a scheme, keeping trailing punctuation out", () => {
    const text = "Go to https://a.example/x. Or www.b.com, then c.io";
    expect(urlSpans(text).map(([s, e]) => text.slice(s, e))).toEqual(["https://a.example/x", "www.b.com"]);
  });
});

describe("limits", () => {
  it("uses Telegram's caption limit once media is attached", () => {
    expect(measure("telegram", "hi", false).limit.limit).toBe(4096);
    expect(measure("telegram", "hi", true).limit.limit).toBe(1024);
  });

  it("counts X with URLs as 23 against 280", () => {
    const { count: n, limit } = measure("x", "https://example.com/a/very/long/path/that/would/be/long", false);
    expect([n, limit.limit, limit.unit]).toEqual([23, 280, "weighted characters"]);
  });

  it("counts a YouTube description in bytes", () => {
    expect(measure("youtube", "é", false)).toMatchObject({ count: 2, limit: { limit: 5000, unit: "bytes" } });
  });
});
