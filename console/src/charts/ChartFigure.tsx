import { useId, useState, type ReactNode } from "react";
import "./charts.css";

export interface TableData {
  caption: string;
  columns: string[];
  rows: ReactNode[][];
}

/** A chart with its title and a "Show data as a table" toggle: the same numbers for a screen
 * reader, a keyboard, or anyone who would rather read than look. */
export function ChartFigure({
  title,
  description,
  table,
  children,
  headingLevel = 3,
}: {
  title: string;
  description?: ReactNode;
  table: TableData;
  children: ReactNode;
  headingLevel?: 2 | 3;
}) {
  const [showTable, setShowTable] = useState(false);
  const tableId = useId();
  const Heading = headingLevel === 2 ? "h2" : "h3";
  return (
    <figure className="chart-figure">
      <figcaption>
        <Heading className="chart-title">{title}</Heading>
        {description && <div className="hint">{description}</div>}
      </figcaption>
      {children}
      <button
        type="button"
        className="button-secondary button-small chart-table-toggle"
        aria-expanded={showTable}
        aria-controls={tableId}
        onClick={() => setShowTable((shown) => !shown)}
      >
        {showTable ? "Hide the data table" : "Show data as a table"}
      </button>
      <div id={tableId} className="table-wrap chart-table" hidden={!showTable}>
        <DataTable {...table} />
      </div>
    </figure>
  );
}

export function DataTable({ caption, columns, rows }: TableData) {
  return (
    <table>
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column, index) => (
            <th key={column} scope="col" className={index > 0 ? "num" : undefined}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, r) => (
          <tr key={r}>
            {row.map((cell, c) =>
              c === 0 ? (
                <th key={c} scope="row">
                  {cell}
                </th>
              ) : (
                <td key={c} className="num">
                  {cell}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
