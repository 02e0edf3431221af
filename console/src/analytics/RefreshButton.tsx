import { useState } from "react";
import { ApiError, api } from "../api/client";
import type { components } from "../api/schema";
import { useMe } from "../me";

type RefreshResponse = components["schemas"]["RefreshResponse"];

/** "Refresh now": POST /v1/analytics/refresh (editor and up), for the profile or one post. */
export function RefreshButton({ postId, onQueued }: { postId?: string; onQueued?: () => void }) {
  const { can } = useMe();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string }>();
  if (!can.edit) return null;

  async function refresh() {
    setBusy(true);
    setMessage(undefined);
    try {
      const answer = await api.post<RefreshResponse>("/v1/analytics/refresh", postId ? { post_id: postId } : {});
      setMessage({
        kind: "ok",
        text: answer.targets
          ? `Collecting now: ${answer.targets} published ${answer.targets === 1 ? "target" : "targets"} queued. The numbers appear here within a minute.`
          : postId
            ? "Nothing to collect: this post has no published target within its 30 days of collection."
            : "Nothing to collect: no published post is within its 30 days of collection.",
      });
      if (answer.targets) onQueued?.();
    } catch (reason) {
      const error = reason as ApiError;
      setMessage({
        kind: "error",
        text:
          error.status === 429
            ? "Herald collected moments ago: a refresh is allowed once every 5 minutes per profile."
            : error.message,
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="refresh">
      <button type="button" className="button-secondary" onClick={refresh} disabled={busy}>
        {busy ? "Asking…" : "Refresh now"}
      </button>
      <p className={message?.kind === "error" ? "field-error" : "hint"} role="status" aria-live="polite">
        {message?.text}
      </p>
    </div>
  );
}
