// One post on the calendar: its time, networks, the start of its text and its status in words,
// a link to its page; draggable (and a "Move…" button) when it may be rescheduled.
import type { DragEvent } from "react";
import type { Post } from "../api/types";
import { NetworkTags } from "../post/NetworkTags";
import { excerpt } from "../post/text";
import { href } from "../router";
import { formatTime } from "../time";
import { StatusBadge } from "../ui/StatusBadge";
import { postInstant } from "./grid";

interface Props {
  post: Post;
  zone: string;
  movable: boolean;
  moving: boolean; // shown at its new date while the API answers
  onMove: (post: Post) => void;
}

export const POST_DRAG_TYPE = "application/x-herald-post";

export function PostChip({ post, zone, movable, moving, onMove }: Props) {
  const text = excerpt(post.title || post.text) || "(no text)";
  const time = formatTime(postInstant(post), zone);

  function start(event: DragEvent<HTMLDivElement>) {
    event.dataTransfer.setData(POST_DRAG_TYPE, post.id);
    event.dataTransfer.setData("text/plain", post.id);
    event.dataTransfer.effectAllowed = "move";
  }

  return (
    <div
      className={`chip chip-${post.status}${movable ? " chip-movable" : ""}${moving ? " chip-moving" : ""}`}
      data-testid="calendar-post"
      data-post-id={post.id}
      data-status={post.status}
      draggable={movable}
      onDragStart={movable ? start : undefined}
      aria-busy={moving || undefined}
    >
      <a className="chip-link" href={href(`/posts/${post.id}`)} draggable={false}>
        <span className="chip-time">{time}</span> <NetworkTags platforms={post.platforms} short />{" "}
        <span className="chip-text">{text}</span>
      </a>
      <span className="chip-foot">
        <StatusBadge status={post.status} />
        {movable && (
          <button
            type="button"
            className="button-secondary button-small chip-move"
            onClick={() => onMove(post)}
            aria-label={`Move “${text}” (${time})`}
          >
            Move…
          </button>
        )}
      </span>
    </div>
  );
}
