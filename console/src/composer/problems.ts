// Problems, from the live checks (ContentProblem) and from a refused save (the error envelope's
// details), put next to the field they are about.
import type { ContentProblem, Validation } from "../api/types";

/** Where in the composer a problem is shown. */
export type Spot =
  | "accounts"
  | "text"
  | "title"
  | "media"
  | "first_comment"
  | "thread"
  | `thread[${number}]`
  | "options"
  | "campaign_id"
  | "tags"
  | "when"
  | "general";

export function spotOf(field: string | undefined | null): Spot {
  const name = (field ?? "").replace(/^body\.?/, "");
  const part = /^thread\[(\d+)\]/.exec(name);
  if (part) return `thread[${Number(part[1])}]`;
  if (name === "thread") return "thread";
  if (name.startsWith("first_comment")) return "first_comment";
  if (/^(account_ids|platforms)\b/.test(name)) return "accounts";
  if (/^(media|unsplash|is_video)\b/.test(name)) return "media";
  if (/^(scheduled_at|timezone)\b/.test(name)) return "when";
  if (/^(platform_options|options|subreddit|board_id|board_section_id)\b/.test(name) || /\.options\b/.test(name)) return "options";
  if (/^(text|hashtags|mentions|link|overrides)\b/.test(name)) return "text";
  if (name === "title" || name.endsWith(".title")) return "title";
  if (name === "campaign_id" || name === "tags") return name;
  return "general";
}

export interface Detail {
  field?: string;
  message?: string;
  issue?: string;
  network?: string | null;
}

/** An envelope's details as messages by spot; a detail without a message gets one from its issue. */
export function detailsBySpot(details: Record<string, unknown>[]): Map<Spot, string[]> {
  const spots = new Map<Spot, string[]>();
  for (const raw of details) {
    const detail = raw as Detail;
    const field = typeof detail.field === "string" ? detail.field : undefined;
    const message =
      typeof detail.message === "string"
        ? detail.message
        : field
          ? `${field}: ${typeof detail.issue === "string" ? detail.issue.replace(/_/g, " ") : "invalid"}`
          : undefined;
    if (!message) continue;
    const spot = spotOf(field);
    spots.set(spot, [...(spots.get(spot) ?? []), message]);
  }
  return spots;
}

export interface NetworkProblems {
  errors: ContentProblem[];
  warnings: ContentProblem[];
}

export function problemsOf(result: Validation | undefined, network: string | null): NetworkProblems {
  return {
    errors: (result?.errors ?? []).filter((p) => (p.network ?? null) === network),
    warnings: (result?.warnings ?? []).filter((p) => (p.network ?? null) === network),
  };
}

/** A one-line summary for the live region: "Checked: 2 networks have problems." */
export function summary(result: Validation, networks: string[]): string {
  const failing = networks.filter((n) => problemsOf(result, n).errors.length > 0);
  const general = problemsOf(result, null).errors.length;
  if (!failing.length && !general) return "Checked: every network accepts this post.";
  if (!failing.length) return "Checked: the post has a problem.";
  return failing.length === 1
    ? "Checked: 1 network has a problem."
    : `Checked: ${failing.length} networks have problems.`;
}
