import { describe, expect, it } from "vitest";
import { plainApiError, plainError } from "./plainErrors";

describe("plain errors", () => {
  it("says what a publishing error means and what to do", () => {
    const limited = plainError("rate_limited", "429 Too Many Requests");
    expect(limited.what).toMatch(/slow down/);
    expect(limited.todo).toMatch(/tries again by itself/);
    expect(plainError("account_disconnected", "x").todo).toMatch(/Reconnect/);
    expect(plainError("auth_expired", "x").todo).toMatch(/Reconnect/);
    expect(plainError("content_rejected", "x").what).toMatch(/rejected/);
  });

  it("falls back to Herald's message for a code it does not know", () => {
    expect(plainError("brand_new_code", "The network said no.")).toEqual({ what: "The network said no." });
    expect(plainError(undefined, "  ")).toEqual({ what: "Something went wrong." });
  });

  it("keeps the API's message where it names the rule or the state", () => {
    const message = "Cannot schedule a post that is published.";
    expect(plainApiError({ code: "invalid_state", message, status: 409 })).toBe(message);
    expect(plainApiError({ code: "invalid_content", message: "X counts 291 of 280", status: 422 })).toBe(
      "X counts 291 of 280",
    );
  });

  it("turns other API refusals into words", () => {
    expect(plainApiError({ code: "forbidden", message: "Role editor required", status: 403 })).toMatch(/role/);
    expect(plainApiError({ code: "schedule_unavailable", message: "Scheduler 503", status: 503 })).toMatch(
      /nothing was changed/,
    );
    expect(plainApiError({ code: "weird", message: "Weird thing.", status: 400 })).toBe("Weird thing.");
  });
});
