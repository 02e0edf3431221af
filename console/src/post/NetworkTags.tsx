// The networks a post goes to, as short tags: the label is always there in words (full for
// screen readers), the colour only decorates.
import { network } from "../ui/networks";
import "./networkTags.css";

const SHORT: Record<string, string> = {
  x: "X", linkedin: "LI", facebook: "FB", instagram: "IG", threads: "TH", bluesky: "BS", mastodon: "MA",
  telegram: "TG", youtube: "YT", tiktok: "TT", pinterest: "PI", reddit: "RD", google_business: "GB",
};

export function NetworkTags({ platforms, short }: { platforms: string[]; short?: boolean }) {
  const unique = [...new Set(platforms)];
  if (unique.length === 0) return <span className="muted">No network yet</span>;
  return (
    <span className="network-tags">
      {short && <span className="visually-hidden">{unique.map((p) => network(p).label).join(", ")}</span>}
      {unique.map((id) => {
        const info = network(id);
        return (
          <span
            key={id}
            className="network-tag"
            title={info.label}
            aria-hidden={short ? true : undefined}
            style={{ borderColor: info.color }}
          >
            <span className="network-dot" style={{ background: info.color }} aria-hidden="true" />
            {short ? (SHORT[id] ?? info.label) : info.label}
          </span>
        );
      })}
    </span>
  );
}
