// The keyboard way to reschedule: a date and a time in the profile's zone.
import { useId, useState, type FormEvent } from "react";
import type { Post } from "../api/types";
import { Dialog } from "../ui/Dialog";
import { excerpt } from "../post/text";
import { dayOf, formatDateTime, zonedParts } from "../time";
import { moveAt, postInstant, type Move } from "./grid";

const pad = (n: number) => String(n).padStart(2, "0");

export function MoveDialog({
  post,
  zone,
  onMove,
  onClose,
}: {
  post: Post;
  zone: string;
  onMove: (post: Post, to: Move) => void;
  onClose: () => void;
}) {
  const at = postInstant(post);
  const parts = zonedParts(at, zone);
  const [day, setDay] = useState(dayOf(at, zone));
  const [time, setTime] = useState(`${pad(parts.hour)}:${pad(parts.minute)}`);
  const [problem, setProblem] = useState<string>();
  const ids = { day: useId(), time: useId(), problem: useId() };

  function submit(event: FormEvent) {
    event.preventDefault();
    const to = moveAt(day, time, zone);
    if (!to) return setProblem("Enter a date and a time.");
    if (to.instant.getTime() <= Date.now()) {
      return setProblem(`${formatDateTime(to.instant, zone)} is in the past. Pick a time still to come.`);
    }
    onMove(post, to);
    onClose();
  }

  return (
    <Dialog open title="Move post" onClose={onClose}>
      <p className="hint">
        “{excerpt(post.title || post.text) || "(no text)"}”, now {formatDateTime(at, zone)}. Times are in {zone}.
      </p>
      <form onSubmit={submit} noValidate>
        <div className="move-fields">
          <div>
            <label htmlFor={ids.day}>Date</label>
            <input
              id={ids.day}
              type="date"
              value={day}
              required
              onChange={(event) => setDay(event.target.value)}
              aria-describedby={problem ? ids.problem : undefined}
              aria-invalid={problem ? true : undefined}
            />
          </div>
          <div>
            <label htmlFor={ids.time}>Time</label>
            <input
              id={ids.time}
              type="time"
              value={time}
              required
              onChange={(event) => setTime(event.target.value)}
              aria-describedby={problem ? ids.problem : undefined}
              aria-invalid={problem ? true : undefined}
            />
          </div>
        </div>
        {problem && (
          <p id={ids.problem} className="field-error" role="alert">
            {problem}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit">Move</button>
        </div>
      </form>
    </Dialog>
  );
}
