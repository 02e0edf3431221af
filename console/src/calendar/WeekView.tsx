// The week: seven days side by side, an hour per row. Dropping on a day's head keeps the post's
// time; dropping on an hour row moves it to that hour.
import type { ReactNode } from "react";
import type { Post } from "../api/types";
import { href } from "../router";
import { formatDay } from "../time";
import { byHour, daysOf } from "./grid";
import type { ViewProps } from "./MonthView";
import { useDropTarget } from "./useDropTarget";

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);
const pad = (n: number) => String(n).padStart(2, "0");

export function WeekView({ range, today, posts, chip, onDrop, canCompose, zone }: ViewProps & { zone: string }) {
  return (
    <div className="week-frame">
      <div className="week">
        <div className="week-gutter" aria-hidden="true">
          <div className="week-corner" />
          {HOURS.map((hour) => (
            <div key={hour} className="week-hour-label">
              {pad(hour)}:00
            </div>
          ))}
        </div>
        {daysOf(range).map((day) => (
          <WeekDay
            key={day}
            day={day}
            today={day === today}
            past={day < today}
            posts={posts.get(day) ?? []}
            zone={zone}
            chip={chip}
            onDrop={onDrop && ((postId, hour) => onDrop(postId, day, hour))}
            canCompose={canCompose}
          />
        ))}
      </div>
    </div>
  );
}

function WeekDay(props: {
  day: string;
  today: boolean;
  past: boolean;
  posts: Post[];
  zone: string;
  chip: (post: Post) => ReactNode;
  onDrop?: (postId: string, hour?: number) => void;
  canCompose: boolean;
}) {
  const { day, onDrop } = props;
  const head = useDropTarget(onDrop && ((postId) => onDrop(postId)));
  const hours = byHour(props.posts, props.zone);
  const label = formatDay(day, { weekday: "long", day: "numeric", month: "long" });
  const classes = ["week-day"];
  if (props.today) classes.push("today");
  if (props.posts.length) classes.push("has-posts");
  return (
    <section className={classes.join(" ")} data-day={day} aria-label={label}>
      <div className={`week-day-head${head.over ? " drop-over" : ""}`} {...head.handlers}>
        <span aria-hidden="true">{formatDay(day, { weekday: "short", day: "numeric" })}</span>
        {props.today && <span className="today-label">Today</span>}
        {props.canCompose && !props.past && (
          <a className="day-compose" href={href("/compose", { day })} aria-label={`Compose a post for ${label}`}>
            +
          </a>
        )}
      </div>
      {HOURS.map((hour) => (
        <HourSlot key={hour} hour={hour} posts={hours.get(hour) ?? []} chip={props.chip} onDrop={onDrop} />
      ))}
    </section>
  );
}

function HourSlot({
  hour,
  posts,
  chip,
  onDrop,
}: {
  hour: number;
  posts: Post[];
  chip: (post: Post) => ReactNode;
  onDrop?: (postId: string, hour?: number) => void;
}) {
  const drop = useDropTarget(onDrop && ((postId) => onDrop(postId, hour)));
  const classes = ["week-slot"];
  if (posts.length) classes.push("has-posts");
  if (drop.over) classes.push("drop-over");
  return (
    <div className={classes.join(" ")} data-hour={hour} {...drop.handlers}>
      {posts.length > 0 && (
        <ul className="chips">
          {posts.map((post) => (
            <li key={post.id}>{chip(post)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
