import { describe, expect, it } from "vitest";
import type { Validation } from "../api/types";
import { detailsBySpot, problemsOf, spotOf, summary } from "./problems";

describe("where problems are shown", () => {
  it("maps fields to the composer's spots", () => {
    expect(spotOf("text")).toBe("text");
    expect(spotOf("body.scheduled_at")).toBe("when");
    expect(spotOf("thread[2].text")).toBe("thread[2]");
    expect(spotOf("thread")).toBe("thread");
    expect(spotOf("first_comment.media")).toBe("first_comment");
    expect(spotOf("account_ids")).toBe("accounts");
    expect(spotOf("media[0]")).toBe("media");
    expect(spotOf("subreddit")).toBe("options");
    expect(spotOf("title")).toBe("title");
    expect(spotOf("tracking_id")).toBe("general");
    expect(spotOf(undefined)).toBe("general");
  });

  it("groups an envelope's details, making a message for those without one", () => {
    const spots = detailsBySpot([
      { network: "x", field: "text", message: "X counts this text as 291 of 280 weighted characters" },
      { field: "tags.0", in: "body", issue: "string_too_long" },
      { field: "scheduled_at", message: "Invalid date" },
      { post_id: "post_1" },
    ]);
    expect(spots.get("text")).toEqual(["X counts this text as 291 of 280 weighted characters"]);
    expect(spots.get("when")).toEqual(["Invalid date"]);
    expect(spots.get("general")).toEqual(["tags.0: string too long"]);
    expect(spots.size).toBe(3);
  });

  it("splits a validation answer by network and sums it up", () => {
    const result: Validation = {
      valid: false,
      networks: ["x", "bluesky"],
      errors: [{ network: "x", field: "text", code: "invalid_content", message: "too long", severity: "error" }],
      warnings: [{ network: null, field: "scheduled_at", code: "scheduled_soon", message: "soon", severity: "warning" }],
      previews: [],
    };
    expect(problemsOf(result, "x").errors).toHaveLength(1);
    expect(problemsOf(result, "bluesky").errors).toHaveLength(0);
    expect(problemsOf(result, null).warnings).toHaveLength(1);
    expect(summary(result, ["x", "bluesky"])).toBe("Checked: 1 network has a problem.");
    expect(summary({ ...result, errors: [] }, ["x", "bluesky"])).toBe("Checked: every network accepts this post.");
  });
});
