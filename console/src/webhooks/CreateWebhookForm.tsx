import { useState, type FormEvent } from "react";
import { ApiError, api } from "../api/client";
import type { components } from "../api/schema";
import { fieldErrors } from "../accounts/connect";
import { EVENTS, checkWebhook } from "./events";

type Created = components["schemas"]["WebhookCreatedResponse"];

/** POST /v1/webhooks (admin): the answer carries the signing secret, shown once. */
export function CreateWebhookForm({ onCreated, onCancel }: { onCreated: (webhook: Created) => void; onCancel: () => void }) {
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<string[]>([]);
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();

  function toggle(id: string, on: boolean) {
    setEvents((now) => (on ? [...now, id] : now.filter((e) => e !== id)));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problems = checkWebhook(url, events);
    setErrors(problems);
    setError(undefined);
    if (Object.keys(problems).length) {
      document.getElementById(problems.url ? "webhook-url" : "webhook-event-0")?.focus();
      return;
    }
    setBusy(true);
    try {
      const created = await api.post<Created>("/v1/webhooks", {
        url: url.trim(),
        events,
        ...(description.trim() ? { description: description.trim() } : {}),
      });
      setUrl("");
      setEvents([]);
      setDescription("");
      onCreated(created);
    } catch (reason) {
      const failure = reason as ApiError;
      const byField = fieldErrors(failure.details ?? []);
      if (failure.code === "webhook_url_refused") byField.url = failure.message;
      setErrors(byField);
      setError(failure.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card webhook-form" onSubmit={submit} aria-labelledby="webhook-form-title" noValidate>
      <h2 id="webhook-form-title">Add a webhook</h2>
      <label htmlFor="webhook-url">Receiver URL</label>
      <input
        id="webhook-url"
        type="url"
        inputMode="url"
        placeholder="https://hooks.example.com/herald"
        value={url}
        onChange={(event) => setUrl(event.target.value)}
        aria-invalid={errors.url ? true : undefined}
        aria-describedby={`webhook-url-hint${errors.url ? " webhook-url-error" : ""}`}
        required
      />
      <p id="webhook-url-hint" className="hint">
        Public https only; Herald signs every delivery and retries for three days.
      </p>
      {errors.url && (
        <p id="webhook-url-error" className="field-error">
          {errors.url}
        </p>
      )}
      <fieldset aria-describedby={errors.events ? "webhook-events-error" : undefined}>
        <legend>Events</legend>
        <div className="row">
          <button type="button" className="button-secondary button-small" onClick={() => setEvents(EVENTS.map((e) => e.id))}>
            Select all
          </button>
          <button type="button" className="button-secondary button-small" onClick={() => setEvents([])}>
            Clear
          </button>
        </div>
        <div className="webhook-events">
          {EVENTS.map((item, index) => (
            <label key={item.id} className="check">
              <input
                id={`webhook-event-${index}`}
                type="checkbox"
                checked={events.includes(item.id)}
                onChange={(event) => toggle(item.id, event.target.checked)}
              />
              <span>
                <code>{item.id}</code> <span className="muted">{item.label}</span>
              </span>
            </label>
          ))}
        </div>
        {errors.events && (
          <p id="webhook-events-error" className="field-error">
            {errors.events}
          </p>
        )}
      </fieldset>
      <label htmlFor="webhook-description">Description (optional)</label>
      <input
        id="webhook-description"
        type="text"
        maxLength={256}
        value={description}
        onChange={(event) => setDescription(event.target.value)}
        placeholder="CRM sync"
      />
      <p className="hint">
        Deliveries use Herald's own format. A webhook registered through the Ayrshare-compatible API (<code>/api/hook/webhook</code>)
        receives Ayrshare's.
      </p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="row webhook-form-actions">
        <button type="submit" disabled={busy}>
          {busy ? "Adding…" : "Add webhook"}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
