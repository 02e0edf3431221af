// The normalized metrics as the console names, formats and combines them. A metric a network
// does not give is absent (null), never zero: it stays out of sums and charts.
import type { LinePoint } from "../charts/series";
import { valueAt } from "../charts/series";

export const METRICS = [
  { id: "impressions", label: "Impressions" },
  { id: "reach", label: "Reach" },
  { id: "views", label: "Views" },
  { id: "likes", label: "Likes" },
  { id: "comments", label: "Comments" },
  { id: "shares", label: "Shares" },
  { id: "saves", label: "Saves" },
  { id: "clicks", label: "Clicks" },
  { id: "engagements", label: "Engagements" },
  { id: "engagement_rate", label: "Engagement rate" },
] as const;

export type MetricId = (typeof METRICS)[number]["id"];
export type MetricRecord = Partial<Record<MetricId, number | null>>;
export type TimedRecord = MetricRecord & { at: string };

export function metricLabel(metric: MetricId): string {
  return METRICS.find((m) => m.id === metric)?.label ?? metric;
}

const counts = new Map<string, Intl.NumberFormat>();
const percents = new Map<string, Intl.NumberFormat>();

function cached(map: Map<string, Intl.NumberFormat>, locale: string | undefined, options: Intl.NumberFormatOptions) {
  const key = locale ?? "";
  let format = map.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    map.set(key, format);
  }
  return format;
}

/** "12,345", "3.42%" (a rate), or "—" when the network did not say. */
export function formatMetric(metric: MetricId, value: number | null | undefined, locale?: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (metric === "engagement_rate") {
    return cached(percents, locale, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 2 }).format(value);
  }
  return cached(counts, locale, { maximumFractionDigits: 0 }).format(value);
}

export function formatCount(value: number, locale?: string): string {
  return cached(counts, locale, { maximumFractionDigits: 0 }).format(value);
}

/** The metrics with a value in at least one record, in the canonical order. */
export function metricsPresent(records: MetricRecord[]): MetricId[] {
  return METRICS.map((m) => m.id).filter((id) => records.some((r) => typeof r[id] === "number"));
}

export interface NetworkSeries {
  network: string;
  points: LinePoint[];
}

/** One line per network: its collections that carry the metric, oldest first. */
export function seriesByNetwork(timeseries: Record<string, TimedRecord[]>, metric: MetricId): NetworkSeries[] {
  return Object.entries(timeseries)
    .map(([network, records]) => ({
      network,
      points: records
        .filter((r) => typeof r[metric] === "number")
        .map((r) => ({ x: Date.parse(r.at), y: r[metric] as number }))
        .sort((a, b) => a.x - b.x),
    }))
    .filter((s) => s.points.length > 0)
    .sort((a, b) => a.network.localeCompare(b.network));
}

/** The post's total over time: at each collection, every network's latest value summed. The
 * engagement rate is the summed engagements over the summed impressions (else views, else reach). */
export function totalSeries(timeseries: Record<string, TimedRecord[]>, metric: MetricId): LinePoint[] {
  if (metric === "engagement_rate") return totalRate(timeseries);
  const lines = seriesByNetwork(timeseries, metric);
  const xs = [...new Set(lines.flatMap((l) => l.points.map((p) => p.x)))].sort((a, b) => a - b);
  return xs.map((x) => ({ x, y: lines.reduce((sum, line) => sum + (valueAt(line.points, x) ?? 0), 0) }));
}

function totalRate(timeseries: Record<string, TimedRecord[]>): LinePoint[] {
  const lines = Object.values(timeseries).map((records) =>
    records
      .map((r) => ({ x: Date.parse(r.at), engagements: r.engagements, base: r.impressions ?? r.views ?? r.reach }))
      .filter((p): p is { x: number; engagements: number; base: number } => typeof p.engagements === "number" && typeof p.base === "number")
      .sort((a, b) => a.x - b.x),
  );
  const xs = [...new Set(lines.flatMap((l) => l.map((p) => p.x)))].sort((a, b) => a - b);
  const points: LinePoint[] = [];
  for (const x of xs) {
    let engagements = 0;
    let base = 0;
    for (const line of lines) {
      const latest = line.filter((p) => p.x <= x).at(-1);
      if (latest) {
        engagements += latest.engagements;
        base += latest.base;
      }
    }
    if (base > 0) points.push({ x, y: engagements / base });
  }
  return points;
}

export interface Ranked {
  key: string;
  value: number;
}

/** Records keyed by name (networks, post types, campaigns) ranked by a metric, largest first;
 * the ones without the metric are left out. */
export function rankBy<T extends MetricRecord>(records: Record<string, T>, metric: MetricId): (Ranked & { record: T })[] {
  return Object.entries(records)
    .filter(([, record]) => typeof record[metric] === "number")
    .map(([key, record]) => ({ key, value: record[metric] as number, record }))
    .sort((a, b) => b.value - a.value || a.key.localeCompare(b.key));
}

/** For best post types and campaigns: the engagement rate where any group has one, else engagements. */
export function groupMetric(groups: Record<string, MetricRecord>): MetricId {
  return Object.values(groups).some((g) => typeof g.engagement_rate === "number") ? "engagement_rate" : "engagements";
}

const POST_TYPES: Record<string, string> = {
  promo: "Promo",
  reminder: "Reminder",
  clip: "Clip",
  episode_link: "Episode link",
  quote: "Quote",
  behind_scenes: "Behind the scenes",
};

export function postTypeLabel(type: string): string {
  return POST_TYPES[type] ?? type.replace(/_/g, " ");
}

/** Followers gained over the range by every account with two counts in it; null: none had. */
export function followersGained(followers: { gained: number }[]): number | null {
  return followers.length ? followers.reduce((sum, f) => sum + f.gained, 0) : null;
}
