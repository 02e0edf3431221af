// Webhook events, health and deliveries in words (docs/webhooks.md). Pure: no DOM, no fetch.
import type { Delivery, Webhook } from "../api/types";
import { formatDateTime } from "../time";

export const EVENTS: { id: string; label: string }[] = [
  { id: "post.scheduled", label: "A post is waiting for its time" },
  { id: "post.approval_requested", label: "A post needs an approver" },
  { id: "post.published", label: "Every target published" },
  { id: "post.partially_published", label: "Some targets published, some failed" },
  { id: "post.failed", label: "No target published" },
  { id: "post.cancelled", label: "A post was deleted before publishing" },
  { id: "account.disconnected", label: "A network refused an account, or it was removed" },
  { id: "analytics.engagement_spike", label: "A post gains engagements unusually fast" },
  { id: "mention.received", label: "Someone mentioned or replied to an account" },
];

export interface Health {
  label: "Healthy" | "Failing" | "Disabled" | "Not used yet";
  badge: string; // a badge-* class of styles.css
  detail?: string;
}

export function health(webhook: Webhook, zone: string): Health {
  if (webhook.status === "disabled") {
    return {
      label: "Disabled",
      badge: "badge-failed",
      detail: `Deliveries stopped${webhook.disabled_at ? ` ${formatDateTime(webhook.disabled_at, zone)}` : ""}: ${
        webhook.disabled_reason ?? "too many failures in a row"
      }`,
    };
  }
  if (webhook.consecutive_failures > 0) {
    const since = webhook.failing_since ? ` since ${formatDateTime(webhook.failing_since, zone)}` : "";
    const count = webhook.consecutive_failures;
    return {
      label: "Failing",
      badge: "badge-pending_approval",
      detail: `${count} ${count === 1 ? "delivery" : "deliveries"} in a row failed${since}. Herald retries for three days, then disables it after a day of failures.`,
    };
  }
  if (!webhook.last_delivery_at) return { label: "Not used yet", badge: "badge-draft" };
  return { label: "Healthy", badge: "badge-published", detail: `Last delivery ${formatDateTime(webhook.last_delivery_at, zone)}.` };
}

const DELIVERY: Record<string, { label: string; badge: string }> = {
  delivered: { label: "Delivered", badge: "badge-published" },
  retrying: { label: "Retrying", badge: "badge-pending_approval" },
  failed: { label: "Failed", badge: "badge-failed" },
  skipped: { label: "Skipped", badge: "badge-draft" },
};

export function deliveryStatus(status: string): { label: string; badge: string } {
  return DELIVERY[status] ?? { label: status, badge: "badge-draft" };
}

/** What the receiver answered, in a few words. */
export function responseWords(delivery: Pick<Delivery, "response_status" | "error" | "status">): string {
  if (delivery.response_status) return `HTTP ${delivery.response_status}`;
  if (delivery.error) return delivery.error;
  return delivery.status === "skipped" ? "Not sent" : "No answer yet";
}

/** Adds a page of deliveries to what is shown, without duplicates (a replay may shift pages). */
export function appendPage(shown: Delivery[], page: Delivery[]): Delivery[] {
  const seen = new Set(shown.map((d) => d.id));
  return [...shown, ...page.filter((d) => !seen.has(d.id))];
}

/** The create form's checks before the API's own: https (http only for loopback), an event. */
export function checkWebhook(url: string, events: string[]): Record<string, string> {
  const errors: Record<string, string> = {};
  let parsed: URL | undefined;
  try {
    parsed = new URL(url.trim());
  } catch {
    errors.url = "Enter the receiver's full URL, starting with https://.";
  }
  if (parsed) {
    const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname);
    if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && loopback)) {
      errors.url = "Use an https:// URL (plain http only for a receiver on this machine).";
    }
  }
  if (events.length === 0) errors.events = "Pick at least one event.";
  return errors;
}
