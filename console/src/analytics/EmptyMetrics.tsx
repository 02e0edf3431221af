import { Empty } from "../ui/feedback";
import { RefreshButton } from "./RefreshButton";

export function EmptyMetrics({ postId, onQueued }: { postId?: string; onQueued?: () => void }) {
  return (
    <div data-testid="analytics-empty">
      <Empty title="No metrics collected yet">
        <p>Herald collects them after a post is published, every few hours for its first 30 days.</p>
        <RefreshButton postId={postId} onQueued={onQueued} />
      </Empty>
    </div>
  );
}
