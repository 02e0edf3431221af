// The options a network requires before it takes a post: Reddit's subreddit, Pinterest's board
// (listed from the account itself). They travel as the network's override `options`.
import { api } from "../api/client";
import type { Account } from "../api/types";
import type { components } from "../api/schema";
import { ErrorNotice, Loading } from "../ui/feedback";
import { useAsync } from "../ui/useAsync";
import { FieldErrors } from "./bits";

type Boards = components["schemas"]["BoardListResponse"];

export const OPTION_NETWORKS = ["reddit", "pinterest"];

interface Props {
  network: string;
  accounts: Account[];
  options: Record<string, unknown>;
  onChange: (options: Record<string, unknown>) => void;
  errors?: string[];
}

export function NetworkOptions(props: Props) {
  if (props.network === "reddit") return <RedditOptions {...props} />;
  if (props.network === "pinterest") return <PinterestOptions {...props} />;
  return null;
}

function RedditOptions({ options, onChange, errors }: Props) {
  const value = typeof options.subreddit === "string" ? options.subreddit : "";
  return (
    <div>
      <label htmlFor="option-reddit-subreddit">Subreddit</label>
      <div className="input-prefix">
        <span aria-hidden="true">r/</span>
        <input
          id="option-reddit-subreddit"
          type="text"
          value={value}
          aria-describedby="option-reddit-hint option-errors-reddit"
          onChange={(event) => onChange({ ...options, subreddit: event.target.value.replace(/^\/?r\//, "").trim() })}
        />
      </div>
      <p id="option-reddit-hint" className="hint">
        Reddit posts go to one subreddit (required).
      </p>
      <FieldErrors id="option-errors-reddit" messages={errors} />
    </div>
  );
}

function PinterestOptions({ accounts, options, onChange, errors }: Props) {
  const account = accounts[0];
  const boards = useAsync<Boards | undefined>(
    (signal) =>
      account
        ? api.get<Boards>(`/v1/accounts/${encodeURIComponent(account.id)}/boards`, undefined, signal)
        : Promise.resolve(undefined),
    [account?.id],
  );
  const value = typeof options.board_id === "string" ? options.board_id : "";
  if (!account) return null;
  if (boards.loading) return <Loading label="Loading Pinterest boards…" />;
  if (boards.error) return <ErrorNotice error={boards.error} onRetry={boards.reload} />;
  const list = boards.data?.boards ?? [];
  return (
    <div>
      <label htmlFor="option-pinterest-board">Pinterest board</label>
      <select
        id="option-pinterest-board"
        value={value}
        aria-describedby="option-pinterest-hint option-errors-pinterest"
        onChange={(event) => onChange({ ...options, board_id: event.target.value })}
      >
        <option value="">Choose a board…</option>
        {list.map((board) => (
          <option key={board.id} value={board.id}>
            {board.name}
            {board.privacy ? ` (${board.privacy.toLowerCase()})` : ""}
          </option>
        ))}
      </select>
      <p id="option-pinterest-hint" className="hint">
        {list.length ? "A pin goes to one board (required)." : "This account has no boards yet: create one on Pinterest."}
        {accounts.length > 1 && " Boards of the first chosen Pinterest account."}
      </p>
      <FieldErrors id="option-errors-pinterest" messages={errors} />
    </div>
  );
}
