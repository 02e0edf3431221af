import { useRef, useState } from "react";
import { ApiError, api } from "../api/client";
import type { Webhook } from "../api/types";
import { useMe } from "../me";
import { Empty, ErrorNotice, Loading } from "../ui/feedback";
import { useAsync } from "../ui/useAsync";
import { CreateWebhookForm } from "../webhooks/CreateWebhookForm";
import { ConfirmDialog } from "../ui/Dialog";
import { SecretDialog } from "../webhooks/SecretDialog";
import { WebhookItem } from "../webhooks/WebhookItem";
import "../webhooks/webhooks.css";

/** #/webhooks: the profile's receivers with their health and delivery logs. Admins register,
 * enable and delete; editors send tests and replays; viewers read. */
export function Webhooks() {
  const { can } = useMe();
  const webhooks = useAsync((signal) => api.get<{ webhooks: Webhook[] }>("/v1/webhooks", undefined, signal), []);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string>();
  const [removing, setRemoving] = useState<Webhook>();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string }>();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const list = webhooks.data?.webhooks ?? [];
  const latest = useRef(list); // a health refresh lands after other changes: update the newest list
  latest.current = list;

  function replace(webhook: Webhook) {
    webhooks.setData({ webhooks: latest.current.map((w) => (w.id === webhook.id ? webhook : w)) });
  }

  async function remove() {
    if (!removing) return;
    setBusy(true);
    try {
      await api.delete<Webhook>(`/v1/webhooks/${encodeURIComponent(removing.id)}`);
      webhooks.setData({ webhooks: list.filter((w) => w.id !== removing.id) });
      setMessage({ kind: "success", text: `Deleted the webhook to ${removing.url}: its queued deliveries are dropped.` });
    } catch (reason) {
      setMessage({ kind: "error", text: `Could not delete it: ${(reason as ApiError).message}` });
    } finally {
      setBusy(false);
      setRemoving(undefined);
    }
  }

  return (
    <div className="webhooks">
      <div className="page-header">
        <h1 ref={headingRef} tabIndex={-1}>
          Webhooks
        </h1>
        {can.admin && (
          <div className="actions">
            <button type="button" aria-expanded={creating} onClick={() => setCreating((c) => !c)}>
              Add a webhook
            </button>
          </div>
        )}
      </div>
      <p className="hint">
        Herald POSTs signed JSON to these URLs when posts are scheduled, published or fail, accounts disconnect, engagement
        spikes and mentions arrive.
      </p>

      <div role="status" aria-live="polite">
        {message && (
          <div className={`notice notice-${message.kind === "error" ? "error" : "success"}`}>
            <p>{message.text}</p>
          </div>
        )}
      </div>

      {creating && (
        <CreateWebhookForm
          onCancel={() => setCreating(false)}
          onCreated={(created) => {
            const { secret: shown, ...webhook } = created;
            webhooks.setData({ webhooks: [webhook, ...list] });
            setCreating(false);
            setMessage({ kind: "success", text: `Webhook to ${webhook.url} added.` });
            setSecret(shown);
          }}
        />
      )}

      {webhooks.loading && !webhooks.data && <Loading label="Loading webhooks…" />}
      {webhooks.error && <ErrorNotice error={webhooks.error} onRetry={webhooks.reload} />}
      {webhooks.data && list.length === 0 && (
        <Empty title="No webhooks yet">
          <p>{can.admin ? "Add one to tell your systems what happens." : "An admin can register webhooks for this profile."}</p>
        </Empty>
      )}
      <div className="stack">
        {list.map((webhook) => (
          <WebhookItem key={webhook.id} webhook={webhook} onChanged={replace} onDelete={setRemoving} />
        ))}
      </div>

      <SecretDialog secret={secret} onClose={() => setSecret(undefined)} fallbackFocus={headingRef} />
      <ConfirmDialog
        open={!!removing}
        title="Delete this webhook?"
        confirmLabel="Delete webhook"
        busy={busy}
        onConfirm={remove}
        onCancel={() => setRemoving(undefined)}
        fallbackFocus={headingRef}
      >
        <p>
          Herald stops delivering to <code>{removing?.url}</code> and drops its queued deliveries. Its secret cannot be
          recovered.
        </p>
      </ConfirmDialog>
    </div>
  );
}
