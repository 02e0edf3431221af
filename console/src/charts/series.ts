// Reading line series: the value a series shows at a moment.

export interface LinePoint {
  x: number; // epoch ms
  y: number;
}

/** The latest point at or before `x`: a series keeps its value between two collections. */
export function valueAt(points: LinePoint[], x: number): number | undefined {
  let found: number | undefined;
  for (const point of points) {
    if (point.x > x) break;
    found = point.y;
  }
  return found;
}
