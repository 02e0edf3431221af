import { describe, expect, it } from "vitest";
import type { Post } from "../api/types";
import {
  createBody,
  draftFromPost,
  mediaRefs,
  moved,
  networksOf,
  newDraft,
  submitLabel,
  updateBody,
  validateBody,
  whenChoices,
  type ComposerDraft,
} from "./draft";

const ACCOUNTS = [
  { id: "acc_b", platform: "bluesky" },
  { id: "acc_x", platform: "x" },
  { id: "acc_r", platform: "reddit" },
];

function draft(changes: Partial<ComposerDraft> = {}): ComposerDraft {
  return { ...newDraft("Europe/Paris", "2026-11-23"), accountIds: ["acc_x", "acc_b"], text: "Hello", ...changes };
}

const POST = {
  id: "post_1",
  status: "scheduled",
  text: "Hello",
  title: "A title",
  media: ["med_1", "https://example.com/a.jpg"],
  overrides: { x: { text: "Hello X", title: null, media: null, options: {} }, reddit: { options: { subreddit: "python" } } },
  targets: [
    { account_id: "acc_x", platform: "x" },
    { account_id: "acc_r", platform: "reddit" },
  ],
  thread: [{ text: "Part two", media: [] }],
  first_comment: { text: "First!", media: [] },
  campaign_id: "launch",
  tags: ["a", "b"],
  scheduled_at: "2026-11-23T08:30:00Z",
  timezone: "Europe/Paris",
  requires_approval: true,
} as unknown as Post;

describe("a new post", () => {
  it("is scheduled for the chosen day at 09:00 in the profile's zone", () => {
    expect(newDraft("Europe/Paris", "2026-11-23")).toMatchObject({
      date: "2026-11-23",
      time: "09:00",
      timezone: "Europe/Paris",
      when: "schedule",
    });
  });

  it("otherwise defaults to the quarter hour after an hour from now, in the zone", () => {
    const d = newDraft("Europe/Paris", undefined, new Date("2026-11-23T10:07:00Z"));
    expect([d.date, d.time]).toEqual(["2026-11-23", "12:15"]);
  });
});

describe("request bodies", () => {
  it("schedules with a wall-clock time and its zone", () => {
    const body = createBody(draft({ time: "09:30" }), ["x", "bluesky"]);
    expect(body).toMatchObject({
      account_ids: ["acc_x", "acc_b"],
      text: "Hello",
      scheduled_at: "2026-11-23T09:30:00",
      timezone: "Europe/Paris",
      requires_approval: false,
    });
    expect(body.draft).toBeUndefined();
  });

  it("saves a draft without a date, and publishes now without one either", () => {
    const saved = createBody(draft({ when: "draft" }), ["x"]);
    expect(saved.draft).toBe(true);
    expect(saved.scheduled_at).toBeUndefined();
    expect(createBody(draft({ when: "now" }), ["x"]).scheduled_at).toBeUndefined();
  });

  it("sends only the overrides that say something, for chosen networks", () => {
    const body = createBody(
      draft({
        media: [
          { key: "1", ref: "med_1", name: "a.png", state: "ready", progress: 1 },
          { key: "2", name: "b.png", state: "uploading", progress: 0.5 },
        ],
        versions: {
          x: { text: "Just for X", title: "", media: ["med_1", "med_gone"], options: {} },
          bluesky: { text: "  ", title: "", media: null, options: { langs: "" } },
          reddit: { text: "Not chosen", title: "", media: null, options: {} },
        },
      }),
      ["x", "bluesky"],
    );
    expect(body.media).toEqual(["med_1"]);
    expect(body.overrides).toEqual({ x: { text: "Just for X", media: ["med_1"] } });
  });

  it("leaves empty thread parts, comment and campaign out", () => {
    const body = createBody(
      draft({
        thread: [
          { key: "a", text: "Two", media: [] },
          { key: "b", text: " ", media: [] },
        ],
        tags: "launch, , news,launch",
      }),
      ["x"],
    );
    expect(body.thread).toEqual([{ text: "Two", media: [] }]);
    expect(body.tags).toEqual(["launch", "news"]);
    expect(body.first_comment).toBeUndefined();
    expect(body.campaign_id).toBeUndefined();
  });

  it("validates without the draft flag, with the loaded post's other content", () => {
    const body = validateBody(draft({ when: "draft" }), ["x"], { ...POST, hashtags: ["herald"] } as Post);
    expect(body.draft).toBeUndefined();
    expect(body.hashtags).toEqual(["herald"]);
  });
});

describe("editing", () => {
  it("reads a post back in its own zone", () => {
    const d = draftFromPost(POST, "UTC");
    expect(d).toMatchObject({
      accountIds: ["acc_x", "acc_r"],
      date: "2026-11-23",
      time: "09:30",
      timezone: "Europe/Paris",
      when: "schedule",
      firstComment: "First!",
      campaignId: "launch",
      tags: "a, b",
      requiresApproval: true,
    });
    expect(d.versions.reddit.options).toEqual({ subreddit: "python" });
    expect(d.thread.map((p) => p.text)).toEqual(["Part two"]);
    expect(d.media.map((m) => m.state)).toEqual(["processing", "url"]);
    expect(mediaRefs(d.media)).toEqual(["med_1", "https://example.com/a.jpg"]);
  });

  it("clears emptied fields, and replaces an emptied network text by the post's", () => {
    const d = { ...draftFromPost(POST, "UTC"), title: "", campaignId: "", firstComment: "" };
    d.versions = { ...d.versions, x: { ...d.versions.x, text: "" } };
    const body = updateBody(d, ["x", "reddit"], POST);
    expect(body).toMatchObject({ title: null, campaign_id: null, first_comment: null, requires_approval: true });
    expect(body.overrides).toEqual({ x: { text: "Hello" }, reddit: { options: { subreddit: "python" } } });
  });

  it("offers the choices the post's status allows", () => {
    expect(whenChoices()).toEqual(["now", "schedule", "draft"]);
    expect(whenChoices("pending_approval")).toEqual(["keep", "schedule"]);
    expect(whenChoices("paused")).toContain("now");
  });
});

describe("the submit button", () => {
  it("says what it will do", () => {
    expect(submitLabel("schedule", false)).toBe("Schedule post");
    expect(submitLabel("now", false)).toBe("Publish now");
    expect(submitLabel("draft", true)).toBe("Save draft");
    expect(submitLabel("schedule", true)).toBe("Send for approval");
    expect(submitLabel("keep", false)).toBe("Save changes");
  });

  it("moves a thread part up or down, not past the ends", () => {
    expect(moved(["a", "b", "c"], 1, -1)).toEqual(["b", "a", "c"]);
    expect(moved(["a", "b", "c"], 1, 1)).toEqual(["a", "c", "b"]);
    expect(moved(["a", "b"], 0, -1)).toEqual(["a", "b"]);
  });

  it("lists networks in the console's order", () => {
    expect(networksOf(["acc_r", "acc_b", "acc_x"], ACCOUNTS)).toEqual(["x", "bluesky", "reddit"]);
  });
});
