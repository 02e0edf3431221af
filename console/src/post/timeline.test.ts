import { describe, expect, it } from "vitest";
import type { Post } from "../api/types";
import { timelineOf, whoLabel } from "./timeline";

const base = {
  id: "p_1",
  created_at: "2026-11-20T10:00:00Z",
  updated_at: "2026-11-20T10:00:00Z",
  published_at: null,
} as unknown as Post;
const label = (status: string) => status.toUpperCase();

describe("post timeline", () => {
  it("lists the status changes oldest first, the decision before the change it caused", () => {
    const post = {
      ...base,
      history: [
        { at: "2026-11-21T09:00:00Z", status: "scheduled", by: "key_b" },
        { at: "2026-11-20T10:00:00Z", status: "pending_approval", by: "key_a" },
        { at: "2026-11-22T09:00:00Z", status: "published", by: null },
      ],
      approval: { decision: "approved", by: "key_b", at: "2026-11-21T09:00:00Z", reason: null },
    } as unknown as Post;
    expect(timelineOf(post, label).map((e) => e.what)).toEqual(["PENDING_APPROVAL", "Approved", "SCHEDULED", "PUBLISHED"]);
    expect(timelineOf(post, label)[3].by).toBeNull();
  });

  it("shows a rejection's reason", () => {
    const post = {
      ...base,
      history: [],
      approval: { decision: "rejected", by: "key_b", at: "2026-11-21T09:00:00Z", reason: "Wrong date" },
    } as unknown as Post;
    const rejected = timelineOf(post, label).find((e) => e.what === "Rejected");
    expect(rejected?.detail).toBe("Reason: Wrong date");
  });

  it("falls back to the post's times without history", () => {
    const post = { ...base, updated_at: "2026-11-21T10:00:00Z", published_at: "2026-11-21T10:00:00Z" };
    expect(timelineOf(post, label).map((e) => e.what)).toEqual(["Created", "Last changed", "Published"]);
    expect(timelineOf(base, label).map((e) => e.what)).toEqual(["Created"]);
  });

  it("names who did it", () => {
    expect(whoLabel(null, "key_a")).toBe("Herald");
    expect(whoLabel("key_a", "key_a")).toBe("you");
    expect(whoLabel("key_b", "key_a")).toBe("another key (key_b)");
    expect(whoLabel(undefined, "key_a")).toBeUndefined();
  });
});
