import { useState } from "react";
import { ApiError, api } from "../api/client";
import type { components } from "../api/schema";
import type { Webhook } from "../api/types";
import { useMe } from "../me";
import { formatDateTime } from "../time";
import { DeliveryLog } from "./DeliveryLog";
import { health } from "./events";

type Queued = components["schemas"]["DeliveryQueuedResponse"];

/** One webhook: its health, events, test and enable buttons, and its delivery log. */
export function WebhookItem({
  webhook,
  onChanged,
  onDelete,
}: {
  webhook: Webhook;
  onChanged: (webhook: Webhook) => void;
  onDelete: (webhook: Webhook) => void;
}) {
  const { can, timezone } = useMe();
  const [showLog, setShowLog] = useState(false);
  const [round, setRound] = useState(0);
  const [queued, setQueued] = useState<string>();
  const [busy, setBusy] = useState<"test" | "enable">();
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string }>();
  const state = health(webhook, timezone);
  const path = `/v1/webhooks/${encodeURIComponent(webhook.id)}`;
  const logId = `webhook-log-${webhook.id}`;

  async function sendTest() {
    setBusy("test");
    setMessage(undefined);
    try {
      const queued = await api.post<Queued>(`${path}/test`);
      setMessage({ kind: "ok", text: `Test event queued as delivery ${queued.delivery_id}.` });
      setShowLog(true);
      setQueued(queued.delivery_id);
      setRound((n) => n + 1);
    } catch (reason) {
      setMessage({ kind: "error", text: `The test was refused: ${(reason as ApiError).message}` });
    } finally {
      setBusy(undefined);
    }
  }

  // The log just changed: read the webhook's health again (last delivery, failure streak).
  async function refreshHealth() {
    try {
      onChanged(await api.get<Webhook>(path));
    } catch {
      // the log still shows; the health line catches up on the next load
    }
  }

  async function enable() {
    setBusy("enable");
    setMessage(undefined);
    try {
      const updated = await api.post<Webhook>(`${path}/enable`);
      onChanged(updated);
      setMessage({ kind: "ok", text: "Enabled: deliveries start again, its failure streak forgotten." });
    } catch (reason) {
      setMessage({ kind: "error", text: `Could not enable it: ${(reason as ApiError).message}` });
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <article className="card webhook-item" aria-labelledby={`webhook-${webhook.id}`} data-webhook-id={webhook.id}>
      <header className="webhook-head">
        <h2 id={`webhook-${webhook.id}`} className="webhook-url mono">
          {webhook.url}
        </h2>
        <span className={`badge ${state.badge}`}>{state.label}</span>
      </header>
      {webhook.description && <p className="webhook-description">{webhook.description}</p>}
      {state.detail && (
        <p className={webhook.status === "disabled" ? "notice notice-error" : webhook.consecutive_failures ? "notice notice-warning" : "hint"}>
          {state.detail}
        </p>
      )}
      <dl className="webhook-facts">
        <div>
          <dt>Events</dt>
          <dd>
            <ul className="webhook-event-list">
              {webhook.events.map((event) => (
                <li key={event}>
                  <code>{event}</code>
                </li>
              ))}
            </ul>
          </dd>
        </div>
        <div>
          <dt>Format</dt>
          <dd>{webhook.format === "ayrshare" ? "Ayrshare-compatible" : "Herald"}</dd>
        </div>
        <div>
          <dt>Secret</dt>
          <dd>
            <code>{webhook.secret_hint}…</code>
          </dd>
        </div>
        <div>
          <dt>Added</dt>
          <dd>{formatDateTime(webhook.created_at, timezone)}</dd>
        </div>
      </dl>
      <div className="row webhook-actions">
        <button type="button" className="button-secondary" aria-expanded={showLog} aria-controls={logId} onClick={() => setShowLog((s) => !s)}>
          {showLog ? "Hide deliveries" : "Show deliveries"}
        </button>
        {can.edit && (
          <button type="button" className="button-secondary" onClick={sendTest} disabled={busy === "test"}>
            {busy === "test" ? "Sending…" : "Send a test event"}
          </button>
        )}
        {can.admin && webhook.status === "disabled" && (
          <button type="button" onClick={enable} disabled={busy === "enable"}>
            {busy === "enable" ? "Enabling…" : "Enable"}
          </button>
        )}
        {can.admin && (
          <button type="button" className="button-secondary webhook-delete" onClick={() => onDelete(webhook)}>
            Delete<span className="visually-hidden"> the webhook to {webhook.url}</span>
          </button>
        )}
      </div>
      <p className={message?.kind === "error" ? "field-error" : "hint"} role="status" aria-live="polite">
        {message?.text}
      </p>
      <div id={logId} hidden={!showLog}>
        {showLog && <DeliveryLog webhookId={webhook.id} round={round} queued={queued} onLoaded={refreshHealth} />}
      </div>
    </article>
  );
}
