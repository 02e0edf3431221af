// The network sends the browser back to `/?status=connected&platform=…` (a redirect_uri cannot
// carry a #route), so at load the console opens the accounts page and keeps the outcome for it,
// and the query string is dropped so a reload does not announce it again.
import { parseOutcome, type OAuthOutcome } from "./connect";

let pending: OAuthOutcome | undefined;

export function captureOAuthReturn(): void {
  if (typeof window === "undefined") return;
  const outcome = parseOutcome(window.location.search);
  if (!outcome) return;
  pending = outcome;
  window.history.replaceState(window.history.state, "", `${window.location.pathname}#/accounts`);
}

export function pendingOutcome(): OAuthOutcome | undefined {
  return pending;
}

export function clearOutcome(): void {
  pending = undefined;
}
