import { useMemo, useState, type KeyboardEvent, type PointerEvent } from "react";
import { formatDateTime } from "../time";
import { chartColor } from "./color";
import { countTicks, linearScale, nearestIndex, niceTicks } from "./scale";
import { valueAt, type LinePoint } from "./series";
import { timeTicks } from "./timeTicks";
import { useWidth } from "./useWidth";
import "./charts.css";

export interface LineSeries {
  id: string;
  label: string;
  color: string;
  points: LinePoint[]; // sorted by x
}

// Each line also gets its own dash, so lines differ by more than their colour.
const DASHES = ["", "7 4", "2 3", "10 3 2 3", "4 4", "1 5"];
const HOUR = 3_600_000;
const MARGIN = { top: 12, right: 18, bottom: 30 };

export function LineChart({
  series,
  label,
  zone,
  formatValue,
  formatTick = formatValue,
  whole = false,
  height = 260,
  testId,
}: {
  series: LineSeries[];
  label: string;
  zone: string;
  formatValue: (value: number) => string;
  formatTick?: (value: number) => string;
  whole?: boolean; // counts: whole-number ticks
  height?: number;
  testId?: string;
}) {
  const { ref, width } = useWidth<HTMLDivElement>();
  const [active, setActive] = useState<number>();
  const [announcement, setAnnouncement] = useState("");

  const xs = useMemo(() => [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b), [series]);
  const maxY = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.y)));
  const yTicks = whole ? countTicks(maxY, 4) : niceTicks(0, maxY, 4);
  const yLabels = yTicks.map(formatTick);
  const left = Math.max(...yLabels.map((text) => text.length)) * 7 + 14;
  const plotRight = width - MARGIN.right;
  const plotBottom = height - MARGIN.bottom;

  let x0 = xs[0] ?? Date.now();
  let x1 = xs[xs.length - 1] ?? x0;
  if (x1 - x0 < HOUR) {
    x0 -= HOUR;
    x1 += HOUR;
  }
  const x = linearScale([x0, x1], [left, plotRight]);
  const y = linearScale([0, yTicks[yTicks.length - 1]], [plotBottom, MARGIN.top]);
  const xTicks = timeTicks(x0, x1, zone, Math.max(2, Math.floor((plotRight - left) / 110)));

  const activeX = active !== undefined ? xs[active] : undefined;
  const readings = activeX === undefined ? [] : series.map((s) => ({ series: s, value: valueAt(s.points, activeX) }));

  function describe(index: number): string {
    const at = xs[index];
    const values = series.map((s) => {
      const value = valueAt(s.points, at);
      return `${s.label} ${value === undefined ? "no data yet" : formatValue(value)}`;
    });
    return `${formatDateTime(new Date(at), zone)}: ${values.join(", ")}`;
  }

  function moveTo(index: number) {
    const clamped = Math.min(Math.max(index, 0), xs.length - 1);
    setActive(clamped);
    setAnnouncement(describe(clamped));
  }

  function onKeyDown(event: KeyboardEvent) {
    if (xs.length === 0) return;
    const current = active ?? -1;
    const moves: Record<string, number> = {
      ArrowRight: current + 1,
      ArrowLeft: current < 0 ? xs.length - 1 : current - 1,
      Home: 0,
      End: xs.length - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      moveTo(moves[event.key]);
    } else if (event.key === "Escape") {
      setActive(undefined);
    }
  }

  function onPointerMove(event: PointerEvent<SVGSVGElement>) {
    const box = event.currentTarget.getBoundingClientRect();
    const pointerX = event.clientX - box.left;
    const targets = xs.map((value) => x(value));
    const index = nearestIndex(targets, pointerX);
    if (index >= 0) setActive(index);
  }

  const tooltipLeft = activeX === undefined ? 0 : Math.min(Math.max(x(activeX) + 10, 0), Math.max(width - 190, 0));

  return (
    <div className="chart" ref={ref}>
      <div
        className="chart-plot"
        tabIndex={0}
        role="group"
        aria-label={`${label} Use the left and right arrow keys to read each collection.`}
        onKeyDown={onKeyDown}
        onBlur={() => setActive(undefined)}
      >
        <svg
          role="img"
          aria-label={label}
          width={width}
          height={height}
          data-testid={testId}
          onPointerMove={onPointerMove}
          onPointerLeave={() => setActive(undefined)}
        >
          <g className="chart-grid" aria-hidden="true">
            {yTicks.map((tick, index) => (
              <g key={tick}>
                <line x1={left} x2={plotRight} y1={y(tick)} y2={y(tick)} />
                <text x={left - 6} y={y(tick)} dy="0.32em" textAnchor="end">
                  {yLabels[index]}
                </text>
              </g>
            ))}
            {xTicks.map((tick) => (
              <g key={tick.at}>
                <line className="chart-tick" x1={x(tick.at)} x2={x(tick.at)} y1={plotBottom} y2={plotBottom + 4} />
                <text x={x(tick.at)} y={plotBottom + 18} textAnchor="middle">
                  {tick.label}
                </text>
              </g>
            ))}
            <line className="chart-axis" x1={left} x2={plotRight} y1={plotBottom} y2={plotBottom} />
          </g>
          {series.map((s, index) => {
            const path = s.points.map((p, i) => `${i ? "L" : "M"}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join("");
            const first = s.points[0];
            const last = s.points[s.points.length - 1];
            return (
              <g key={s.id} aria-hidden="true">
                {series.length === 1 && first && (
                  <path
                    d={`${path}L${x(last.x).toFixed(1)},${plotBottom}L${x(first.x).toFixed(1)},${plotBottom}Z`}
                    style={{ fill: chartColor(s.color) }}
                    opacity={0.12}
                  />
                )}
                <path d={path} fill="none" style={{ stroke: chartColor(s.color) }} strokeWidth={2.25} strokeDasharray={DASHES[index % DASHES.length]} />
                {s.points.length <= 40 &&
                  s.points.map((p) => <circle key={p.x} cx={x(p.x)} cy={y(p.y)} r={2.5} style={{ fill: chartColor(s.color) }} />)}
              </g>
            );
          })}
          {activeX !== undefined && (
            <g aria-hidden="true">
              <line className="chart-guide" x1={x(activeX)} x2={x(activeX)} y1={MARGIN.top} y2={plotBottom} />
              {readings.map(({ series: s, value }) =>
                value === undefined ? null : (
                  <circle key={s.id} cx={x(activeX)} cy={y(value)} r={5} className="chart-marker" style={{ stroke: chartColor(s.color) }} strokeWidth={2.5} />
                ),
              )}
            </g>
          )}
        </svg>
        {activeX !== undefined && (
          <div className="chart-tooltip" aria-hidden="true" style={{ left: tooltipLeft, top: MARGIN.top }}>
            <strong>{formatDateTime(new Date(activeX), zone)}</strong>
            {readings.map(({ series: s, value }) => (
              <span key={s.id}>
                {s.label}: {value === undefined ? "—" : formatValue(value)}
              </span>
            ))}
          </div>
        )}
      </div>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      {series.length > 0 && (
        <ul className="chart-legend" aria-label="Lines">
          {series.map((s, index) => (
            <li key={s.id}>
              <svg width="28" height="10" aria-hidden="true">
                <line x1="1" x2="27" y1="5" y2="5" style={{ stroke: chartColor(s.color) }} strokeWidth={2.5} strokeDasharray={DASHES[index % DASHES.length]} />
              </svg>
              {s.label}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
