// Time-axis ticks on the profile's wall clock: whole hours or midnights in its zone (a chart
// of a Paris post ticks at 00:00 Paris time, whatever the browser's zone), DST included.
import { addDays, dayOf, weekdayOf, zonedParts, zonedToUtc } from "../time";

export interface TimeTick {
  at: number; // epoch ms
  label: string;
}

const HOUR = 3_600_000;
// Steps in hours; the days' steps tick at midnights, the week's on Mondays.
const STEPS = [1, 2, 3, 6, 12, 24, 48, 168, 336];

/** The smallest step giving at most `count` ticks over the span. */
export function timeStep(startMs: number, endMs: number, count: number): number {
  const hours = Math.max(endMs - startMs, 0) / HOUR;
  return STEPS.find((step) => hours / step <= count) ?? STEPS[STEPS.length - 1];
}

/** Tick instants within [startMs, endMs] at the step's whole hours (or midnights) in `zone`. */
export function timeTickInstants(startMs: number, endMs: number, zone: string, stepHours: number): number[] {
  const first = dayOf(new Date(startMs), zone);
  const last = dayOf(new Date(endMs), zone);
  const instants: number[] = [];
  for (let day = first; day <= last; day = addDays(day, 1)) {
    if (stepHours >= 24) {
      if (stepHours % 168 === 0 ? weekdayOf(day) !== 0 : dayNumber(day) % (stepHours / 24) !== 0) continue;
      instants.push(zonedToUtc(day, 0, 0, zone).getTime());
      continue;
    }
    for (let hour = 0; hour < 24; hour += stepHours) {
      const instant = zonedToUtc(day, hour, 0, zone).getTime();
      if (zonedParts(new Date(instant), zone).hour === hour) instants.push(instant); // skip a DST gap's hour
    }
  }
  return [...new Set(instants)].filter((at) => at >= startMs && at <= endMs);
}

function dayNumber(day: string): number {
  const [y, m, d] = day.split("-").map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / (24 * HOUR));
}

/** Ticks labelled "09:00", with the date where a day starts (or on the first tick). */
export function timeTicks(startMs: number, endMs: number, zone: string, count = 6, locale?: string): TimeTick[] {
  const step = timeStep(startMs, endMs, count);
  const instants = timeTickInstants(startMs, endMs, zone, step);
  const dateOnly = new Intl.DateTimeFormat(locale, { timeZone: zone, day: "numeric", month: "short" });
  const timeOnly = new Intl.DateTimeFormat(locale, { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  let previousDay = "";
  return instants.map((at) => {
    const date = new Date(at);
    const day = dayOf(date, zone);
    const label =
      step >= 24 ? dateOnly.format(date) : day !== previousDay ? `${dateOnly.format(date)} ${timeOnly.format(date)}` : timeOnly.format(date);
    previousDay = day;
    return { at, label };
  });
}
