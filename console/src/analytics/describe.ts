// Sentences that sum a chart up for its aria-label: what a screen reader hears before the table.
import type { LinePoint } from "../charts/series";

export function describeLines(
  title: string,
  lines: { label: string; points: LinePoint[] }[],
  formatValue: (value: number) => string,
  formatTime: (at: number) => string,
): string {
  const drawn = lines.filter((line) => line.points.length > 0);
  if (drawn.length === 0) return `${title}: no collections yet.`;
  const parts = drawn.map((line) => {
    const first = line.points[0];
    const last = line.points[line.points.length - 1];
    if (line.points.length === 1) return `${line.label} ${formatValue(first.y)} on ${formatTime(first.x)}`;
    return `${line.label} from ${formatValue(first.y)} on ${formatTime(first.x)} to ${formatValue(last.y)} on ${formatTime(last.x)}`;
  });
  return `${title}: ${parts.join("; ")}.`;
}

export function describeBars(title: string, bars: { label: string; value: number }[], formatValue: (value: number) => string): string {
  if (bars.length === 0) return `${title}: nothing to show.`;
  const listed = bars.slice(0, 5).map((bar) => `${bar.label} ${formatValue(bar.value)}`);
  const more = bars.length > 5 ? `, and ${bars.length - 5} more` : "";
  return `${title}: ${listed.join(", ")}${more}.`;
}
