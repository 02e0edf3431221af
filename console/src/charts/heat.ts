// Heatmap shading: a value's level among `levels` equal bands of [min, max]. The level is drawn
// as the cell's shade and also said in words (tooltip and table): colour is never the only sign.

export function heatLevel(value: number, min: number, max: number, levels = 5): number {
  if (!Number.isFinite(value) || levels < 1) return 0;
  if (max <= min) return Math.floor((levels - 1) / 2);
  const share = (value - min) / (max - min);
  return Math.min(levels - 1, Math.max(0, Math.floor(share * levels)));
}

export const LEVEL_WORDS = ["lowest", "low", "middle", "high", "highest"];

/** Opacity of the accent colour for a level: light enough to read text on the lowest. */
export function levelOpacity(level: number, levels = 5): number {
  return Number((0.12 + (0.88 * level) / Math.max(levels - 1, 1)).toFixed(3));
}
