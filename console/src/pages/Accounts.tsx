import { useEffect, useRef, useState } from "react";
import { ApiError, api } from "../api/client";
import type { Account } from "../api/types";
import { AccountCard } from "../accounts/AccountCard";
import { outcomeWords, type OAuthOutcome } from "../accounts/connect";
import { ConnectForm, type ConnectPreset } from "../accounts/ConnectForm";
import { clearOutcome, pendingOutcome } from "../accounts/oauthReturn";
import { TestAccountForm } from "../accounts/TestAccountForm";
import "../accounts/accounts.css";
import { useMe } from "../me";
import { Empty, ErrorNotice, Loading } from "../ui/feedback";
import { network } from "../ui/networks";
import { useAsync } from "../ui/useAsync";
import { ConfirmDialog } from "../ui/Dialog";

type Panel = { kind: "connect"; preset?: ConnectPreset } | { kind: "test" } | undefined;
type Message = { kind: "success" | "error"; text: string };

/** #/accounts: the profile's connected accounts, connecting (OAuth or pasted credentials),
 * test accounts, reconnecting and disconnecting (editor and up). */
export function Accounts() {
  const { can } = useMe();
  const accounts = useAsync((signal) => api.get<{ accounts: Account[] }>("/v1/accounts", undefined, signal), []);
  const [outcome] = useState<OAuthOutcome | undefined>(pendingOutcome);
  const [message, setMessage] = useState<Message | undefined>(() =>
    outcome ? { kind: outcome.status === "connected" ? "success" : "error", text: outcomeWords(outcome) } : undefined,
  );
  const [highlight, setHighlight] = useState<string[]>(outcome?.accountIds ?? []);
  const [panel, setPanel] = useState<Panel>();
  const [leaving, setLeaving] = useState<Account>();
  const [busy, setBusy] = useState(false);
  const panelRef = useRef<HTMLDivElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => clearOutcome(), []);
  useEffect(() => {
    if (panel) panelRef.current?.querySelector<HTMLElement>("select, input")?.focus();
  }, [panel]);

  function added(account: Account, verb: string) {
    const list = accounts.data?.accounts ?? [];
    accounts.setData({ accounts: [account, ...list.filter((a) => a.id !== account.id)] });
    setHighlight([account.id]);
    setPanel(undefined);
    setMessage({ kind: "success", text: `${network(account.platform).label} account @${account.username} ${verb}.` });
  }

  async function disconnect() {
    if (!leaving) return;
    setBusy(true);
    try {
      const answer = await api.delete<{ revoked: boolean }>(`/v1/accounts/${encodeURIComponent(leaving.id)}`);
      const name = network(leaving.platform).label;
      accounts.setData({ accounts: (accounts.data?.accounts ?? []).filter((a) => a.id !== leaving.id) });
      setMessage({
        kind: "success",
        text: `Disconnected @${leaving.username} from ${name}. ${
          answer.revoked ? `${name} revoked Herald's access.` : `${name} has no revocation: remove Herald in its settings if you wish.`
        }`,
      });
    } catch (reason) {
      setMessage({ kind: "error", text: `Could not disconnect @${leaving.username}: ${(reason as ApiError).message}` });
    } finally {
      setBusy(false);
      setLeaving(undefined);
    }
  }

  const list = accounts.data?.accounts ?? [];
  return (
    <div className="accounts">
      <div className="page-header">
        <h1 ref={headingRef} tabIndex={-1}>
          Accounts
        </h1>
        {can.edit && (
          <div className="actions">
            <button type="button" aria-expanded={panel?.kind === "connect"} onClick={() => setPanel(panel?.kind === "connect" ? undefined : { kind: "connect" })}>
              Connect an account
            </button>
            <button
              type="button"
              className="button-secondary"
              aria-expanded={panel?.kind === "test"}
              onClick={() => setPanel(panel?.kind === "test" ? undefined : { kind: "test" })}
            >
              Add a test account
            </button>
          </div>
        )}
      </div>

      <div role="status" aria-live="polite" className="accounts-message">
        {message && (
          <div className={`notice notice-${message.kind === "error" ? "error" : "success"}`}>
            <p>{message.text}</p>
            <button type="button" className="button-secondary button-small" onClick={() => setMessage(undefined)}>
              Dismiss
            </button>
          </div>
        )}
      </div>

      <div ref={panelRef}>
        {panel?.kind === "connect" && (
          <ConnectForm preset={panel.preset} onConnected={(account) => added(account, "connected")} onCancel={() => setPanel(undefined)} />
        )}
        {panel?.kind === "test" && <TestAccountForm onAdded={(account) => added(account, "added in test mode")} onCancel={() => setPanel(undefined)} />}
      </div>

      {accounts.loading && !accounts.data && <Loading label="Loading accounts…" />}
      {accounts.error && <ErrorNotice error={accounts.error} onRetry={accounts.reload} />}
      {accounts.data && list.length === 0 && (
        <Empty title="No accounts connected yet">
          <p>{can.edit ? "Connect a network, or add a test account to try Herald offline." : "An editor can connect this profile's networks."}</p>
        </Empty>
      )}
      {list.length > 0 && (
        <div className="account-grid">
          {list.map((account) => (
            <AccountCard
              key={account.id}
              account={account}
              highlighted={highlight.includes(account.id)}
              onReconnectWithCredentials={(preset) => setPanel({ kind: "connect", preset })}
              onDisconnect={setLeaving}
            />
          ))}
        </div>
      )}

      <ConfirmDialog
        open={!!leaving}
        title={leaving ? `Disconnect @${leaving.username} from ${network(leaving.platform).label}?` : "Disconnect?"}
        confirmLabel="Disconnect"
        busy={busy}
        onConfirm={disconnect}
        onCancel={() => setLeaving(undefined)}
        fallbackFocus={headingRef}
      >
        <p>
          Herald revokes its access where the network allows and forgets the account: posts not yet published to it will not
          reach it.
        </p>
      </ConfirmDialog>
    </div>
  );
}
