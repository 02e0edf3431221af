import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiError, api } from "../api/client";
import type { Account, ConnectResponse } from "../api/types";
import { useMe } from "../me";
import { formatTime } from "../time";
import { network } from "../ui/networks";
import { CREDENTIAL_FIELDS, connectRequest, fieldErrors, redirectUri, usesCredentials, type Mode } from "./connect";
import { NetworkOptions } from "../ui/NetworkOptions";

export interface ConnectPreset {
  platform: string;
  mode: Mode;
  username?: string;
}

/** POST /v1/accounts/connect: OAuth networks answer a link to the network's consent page;
 * Bluesky, Mastodon and Telegram take pasted credentials and answer the account. */
export function ConnectForm({
  preset,
  onConnected,
  onCancel,
}: {
  preset?: ConnectPreset;
  onConnected: (account: Account) => void;
  onCancel: () => void;
}) {
  const { timezone } = useMe();
  const [platform, setPlatform] = useState(preset?.platform ?? "x");
  const [mode, setMode] = useState<Mode>(preset?.mode ?? "live");
  const [username, setUsername] = useState(preset?.username ?? "");
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [started, setStarted] = useState<ConnectResponse>();
  const continueRef = useRef<HTMLAnchorElement>(null);
  const name = network(platform).label;
  const fields = CREDENTIAL_FIELDS[platform] ?? [];

  useEffect(() => {
    if (preset) {
      setPlatform(preset.platform);
      setMode(preset.mode);
      setUsername(preset.username ?? "");
    }
  }, [preset]);

  useEffect(() => {
    if (started?.authorization_url) continueRef.current?.focus();
  }, [started]);

  function change(update: () => void) {
    update();
    setStarted(undefined);
    setError(undefined);
    setErrors({});
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const missing = fields.filter((field) => !(credentials[field.name] ?? "").trim());
    if (missing.length) {
      setErrors(Object.fromEntries(missing.map((field) => [field.name, `${field.label} is required.`])));
      setError(undefined);
      document.getElementById(`connect-${missing[0].name}`)?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    setErrors({});
    try {
      const request = connectRequest({ platform, mode, username, credentials, redirectUri: redirectUri(window.location) });
      const answer = await api.post<ConnectResponse>("/v1/accounts/connect", request);
      if (answer.account) {
        setCredentials({});
        onConnected(answer.account);
      } else {
        setStarted(answer);
      }
    } catch (reason) {
      const failure = reason as ApiError;
      const byField = fieldErrors(failure.details ?? []);
      setErrors(byField);
      setError(
        Object.keys(byField).some((field) => fields.some((f) => f.name === field))
          ? "Check the fields above."
          : failure.code === "app_not_configured"
          ? `${name} is not set up on this deployment yet: its app's client id and secret are missing (see docs/operations.md). Test mode works without them.`
          : failure.message,
      );
    } finally {
      setBusy(false);
    }
  }

  const describedBy = (field: string, hint?: boolean) =>
    [hint ? `connect-${field}-hint` : "", errors[field] ? `connect-${field}-error` : ""].filter(Boolean).join(" ") || undefined;

  return (
    <form className="card connect-form" onSubmit={submit} aria-labelledby="connect-title" noValidate>
      <h2 id="connect-title">Connect an account</h2>
      <div className="connect-grid">
        <div>
          <label htmlFor="connect-network">Network</label>
          <select id="connect-network" value={platform} onChange={(event) => change(() => setPlatform(event.target.value))}>
            <NetworkOptions />
          </select>
        </div>
        <fieldset className="connect-mode">
          <legend>Mode</legend>
          <label className="check">
            <input type="radio" name="connect-mode" checked={mode === "live"} onChange={() => change(() => setMode("live"))} />
            Live
          </label>
          <label className="check">
            <input type="radio" name="connect-mode" checked={mode === "test"} onChange={() => change(() => setMode("test"))} />
            Test (the network's simulator: nothing is posted for real)
          </label>
        </fieldset>
      </div>

      {usesCredentials(platform) ? (
        fields.map((field) => (
          <div key={field.name}>
            <label htmlFor={`connect-${field.name}`}>{field.label}</label>
            <input
              id={`connect-${field.name}`}
              type={field.type}
              autoComplete="off"
              spellCheck={false}
              placeholder={field.placeholder}
              value={credentials[field.name] ?? ""}
              onChange={(event) => {
                const value = event.target.value;
                change(() => setCredentials((now) => ({ ...now, [field.name]: value })));
              }}
              aria-invalid={errors[field.name] ? true : undefined}
              aria-describedby={describedBy(field.name, true)}
              required
            />
            <p id={`connect-${field.name}-hint`} className="hint">
              {field.hint}
            </p>
            {errors[field.name] && (
              <p id={`connect-${field.name}-error`} className="field-error">
                {errors[field.name]}
              </p>
            )}
          </div>
        ))
      ) : mode === "test" ? (
        <div>
          <label htmlFor="connect-username">Sign in as (username)</label>
          <input
            id="connect-username"
            type="text"
            autoComplete="off"
            value={username}
            onChange={(event) => {
              const value = event.target.value;
              change(() => setUsername(value));
            }}
            aria-describedby="connect-username-hint"
          />
          <p id="connect-username-hint" className="hint">
            Who the simulated consent page signs in as. The same username again reconnects that account.
          </p>
        </div>
      ) : (
        <p className="hint">You will approve Herald's access on {name}'s own page, then come back here.</p>
      )}

      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}

      {started?.authorization_url ? (
        <div className="notice notice-info" role="status">
          <p>
            Herald is ready. Continue on {name} to approve access
            {started.expires_at ? ` before ${formatTime(started.expires_at, timezone)}` : ""}.
          </p>
          <a ref={continueRef} className="button" href={started.authorization_url}>
            Continue to {name}
          </a>
        </div>
      ) : (
        <div className="row connect-actions">
          <button type="submit" disabled={busy}>
            {busy ? "Connecting…" : usesCredentials(platform) ? `Connect ${name}` : `Start connecting ${name}`}
          </button>
          <button type="button" className="button-secondary" onClick={onCancel}>
            Cancel
          </button>
        </div>
      )}
    </form>
  );
}
