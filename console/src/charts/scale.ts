// Scales and ticks for the hand-made SVG charts: pure functions, no DOM.

export type Scale = (value: number) => number;

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps everything to the range's middle. */
export function linearScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * k;
}

/** A step of 1, 2, 2.5 or 5 times a power of ten that cuts `span` into about `count` parts. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || count < 1) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Round ticks covering [min, max] (extended outwards to whole steps); [0, 1] for an empty span. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    if (min === 0) return [0, 1];
    return min > 0 ? niceTicks(0, min, count) : niceTicks(min, 0, count);
  }
  const step = niceStep(max - min, count);
  const first = Math.floor(min / step + 1e-9) * step;
  const last = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; first + i * step <= last + step * 1e-9; i++) {
    ticks.push(Number((first + i * step).toPrecision(12)));
  }
  return ticks;
}

/** Ticks for counts from zero: whole steps only (no "0.5 likes"). */
export function countTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  let step = niceStep(max, count);
  if (step < 1) step = 1;
  else if (!Number.isInteger(step)) step = Math.floor(step);
  const ticks: number[] = [];
  for (let value = 0; value < max + step; value += step) {
    ticks.push(value);
    if (value >= max) break;
  }
  return ticks;
}

const compact = new Map<string, Intl.NumberFormat>();

/** 1234 -> "1.2K", 2500000 -> "2.5M" (the locale's own words). */
export function compactNumber(value: number, locale?: string): string {
  const key = locale ?? "";
  let format = compact.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });
    compact.set(key, format);
  }
  return format.format(value);
}

/** Index of the value in sorted `values` nearest to `target` (-1 when empty). */
export function nearestIndex(values: number[], target: number): number {
  if (values.length === 0) return -1;
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(values[lo - 1] - target) <= Math.abs(values[lo] - target)) return lo - 1;
  return lo;
}
