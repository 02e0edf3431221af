import { useEffect, useRef, useState } from "react";
import { ApiError, api } from "../api/client";
import type { Account, ConnectResponse } from "../api/types";
import { useMe } from "../me";
import { network } from "../ui/networks";
import {
  connectRequest,
  expiryWords,
  modeLabel,
  needsReconnect,
  redirectUri,
  statusDetail,
  statusLabel,
  usesCredentials,
  type Mode,
} from "./connect";
import type { ConnectPreset } from "./ConnectForm";

export function AccountCard({
  account,
  highlighted,
  onReconnectWithCredentials,
  onDisconnect,
}: {
  account: Account;
  highlighted: boolean;
  onReconnectWithCredentials: (preset: ConnectPreset) => void;
  onDisconnect: (account: Account) => void;
}) {
  const { can, timezone } = useMe();
  const [link, setLink] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [avatarFailed, setAvatarFailed] = useState(false);
  const linkRef = useRef<HTMLAnchorElement>(null);
  const info = network(account.platform);
  const mode: Mode = account.mode === "test" ? "test" : "live";
  const now = new Date();
  const reconnect = needsReconnect(account, now);
  const expiry = expiryWords(account, now, timezone);
  const detail = statusDetail(account);
  const displayName = account.display_name || account.name;

  useEffect(() => {
    if (link) linkRef.current?.focus();
  }, [link]);

  async function startReconnect() {
    if (usesCredentials(account.platform)) {
      onReconnectWithCredentials({ platform: account.platform, mode });
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const request = connectRequest({
        platform: account.platform,
        mode,
        username: account.username,
        redirectUri: redirectUri(window.location),
      });
      const answer = await api.post<ConnectResponse>("/v1/accounts/connect", request);
      setLink(answer.authorization_url ?? undefined);
    } catch (reason) {
      setError((reason as ApiError).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <article
      className={`card account-card${highlighted ? " account-new" : ""}`}
      aria-labelledby={`account-${account.id}`}
      style={{ borderLeftColor: info.color }}
      data-account-id={account.id}
    >
      <header className="account-head">
        <span className="account-network">{info.label}</span>
        <span className={`badge ${mode === "test" ? "badge-draft" : "badge-scheduled"}`}>{modeLabel(mode)}</span>
        <span className={`badge ${reconnect ? "badge-failed" : "badge-published"}`}>
          {reconnect && account.status === "active" ? "Access expired" : statusLabel(account)}
        </span>
      </header>
      <h3 id={`account-${account.id}`} className="account-name">
        {account.avatar_url && !avatarFailed && (
          <img
            src={account.avatar_url}
            alt=""
            width={32}
            height={32}
            className="account-avatar"
            onError={() => setAvatarFailed(true)}
          />
        )}
        <span>
          {displayName}
          <span className="muted account-username"> @{account.username}</span>
        </span>
      </h3>
      {detail && <p className="field-error">{detail}</p>}
      <dl className="account-facts">
        {typeof account.followers === "number" && (
          <div>
            <dt>Followers</dt>
            <dd>{new Intl.NumberFormat().format(account.followers)}</dd>
          </div>
        )}
        {expiry && (
          <div>
            <dt>Access</dt>
            <dd>{expiry}</dd>
          </div>
        )}
      </dl>
      {account.notices && account.notices.length > 0 && (
        <ul className="account-notices" aria-label={`How ${info.label} treats this account's posts`}>
          {account.notices.map((notice) => (
            <li key={notice}>{notice}</li>
          ))}
        </ul>
      )}
      {account.permissions && account.permissions.length > 0 && (
        <details className="account-permissions">
          <summary>Permissions granted ({account.permissions.length})</summary>
          <ul>
            {account.permissions.map((permission) => (
              <li key={permission}>
                <code>{permission}</code>
              </li>
            ))}
          </ul>
        </details>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {link && (
        <p className="notice notice-info" role="status">
          <a ref={linkRef} className="button" href={link}>
            Continue to {info.label}
          </a>{" "}
          to approve access again.
        </p>
      )}
      {can.edit && (
        <div className="row account-actions">
          {reconnect && !link && (
            <button type="button" onClick={startReconnect} disabled={busy}>
              {busy ? "Starting…" : "Reconnect"}
              <span className="visually-hidden"> {displayName} on {info.label}</span>
            </button>
          )}
          <button type="button" className="button-secondary" onClick={() => onDisconnect(account)}>
            Disconnect<span className="visually-hidden"> {displayName} on {info.label}</span>
          </button>
        </div>
      )}
    </article>
  );
}
