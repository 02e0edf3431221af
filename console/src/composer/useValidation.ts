// The live checks: the body is sent to POST /v1/posts/validate 400 ms after the last change; a
// newer body aborts the request in flight, so an old answer never overwrites a newer one.
import { useEffect, useState } from "react";
import { ApiError, request } from "../api/client";
import type { Validation } from "../api/types";
import type { Body } from "./draft";

export interface Check {
  state: "idle" | "waiting" | "checking" | "done" | "error";
  result?: Validation;
  error?: ApiError;
  current: boolean; // the result is for the body as it is now
}

export const DEBOUNCE_MS = 400;

/** `revision` names what changes the answer without changing the body (an upload inspected). */
export function useValidation(body: Body | null, revision = ""): Check {
  const json = body ? JSON.stringify(body) + revision : "";
  const [check, setCheck] = useState<{ state: Check["state"]; result?: Validation; error?: ApiError; for?: string }>({
    state: "idle",
  });

  useEffect(() => {
    if (!json) {
      setCheck({ state: "idle" });
      return;
    }
    const controller = new AbortController();
    setCheck((before) => ({ ...before, state: "waiting" }));
    const timer = window.setTimeout(() => {
      setCheck((before) => ({ ...before, state: "checking" }));
      request<Validation>("POST", "/v1/posts/validate", { body, signal: controller.signal })
        .then((result) => setCheck({ state: "done", result, for: json }))
        .catch((reason: unknown) => {
          if (controller.signal.aborted) return;
          const error = reason instanceof ApiError ? reason : new ApiError(0, "client_error", String(reason));
          setCheck({ state: "error", error, for: json });
        });
    }, DEBOUNCE_MS);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
    // The body is read through `json`: a new object with the same content does not check again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [json]);

  return { state: check.state, result: check.result, error: check.error, current: check.for === json && Boolean(json) };
}
