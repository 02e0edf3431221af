// What the composer holds while you type, and the request bodies made from it: create, validate
// and edit send the same content, so what the checks show is what gets saved.
import type { CreatePost, Media, Post, UpdatePost } from "../api/types";
import { dayKey, wallTime, zonedParts } from "../time";
import { NETWORKS } from "../ui/networks";

export type When = "now" | "schedule" | "draft" | "keep";

/** One network's own version of the post (OverrideRequest, keyed by the network's name). */
export interface NetworkVersion {
  text: string;
  title: string;
  media: string[] | null; // null: the post's media
  options: Record<string, unknown>; // e.g. Reddit's subreddit, Pinterest's board_id
}

export interface Part {
  key: string;
  text: string;
  media: string[];
}

export type MediaState = "uploading" | "processing" | "ready" | "rejected" | "failed" | "url";

export interface MediaItem {
  key: string;
  ref?: string; // the media id (or URL) once there is one
  name: string;
  state: MediaState;
  progress: number; // 0..1 while uploading
  info?: Media;
  error?: string;
  uploadedHere?: boolean; // uploaded in this session: removing it deletes the file
}

export interface ComposerDraft {
  accountIds: string[];
  text: string;
  title: string;
  versions: Record<string, NetworkVersion>;
  media: MediaItem[];
  firstComment: string;
  firstCommentMedia: string[];
  thread: Part[];
  campaignId: string;
  tags: string;
  when: When;
  date: string;
  time: string;
  timezone: string;
  requiresApproval: boolean;
}

export type Body = Partial<CreatePost>;

let counter = 0;
export function newKey(prefix = "k"): string {
  counter += 1;
  return `${prefix}${counter}`;
}

export const EMPTY_VERSION: NetworkVersion = { text: "", title: "", media: null, options: {} };

const pad = (n: number) => String(n).padStart(2, "0");

/** A new post: scheduled for `day` at 09:00, else about an hour from now (next quarter hour). */
export function newDraft(zone: string, day?: string, now: Date = new Date()): ComposerDraft {
  const quarter = 15 * 60_000;
  const soon = new Date(Math.ceil((now.getTime() + 60 * 60_000) / quarter) * quarter);
  const parts = zonedParts(soon, zone);
  return {
    accountIds: [],
    text: "",
    title: "",
    versions: {},
    media: [],
    firstComment: "",
    firstCommentMedia: [],
    thread: [],
    campaignId: "",
    tags: "",
    when: "schedule",
    date: day ?? dayKey(parts),
    time: day ? "09:00" : `${pad(parts.hour)}:${pad(parts.minute)}`,
    timezone: zone,
    requiresApproval: false,
  };
}

/** An existing post, as the composer edits it (dates in the post's zone, else the profile's). */
export function draftFromPost(post: Post, zone: string): ComposerDraft {
  const timezone = post.timezone ?? zone;
  const versions: Record<string, NetworkVersion> = {};
  for (const [key, o] of Object.entries(post.overrides ?? {})) {
    versions[key] = { text: o.text ?? "", title: o.title ?? "", media: o.media ?? null, options: { ...(o.options ?? {}) } };
  }
  const scheduled = post.scheduled_at ? zonedParts(post.scheduled_at, timezone) : undefined;
  const base = newDraft(timezone);
  return {
    ...base,
    accountIds: [...new Set(post.targets.map((t) => t.account_id))],
    text: post.text ?? "",
    title: post.title ?? "",
    versions,
    media: post.media.map((ref) => ({
      key: newKey("m"),
      ref,
      name: ref,
      state: ref.startsWith("med_") ? "processing" : "url",
      progress: 1,
    })),
    firstComment: post.first_comment?.text ?? "",
    firstCommentMedia: post.first_comment?.media ?? [],
    thread: (post.thread ?? []).map((p) => ({ key: newKey("p"), text: p.text, media: p.media })),
    campaignId: post.campaign_id ?? "",
    tags: (post.tags ?? []).join(", "),
    when: post.status === "draft" ? "draft" : scheduled ? "schedule" : "keep",
    date: scheduled ? dayKey(scheduled) : base.date,
    time: scheduled ? `${pad(scheduled.hour)}:${pad(scheduled.minute)}` : base.time,
    timezone,
    requiresApproval: post.requires_approval,
  };
}

/** The networks of the chosen accounts, in the console's network order. */
export function networksOf(accountIds: string[], accounts: { id: string; platform: string }[]): string[] {
  const chosen = new Set(accounts.filter((a) => accountIds.includes(a.id)).map((a) => a.platform));
  const known = NETWORKS.map((n) => n.id).filter((id) => chosen.has(id));
  return [...known, ...[...chosen].filter((id) => !known.includes(id)).sort()];
}

export function parseTags(text: string): string[] {
  return [...new Set(text.split(",").map((t) => t.trim()).filter(Boolean))];
}

/** The media refs the post can use now: uploads still in flight or failed are left out. */
export function mediaRefs(items: MediaItem[]): string[] {
  return items.filter((m) => m.ref && m.state !== "uploading" && m.state !== "failed" && m.state !== "rejected").map((m) => m.ref as string);
}

export function hasMedia(d: ComposerDraft, network: string): boolean {
  const own = d.versions[network]?.media;
  return (own ?? mediaRefs(d.media)).length > 0;
}

