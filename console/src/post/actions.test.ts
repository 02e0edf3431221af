import { describe, expect, it } from "vitest";
import { availableActions, isSettling } from "./actions";

const editor = { edit: true, approve: false, admin: false };
const approver = { edit: true, approve: true, admin: false };
const viewer = { edit: false, approve: false, admin: false };

describe("post actions", () => {
  it("follows the lifecycle table", () => {
    expect(availableActions("scheduled", editor)).toEqual(["edit", "publish", "pause", "cancel"]);
    expect(availableActions("paused", editor)).toEqual(["edit", "publish", "resume", "cancel"]);
    expect(availableActions("failed", editor)).toEqual(["retry", "delete"]);
    expect(availableActions("published", editor)).toEqual(["delete"]);
    expect(availableActions("publishing", editor)).toEqual([]);
    expect(availableActions("cancelled", approver)).toEqual([]);
  });

  it("shows approve and reject to approvers only", () => {
    expect(availableActions("pending_approval", editor)).toEqual(["edit", "cancel"]);
    expect(availableActions("pending_approval", approver)).toEqual(["edit", "approve", "reject", "cancel"]);
  });

  it("shows a viewer nothing to do", () => {
    for (const status of ["draft", "scheduled", "paused", "failed", "pending_approval"]) {
      expect(availableActions(status, viewer)).toEqual([]);
    }
  });

  it("polls only while Herald may change the post by itself", () => {
    expect(isSettling("scheduled")).toBe(true);
    expect(isSettling("publishing")).toBe(true);
    expect(isSettling("published")).toBe(false);
    expect(isSettling("paused")).toBe(false);
  });
});
