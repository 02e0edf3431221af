import { describe, expect, it } from "vitest";
import { compactNumber, countTicks, linearScale, nearestIndex, niceStep, niceTicks } from "./scale";
import { chartColor } from "./color";
import { valueAt } from "./series";
import { timeStep, timeTickInstants, timeTicks } from "./timeTicks";

describe("linear scales", () => {
  it("maps a domain onto a range, inverted ranges included (SVG y grows downwards)", () => {
    const y = linearScale([0, 100], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(50)).toBe(100);
    expect(y(100)).toBe(0);
  });

  it("puts every value in the middle when the domain has no width", () => {
    expect(linearScale([5, 5], [0, 10])(5)).toBe(5);
  });
});

describe("ticks", () => {
  it("steps by 1, 2, 2.5 or 5 times a power of ten", () => {
    expect(niceStep(100, 5)).toBe(20);
    expect(niceStep(1, 4)).toBe(0.25);
    expect(niceStep(7300, 5)).toBe(2000);
  });

  it("covers the data with round numbers", () => {
    expect(niceTicks(0, 93, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 0.083, 4)).toEqual([0, 0.025, 0.05, 0.075, 0.1]);
    expect(niceTicks(3, 3)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0, 0)).toEqual([0, 1]);
  });

  it("counts in whole numbers", () => {
    expect(countTicks(2)).toEqual([0, 1, 2]);
    expect(countTicks(0)).toEqual([0, 1]);
    expect(countTicks(1234, 4)).toEqual([0, 500, 1000, 1500]);
    expect(countTicks(12, 5).every(Number.isInteger)).toBe(true);
    expect(countTicks(12, 5).at(-1)).toBeGreaterThanOrEqual(12);
  });

  it("finds the nearest value for a pointer position", () => {
    expect(nearestIndex([0, 10, 20], 14)).toBe(1);
    expect(nearestIndex([0, 10, 20], 16)).toBe(2);
    expect(nearestIndex([0, 10, 20], -5)).toBe(0);
    expect(nearestIndex([], 3)).toBe(-1);
  });

  it("writes big numbers short", () => {
    expect(compactNumber(1234, "en")).toBe("1.2K");
    expect(compactNumber(2_500_000, "en")).toBe("2.5M");
    expect(compactNumber(42, "en")).toBe("42");
  });
});

describe("time ticks in the profile's zone", () => {
  const at = (iso: string) => new Date(iso).getTime();

  it("picks a step giving at most the wanted count", () => {
    expect(timeStep(at("2026-11-23T00:00:00Z"), at("2026-11-23T12:00:00Z"), 6)).toBe(2);
    expect(timeStep(at("2026-11-01T00:00:00Z"), at("2026-11-30T00:00:00Z"), 6)).toBe(168);
  });

  it("ticks at the zone's whole hours, not UTC's", () => {
    // Kolkata is UTC+5:30: its 06:00 is 00:30 UTC.
    const ticks = timeTickInstants(at("2026-11-23T00:00:00Z"), at("2026-11-23T06:00:00Z"), "Asia/Kolkata", 3);
    expect(ticks.map((t) => new Date(t).toISOString())).toEqual(["2026-11-23T00:30:00.000Z", "2026-11-23T03:30:00.000Z"]);
  });

  it("ticks at midnights (Mondays for weeks) and through a DST change", () => {
    const days = timeTickInstants(at("2026-10-24T12:00:00Z"), at("2026-10-27T12:00:00Z"), "Europe/Paris", 24);
    // Paris leaves summer time on 25 October: midnight is 22:00 UTC before, 23:00 UTC after.
    expect(days.map((t) => new Date(t).toISOString())).toEqual([
      "2026-10-24T22:00:00.000Z",
      "2026-10-25T23:00:00.000Z",
      "2026-10-26T23:00:00.000Z",
    ]);
    const weeks = timeTickInstants(at("2026-11-01T00:00:00Z"), at("2026-11-20T00:00:00Z"), "UTC", 168);
    expect(weeks.map((t) => new Date(t).toISOString().slice(0, 10))).toEqual(["2026-11-02", "2026-11-09", "2026-11-16"]);
  });

  it("labels the first tick and each new day with the date", () => {
    const ticks = timeTicks(at("2026-11-23T18:00:00Z"), at("2026-11-24T06:00:00Z"), "UTC", 3, "en-GB");
    expect(ticks.map((t) => t.label)).toEqual(["23 Nov 18:00", "24 Nov 00:00", "06:00"]);
  });
});

describe("series helpers", () => {
  it("keeps a series' value between two collections", () => {
    const points = [
      { x: 10, y: 1 },
      { x: 20, y: 5 },
    ];
    expect(valueAt(points, 5)).toBeUndefined();
    expect(valueAt(points, 10)).toBe(1);
    expect(valueAt(points, 19)).toBe(1);
    expect(valueAt(points, 99)).toBe(5);
  });

  it("draws near-black brand colours in the text colour", () => {
    expect(chartColor("#111111")).toBe("var(--text)");
    expect(chartColor("#0a66c2")).toBe("#0a66c2");
    expect(chartColor("var(--accent)")).toBe("var(--accent)");
  });
});
