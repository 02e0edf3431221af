// GET /v1/posts read to the end: a page may come back short (even empty) with a cursor to read
// on, since filters apply as the posts are read, so only a missing cursor ends the list.
import { api } from "../api/client";
import type { Post } from "../api/types";

interface Page {
  posts: Post[];
  cursor?: string | null;
}

const MAX_PAGES = 50; // 5,000 posts: a guard against a cursor that never ends, not a real limit

export async function fetchAllPosts(
  filters: Record<string, string | undefined>,
  signal?: AbortSignal,
): Promise<Post[]> {
  const posts: Post[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await api.get<Page>("/v1/posts", { ...filters, limit: 100, cursor }, signal);
    posts.push(...answer.posts);
    if (!answer.cursor) break;
    cursor = answer.cursor;
  }
  return posts;
}
