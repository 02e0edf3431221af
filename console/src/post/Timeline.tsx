// The post's story, oldest first, each time in the profile's zone.
import type { Post } from "../api/types";
import { StatusBadge, statusLabel } from "../ui/StatusBadge";
import { timelineOf, whoLabel } from "./timeline";

export function Timeline({ post, zone, myKeyId }: { post: Post; zone: string; myKeyId: string }) {
  const entries = timelineOf(post, statusLabel);
  return (
    <ol className="timeline" data-testid="post-timeline">
      {entries.map((entry, index) => {
        const who = whoLabel(entry.by, myKeyId);
        return (
          <li key={`${entry.at}-${index}`}>
            <time dateTime={entry.at}>{withSeconds(entry.at, zone)}</time>
            <span className="timeline-what">
              {entry.status ? <StatusBadge status={entry.status} /> : <strong>{entry.what}</strong>}
              {who && <span className="muted"> by {who}</span>}
            </span>
            {entry.detail && <span className="timeline-detail">{entry.detail}</span>}
          </li>
        );
      })}
    </ol>
  );
}

// Changes often come seconds apart (scheduled, publishing, published): the timeline shows seconds.
function withSeconds(instant: string, zone: string): string {
  return new Intl.DateTimeFormat(undefined, { timeZone: zone, dateStyle: "medium", timeStyle: "medium" }).format(
    new Date(instant),
  );
}
