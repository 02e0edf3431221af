// The calendar (#/calendar?view=month|week&day=…&platform=&campaign=&tag=&status=): the
// profile's posts by day in its zone, rescheduled by drag and drop or the "Move…" form.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Post } from "../api/types";
import { CalendarFilters } from "../calendar/CalendarFilters";
import {
  byDay,
  listFilters,
  moveTo,
  postInstant,
  queryOf,
  rangeInstants,
  readQuery,
  shiftDay,
  showsOnCalendar,
  visibleRange,
  isMovable,
  type CalendarQuery,
  type CalendarView,
} from "../calendar/grid";
import { MonthView } from "../calendar/MonthView";
import { MoveDialog } from "../calendar/MoveDialog";
import { PostChip } from "../calendar/PostChip";
import { usePageVisible } from "../calendar/usePageVisible";
import { useMoves } from "../calendar/useMoves";
import { WeekView } from "../calendar/WeekView";
import "../calendar/calendar.css";
import { useMe } from "../me";
import { fetchAllPosts } from "../post/fetchAll";
import { href, navigate } from "../router";
import { addDays, dayOf, formatDay } from "../time";
import { Empty, ErrorNotice, Loading } from "../ui/feedback";
import { useAsync, useInterval } from "../ui/useAsync";

const REFRESH_MS = 15_000;

export function Calendar({ query }: { query: URLSearchParams }) {
  const { can, timezone, me } = useMe();
  const today = dayOf(new Date(), timezone);
  const state = readQuery(query, today);
  const range = visibleRange(state.view, state.day);
  const filters = listFilters(state);
  const loadKey = JSON.stringify([range, filters, timezone, me.profile.id]);

  const list = useAsync(
    async (signal) => {
      const posts = await fetchAllPosts({ ...filters, ...rangeInstants(range, timezone) }, signal);
      return { key: loadKey, posts: posts.filter(showsOnCalendar) };
    },
    [loadKey],
  );
  const visible = usePageVisible();
  useInterval(list.reload, REFRESH_MS, visible);

  const { data, setData } = list;
  const latest = useRef(data);
  latest.current = data;
  const replace = useCallback(
    (post: Post) => {
      const now = latest.current; // the list as it is when the API answers, a refresh included
      if (now) setData({ ...now, posts: now.posts.map((p) => (p.id === post.id ? post : p)) });
    },
    [setData],
  );
  const moves = useMoves(timezone, replace);
  const [moving, setMoving] = useState<Post>();
  // After a move from the form the chip sits in another cell: its "Move…" button gets the focus back.
  const [refocus, setRefocus] = useState<string>();
  useEffect(() => {
    if (!refocus) return;
    document.querySelector<HTMLElement>(`[data-post-id="${CSS.escape(refocus)}"] .chip-move`)?.focus();
    setRefocus(undefined);
  });

  const current = data?.key === loadKey ? data : undefined;
  const shown = useMemo(
    () => (current?.posts ?? []).map((post) => moves.pending.get(post.id) ?? post),
    [current, moves.pending],
  );
  const days = useMemo(() => byDay(shown, timezone), [shown, timezone]);

  const go = (next: CalendarQuery) => navigate("/calendar", queryOf(next));
  const setView = (view: CalendarView) => go({ ...state, view });
  const step = (by: number) => go({ ...state, day: shiftDay(state.view, state.day, by) });

  const canMove = (post: Post) => can.edit && isMovable(post);
  const dropPost = (postId: string, day: string, hour?: number) => {
    const post = shown.find((p) => p.id === postId);
    if (!post || !canMove(post)) return;
    const to = moveTo(post, day, timezone, hour);
    if (to.instant.getTime() === Date.parse(postInstant(post))) return; // dropped where it was
    void moves.move(post, to);
  };

  const chip = (post: Post) => (
    <PostChip
      post={post}
      zone={timezone}
      movable={canMove(post)}
      moving={moves.pending.has(post.id)}
      onMove={setMoving}
    />
  );

  const composeDay = range.first > today ? range.first : today; // the range's first day still to come
  const viewProps = { range, today, posts: days, chip, onDrop: can.edit ? dropPost : undefined, canCompose: can.edit };

  return (
    <div className="calendar-page">
      <div className="page-header">
        <h1>Calendar</h1>
        <p className="calendar-zone muted">
          Times in <strong>{timezone}</strong>
        </p>
        <div className="actions">
          <div className="view-switch" role="group" aria-label="View">
            {(["month", "week"] as const).map((view) => (
              <button
                key={view}
                type="button"
                className="button-secondary"
                aria-pressed={state.view === view}
                onClick={() => setView(view)}
              >
                {view === "month" ? "Month" : "Week"}
              </button>
            ))}
          </div>
          {can.edit && (
            <a className="button" href={href("/compose", { day: composeDay })}>
              Compose
            </a>
          )}
        </div>
      </div>

      <div className="calendar-nav">
        <button type="button" className="button-secondary" onClick={() => step(-1)} aria-label={`Previous ${state.view}`}>
          ‹ <span className="nav-word">Previous</span>
        </button>
        <button type="button" className="button-secondary" onClick={() => go({ ...state, day: today })}>
          Today
        </button>
        <button type="button" className="button-secondary" onClick={() => step(1)} aria-label={`Next ${state.view}`}>
          <span className="nav-word">Next</span> ›
        </button>
        <h2 className="calendar-title" aria-live="polite">
          {rangeTitle(state.view, state.day, range.first)}
        </h2>
      </div>

      <CalendarFilters state={state} onChange={go} />

      <div className="calendar-status" role="status" aria-live="polite">
        {moves.message && (
          <div className={`notice notice-${moves.message.kind}`}>
            <p>{moves.message.text}</p>
            <button type="button" className="button-secondary button-small" onClick={moves.dismiss}>
              Dismiss
            </button>
          </div>
        )}
      </div>
      {can.edit && (
        <p className="hint calendar-hint">
          Drag a scheduled or paused post (or a dated draft) to another day{state.view === "week" ? " or hour" : ""}, or
          use its “Move…” button.
        </p>
      )}

      {list.error && !current && <ErrorNotice error={list.error} onRetry={list.reload} />}
      {!current && !list.error && <Loading label="Loading the calendar…" />}
      {current && (
        <>
          {list.error && <ErrorNotice error={list.error} onRetry={list.reload} />}
          {shown.length === 0 && (
            <Empty title={state.platform || state.status || state.campaign || state.tag ? "No post matches these filters here" : "Nothing planned here yet"}>
              {can.edit && (
                <a className="button" href={href("/compose", { day: composeDay })}>
                  Compose
                </a>
              )}
            </Empty>
          )}
          {state.view === "month" ? (
            <MonthView {...viewProps} month={state.day.slice(0, 7)} />
          ) : (
            <WeekView {...viewProps} zone={timezone} />
          )}
        </>
      )}

      {moving && (
        <MoveDialog
          post={moving}
          zone={timezone}
          onMove={(post, to) => {
            setRefocus(post.id);
            void moves.move(post, to);
          }}
          onClose={() => setMoving(undefined)}
        />
      )}
    </div>
  );
}

function rangeTitle(view: CalendarView, day: string, first: string): string {
  if (view === "month") return formatDay(day, { month: "long", year: "numeric" });
  const last = addDays(first, 6);
  const start = formatDay(first, { day: "numeric", month: "short" });
  const end = formatDay(last, { day: "numeric", month: "short", year: "numeric" });
  return `${start} – ${end}`;
}
