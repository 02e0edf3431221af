// Media: pick files, upload each through a presigned form, wait for Herald's inspection, and show
// what it found with the compatibility report for the chosen networks.
import { useEffect, useRef, useState } from "react";
import { ApiError, api } from "../api/client";
import { network } from "../ui/networks";
import { FieldErrors } from "./bits";
import { newKey, type MediaItem } from "./draft";
import { mediaFacts, reportFor } from "./mediaFacts";
import { requestUpload, sendFile, untilInspected } from "./upload";

type Items = (update: (items: MediaItem[]) => MediaItem[]) => void;

interface Props {
  items: MediaItem[];
  setItems: Items;
  networks: string[];
  errors?: string[];
  editable: boolean;
}

const isAbort = (error: unknown) => (error as Error)?.name === "AbortError";

export function MediaPanel({ items, setItems, networks, errors, editable }: Props) {
  const controllers = useRef(new Map<string, AbortController>());
  const [announcement, setAnnouncement] = useState("");

  const patch = (key: string, changes: Partial<MediaItem>) =>
    setItems((list) => list.map((item) => (item.key === key ? { ...item, ...changes } : item)));

  function controllerFor(key: string): AbortController {
    const controller = new AbortController();
    controllers.current.set(key, controller);
    return controller;
  }

  async function inspect(key: string, id: string, name: string, signal: AbortSignal) {
    const media = await untilInspected(id, signal, (info) => patch(key, { info }));
    const ready = media.status === "ready";
    patch(key, { state: ready ? "ready" : "rejected", info: media, error: ready ? undefined : media.problem ?? "Rejected." });
    setAnnouncement(ready ? `${name} is ready.` : `${name} was rejected: ${media.problem ?? "unknown reason"}.`);
  }

  async function upload(file: File) {
    const key = newKey("m");
    const { signal } = controllerFor(key);
    setItems((list) => [...list, { key, name: file.name, state: "uploading", progress: 0, uploadedHere: true }]);
    setAnnouncement(`Uploading ${file.name}…`);
    try {
      const created = await requestUpload(file);
      patch(key, { ref: created.media_id });
      await sendFile(created.upload, file, (progress) => patch(key, { progress }), signal);
      patch(key, { state: "processing", progress: 1 });
      setAnnouncement(`${file.name} uploaded; Herald is checking it…`);
      await inspect(key, created.media_id, file.name, signal);
    } catch (error) {
      if (isAbort(error)) return;
      const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
      patch(key, { state: "failed", error: message });
      setAnnouncement(`${file.name} could not be uploaded: ${message}`);
    }
  }

  // Media of a post being edited: read what Herald knows about each upload once.
  useEffect(() => {
    for (const item of items) {
      if (item.state === "processing" && item.ref && !item.uploadedHere && !controllers.current.has(item.key)) {
        const { signal } = controllerFor(item.key);
        inspect(item.key, item.ref, item.name, signal).catch((error) => {
          if (!isAbort(error)) patch(item.key, { state: "failed", error: (error as Error).message });
        });
      }
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [items]);

  useEffect(() => {
    const all = controllers.current;
    return () => {
      all.forEach((controller) => controller.abort());
      all.clear();
    };
  }, []);

  function remove(item: MediaItem) {
    controllers.current.get(item.key)?.abort();
    controllers.current.delete(item.key);
    setItems((list) => list.filter((m) => m.key !== item.key));
    setAnnouncement(`${item.info?.filename ?? item.name} removed.`);
    if (item.uploadedHere && item.ref) api.delete(`/v1/media/${encodeURIComponent(item.ref)}`).catch(() => undefined);
  }

  return (
    <fieldset className="composer-media" aria-describedby={errors?.length ? "media-errors" : undefined}>
      <legend>Media</legend>
      {editable && (
        <div className="media-add">
          <input
            id="composer-media-input"
            className="visually-hidden-input"
            type="file"
            multiple
            accept="image/*,video/*"
            onChange={(event) => {
              for (const file of Array.from(event.target.files ?? [])) void upload(file);
              event.target.value = "";
            }}
          />
          <label htmlFor="composer-media-input" className="button button-secondary">
            Add media
          </label>
          <span className="hint">Images, GIFs and videos. Each is checked against the chosen networks.</span>
        </div>
      )}
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      {items.length > 0 && (
        <ul className="media-list">
          {items.map((item) => (
            <MediaRow key={item.key} item={item} networks={networks} onRemove={editable ? () => remove(item) : undefined} />
          ))}
        </ul>
      )}
      <FieldErrors id="media-errors" messages={errors} />
    </fieldset>
  );
}

function MediaRow({ item, networks, onRemove }: { item: MediaItem; networks: string[]; onRemove?: () => void }) {
  const name = item.info?.filename ?? item.name;
  const thumbnail = item.info?.thumbnails?.[0]?.url ?? (item.state === "url" ? item.ref : undefined);
  const report = item.info ? reportFor(item.info.compatibility ?? [], networks) : [];
  return (
    <li className="media-item" data-state={item.state}>
      <div className="media-thumb">
        {thumbnail ? <img src={thumbnail} alt="" /> : <span aria-hidden="true">{item.info?.kind ?? "file"}</span>}
      </div>
      <div className="media-body">
        <p className="media-name">
          <strong>{name}</strong>
          {item.info && <span className="muted"> {mediaFacts(item.info)}</span>}
        </p>
        {item.state === "uploading" && (
          <p className="media-progress">
            <progress max={1} value={item.progress} aria-label={`Uploading ${name}`} /> {Math.round(item.progress * 100)}%
          </p>
        )}
        {item.state === "processing" && <p className="hint">Checking the file…</p>}
        {item.state === "url" && <p className="hint">Linked by URL: the networks fetch it when publishing.</p>}
        {item.error && <p className="field-error">{item.error}</p>}
        {report.length > 0 && (
          <ul className="media-report" aria-label={`Compatibility of ${name}`}>
            {report.map((c) => (
              <li key={c.network} className={c.ok ? "compat-ok" : "compat-bad"}>
                <span aria-hidden="true">{c.ok ? "✓" : "✗"} </span>
                <strong>{network(c.network).label}</strong>: {c.ok ? "accepted" : "not accepted"}
                {c.reasons.length > 0 && ` — ${c.reasons.join("; ")}`}
                {c.suggestions.length > 0 && <span className="muted"> (Try: {c.suggestions.join("; ")})</span>}
              </li>
            ))}
          </ul>
        )}
        {item.info?.notes?.map((note) => (
          <p key={note} className="hint">
            {note}
          </p>
        ))}
      </div>
      {onRemove && (
        <button type="button" className="button-secondary button-small" onClick={onRemove} aria-label={`Remove ${name}`}>
          Remove
        </button>
      )}
    </li>
  );
}
