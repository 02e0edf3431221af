// The approvals inbox (#/approvals): every post waiting in pending_approval, approved or
// rejected (with a reason) from here by an approver.
import { useState } from "react";
import { api, ApiError } from "../api/client";
import type { Post } from "../api/types";
import { ApprovalItem } from "../approvals/ApprovalItem";
import "../approvals/approvals.css";
import { useMe } from "../me";
import { fetchAllPosts } from "../post/fetchAll";
import { RejectDialog } from "../post/RejectDialog";
import { excerpt } from "../post/text";
import { href } from "../router";
import { Empty, ErrorNotice, Loading } from "../ui/feedback";
import { plainApiError } from "../ui/plainErrors";
import { useAsync } from "../ui/useAsync";

interface Message {
  kind: "success" | "error";
  text: string;
}

export function Approvals() {
  const { can, timezone, me } = useMe();
  const list = useAsync(
    async (signal) => {
      const posts = await fetchAllPosts({ status: "pending_approval" }, signal);
      // Soonest first: what goes out next needs a decision first; undated ones (now) lead.
      return posts.sort((a, b) => (a.scheduled_at ?? "").localeCompare(b.scheduled_at ?? ""));
    },
    [me.profile.id],
  );
  const [busy, setBusy] = useState<string>();
  const [message, setMessage] = useState<Message>();
  const [rejecting, setRejecting] = useState<Post>();

  async function decide(post: Post, decision: "approve" | "reject", reason?: string) {
    setBusy(post.id);
    setMessage(undefined);
    const name = `“${excerpt(post.title || post.text) || post.id}”`;
    try {
      const body = decision === "reject" ? { reason: reason || null } : undefined;
      await api.post<Post>(`/v1/posts/${post.id}/${decision}`, body);
      list.setData((list.data ?? []).filter((p) => p.id !== post.id));
      setMessage({
        kind: "success",
        text: decision === "approve" ? `Approved ${name}.` : `Rejected ${name}: it is a draft again.`,
      });
    } catch (error) {
      const reason = error instanceof ApiError ? plainApiError(error) : String(error);
      setMessage({ kind: "error", text: `${name} was not ${decision === "approve" ? "approved" : "rejected"}: ${reason}` });
      if (error instanceof ApiError && error.status === 409) list.reload(); // someone else decided first
    } finally {
      setBusy(undefined);
    }
  }

  const posts = list.data;
  return (
    <div className="approvals-page">
      <div className="page-header">
        <h1>Approvals</h1>
        {posts && posts.length > 0 && <span className="muted">{posts.length} waiting</span>}
        <div className="actions">
          <button type="button" className="button-secondary" onClick={list.reload} disabled={list.loading}>
            Refresh
          </button>
        </div>
      </div>
      {!can.approve && (
        <p className="hint">Your key's role can see these posts; an approver's key approves or rejects them.</p>
      )}
      <div role="status" aria-live="polite">
        {message && (
          <div className={`notice notice-${message.kind}`}>
            <p>{message.text}</p>
          </div>
        )}
      </div>
      {list.error && <ErrorNotice error={list.error} onRetry={list.reload} />}
      {!posts && !list.error && <Loading label="Loading the posts waiting for approval…" />}
      {posts && posts.length === 0 && (
        <Empty title="Nothing waiting for approval">
          <p>
            Posts created with “requires approval” wait here. <a href={href("/calendar")}>Back to the calendar</a>
          </p>
        </Empty>
      )}
      {posts && posts.length > 0 && (
        <ul className="approvals">
          {posts.map((post) => (
            <ApprovalItem
              key={post.id}
              post={post}
              zone={timezone}
              myKeyId={me.key.id}
              canApprove={can.approve}
              busy={busy === post.id}
              onApprove={() => void decide(post, "approve")}
              onReject={() => setRejecting(post)}
            />
          ))}
        </ul>
      )}
      {rejecting && (
        <RejectDialog
          onReject={(reason) => void decide(rejecting, "reject", reason)}
          onClose={() => setRejecting(undefined)}
        />
      )}
    </div>
  );
}
