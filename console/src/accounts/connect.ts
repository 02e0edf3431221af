// How each network connects (OAuth, or credentials pasted into Herald), the connect request,
// and accounts' states in plain words. Pure: no DOM, no fetch.
import type { Account } from "../api/types";
import type { components } from "../api/schema";
import { formatDateTime } from "../time";
import { network } from "../ui/networks";

export type ConnectRequest = components["schemas"]["ConnectRequest"];
export type Mode = "live" | "test";

export interface CredentialField {
  name: string;
  label: string;
  type: "text" | "password" | "url";
  hint: string;
  placeholder?: string;
}

// docs/api.md, "Connecting (pasted credentials)": every other network connects through OAuth.
export const CREDENTIAL_FIELDS: Record<string, CredentialField[]> = {
  bluesky: [
    { name: "handle", label: "Handle", type: "text", hint: "Your Bluesky handle.", placeholder: "acme.bsky.social" },
    {
      name: "app_password",
      label: "App password",
      type: "password",
      hint: "Bluesky settings, Privacy and security, App passwords. Herald keeps only the session it opens, never this password.",
    },
  ],
  mastodon: [
    { name: "instance_url", label: "Instance URL", type: "url", hint: "Your server's address.", placeholder: "https://mastodon.social" },
    {
      name: "access_token",
      label: "Access token",
      type: "password",
      hint: "Preferences, Development, New application (read and write scopes), then copy its access token.",
    },
  ],
  telegram: [
    { name: "bot_token", label: "Bot token", type: "password", hint: "The token @BotFather gave your bot." },
    {
      name: "chat_id",
      label: "Channel",
      type: "text",
      hint: "@channelname or the numeric chat id. The bot must be an administrator allowed to post there.",
      placeholder: "@acme_news",
    },
  ],
};

export function usesCredentials(platform: string): boolean {
  return platform in CREDENTIAL_FIELDS;
}

/** Where the network sends the browser back: this page without its #route (the API refuses a
 * redirect_uri with a fragment; the outcome arrives in the query string). */
export function redirectUri(location: { origin: string; pathname: string }): string {
  return `${location.origin}${location.pathname}`;
}

export function connectRequest(input: {
  platform: string;
  mode: Mode;
  redirectUri: string;
  username?: string;
  credentials?: Record<string, string>;
}): ConnectRequest {
  if (usesCredentials(input.platform)) {
    const credentials: Record<string, string> = {};
    for (const field of CREDENTIAL_FIELDS[input.platform]) credentials[field.name] = (input.credentials?.[field.name] ?? "").trim();
    return { platform: input.platform, mode: input.mode, credentials };
  }
  const request: ConnectRequest = { platform: input.platform, mode: input.mode, redirect_uri: input.redirectUri };
  const username = input.username?.trim();
  if (input.mode === "test" && username) request.username = username;
  return request;
}

export interface OAuthOutcome {
  status: "connected" | "error";
  platform: string;
  accountIds: string[];
  error?: string;
}

/** The OAuth callback's answer in the query string: ?status=connected&platform=x&account_id=… */
export function parseOutcome(search: string): OAuthOutcome | undefined {
  const query = new URLSearchParams(search);
  const status = query.get("status");
  const platform = query.get("platform");
  if ((status !== "connected" && status !== "error") || !platform) return undefined;
  const ids = (query.get("account_ids") || query.get("account_id") || "").split(",").filter(Boolean);
  return { status, platform, accountIds: ids, error: query.get("error") ?? undefined };
}

const OAUTH_ERRORS: Record<string, string> = {
  access_denied: "you declined on the network's page, so nothing was connected",
  no_code: "the network sent no authorization code back",
  invalid_grant: "the network refused the authorization code (it may have expired): try again",
  platform_unavailable: "the network did not answer: try again in a moment",
};

export function outcomeWords(outcome: OAuthOutcome): string {
  const name = network(outcome.platform).label;
  if (outcome.status === "connected") {
    const count = outcome.accountIds.length;
    return count > 1 ? `${count} ${name} accounts connected.` : `${name} account connected.`;
  }
  const reason = OAUTH_ERRORS[outcome.error ?? ""] ?? `the network answered “${outcome.error ?? "an error"}”`;
  return `Connecting ${name} failed: ${reason}.`;
}

export function modeLabel(mode: string): string {
  return mode === "test" ? "Test mode" : "Live";
}

export function statusLabel(account: Pick<Account, "status">): string {
  return account.status === "active" ? "Connected" : "Reconnect needed";
}

/** Why it needs a reconnect, in words a person can act on. */
export function statusDetail(account: Pick<Account, "status" | "status_reason" | "platform">): string | undefined {
  if (account.status === "active") return undefined;
  const name = network(account.platform).label;
  const reason = account.status_reason?.trim();
  return reason
    ? `${name} stopped accepting Herald's access: ${reason.replace(/\.?$/, ".")} Connect it again to resume publishing.`
    : `${name} stopped accepting Herald's access. Connect it again to resume publishing.`;
}

const DAY = 86_400_000;

export function tokenExpired(account: Pick<Account, "token_expires_at">, now: Date): boolean {
  return !!account.token_expires_at && Date.parse(account.token_expires_at) <= now.getTime();
}

export function needsReconnect(account: Pick<Account, "status" | "token_expires_at">, now: Date): boolean {
  return account.status !== "active" || tokenExpired(account, now);
}

/** "Expires 23 Nov 2026, 09:30 (in 3 days; renewed before then)" and the like. */
export function expiryWords(account: Pick<Account, "token_expires_at">, now: Date, zone: string): string | undefined {
  if (!account.token_expires_at) return undefined;
  const at = Date.parse(account.token_expires_at);
  const when = formatDateTime(account.token_expires_at, zone);
  if (at <= now.getTime()) return `Access expired ${when}`;
  const days = Math.floor((at - now.getTime()) / DAY);
  const soon = days < 1 ? "today" : days === 1 ? "tomorrow" : `in ${days} days`;
  return `Access expires ${when} (${soon}; Herald renews it first where the network allows)`;
}

/** Field errors of a 422 answer keyed by form field ("credentials.handle" -> "handle"). */
export function fieldErrors(details: Record<string, unknown>[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const detail of details) {
    const field = typeof detail.field === "string" ? detail.field.replace(/^(body\.)?(credentials\.)?/, "") : "";
    if (!field) continue;
    const message =
      typeof detail.message === "string" ? detail.message.replace(/^Value error, /, "") : detail.issue === "required" ? "Required." : String(detail.issue ?? "Not valid.");
    errors[field] = message;
  }
  return errors;
}
