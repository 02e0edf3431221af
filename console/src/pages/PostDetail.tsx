// One post (#/posts/{id}): its status, content, where it went on each network and what went
// wrong there, its timeline, and the actions its status and the key's role allow. While Herald
// may change it by itself (scheduled, publishing) the page polls it every 3 seconds.
import { useCallback, useState } from "react";
import { api } from "../api/client";
import type { Account, Post } from "../api/types";
import { usePageVisible } from "../calendar/usePageVisible";
import { useMe } from "../me";
import { availableActions, isSettling, type ActionName } from "../post/actions";
import { ConfirmDialog } from "../ui/Dialog";
import { MediaThumbs } from "../post/MediaThumbs";
import { NetworkTags } from "../post/NetworkTags";
import "../post/post.css";
import { RejectDialog } from "../post/RejectDialog";
import { TargetsTable } from "../post/TargetsTable";
import { plainText } from "../post/text";
import { Timeline } from "../post/Timeline";
import { usePostAction } from "../post/usePostAction";
import { href } from "../router";
import { formatDateTime } from "../time";
import { ErrorNotice, Loading } from "../ui/feedback";
import { StatusBadge } from "../ui/StatusBadge";
import { useAsync, useInterval } from "../ui/useAsync";

const POLL_MS = 3_000;

export function PostDetail({ postId }: { postId: string }) {
  const { can, timezone, me } = useMe();
  const loaded = useAsync(
    (signal) => api.get<Post>(`/v1/posts/${encodeURIComponent(postId)}`, undefined, signal),
    [postId, me.profile.id],
  );
  const accounts = useAsync(
    async (signal) => {
      const answer = await api.get<{ accounts: Account[] }>("/v1/accounts", undefined, signal);
      return new Map(answer.accounts.map((account) => [account.id, account]));
    },
    [me.profile.id],
  );
  const post = loaded.data?.id === postId ? loaded.data : undefined;
  const visible = usePageVisible();
  useInterval(loaded.reload, POLL_MS, visible && Boolean(post && isSettling(post.status)));

  const action = usePostAction(loaded.setData);
  const [asking, setAsking] = useState<"cancel" | "delete" | "reject">();

  const act = useCallback(
    (name: ActionName, reason?: string) => {
      const path = `/v1/posts/${encodeURIComponent(postId)}`;
      const calls: Partial<Record<ActionName, [() => Promise<Post>, (p: Post) => string]>> = {
        publish: [() => api.post(`${path}/publish`), (p) => (p.status === "pending_approval" ? "Sent for approval." : "Publishing now.")],
        pause: [() => api.post(`${path}/pause`), () => "Paused: it will not publish until you resume it."],
        resume: [() => api.post(`${path}/resume`), () => "Resumed."],
        retry: [() => api.post(`${path}/retry`), () => "Trying the failed networks again."],
        approve: [() => api.post(`${path}/approve`), () => "Approved."],
        reject: [() => api.post(`${path}/reject`, { reason: reason || null }), () => "Rejected: the post is a draft again."],
        cancel: [() => api.delete(path), () => "Cancelled: it will not be published."],
        delete: [
          () => api.delete(path),
          (p) => (p.status === "deleted" ? "Deleted from every network." : "Some networks did not delete it: see below."),
        ],
      };
      const call = calls[name];
      if (call) void action.run(name, call[0], call[1]);
    },
    [postId, action],
  );

  if (!post) {
    if (loaded.error) {
      return (
        <div className="post-page">
          <h1>Post</h1>
          <ErrorNotice error={loaded.error} onRetry={loaded.reload} />
          <p>
            <a href={href("/calendar")}>Back to the calendar</a>
          </p>
        </div>
      );
    }
    return <Loading label="Loading the post…" />;
  }

  const actions = availableActions(post.status, can);
  const text = plainText(post.text);
  const published = post.status === "published" || post.status === "partially_published";

  return (
    <div className="post-page">
      <div className="page-header">
        <h1>{post.title || "Post"}</h1>
        <span data-testid="post-status" data-status={post.status} role="status" aria-live="polite">
          <span className="visually-hidden">Status: </span>
          <StatusBadge status={post.status} />
        </span>
        {isSettling(post.status) && <span className="hint">Updates live</span>}
        <div className="actions">
          <PostActions actions={actions} postId={post.id} busy={action.busy} onAction={act} onAsk={setAsking} />
        </div>
      </div>

      <div aria-live="polite" role="status" className="post-action-status">
        {action.message && (
          <div className={`notice notice-${action.message.kind}`}>
            <p>{action.message.text}</p>
          </div>
        )}
      </div>
      {loaded.error && <ErrorNotice error={loaded.error} onRetry={loaded.reload} />}
      {post.approval?.decision === "rejected" && post.status === "draft" && (
        <div className="notice notice-warning">
          <p>
            <strong>Rejected</strong> {formatDateTime(post.approval.at, timezone)}
            {post.approval.reason ? `: ${post.approval.reason}` : "."}
          </p>
        </div>
      )}

      <div className="post-layout">
        <section className="card post-content" aria-labelledby="post-content-title">
          <h2 id="post-content-title" className="visually-hidden">
            Content
          </h2>
          <p className="post-text">{text || <span className="muted">(no text)</span>}</p>
          <MediaThumbs media={post.media ?? []} />
          {(post.thread ?? []).length > 0 && (
            <>
              <h3>Thread</h3>
              <ol className="post-thread">
                {(post.thread ?? []).map((part, index) => (
                  <li key={index}>
                    <p className="post-text">{plainText(part.text)}</p>
                    <MediaThumbs media={part.media} />
                  </li>
                ))}
              </ol>
            </>
          )}
          {post.first_comment && (
            <>
              <h3>First comment</h3>
              <p className="post-text">{plainText(post.first_comment.text)}</p>
            </>
          )}
        </section>

        <section className="card post-facts" aria-labelledby="post-facts-title">
          <h2 id="post-facts-title">When and where</h2>
          <dl>
            <dt>Networks</dt>
            <dd>
              <NetworkTags platforms={post.platforms} />
            </dd>
            <dt>Scheduled for</dt>
            <dd>{post.scheduled_at ? formatDateTime(post.scheduled_at, timezone) : "Not scheduled"}</dd>
            {post.published_at && (
              <>
                <dt>Published</dt>
                <dd>{formatDateTime(post.published_at, timezone)}</dd>
              </>
            )}
            {post.next_run_at && isSettling(post.status) && (
              <>
                <dt>Next attempt</dt>
                <dd>{formatDateTime(post.next_run_at, timezone)}</dd>
              </>
            )}
            <dt>Times shown in</dt>
            <dd>{timezone}</dd>
            {post.campaign_id && (
              <>
                <dt>Campaign</dt>
                <dd>{post.campaign_id}</dd>
              </>
            )}
            {(post.tags ?? []).length > 0 && (
              <>
                <dt>Tags</dt>
                <dd>{post.tags.join(", ")}</dd>
              </>
            )}
            {post.requires_approval && (
              <>
                <dt>Approval</dt>
                <dd>Required</dd>
              </>
            )}
          </dl>
          {published && (
            <a className="button button-secondary" href={href("/analytics", { post: post.id })} data-testid="post-analytics-link">
              Analytics
            </a>
          )}
        </section>
      </div>

      <section aria-labelledby="post-targets-title">
        <h2 id="post-targets-title">Networks</h2>
        <TargetsTable targets={post.targets} accounts={accounts.data ?? new Map()} zone={timezone} />
      </section>

      <section aria-labelledby="post-timeline-title">
        <h2 id="post-timeline-title">Timeline</h2>
        <Timeline post={post} zone={timezone} myKeyId={me.key.id} />
      </section>

      {(post.warnings ?? []).length > 0 && (
        <section aria-labelledby="post-warnings-title">
          <h2 id="post-warnings-title">Warnings</h2>
          <ul>
            {(post.warnings ?? []).map((warning, index) => (
              <li key={index}>{warningText(warning)}</li>
            ))}
          </ul>
        </section>
      )}

      {asking === "cancel" && (
        <ConfirmDialog open title="Cancel this post?" confirmLabel="Cancel post" cancelLabel="Keep it" onConfirm={() => { setAsking(undefined); act("cancel"); }} onCancel={() => setAsking(undefined)}>
          <p>It will not be published, and it cannot be scheduled again.</p>
        </ConfirmDialog>
      )}
      {asking === "delete" && (
        <ConfirmDialog open title="Delete from the networks?" confirmLabel="Delete everywhere" cancelLabel="Keep it" onConfirm={() => { setAsking(undefined); act("delete"); }} onCancel={() => setAsking(undefined)}>
          <p>Herald deletes what it posted on each network (the post, its thread and first comment).</p>
        </ConfirmDialog>
      )}
      {asking === "reject" && <RejectDialog onReject={(reason) => act("reject", reason)} onClose={() => setAsking(undefined)} />}
    </div>
  );
}

