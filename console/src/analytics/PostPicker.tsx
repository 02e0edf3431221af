import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import type { Post } from "../api/types";
import { useMe } from "../me";
import { navigate } from "../router";
import { formatDateTime } from "../time";
import { useAsync } from "../ui/useAsync";

export function postExcerpt(post: Pick<Post, "title" | "text" | "id">, chars = 60): string {
  const text = (post.title || post.text || post.id).replace(/\s+/g, " ").trim();
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}

/** Recent published posts: reach one post's analytics from anywhere on the page. */
export function PostPicker({ current }: { current?: string }) {
  const { timezone } = useMe();
  const posts = useAsync(
    (signal) =>
      api.get<{ posts: Post[] }>("/v1/posts", { status: "published,partially_published", limit: 50 }, signal),
    [],
  );
  const [chosen, setChosen] = useState(current ?? "");

  function open(event: FormEvent) {
    event.preventDefault();
    if (chosen) navigate("/analytics", { post: chosen });
  }

  const list = posts.data?.posts ?? [];
  return (
    <form className="post-picker" onSubmit={open}>
      <label htmlFor="analytics-post">One post's analytics</label>
      <div className="row">
        <select
          id="analytics-post"
          value={chosen}
          onChange={(event) => setChosen(event.target.value)}
          disabled={!posts.data}
          aria-describedby={posts.error ? "analytics-post-error" : undefined}
        >
          <option value="">{posts.loading && !posts.data ? "Loading posts…" : list.length ? "Choose a published post" : "No published posts yet"}</option>
          {list.map((post) => (
            <option key={post.id} value={post.id}>
              {postExcerpt(post)} — {formatDateTime(post.published_at ?? post.scheduled_at ?? post.created_at, timezone)}
            </option>
          ))}
        </select>
        <button type="submit" className="button-secondary" disabled={!chosen || chosen === current}>
          Show
        </button>
      </div>
      {posts.error && (
        <p id="analytics-post-error" className="field-error">
          The posts could not be listed: {posts.error.message}
        </p>
      )}
    </form>
  );
}
