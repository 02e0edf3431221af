// The month: whole weeks, Monday first; each day a drop target holding its posts' chips.
import type { ReactNode } from "react";
import type { Post } from "../api/types";
import { href } from "../router";
import { formatDay } from "../time";
import { weeksOf, type DayRange } from "./grid";
import { useDropTarget } from "./useDropTarget";

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

export interface ViewProps {
  range: DayRange;
  today: string;
  posts: Map<string, Post[]>;
  chip: (post: Post) => ReactNode;
  onDrop?: (postId: string, day: string, hour?: number) => void; // absent: nothing may be moved
  canCompose: boolean;
}

export function MonthView({ range, month, today, posts, chip, onDrop, canCompose }: ViewProps & { month: string }) {
  return (
    <div className="month">
      <div className="month-head" aria-hidden="true">
        {WEEKDAYS.map((name) => (
          <div key={name}>
            <span className="long">{name}</span>
            <span className="short">{name.slice(0, 3)}</span>
          </div>
        ))}
      </div>
      {weeksOf(range).map((week) => (
        <div className="month-week" key={week[0]}>
          {week.map((day) => (
            <MonthDay
              key={day}
              day={day}
              inMonth={day.startsWith(month)}
              today={day === today}
              past={day < today}
              posts={posts.get(day) ?? []}
              chip={chip}
              onDrop={onDrop && ((postId) => onDrop(postId, day))}
              canCompose={canCompose}
            />
          ))}
        </div>
      ))}
    </div>
  );
}

function MonthDay(props: {
  day: string;
  inMonth: boolean;
  today: boolean;
  past: boolean;
  posts: Post[];
  chip: (post: Post) => ReactNode;
  onDrop?: (postId: string) => void;
  canCompose: boolean;
}) {
  const { day, posts } = props;
  const drop = useDropTarget(props.onDrop);
  const classes = ["month-day"];
  if (!props.inMonth) classes.push("other-month");
  if (props.today) classes.push("today");
  if (posts.length) classes.push("has-posts");
  if (drop.over) classes.push("drop-over");
  const label = formatDay(day, { weekday: "long", day: "numeric", month: "long" });
  return (
    <section className={classes.join(" ")} data-day={day} aria-label={label} {...drop.handlers}>
      <div className="month-day-head">
        <a className="day-number" href={href("/calendar", { view: "week", day })} title={`Week of ${label}`}>
          <span aria-hidden="true">{Number(day.slice(8))}</span>
          <span className="visually-hidden">{label}</span>
          <span className="day-name-narrow" aria-hidden="true">
            {formatDay(day, { weekday: "short", month: "short" })}
          </span>
        </a>
        {props.today && <span className="today-label">Today</span>}
        {props.canCompose && !props.past && (
          <a className="day-compose" href={href("/compose", { day })} aria-label={`Compose a post for ${label}`}>
            +
          </a>
        )}
      </div>
      {posts.length > 0 && (
        <ul className="chips">
          {posts.map((post) => (
            <li key={post.id}>{props.chip(post)}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
