import type { Account } from "../api/types";
import { href } from "../router";
import { NETWORKS, network } from "../ui/networks";

function groups(accounts: Account[]): [string, Account[]][] {
  const order = NETWORKS.map((n) => n.id);
  const byNetwork = new Map<string, Account[]>();
  for (const account of accounts) byNetwork.set(account.platform, [...(byNetwork.get(account.platform) ?? []), account]);
  return [...byNetwork.entries()].sort(([a], [b]) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
}

export function unavailableReason(account: Account): string | undefined {
  if (account.status === "active") return undefined;
  return account.status_reason || "Reconnect this account to post with it.";
}

export function AccountPicker({
  accounts,
  chosen,
  onChange,
  errors,
}: {
  accounts: Account[];
  chosen: string[];
  onChange: (ids: string[]) => void;
  errors?: string[];
}) {
  const toggle = (id: string, on: boolean) => onChange(on ? [...chosen, id] : chosen.filter((c) => c !== id));
  return (
    <fieldset className="composer-accounts" aria-describedby={errors?.length ? "accounts-errors" : undefined}>
      <legend>Post to</legend>
      {accounts.length === 0 && (
        <p className="hint">
          No accounts yet. <a href={href("/accounts")}>Connect an account</a> first.
        </p>
      )}
      <div className="account-groups">
        {groups(accounts).map(([platform, list]) => {
          const info = network(platform);
          return (
            <div key={platform} className="account-group" role="group" aria-label={info.label}>
              <span className="account-group-name" style={{ borderColor: info.color }}>
                {info.label}
              </span>
              {list.map((account) => {
                const reason = unavailableReason(account);
                const reasonId = `account-reason-${account.id}`;
                return (
                  <div key={account.id} className="account-option">
                    <label className="check">
                      <input
                        type="checkbox"
                        data-testid="account-option"
                        data-platform={platform}
                        value={account.id}
                        checked={chosen.includes(account.id)}
                        disabled={Boolean(reason) && !chosen.includes(account.id)}
                        aria-describedby={reason ? reasonId : undefined}
                        onChange={(event) => toggle(account.id, event.target.checked)}
                      />
                      {info.label} · @{account.username}
                      {account.mode === "test" && <span className="badge">test</span>}
                    </label>
                    {reason && (
                      <p id={reasonId} className="hint account-unavailable">
                        Unavailable: {reason} <a href={href("/accounts")}>Reconnect</a>
                      </p>
                    )}
                  </div>
                );
              })}
            </div>
          );
        })}
      </div>
      {errors?.map((message) => (
        <p key={message} id="accounts-errors" className="field-error">
          {message}
        </p>
      ))}
    </fieldset>
  );
}
