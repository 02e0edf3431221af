import { describe, expect, it } from "vitest";
import type { ContentProblem } from "../api/types";
import { describe as describeCounter, textCounter, titleCounter, unitOf } from "./counters";

const overX: ContentProblem = {
  network: "x",
  field: "text",
  code: "invalid_content",
  limit: 280,
  measured: 291,
  severity: "error",
  message: "X counts this text as 291 of 280 weighted characters",
};

describe("counters", () => {
  it("counts the typed text when there is no answer yet", () => {
    const c = textCounter({ network: "bluesky", text: "héllo 👋", hasMedia: false });
    expect(c).toMatchObject({ count: 7, limit: 300, over: false, unit: "characters" });
    expect(describeCounter(c)).toBe("7 / 300");
  });

  it("takes the API's measured length over its own count", () => {
    const c = textCounter({ network: "x", text: "short", hasMedia: false, problems: [overX] });
    expect(c).toMatchObject({ count: 291, limit: 280, over: true, unit: "weighted characters" });
  });

  it("ignores another network's problem", () => {
    expect(textCounter({ network: "bluesky", text: "short", hasMedia: false, problems: [overX] }).count).toBe(5);
  });

  it("counts what the network would receive when a preview is current", () => {
    const previews = [{ network: "x", account_id: "acc_1", steps: [{ kind: "post" as const, text: "hi #tag", media: [] }] }];
    expect(textCounter({ network: "x", text: "hi", hasMedia: false, previews }).count).toBe(7);
  });

  it("has a title counter only where the network has a title", () => {
    expect(titleCounter({ network: "youtube", text: "", title: "A title", hasMedia: true })).toMatchObject({ count: 7, limit: 100 });
    expect(titleCounter({ network: "x", text: "", title: "A title", hasMedia: false })).toBeUndefined();
  });

  it("formats big numbers and reads units from messages", () => {
    expect(describeCounter({ network: "facebook", field: "text", count: 1200, limit: 63206, unit: "characters", over: false })).toBe(
      "1,200 / 63,206",
    );
    expect(unitOf("Bluesky counts this text as 3,010 of 3,000 bytes")).toBe("bytes");
    expect(unitOf("Something else")).toBeUndefined();
  });
});
