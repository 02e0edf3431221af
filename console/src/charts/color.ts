// Series colours come from the networks' brands; a near-black one (X, TikTok, Threads) would
// vanish on the dark theme, so it is drawn in the text colour instead.

function luminance(hex: string): number | undefined {
  const match = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!match) return undefined;
  const channels = [0, 2, 4].map((i) => parseInt(match[1].slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function chartColor(color: string): string {
  const l = luminance(color);
  return l !== undefined && l < 0.04 ? "var(--text)" : color;
}
