// One post waiting for approval: what it says, where and when it goes, who wrote it, and the
// approve / reject buttons for an approver.
import type { Post } from "../api/types";
import { NetworkTags } from "../post/NetworkTags";
import { plainText } from "../post/text";
import { whoLabel } from "../post/timeline";
import { href } from "../router";
import { formatDateTime } from "../time";
import { network } from "../ui/networks";

export function ApprovalItem({
  post,
  zone,
  myKeyId,
  canApprove,
  busy,
  onApprove,
  onReject,
}: {
  post: Post;
  zone: string;
  myKeyId: string;
  canApprove: boolean;
  busy: boolean;
  onApprove: () => void;
  onReject: () => void;
}) {
  const author = whoLabel(post.history?.[0]?.by, myKeyId);
  const text = plainText(post.text);
  const headingId = `approval-${post.id}`;
  return (
    <li className="card approval-item" data-testid="approval-item" data-post-id={post.id} aria-labelledby={headingId}>
      <h2 id={headingId} className="approval-title">
        {post.title || `Post to ${post.platforms.map((id) => network(id).label).join(", ") || "no network yet"}`}
      </h2>
      <p className="approval-text">{text || <span className="muted">(no text)</span>}</p>
      <dl className="approval-facts">
        <dt>Networks</dt>
        <dd>
          <NetworkTags platforms={post.platforms} />
        </dd>
        <dt>Goes out</dt>
        <dd>{post.scheduled_at ? formatDateTime(post.scheduled_at, zone) : "As soon as it is approved"}</dd>
        <dt>Written</dt>
        <dd>
          {formatDateTime(post.created_at, zone)}
          {author && ` by ${author}`}
        </dd>
        {post.media.length > 0 && (
          <>
            <dt>Media</dt>
            <dd>{post.media.length === 1 ? "1 file" : `${post.media.length} files`}</dd>
          </>
        )}
      </dl>
      <div className="row">
        {canApprove && (
          <>
            <button type="button" onClick={onApprove} disabled={busy} data-action="approve">
              Approve
            </button>
            <button type="button" className="button-secondary" onClick={onReject} disabled={busy} data-action="reject">
              Reject…
            </button>
          </>
        )}
        <a href={href(`/posts/${post.id}`)}>Open details</a>
      </div>
    </li>
  );
}
