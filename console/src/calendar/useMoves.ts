// Rescheduling from the calendar: the post moves at once (optimistic), the API is asked, and
// the move is rolled back with the API's reason if it refuses.
import { useCallback, useState } from "react";
import { api, ApiError } from "../api/client";
import type { Post } from "../api/types";
import { formatDateTime } from "../time";
import { plainApiError } from "../ui/plainErrors";
import { movedCopy, type Move } from "./grid";

export interface MoveMessage {
  kind: "success" | "error";
  text: string;
}

export interface Moves {
  /** Posts shown at their new date while the API has not answered. */
  pending: Map<string, Post>;
  message: MoveMessage | undefined;
  move: (post: Post, to: Move) => Promise<boolean>;
  dismiss: () => void;
}

/**
 * A scheduled post is rescheduled (POST /schedule). A paused post or a dated draft gets its new
 * date through PUT, which keeps its status: /schedule would arm it, and a drag should not
 * resume a paused post nor send a draft.
 */
function send(post: Post, to: Move, zone: string): Promise<Post> {
  const body = { scheduled_at: to.scheduled_at, timezone: zone };
  if (post.status === "scheduled") return api.post<Post>(`/v1/posts/${post.id}/schedule`, body);
  return api.put<Post>(`/v1/posts/${post.id}`, body);
}

export function useMoves(zone: string, onMoved: (post: Post) => void): Moves {
  const [pending, setPending] = useState<Map<string, Post>>(() => new Map());
  const [message, setMessage] = useState<MoveMessage>();

  const move = useCallback(
    async (post: Post, to: Move): Promise<boolean> => {
      if (to.instant.getTime() <= Date.now()) {
        setMessage({
          kind: "error",
          text: `Not moved: ${formatDateTime(to.instant, zone)} is in the past. Pick a time still to come.`,
        });
        return false;
      }
      setPending((map) => new Map(map).set(post.id, movedCopy(post, to)));
      setMessage(undefined);
      try {
        const updated = await send(post, to, zone);
        onMoved(updated);
        setMessage({ kind: "success", text: `Moved to ${formatDateTime(updated.scheduled_at, zone)}.` });
        return true;
      } catch (error) {
        const reason = error instanceof ApiError ? plainApiError(error) : String(error);
        setMessage({ kind: "error", text: `Could not move the post: ${reason}` });
        return false;
      } finally {
        setPending((map) => {
          const next = new Map(map);
          next.delete(post.id);
          return next;
        });
      }
    },
    [zone, onMoved],
  );

  const dismiss = useCallback(() => setMessage(undefined), []);
  return { pending, message, move, dismiss };
}
