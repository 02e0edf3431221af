import { describe, expect, it } from "vitest";
import type { Delivery, Webhook } from "../api/types";
import { appendPage, checkWebhook, deliveryStatus, health, responseWords } from "./events";

const base: Webhook = {
  id: "wh_1",
  url: "https://hooks.example.com/h",
  events: ["post.published"],
  format: "herald",
  status: "active",
  consecutive_failures: 0,
  secret_hint: "whsec_ab",
  created_at: "2026-11-20T10:00:00Z",
};

describe("webhook health", () => {
  it("tells a new, a healthy, a failing and a disabled webhook apart", () => {
    expect(health(base, "UTC").label).toBe("Not used yet");
    expect(health({ ...base, last_delivery_at: "2026-11-23T10:00:00Z" }, "UTC").label).toBe("Healthy");
    const failing = health({ ...base, consecutive_failures: 3, failing_since: "2026-11-23T08:00:00Z" }, "UTC");
    expect(failing.label).toBe("Failing");
    expect(failing.detail).toMatch(/^3 deliveries in a row failed since /);
    const disabled = health({ ...base, status: "disabled", disabled_reason: "40 attempts in a row failed" }, "UTC");
    expect(disabled).toMatchObject({ label: "Disabled", badge: "badge-failed" });
    expect(disabled.detail).toMatch(/40 attempts in a row failed$/);
  });
});

describe("deliveries", () => {
  const delivery = (id: string, extra: Partial<Delivery> = {}): Delivery => ({
    id,
    event_id: "evt_1",
    event_type: "post.published",
    status: "delivered",
    attempts: 1,
    queued_at: "2026-11-23T10:00:00Z",
    updated_at: "2026-11-23T10:00:01Z",
    event: {},
    ...extra,
  });

  it("says each status in words, never by colour alone", () => {
    expect(deliveryStatus("retrying")).toEqual({ label: "Retrying", badge: "badge-pending_approval" });
    expect(deliveryStatus("odd").label).toBe("odd");
  });

  it("says what the receiver answered", () => {
    expect(responseWords(delivery("d", { response_status: 503 }))).toBe("HTTP 503");
    expect(responseWords(delivery("d", { response_status: null, error: "timeout", status: "retrying" }))).toBe("timeout");
    expect(responseWords(delivery("d", { status: "retrying" }))).toBe("No answer yet");
  });

  it("adds a page without showing a delivery twice", () => {
    expect(appendPage([delivery("a"), delivery("b")], [delivery("b"), delivery("c")]).map((d) => d.id)).toEqual(["a", "b", "c"]);
  });
});

describe("the create form's checks", () => {
  it("wants https (http only for loopback) and an event", () => {
    expect(checkWebhook("https://hooks.example.com/x", ["post.failed"])).toEqual({});
    expect(checkWebhook("http://127.0.0.1:9000/h", ["post.failed"])).toEqual({});
    expect(checkWebhook("http://hooks.example.com/x", ["post.failed"]).url).toMatch(/https/);
    expect(checkWebhook("hooks", []).url).toMatch(/full URL/);
    expect(checkWebhook("https://h.example.com", []).events).toBe("Pick at least one event.");
  });
});
