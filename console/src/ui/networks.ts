// The 13 networks as the API names them, with what the console shows for each.
export interface NetworkInfo {
  id: string;
  label: string;
  color: string; // the preview's accent and the calendar chip's stripe
}

export const NETWORKS: NetworkInfo[] = [
  { id: "x", label: "X", color: "#111111" },
  { id: "linkedin", label: "LinkedIn", color: "#0a66c2" },
  { id: "facebook", label: "Facebook", color: "#1877f2" },
  { id: "instagram", label: "Instagram", color: "#c13584" },
  { id: "threads", label: "Threads", color: "#333333" },
  { id: "bluesky", label: "Bluesky", color: "#0085ff" },
  { id: "mastodon", label: "Mastodon", color: "#6364ff" },
  { id: "telegram", label: "Telegram", color: "#229ed9" },
  { id: "youtube", label: "YouTube", color: "#ff0000" },
  { id: "tiktok", label: "TikTok", color: "#010101" },
  { id: "pinterest", label: "Pinterest", color: "#e60023" },
  { id: "reddit", label: "Reddit", color: "#ff4500" },
  { id: "google_business", label: "Google Business Profile", color: "#34a853" },
];

const BY_ID = new Map(NETWORKS.map((n) => [n.id, n]));

export function network(id: string): NetworkInfo {
  return BY_ID.get(id) ?? { id, label: id, color: "#666666" };
}
