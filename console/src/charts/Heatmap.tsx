import { useState, type KeyboardEvent } from "react";
import { heatLevel, levelOpacity } from "./heat";
import { useWidth } from "./useWidth";
import "./charts.css";

const LEVELS = 5;
const LEFT = 42;
const TOP = 20;

interface Cell {
  row: number;
  col: number;
}

/** A rows × columns grid shaded by value (weekday × hour for the optimal times). Marked cells
 * carry a dot as well as their shade; arrow keys walk the grid and each cell is read out. */
export function Heatmap({
  rows,
  columns,
  values,
  marked,
  describe,
  label,
  markLabel,
  testId,
}: {
  rows: string[]; // short row labels ("Mon")
  columns: string[]; // column labels ("00" … "23")
  values: number[][]; // [row][col]
  marked: (cell: Cell) => boolean;
  describe: (cell: Cell) => string;
  label: string;
  markLabel: string;
  testId?: string;
}) {
  const { ref, width } = useWidth<HTMLDivElement>();
  const [active, setActive] = useState<Cell>();
  const [announcement, setAnnouncement] = useState("");
  const flat = values.flat().filter(Number.isFinite);
  const min = Math.min(...flat);
  const max = Math.max(...flat);
  const cellWidth = Math.max((width - LEFT - 2) / columns.length, 9);
  const cellHeight = Math.min(Math.max(cellWidth, 22), 30);
  const svgWidth = LEFT + cellWidth * columns.length + 2;
  const height = TOP + cellHeight * rows.length + 2;
  const columnEvery = cellWidth < 20 ? 3 : cellWidth < 30 ? 2 : 1;

  function moveTo(cell: Cell) {
    const next = {
      row: Math.min(Math.max(cell.row, 0), rows.length - 1),
      col: Math.min(Math.max(cell.col, 0), columns.length - 1),
    };
    setActive(next);
    setAnnouncement(describe(next));
  }

  function onKeyDown(event: KeyboardEvent) {
    const at = active ?? { row: 0, col: -1 };
    const moves: Record<string, Cell> = {
      ArrowRight: { row: at.row, col: at.col + 1 },
      ArrowLeft: { row: at.row, col: at.col - 1 },
      ArrowDown: { row: at.row + 1, col: Math.max(at.col, 0) },
      ArrowUp: { row: at.row - 1, col: Math.max(at.col, 0) },
      Home: { row: at.row, col: 0 },
      End: { row: at.row, col: columns.length - 1 },
    };
    if (event.key in moves) {
      event.preventDefault();
      moveTo(moves[event.key]);
    } else if (event.key === "Escape") {
      setActive(undefined);
    }
  }

  const tooltip = active && {
    left: Math.min(LEFT + (active.col + 1) * cellWidth + 6, Math.max(width - 220, 0)),
    top: TOP + (active.row + 1) * cellHeight + 4,
  };

  return (
    <div className="chart" ref={ref}>
      <div
        className="chart-plot"
        tabIndex={0}
        role="group"
        aria-label={`${label} Use the arrow keys to read each hour.`}
        onKeyDown={onKeyDown}
        onBlur={() => setActive(undefined)}
      >
        <svg
          role="img"
          aria-label={label}
          width={svgWidth}
          height={height}
          data-testid={testId}
          onPointerLeave={() => setActive(undefined)}
        >
          <g className="chart-grid" aria-hidden="true">
            {columns.map((text, col) =>
              col % columnEvery === 0 ? (
                <text key={text} x={LEFT + col * cellWidth + cellWidth / 2} y={TOP - 6} textAnchor="middle">
                  {text}
                </text>
              ) : null,
            )}
            {rows.map((text, row) => (
              <text key={text} x={LEFT - 6} y={TOP + row * cellHeight + cellHeight / 2} dy="0.32em" textAnchor="end">
                {text}
              </text>
            ))}
          </g>
          {values.map((line, row) =>
            line.map((value, col) => {
              const level = heatLevel(value, min, max, LEVELS);
              const isActive = active?.row === row && active.col === col;
              const cx = LEFT + col * cellWidth;
              const cy = TOP + row * cellHeight;
              return (
                <g key={`${row}-${col}`} aria-hidden="true" onPointerEnter={() => setActive({ row, col })}>
                  <rect
                    className="heat-cell"
                    x={cx + 1}
                    y={cy + 1}
                    width={cellWidth - 2}
                    height={cellHeight - 2}
                    rx={2}
                    fillOpacity={levelOpacity(level, LEVELS)}
                    data-level={level}
                  />
                  {marked({ row, col }) && (
                    <circle
                      className={level >= 3 ? "heat-mark heat-mark-on-dark" : "heat-mark"}
                      cx={cx + cellWidth / 2}
                      cy={cy + cellHeight / 2}
                      r={Math.min(cellWidth, cellHeight) / 5}
                    />
                  )}
                  {isActive && (
                    <rect className="heat-active" x={cx} y={cy} width={cellWidth} height={cellHeight} rx={3} />
                  )}
                </g>
              );
            }),
          )}
        </svg>
        {active && tooltip && (
          <div className="chart-tooltip" aria-hidden="true" style={{ left: tooltip.left, top: tooltip.top }}>
            {describe(active)}
          </div>
        )}
      </div>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      <div className="heat-legend" aria-hidden="true">
        <span>Lower</span>
        {Array.from({ length: LEVELS }, (_, level) => (
          <svg key={level} width="18" height="14">
            <rect className="heat-cell" x="0" y="0" width="18" height="14" rx="2" fillOpacity={levelOpacity(level, LEVELS)} />
          </svg>
        ))}
        <span>Higher</span>
        <svg width="14" height="14">
          <circle className="heat-mark" cx="7" cy="7" r="4" />
        </svg>
        <span>{markLabel}</span>
      </div>
    </div>
  );
}
