import { chartColor } from "./color";
import { linearScale } from "./scale";
import { useWidth } from "./useWidth";
import "./charts.css";

export interface Bar {
  key: string;
  label: string;
  value: number;
  color?: string;
  note?: string; // said after the value, e.g. "4 posts"
}

const ROW = 30;
const BAR = 18;

function clip(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, Math.max(chars - 1, 1))}…` : text;
}

/** Horizontal bars, largest first as given, each with its label and value written out: no
 * tooltip needed, and it reads the same at 375 px as on a desktop. */
export function BarChart({
  bars,
  label,
  formatValue,
  testId,
}: {
  bars: Bar[];
  label: string;
  formatValue: (value: number) => string;
  testId?: string;
}) {
  const { ref, width } = useWidth<HTMLDivElement>();
  const labelWidth = Math.min(Math.max(...bars.map((b) => b.label.length), 4) * 7.2 + 10, width * 0.38);
  const valueTexts = bars.map((b) => formatValue(b.value) + (b.note ? ` · ${b.note}` : ""));
  const valueWidth = Math.max(...valueTexts.map((text) => text.length), 2) * 7 + 12;
  const barLeft = labelWidth + 6;
  const barRight = Math.max(width - valueWidth, barLeft + 20);
  const max = Math.max(0, ...bars.map((b) => b.value));
  const x = linearScale([0, max || 1], [barLeft, barRight]);
  const height = bars.length * ROW + 4;
  const maxChars = Math.floor((labelWidth - 6) / 7.2);

  return (
    <div className="chart" ref={ref}>
      <svg role="img" aria-label={label} width={width} height={height} data-testid={testId}>
        {bars.map((bar, index) => {
          const top = index * ROW + 4;
          const barWidth = Math.max(x(bar.value) - barLeft, bar.value > 0 ? 2 : 0);
          return (
            <g key={bar.key} aria-hidden="true">
              <title>{`${bar.label}: ${valueTexts[index]}`}</title>
              <text className="chart-label" x={labelWidth} y={top + BAR / 2} dy="0.32em" textAnchor="end">
                {clip(bar.label, maxChars)}
              </text>
              <rect className="chart-bar-track" x={barLeft} y={top} width={barRight - barLeft} height={BAR} rx={3} />
              <rect x={barLeft} y={top} width={barWidth} height={BAR} rx={3} className="chart-bar" style={bar.color ? { fill: chartColor(bar.color) } : undefined} />
              <text className="chart-value" x={barLeft + barWidth + 6} y={top + BAR / 2} dy="0.32em">
                {valueTexts[index]}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