function overridesOf(d: ComposerDraft, networks: string[]): NonNullable<CreatePost["overrides"]> {
  const refs = new Set(mediaRefs(d.media));
  const overrides: NonNullable<CreatePost["overrides"]> = {};
  for (const network of networks) {
    const v = d.versions[network];
    if (!v) continue;
    const o: Partial<NonNullable<CreatePost["overrides"]>[string]> = {};
    if (v.text.trim()) o.text = v.text;
    if (v.title.trim()) o.title = v.title;
    if (v.media) o.media = v.media.filter((ref) => refs.has(ref));
    const options = Object.fromEntries(Object.entries(v.options).filter(([, value]) => value !== "" && value != null));
    if (Object.keys(options).length) o.options = options;
    if (Object.keys(o).length) overrides[network] = o as NonNullable<CreatePost["overrides"]>[string];
  }
  return overrides;
}

/** The content fields, shared by create, validate and edit. */
export function contentBody(d: ComposerDraft, networks: string[]): Body {
  const overrides = overridesOf(d, networks);
  const body: Body = {
    account_ids: d.accountIds,
    text: d.text,
    media: mediaRefs(d.media),
    thread: d.thread.filter((p) => p.text.trim() || p.media.length).map((p) => ({ text: p.text, media: p.media })),
    tags: parseTags(d.tags),
  };
  if (d.title.trim()) body.title = d.title;
  if (Object.keys(overrides).length) body.overrides = overrides;
  if (d.firstComment.trim() || d.firstCommentMedia.length) {
    body.first_comment = { text: d.firstComment, media: d.firstCommentMedia };
  }
  if (d.campaignId.trim()) body.campaign_id = d.campaignId.trim();
  return body;
}

export function scheduledAt(d: ComposerDraft): { scheduled_at: string; timezone: string } | undefined {
  const match = /^(\d{1,2}):(\d{2})/.exec(d.time);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d.date) || !match) return undefined;
  return { scheduled_at: wallTime(d.date, Number(match[1]), Number(match[2])), timezone: d.timezone };
}

export function createBody(d: ComposerDraft, networks: string[]): Body {
  const body: Body = { ...contentBody(d, networks), requires_approval: d.requiresApproval };
  if (d.when === "draft") body.draft = true;
  if (d.when === "schedule") Object.assign(body, scheduledAt(d));
  return body;
}

/** What the live checks send: the create body as it would be sent (never as a draft, so every
 * rule applies), plus the loaded post's fields the composer does not edit (hashtags, link …). */
export function validateBody(d: ComposerDraft, networks: string[], loaded?: Post): Body {
  const body: Body = { ...contentBody(d, networks) };
  if (d.when === "schedule") Object.assign(body, scheduledAt(d));
  if (loaded) {
    if (loaded.hashtags?.length) body.hashtags = loaded.hashtags;
    if (loaded.link) body.link = loaded.link;
    if (loaded.shorten_links) body.shorten_links = true;
    if (loaded.is_video != null) body.is_video = loaded.is_video;
  }
  return body;
}

/** An edit: every field the composer shows, emptied ones cleared. The API merges overrides field
 * by field and cannot drop one, so an emptied network text is sent as the post's own text. */
export function updateBody(d: ComposerDraft, networks: string[], loaded: Post): UpdatePost {
  const content = contentBody(d, networks);
  const overrides = { ...(content.overrides ?? {}) };
  for (const [key, before] of Object.entries(loaded.overrides ?? {})) {
    if (!networks.includes(key)) continue;
    if (before.text && !overrides[key]?.text) overrides[key] = { ...overrides[key], text: d.text } as (typeof overrides)[string];
    if (before.title && !overrides[key]?.title && d.title) {
      overrides[key] = { ...overrides[key], title: d.title } as (typeof overrides)[string];
    }
  }
  return {
    ...content,
    overrides: Object.keys(overrides).length ? overrides : undefined,
    title: d.title.trim() ? d.title : null,
    campaign_id: d.campaignId.trim() || null,
    first_comment: content.first_comment ?? null,
    requires_approval: d.requiresApproval,
  } as UpdatePost;
}

export function submitLabel(when: When, requiresApproval: boolean): string {
  if (requiresApproval && (when === "now" || when === "schedule")) return "Send for approval";
  switch (when) {
    case "now":
      return "Publish now";
    case "schedule":
      return "Schedule post";
    case "draft":
      return "Save draft";
    case "keep":
      return "Save changes";
  }
}

/** The choices of "When" for a new post, or for a post in `status`. */
export function whenChoices(status?: string): When[] {
  if (!status) return ["now", "schedule", "draft"];
  if (status === "draft") return ["now", "schedule", "draft"];
  if (status === "pending_approval") return ["keep", "schedule"];
  return ["keep", "schedule", "now"];
}

/** `parts` with the one at `index` moved by `delta` (-1 up, +1 down); unchanged at the ends. */
export function moved<T>(parts: T[], index: number, delta: number): T[] {
  const target = index + delta;
  if (target < 0 || target >= parts.length) return parts;
  const copy = [...parts];
  [copy[index], copy[target]] = [copy[target], copy[index]];
  return copy;
}

export const EDITABLE = ["draft", "pending_approval", "scheduled", "paused"];
