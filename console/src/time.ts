// Dates in a named IANA zone with the browser's Intl only: the calendar shows the profile's
// zone, whatever the browser's own is. A "day" is a YYYY-MM-DD string in that zone.

export interface ZonedParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  weekday: number; // 0 = Monday … 6 = Sunday
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      weekday: "short",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

export function zonedParts(instant: Date | string, zone: string): ZonedParts {
  const date = typeof instant === "string" ? new Date(instant) : instant;
  const parts: Record<string, string> = {};
  for (const part of partsFormatter(zone).formatToParts(date)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    weekday: WEEKDAYS.indexOf(parts.weekday),
  };
}

const pad = (n: number) => String(n).padStart(2, "0");

export function dayKey(parts: { year: number; month: number; day: number }): string {
  return `${parts.year}-${pad(parts.month)}-${pad(parts.day)}`;
}

export function dayOf(instant: Date | string, zone: string): string {
  return dayKey(zonedParts(instant, zone));
}

/** The day `count` days after `day` (calendar arithmetic, no zone involved). */
export function addDays(day: string, count: number): string {
  const [y, m, d] = day.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d + count));
  return dayKey({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() });
}

/** 0 = Monday … 6 = Sunday, for a calendar day. */
export function weekdayOf(day: string): number {
  const [y, m, d] = day.split("-").map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

export function startOfWeek(day: string): string {
  return addDays(day, -weekdayOf(day));
}

export function startOfMonth(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

export function addMonths(day: string, count: number): string {
  const [y, m] = day.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1 + count, 1));
  return dayKey({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: 1 });
}

/** The UTC instant of a wall-clock time in `zone` (the earlier one when a time repeats). */
export function zonedToUtc(day: string, hour: number, minute: number, zone: string): Date {
  const [y, m, d] = day.split("-").map(Number);
  const guess = Date.UTC(y, m - 1, d, hour, minute);
  // Two passes settle the zone's offset at that instant, DST changes included.
  let instant = guess;
  for (let i = 0; i < 2; i++) {
    const p = zonedParts(new Date(instant), zone);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    instant += guess - shown;
  }
  return new Date(instant);
}

/** `2026-11-23T09:30:00` as the API reads it with `timezone`: a wall-clock time. */
export function wallTime(day: string, hour: number, minute: number): string {
  return `${day}T${pad(hour)}:${pad(minute)}:00`;
}

export function formatTime(instant: string | Date, zone: string): string {
  return new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: "2-digit", minute: "2-digit" }).format(
    typeof instant === "string" ? new Date(instant) : instant,
  );
}

export function formatDateTime(instant: string | Date | null | undefined, zone: string): string {
  if (!instant) return "—";
  return new Intl.DateTimeFormat(undefined, {
    timeZone: zone,
    dateStyle: "medium",
    timeStyle: "short",
  }).format(typeof instant === "string" ? new Date(instant) : instant);
}

export function formatDay(day: string, options: Intl.DateTimeFormatOptions): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Intl.DateTimeFormat(undefined, { ...options, timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, d)));
}

export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function knownZones(): string[] {
  const supported = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
  return supported ? supported("timeZone") : ["UTC"];
}
