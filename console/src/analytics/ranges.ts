// The overview's date ranges. The summary counts UTC days (the API's rollups are per UTC day),
// so the range is computed in UTC and said so on the page.
import { addDays, dayOf } from "../time";

export const RANGES = [7, 30, 90] as const;
export type RangeDays = (typeof RANGES)[number];

export function isRange(value: unknown): value is RangeDays {
  return RANGES.includes(Number(value) as RangeDays);
}

/** The last `days` UTC days, today included. */
export function rangeDates(days: number, now: Date): { start_date: string; end_date: string } {
  const end = dayOf(now, "UTC");
  return { start_date: addDays(end, -(days - 1)), end_date: end };
}
