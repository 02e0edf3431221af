// What the composer says about an uploaded file: "image · 1080×1350 · 245 KB", a video's length.
import type { Compatibility, Media } from "../api/types";

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  if (whole < 60) return `${seconds < 10 ? seconds.toFixed(1) : whole} s`;
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, "0")} s`;
}

export function mediaFacts(media: Pick<Media, "kind" | "width" | "height" | "duration_seconds" | "bytes" | "format">): string {
  const facts: string[] = [];
  if (media.kind) facts.push(media.kind === "gif" ? "GIF" : media.kind);
  if (media.width && media.height) facts.push(`${media.width}×${media.height}`);
  if (media.duration_seconds != null) facts.push(formatDuration(media.duration_seconds));
  if (media.bytes != null) facts.push(formatBytes(media.bytes));
  return facts.join(" · ");
}

/** The report lines for the chosen networks only, those that refuse the file first. */
export function reportFor(compatibility: Compatibility[], networks: string[]): Compatibility[] {
  return compatibility
    .filter((c) => networks.includes(c.network))
    .sort((a, b) => Number(a.ok) - Number(b.ok) || networks.indexOf(a.network) - networks.indexOf(b.network));
}
