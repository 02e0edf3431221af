import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, mediaFacts, reportFor } from "./mediaFacts";

describe("media facts", () => {
  it("describes an image and a video", () => {
    expect(mediaFacts({ kind: "image", width: 1080, height: 1350, duration_seconds: null, bytes: 250_000, format: "jpeg" })).toBe(
      "image · 1080×1350 · 244 KB",
    );
    expect(mediaFacts({ kind: "video", width: 1920, height: 1080, duration_seconds: 75.4, bytes: 5_500_000, format: "mp4" })).toBe(
      "video · 1920×1080 · 1 min 15 s · 5.2 MB",
    );
    expect(mediaFacts({ kind: null, width: null, height: null, duration_seconds: null, bytes: null, format: null })).toBe("");
  });

  it("formats sizes and lengths", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatDuration(4.25)).toBe("4.3 s");
    expect(formatDuration(42)).toBe("42 s");
  });

  it("reports only the chosen networks, refusals first", () => {
    const report = reportFor(
      [
        { network: "x", ok: true, reasons: [], suggestions: [] },
        { network: "instagram", ok: false, reasons: ["too wide"], suggestions: ["crop to 4:5"] },
        { network: "youtube", ok: false, reasons: ["not a video"], suggestions: [] },
      ],
      ["x", "instagram"],
    );
    expect(report.map((c) => c.network)).toEqual(["instagram", "x"]);
  });
});
