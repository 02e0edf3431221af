// The calendar's arithmetic, all in the profile's zone: which days a view shows, the instants
// bounding them (what GET /v1/posts is asked for), which day and hour a post sits on, and where
// a post lands when it is moved.
import { addDays, addMonths, dayOf, startOfMonth, startOfWeek, wallTime, zonedParts, zonedToUtc } from "../time";

export type CalendarView = "month" | "week";

/** Days [first, end): `end` is the day after the last one shown. */
export interface DayRange {
  first: string;
  end: string;
}

export function visibleRange(view: CalendarView, day: string): DayRange {
  if (view === "week") {
    const first = startOfWeek(day);
    return { first, end: addDays(first, 7) };
  }
  const first = startOfWeek(startOfMonth(day));
  const last = addDays(addMonths(day, 1), -1);
  return { first, end: addDays(startOfWeek(last), 7) }; // through the week holding the month's last day
}

export function daysOf(range: DayRange): string[] {
  const days: string[] = [];
  for (let day = range.first; day < range.end; day = addDays(day, 1)) days.push(day);
  return days;
}

/** The month view's rows: weeks of 7 days, Monday first. */
export function weeksOf(range: DayRange): string[][] {
  const days = daysOf(range);
  const weeks: string[][] = [];
  for (let i = 0; i < days.length; i += 7) weeks.push(days.slice(i, i + 7));
  return weeks;
}

/** The ISO instants bounding a range in `zone` (start inclusive, end exclusive). */
export function rangeInstants(range: DayRange, zone: string): { start_date: string; end_date: string } {
  return {
    start_date: zonedToUtc(range.first, 0, 0, zone).toISOString(),
    end_date: zonedToUtc(range.end, 0, 0, zone).toISOString(),
  };
}

/** The day prev/next leads to: a month (its first) or a week (same weekday) away. */
export function shiftDay(view: CalendarView, day: string, step: number): string {
  return view === "week" ? addDays(day, 7 * step) : addMonths(day, step);
}

interface Dated {
  scheduled_at?: string | null;
  published_at?: string | null;
  created_at: string;
}

/** The instant a post sits at: when it is scheduled, else when it went out, else its creation. */
export function postInstant(post: Dated): string {
  return post.scheduled_at ?? post.published_at ?? post.created_at;
}

// What the calendar shows (drafts only with a date; not cancelled or deleted posts).
export const CALENDAR_STATUSES = [
  "scheduled",
  "pending_approval",
  "paused",
  "publishing",
  "published",
  "partially_published",
  "failed",
  "draft",
] as const;

export function showsOnCalendar(post: Dated & { status: string }): boolean {
  if (post.status === "draft") return Boolean(post.scheduled_at);
  return (CALENDAR_STATUSES as readonly string[]).includes(post.status);
}

/** Only these can be moved: the date is still Herald's to change. */
export function isMovable(post: { status: string; scheduled_at?: string | null }): boolean {
  if (post.status === "scheduled" || post.status === "paused") return true;
  return post.status === "draft" && Boolean(post.scheduled_at);
}

/** Posts by the day they sit on in `zone`, each day's in time order. */
export function byDay<T extends Dated>(posts: T[], zone: string): Map<string, T[]> {
  const days = new Map<string, T[]>();
  const sorted = [...posts].sort((a, b) => Date.parse(postInstant(a)) - Date.parse(postInstant(b)));
  for (const post of sorted) {
    const day = dayOf(postInstant(post), zone);
    const list = days.get(day);
    if (list) list.push(post);
    else days.set(day, [post]);
  }
  return days;
}

/** Posts of one day by the hour (0-23) they sit at in `zone`. */
export function byHour<T extends Dated>(posts: T[], zone: string): Map<number, T[]> {
  const hours = new Map<number, T[]>();
  for (const post of posts) {
    const hour = zonedParts(postInstant(post), zone).hour;
    const list = hours.get(hour);
    if (list) list.push(post);
    else hours.set(hour, [post]);
  }
  return hours;
}

export interface Move {
  day: string;
  hour: number;
  minute: number;
  scheduled_at: string; // wall-clock time for the API, read in `timezone`
  instant: Date;
}

/** Where a post lands dropped on `day` (and `hour` in the week view): its time of day is kept. */
export function moveTo(post: Dated, day: string, zone: string, hour?: number): Move {
  const parts = zonedParts(postInstant(post), zone);
  const h = hour ?? parts.hour;
  return { day, hour: h, minute: parts.minute, scheduled_at: wallTime(day, h, parts.minute), instant: zonedToUtc(day, h, parts.minute, zone) };
}

/** A move to a chosen date and time ("HH:MM"), from the keyboard form. */
export function moveAt(day: string, time: string, zone: string): Move | undefined {
  const match = /^(\d{1,2}):(\d{2})/.exec(time);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !match) return undefined;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  if (hour > 23 || minute > 59) return undefined;
  return { day, hour, minute, scheduled_at: wallTime(day, hour, minute), instant: zonedToUtc(day, hour, minute, zone) };
}

/** The post with its date moved, for the optimistic view before the API answers. */
export function movedCopy<T extends Dated>(post: T, move: Move): T {
  return { ...post, scheduled_at: move.instant.toISOString() };
}

export interface CalendarQuery {
  view: CalendarView;
  day: string;
  platform?: string;
  campaign?: string;
  tag?: string;
  status?: string;
}

export function readQuery(query: URLSearchParams, today: string): CalendarQuery {
  const day = query.get("day") ?? "";
  return {
    view: query.get("view") === "week" ? "week" : "month",
    day: /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(Date.parse(day)) ? day : today,
    platform: query.get("platform") || undefined,
    campaign: query.get("campaign") || undefined,
    tag: query.get("tag") || undefined,
    status: query.get("status") || undefined,
  };
}

/** The URL query of a calendar state (router `navigate`/`href`). */
export function queryOf(state: CalendarQuery): Record<string, string | undefined> {
  return {
    view: state.view,
    day: state.day,
    platform: state.platform,
    campaign: state.campaign,
    tag: state.tag,
    status: state.status,
  };
}

/** GET /v1/posts's filters for a calendar state. */
export function listFilters(state: CalendarQuery): Record<string, string | undefined> {
  return {
    platform: state.platform,
    campaign_id: state.campaign,
    tag: state.tag,
    status: state.status ?? CALENDAR_STATUSES.join(","),
  };
}
