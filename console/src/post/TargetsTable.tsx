// One row per network account the post goes to: its status, the live post, and what went wrong
// in plain words (the network's own message kept under "Details").
import type { Account, Target, TargetError } from "../api/types";
import { formatDateTime } from "../time";
import { network } from "../ui/networks";
import { plainError } from "../ui/plainErrors";
import { StatusBadge } from "../ui/StatusBadge";

export function TargetsTable({
  targets,
  accounts,
  zone,
}: {
  targets: Target[];
  accounts: Map<string, Account>;
  zone: string;
}) {
  if (targets.length === 0) return <p className="muted">This post names no network yet.</p>;
  return (
    <div className="table-wrap">
      <table className="targets">
        <caption className="visually-hidden">Where the post goes, and how it went on each network</caption>
        <thead>
          <tr>
            <th scope="col">Network</th>
            <th scope="col">Account</th>
            <th scope="col">Status</th>
            <th scope="col">Live post</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {targets.map((target) => (
            <tr
              key={`${target.platform}-${target.account_id}`}
              data-testid="target-row"
              data-platform={target.platform}
              data-status={target.status}
            >
              <td data-label="Network">{network(target.platform).label}</td>
              <td data-label="Account">{accountName(accounts.get(target.account_id), target.account_id)}</td>
              <td data-label="Status">
                <StatusBadge status={target.status} />
              </td>
              <td data-label="Live post">
                {target.url ? (
                  <a href={target.url} target="_blank" rel="noopener noreferrer">
                    Open on {network(target.platform).label}
                    <span className="visually-hidden"> (opens in a new tab)</span>
                  </a>
                ) : (
                  <span className="muted">—</span>
                )}
                {target.published_at && (
                  <div className="hint">Published {formatDateTime(target.published_at, zone)}</div>
                )}
                {target.deleted_at && <div className="hint">Deleted {formatDateTime(target.deleted_at, zone)}</div>}
              </td>
              <td data-label="Details">
                <TargetDetails target={target} zone={zone} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function accountName(account: Account | undefined, id: string): string {
  if (!account) return id;
  const handle = account.username ? `@${account.username}` : undefined;
  const name = account.display_name || account.name;
  return [name, handle].filter(Boolean).join(" ") || id;
}

function TargetDetails({ target, zone }: { target: Target; zone: string }) {
  const notes = [];
  if (target.error) notes.push(<ErrorText key="error" error={target.error} />);
  if (target.first_comment_error) {
    notes.push(<ErrorText key="comment" error={target.first_comment_error} lead="The first comment was not posted." />);
  }
  if (target.delete_error) {
    notes.push(<ErrorText key="delete" error={target.delete_error} lead="Deleting it from the network failed." />);
  }
  for (const [index, notice] of (target.notices ?? []).entries()) {
    notes.push(
      <p key={`notice-${index}`} className="target-notice">
        <span aria-hidden="true">ⓘ </span>
        {notice}
      </p>,
    );
  }
  if (target.retry_after) {
    notes.push(
      <p key="retry" className="hint">
        Next try after {formatDateTime(target.retry_after, zone)}
      </p>,
    );
  }
  if (target.attempts > 0) {
    notes.push(
      <p key="attempts" className="hint">
        {target.attempts === 1 ? "1 attempt" : `${target.attempts} attempts`}
      </p>,
    );
  }
  return notes.length ? <div className="target-details">{notes}</div> : <span className="muted">—</span>;
}

function ErrorText({ error, lead }: { error: TargetError; lead?: string }) {
  const plain = plainError(error.code, error.message);
  return (
    <div className="target-error">
      <p>
        <strong>
          <span aria-hidden="true">⚠ </span>
          {lead ? `${lead} ` : ""}
          {plain.what}
        </strong>
      </p>
      {plain.todo && <p>{plain.todo}</p>}
      <details>
        <summary>Details</summary>
        <p>
          {error.message} <span className="code">({error.code}{error.platform_code ? `, ${error.platform_code}` : ""})</span>
        </p>
      </details>
    </div>
  );
}
