import { describe, expect, it } from "vitest";
import {
  connectRequest,
  expiryWords,
  fieldErrors,
  needsReconnect,
  outcomeWords,
  parseOutcome,
  redirectUri,
  statusDetail,
  usesCredentials,
} from "./connect";

describe("connecting", () => {
  it("sends OAuth networks to the network with a fragment-free redirect_uri", () => {
    const uri = redirectUri({ origin: "http://127.0.0.1:3000", pathname: "/" });
    expect(uri).toBe("http://127.0.0.1:3000/");
    expect(connectRequest({ platform: "linkedin", mode: "live", redirectUri: uri, username: "ignored" })).toEqual({
      platform: "linkedin",
      mode: "live",
      redirect_uri: uri,
    });
    expect(connectRequest({ platform: "x", mode: "test", redirectUri: uri, username: " demo " })).toEqual({
      platform: "x",
      mode: "test",
      redirect_uri: uri,
      username: "demo",
    });
  });

  it("sends the pasted credentials of Bluesky, Mastodon and Telegram, and only their own fields", () => {
    expect(usesCredentials("telegram")).toBe(true);
    expect(usesCredentials("x")).toBe(false);
    expect(
      connectRequest({
        platform: "bluesky",
        mode: "live",
        redirectUri: "https://h/",
        credentials: { handle: " acme.bsky.social ", app_password: "abcd-efgh", chat_id: "stray" },
      }),
    ).toEqual({ platform: "bluesky", mode: "live", credentials: { handle: "acme.bsky.social", app_password: "abcd-efgh" } });
  });

  it("reads the callback's outcome from the query string", () => {
    expect(parseOutcome("?status=connected&platform=facebook&account_id=acc_1&account_ids=acc_1,acc_2")).toEqual({
      status: "connected",
      platform: "facebook",
      accountIds: ["acc_1", "acc_2"],
      error: undefined,
    });
    const denied = parseOutcome("?status=error&platform=x&error=access_denied");
    expect(denied && outcomeWords(denied)).toBe("Connecting X failed: you declined on the network's page, so nothing was connected.");
    expect(outcomeWords(parseOutcome("?status=connected&platform=facebook&account_ids=a,b")!)).toBe("2 Facebook accounts connected.");
    expect(parseOutcome("?foo=bar")).toBeUndefined();
    expect(parseOutcome("?status=maybe&platform=x")).toBeUndefined();
  });

  it("maps a 422's details onto the form's fields", () => {
    expect(
      fieldErrors([
        { field: "credentials.handle", issue: "required" },
        { field: "redirect_uri", in: "body", issue: "value_error", message: "Value error, must be an absolute URL" },
        { issue: "other" },
      ]),
    ).toEqual({ handle: "Required.", redirect_uri: "must be an absolute URL" });
  });
});

describe("account state in words", () => {
  const now = new Date("2026-11-23T12:00:00Z");

  it("says why a reconnect is needed", () => {
    expect(statusDetail({ status: "active", status_reason: null, platform: "x" })).toBeUndefined();
    expect(statusDetail({ status: "reconnect_required", status_reason: "The token was revoked", platform: "linkedin" })).toBe(
      "LinkedIn stopped accepting Herald's access: The token was revoked. Connect it again to resume publishing.",
    );
  });

  it("treats an expired token like a revoked one", () => {
    expect(needsReconnect({ status: "active", token_expires_at: "2026-11-23T11:00:00Z" }, now)).toBe(true);
    expect(needsReconnect({ status: "active", token_expires_at: "2026-12-23T11:00:00Z" }, now)).toBe(false);
    expect(needsReconnect({ status: "active", token_expires_at: null }, now)).toBe(false);
    expect(needsReconnect({ status: "reconnect_required", token_expires_at: null }, now)).toBe(true);
  });

  it("says when access expires, in the profile's zone", () => {
    expect(expiryWords({ token_expires_at: null }, now, "UTC")).toBeUndefined();
    expect(expiryWords({ token_expires_at: "2026-11-26T13:00:00Z" }, now, "UTC")).toMatch(/^Access expires .* \(in 3 days;/);
    expect(expiryWords({ token_expires_at: "2026-11-23T18:00:00Z" }, now, "UTC")).toMatch(/\(today;/);
    expect(expiryWords({ token_expires_at: "2026-11-20T13:00:00Z" }, now, "UTC")).toMatch(/^Access expired /);
  });
});
