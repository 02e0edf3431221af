import { Overview } from "../analytics/Overview";
import { PostAnalytics } from "../analytics/PostAnalytics";
import "../analytics/analytics.css";

/** #/analytics (the profile's overview and best times) or #/analytics?post={id} (one post). */
export function Analytics({ postId }: { postId?: string }) {
  return postId ? <PostAnalytics postId={postId} /> : <Overview />;
}
