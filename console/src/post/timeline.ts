// A post's story, oldest first: each status change (history), the approval decision, or, for a
// post written before history was kept, the times it has.
import type { Post } from "../api/types";

export interface TimelineEntry {
  at: string;
  what: string; // "Scheduled", "Approved", "Created"…
  status?: string; // for a badge
  by?: string | null; // API key id; null: Herald itself; undefined: not known
  detail?: string;
}

const DECISIONS: Record<string, string> = { approved: "Approved", rejected: "Rejected" };

export function timelineOf(post: Post, statusLabel: (status: string) => string): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  // The decision first: at the same instant it comes before the status change it caused.
  if (post.approval) {
    entries.push({
      at: post.approval.at,
      what: DECISIONS[post.approval.decision] ?? post.approval.decision,
      by: post.approval.by,
      detail: post.approval.reason ? `Reason: ${post.approval.reason}` : undefined,
    });
  }
  const history = post.history ?? [];
  for (const change of history) {
    entries.push({ at: change.at, what: statusLabel(change.status), status: change.status, by: change.by ?? null });
  }
  if (history.length === 0) {
    entries.push({ at: post.created_at, what: "Created" });
    if (post.updated_at && post.updated_at !== post.created_at) entries.push({ at: post.updated_at, what: "Last changed" });
    if (post.published_at) entries.push({ at: post.published_at, what: "Published", status: "published" });
  }
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => Date.parse(a.entry.at) - Date.parse(b.entry.at) || a.index - b.index)
    .map(({ entry }) => entry);
}

/** Who did it, in words: Herald itself, you (this key), or another key by its id. */
export function whoLabel(by: string | null | undefined, myKeyId: string): string | undefined {
  if (by === undefined) return undefined;
  if (by === null) return "Herald";
  return by === myKeyId ? "you" : `another key (${by})`;
}
