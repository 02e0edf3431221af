import { useState, type FormEvent } from "react";
import { ApiError, request } from "../api/client";
import type { Me } from "../api/types";
import { session } from "../session";

export function SignIn({ expired }: { expired: boolean }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError("Paste an API key.");
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await request<Me>("GET", "/v1/me", { key: trimmed });
      session.signIn(trimmed);
    } catch (reason) {
      const failure = reason as ApiError;
      setError(
        failure.status === 401 || failure.status === 403
          ? "Herald does not know this key, or it was revoked."
          : failure.message,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <form className="card signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Herald</h1>
        <p className="muted">
          Paste an API key of your workspace. It is kept in this tab only and forgotten when you close it.
        </p>
        {expired && <p className="notice notice-warning">Your key stopped working. Sign in again.</p>}
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(event) => setKey(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "signin-error" : undefined}
          required
        />
        {error && (
          <p id="signin-error" className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
