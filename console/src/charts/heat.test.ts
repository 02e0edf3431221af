import { describe, expect, it } from "vitest";
import { heatLevel, levelOpacity } from "./heat";

describe("heatmap levels", () => {
  it("cuts the range into equal bands, the maximum in the top one", () => {
    expect(heatLevel(0, 0, 1)).toBe(0);
    expect(heatLevel(0.19, 0, 1)).toBe(0);
    expect(heatLevel(0.2, 0, 1)).toBe(1);
    expect(heatLevel(0.99, 0, 1)).toBe(4);
    expect(heatLevel(1, 0, 1)).toBe(4);
  });

  it("keeps values outside the range in the end bands and a flat map in the middle", () => {
    expect(heatLevel(-3, 0, 1)).toBe(0);
    expect(heatLevel(7, 0, 1)).toBe(4);
    expect(heatLevel(0.5, 0.5, 0.5)).toBe(2);
    expect(heatLevel(Number.NaN, 0, 1)).toBe(0);
  });

  it("shades from light to full", () => {
    expect(levelOpacity(0)).toBe(0.12);
    expect(levelOpacity(4)).toBe(1);
    expect(levelOpacity(2)).toBeGreaterThan(levelOpacity(1));
  });
});
