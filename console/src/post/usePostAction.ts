// Runs one action on a post (publish, pause…) at a time and says how it went, in words.
import { useCallback, useState } from "react";
import { ApiError } from "../api/client";
import type { Post } from "../api/types";
import { plainApiError } from "../ui/plainErrors";

export interface ActionMessage {
  kind: "success" | "error";
  text: string;
}

export function usePostAction(onDone: (post: Post) => void) {
  const [busy, setBusy] = useState<string>();
  const [message, setMessage] = useState<ActionMessage>();

  const run = useCallback(
    async (name: string, call: () => Promise<Post>, done: (post: Post) => string) => {
      setBusy(name);
      setMessage(undefined);
      try {
        const post = await call();
        onDone(post);
        setMessage({ kind: "success", text: done(post) });
        return post;
      } catch (error) {
        const text = error instanceof ApiError ? plainApiError(error) : String(error);
        setMessage({ kind: "error", text });
        return undefined;
      } finally {
        setBusy(undefined);
      }
    },
    [onDone],
  );

  return { busy, message, run, clear: useCallback(() => setMessage(undefined), []) };
}
