// Which actions a post offers, by its status (the API's lifecycle table) and the key's role.
import type { Abilities } from "../me";

export type ActionName =
  | "edit"
  | "publish"
  | "pause"
  | "resume"
  | "retry"
  | "approve"
  | "reject"
  | "cancel"
  | "delete";

const EDITABLE = ["draft", "pending_approval", "scheduled", "paused"];
const FROM: Record<ActionName, string[]> = {
  edit: EDITABLE,
  publish: ["draft", "scheduled", "paused"],
  pause: ["scheduled"],
  resume: ["paused"],
  retry: ["failed", "partially_published"],
  approve: ["pending_approval"],
  reject: ["pending_approval"],
  cancel: EDITABLE, // DELETE before it went out: cancelled
  delete: ["published", "partially_published", "failed"], // DELETE after: removed from the networks
};

export function availableActions(status: string, can: Abilities): ActionName[] {
  return (Object.keys(FROM) as ActionName[]).filter((action) => {
    if (!FROM[action].includes(status)) return false;
    return action === "approve" || action === "reject" ? can.approve : can.edit;
  });
}

/** While Herald may change the post by itself soon, the detail page polls it. */
export function isSettling(status: string): boolean {
  return status === "scheduled" || status === "publishing";
}
