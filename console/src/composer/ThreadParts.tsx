// The thread (parts after the post, published as a chain of replies) and the first comment.
import { useEffect, useRef, useState } from "react";
import { network } from "../ui/networks";
import { FieldErrors } from "./bits";
import { moved, newKey, type Part } from "./draft";
import { takesThreads } from "./limits";
import type { Spot } from "./problems";

export const MAX_PARTS = 25;

export function ThreadParts({
  parts,
  onChange,
  networks,
  spots,
}: {
  parts: Part[];
  onChange: (parts: Part[]) => void;
  networks: string[];
  spots: Map<Spot, string[]>;
}) {
  const fields = useRef(new Map<string, HTMLElement>());
  const [focus, setFocus] = useState<string>();
  useEffect(() => {
    if (focus) fields.current.get(focus)?.focus();
    setFocus(undefined);
  }, [focus, parts]);

  const others = networks.filter((n) => !takesThreads(n));
  let sent = -1; // the index of each part in the request (empty parts are not sent)

  function add() {
    const part = { key: newKey("p"), text: "", media: [] };
    onChange([...parts, part]);
    setFocus(`${part.key}-text`);
  }

  return (
    <fieldset className="composer-thread">
      <legend>Thread</legend>
      <p className="hint">
        Parts after the post, published as a chain of replies on X, Threads, Bluesky and Mastodon.
      </p>
      {parts.length > 0 && others.length > 0 && (
        <p className="notice notice-warning">
          {others.map((n) => network(n).label).join(", ")} {others.length === 1 ? "does" : "do"} not take threads: choose
          only X, Threads, Bluesky or Mastodon accounts, or remove the parts.
        </p>
      )}
      <FieldErrors id="thread-errors" messages={spots.get("thread")} />
      <ol className="thread-parts">
        {parts.map((part, index) => {
          if (part.text.trim() || part.media.length) sent += 1;
          const errors = spots.get(`thread[${sent}]`);
          const id = `${part.key}-text`;
          const label = `Part ${index + 2}`;
          return (
            <li key={part.key} className="thread-part">
              <label htmlFor={id}>{label}</label>
              <textarea
                id={id}
                rows={3}
                value={part.text}
                ref={(el) => {
                  if (el) fields.current.set(id, el);
                }}
                aria-describedby={errors ? `${id}-errors` : undefined}
                onChange={(event) => onChange(parts.map((p) => (p.key === part.key ? { ...p, text: event.target.value } : p)))}
              />
              <FieldErrors id={`${id}-errors`} messages={part.text.trim() ? errors : undefined} />
              <div className="row part-actions">
                <button
                  type="button"
                  className="button-secondary button-small"
                  disabled={index === 0}
                  aria-label={`Move ${label.toLowerCase()} up`}
                  ref={(el) => {
                    if (el) fields.current.set(`${part.key}-up`, el);
                  }}
                  onClick={() => {
                    onChange(moved(parts, index, -1));
                    setFocus(index - 1 === 0 ? `${part.key}-down` : `${part.key}-up`);
                  }}
                >
                  Move up
                </button>
                <button
                  type="button"
                  className="button-secondary button-small"
                  disabled={index === parts.length - 1}
                  aria-label={`Move ${label.toLowerCase()} down`}
                  ref={(el) => {
                    if (el) fields.current.set(`${part.key}-down`, el);
                  }}
                  onClick={() => {
                    onChange(moved(parts, index, 1));
                    setFocus(index + 1 === parts.length - 1 ? `${part.key}-up` : `${part.key}-down`);
                  }}
                >
                  Move down
                </button>
                <button
                  type="button"
                  className="button-secondary button-small"
                  aria-label={`Remove ${label.toLowerCase()}`}
                  onClick={() => {
                    onChange(parts.filter((p) => p.key !== part.key));
                    setFocus("add-part");
                  }}
                >
                  Remove
                </button>
              </div>
            </li>
          );
        })}
      </ol>
      <button
        type="button"
        className="button-secondary"
        disabled={parts.length >= MAX_PARTS}
        ref={(el) => {
          if (el) fields.current.set("add-part", el);
        }}
        onClick={add}
      >
        Add a thread part
      </button>
    </fieldset>
  );
}

export function FirstComment({
  text,
  onChange,
  errors,
}: {
  text: string;
  onChange: (text: string) => void;
  errors?: string[];
}) {
  return (
    <div className="composer-comment">
      <label htmlFor="composer-first-comment">First comment</label>
      <textarea
        id="composer-first-comment"
        rows={2}
        value={text}
        aria-describedby={`composer-first-comment-hint${errors ? " composer-first-comment-errors" : ""}`}
        onChange={(event) => onChange(event.target.value)}
      />
      <p id="composer-first-comment-hint" className="hint">
        Posted as a reply right after the post, where the network has comments.
      </p>
      <FieldErrors id="composer-first-comment-errors" messages={errors} />
    </div>
  );
}