function warningText(warning: unknown): string {
  if (typeof warning === "string") return warning;
  if (warning && typeof warning === "object" && "message" in warning) return String((warning as { message: unknown }).message);
  return JSON.stringify(warning);
}

const LABELS: Record<ActionName, string> = {
  edit: "Edit",
  publish: "Publish now",
  pause: "Pause",
  resume: "Resume",
  retry: "Retry failed",
  approve: "Approve",
  reject: "Reject…",
  cancel: "Cancel post…",
  delete: "Delete…",
};

function PostActions({
  actions,
  postId,
  busy,
  onAction,
  onAsk,
}: {
  actions: ActionName[];
  postId: string;
  busy: string | undefined;
  onAction: (name: ActionName) => void;
  onAsk: (name: "cancel" | "delete" | "reject") => void;
}) {
  return (
    <>
      {actions.map((name) => {
        if (name === "edit") {
          return (
            <a key={name} className="button button-secondary" href={href("/compose", { post: postId })}>
              {LABELS.edit}
            </a>
          );
        }
        const asks = name === "cancel" || name === "delete" || name === "reject";
        const kind = name === "cancel" || name === "delete" || name === "reject" ? "button-secondary" : undefined;
        return (
          <button
            key={name}
            type="button"
            className={kind}
            disabled={busy !== undefined}
            aria-busy={busy === name || undefined}
            onClick={() => (asks ? onAsk(name) : onAction(name))}
            data-action={name}
          >
            {busy === name ? `${LABELS[name].replace("…", "")}…` : LABELS[name]}
          </button>
        );
      })}
    </>
  );
}
