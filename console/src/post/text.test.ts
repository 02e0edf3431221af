import { describe, expect, it } from "vitest";
import { excerpt, plainText } from "./text";

describe("post text", () => {
  it("reads rich text as plain text", () => {
    expect(plainText("<p>Hello <b>world</b></p><p>Second</p>")).toBe("Hello world\n\nSecond");
    expect(plainText("a<br>b &lt;3 &amp; more")).toBe("a\nb <3 & more");
    expect(plainText(null)).toBe("");
  });

  it("cuts an excerpt on one line at the length, emoji whole", () => {
    expect(excerpt("Short one")).toBe("Short one");
    expect(excerpt("line one\nline two", 40)).toBe("line one line two");
    const cut = excerpt("🎉".repeat(50), 10);
    expect(Array.from(cut)).toHaveLength(10);
    expect(cut.endsWith("…")).toBe(true);
    expect(cut.includes("\uFFFD")).toBe(false);
  });
});
