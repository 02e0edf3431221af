import { useState, type FormEvent } from "react";
import { ApiError, api } from "../api/client";
import type { Account } from "../api/types";
import { fieldErrors } from "./connect";
import { NetworkOptions } from "../ui/NetworkOptions";

/** POST /v1/accounts: a test-mode account straight away, answered by the network's simulator. */
export function TestAccountForm({ onAdded, onCancel }: { onAdded: (account: Account) => void; onCancel: () => void }) {
  const [platform, setPlatform] = useState("x");
  const [name, setName] = useState("");
  const [username, setUsername] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [errors, setErrors] = useState<Record<string, string>>({});

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) {
      setErrors({ name: "Give the account a name." });
      return;
    }
    setBusy(true);
    setError(undefined);
    setErrors({});
    try {
      const account = await api.post<Account>("/v1/accounts", {
        platform,
        mode: "test",
        name: name.trim(),
        ...(username.trim() ? { username: username.trim() } : {}),
      });
      setName("");
      setUsername("");
      onAdded(account);
    } catch (reason) {
      const failure = reason as ApiError;
      setErrors(fieldErrors(failure.details ?? []));
      setError(failure.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card connect-form" onSubmit={submit} aria-labelledby="test-account-title" noValidate>
      <h2 id="test-account-title">Add a test account</h2>
      <p className="hint">The network's simulator answers its posts offline, in the network's own shapes: nothing is posted for real.</p>
      <div className="connect-grid">
        <div>
          <label htmlFor="test-network">Network</label>
          <select id="test-network" value={platform} onChange={(event) => setPlatform(event.target.value)}>
            <NetworkOptions />
          </select>
        </div>
        <div>
          <label htmlFor="test-name">Name</label>
          <input
            id="test-name"
            type="text"
            value={name}
            maxLength={120}
            onChange={(event) => setName(event.target.value)}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? "test-name-error" : undefined}
            required
          />
          {errors.name && (
            <p id="test-name-error" className="field-error">
              {errors.name}
            </p>
          )}
        </div>
        <div>
          <label htmlFor="test-username">Username (optional)</label>
          <input id="test-username" type="text" value={username} maxLength={120} onChange={(event) => setUsername(event.target.value)} />
        </div>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="row connect-actions">
        <button type="submit" disabled={busy}>
          {busy ? "Adding…" : "Add test account"}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
