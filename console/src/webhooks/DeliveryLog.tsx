import { Fragment, useEffect, useState } from "react";
import { ApiError, api } from "../api/client";
import type { components } from "../api/schema";
import type { Delivery } from "../api/types";
import { useMe } from "../me";
import { useInterval } from "../ui/useAsync";
import { formatDateTime } from "../time";
import { Empty, ErrorNotice, Loading } from "../ui/feedback";
import { appendPage, deliveryStatus, responseWords } from "./events";

type DeliveryList = components["schemas"]["DeliveryListResponse"];
type Queued = components["schemas"]["DeliveryQueuedResponse"];

const PAGE = 20;
const WATCH_MS = 2_000;
const WATCH_FOR_MS = 30_000;

/** GET /v1/webhooks/{id}/deliveries, newest first, a page at a time; replay (editor and up).
 * A delivery just queued (a test, a replay) is looked for every few seconds until it shows. */
export function DeliveryLog({
  webhookId,
  round,
  queued,
  onLoaded,
}: {
  webhookId: string;
  round: number;
  queued?: string; // a delivery id the parent just queued
  onLoaded?: () => void;
}) {
  const { can, timezone } = useMe();
  const [status, setStatus] = useState("");
  const [shown, setShown] = useState<Delivery[]>([]);
  const [cursor, setCursor] = useState<string | null>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError>();
  const [open, setOpen] = useState<string>();
  const [announcement, setAnnouncement] = useState("");
  const [replaying, setReplaying] = useState<string>();
  const [reloads, setReloads] = useState(0);
  const [watching, setWatching] = useState<{ ids: string[]; until: number }>({ ids: [], until: 0 });
  const path = `/v1/webhooks/${encodeURIComponent(webhookId)}/deliveries`;

  // The first page again whenever the filter changes, a test or replay is queued, or on retry.
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(undefined);
    api
      .get<DeliveryList>(path, { status, limit: PAGE }, controller.signal)
      .then((page) => {
        setShown(page.deliveries);
        setCursor(page.cursor);
        onLoaded?.();
      })
      .catch((reason: unknown) => {
        if (!controller.signal.aborted) setError(reason as ApiError);
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path, status, round, reloads]);

  useEffect(() => {
    if (queued) setWatching((now) => ({ ids: [...now.ids, queued], until: Date.now() + WATCH_FOR_MS }));
  }, [queued]);

  // Still waiting while a queued delivery is missing from the first page, or one is settling.
  const waiting =
    watching.until > Date.now() &&
    (watching.ids.some((id) => !shown.some((d) => d.id === id)) ||
      shown.some((d) => watching.ids.includes(d.id) && d.status === "retrying" && d.attempts === 0));
  useInterval(() => setReloads((n) => n + 1), WATCH_MS, waiting && !loading);

  async function more() {
    if (!cursor) return;
    setLoading(true);
    try {
      const page = await api.get<DeliveryList>(path, { status, limit: PAGE, cursor });
      setShown((now) => appendPage(now, page.deliveries));
      setCursor(page.cursor);
    } catch (reason) {
      setError(reason as ApiError);
    } finally {
      setLoading(false);
    }
  }

  async function replay(delivery: Delivery) {
    setReplaying(delivery.id);
    setAnnouncement("");
    try {
      const queued = await api.post<Queued>(`${path}/${encodeURIComponent(delivery.id)}/replay`);
      setAnnouncement(`Replay of the ${delivery.event_type} event queued as delivery ${queued.delivery_id}.`);
      setWatching((now) => ({ ids: [...now.ids, queued.delivery_id], until: Date.now() + WATCH_FOR_MS }));
      setReloads((n) => n + 1);
    } catch (reason) {
      setAnnouncement(`The replay was refused: ${(reason as ApiError).message}`);
    } finally {
      setReplaying(undefined);
    }
  }

  const filterId = `deliveries-status-${webhookId}`;
  return (
    <section className="delivery-log" aria-label="Deliveries">
      <div className="row delivery-tools">
        <label htmlFor={filterId}>Show</label>
        <select id={filterId} value={status} onChange={(event) => setStatus(event.target.value)}>
          <option value="">Every delivery</option>
          <option value="delivered">Delivered</option>
          <option value="retrying">Retrying</option>
          <option value="failed">Failed</option>
          <option value="skipped">Skipped</option>
        </select>
        <button type="button" className="button-secondary button-small" onClick={() => setReloads((n) => n + 1)}>
          Reload
        </button>
      </div>
      <p className="delivery-announcement" role="status" aria-live="polite">
        {announcement}
      </p>
      {error && <ErrorNotice error={error} onRetry={() => setReloads((n) => n + 1)} />}
      {loading && shown.length === 0 && <Loading label="Loading deliveries…" />}
      {!loading && !error && shown.length === 0 && (
        <Empty title={status ? "No delivery with this status" : "No deliveries yet"}>
          <p>Deliveries are kept for 30 days.</p>
        </Empty>
      )}
      {shown.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Deliveries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Answer</th>
                <th scope="col">Queued</th>
                <th scope="col">Delivered or next try</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((delivery) => {
                const state = deliveryStatus(delivery.status);
                const detailsId = `delivery-${delivery.id}`;
                const expanded = open === delivery.id;
                return (
                  <Fragment key={delivery.id}>
                    <tr>
                      <th scope="row">
                        <code>{delivery.event_type}</code>
                        {delivery.replay_of && <span className="hint"> (replay)</span>}
                      </th>
                      <td>
                        <span className={`badge ${state.badge}`}>{state.label}</span>
                      </td>
                      <td>{delivery.attempts}</td>
                      <td>{responseWords(delivery)}</td>
                      <td>{formatDateTime(delivery.queued_at, timezone)}</td>
                      <td>
                        {delivery.delivered_at
                          ? formatDateTime(delivery.delivered_at, timezone)
                          : delivery.next_attempt_at
                            ? `Next try ${formatDateTime(delivery.next_attempt_at, timezone)}`
                            : "—"}
                      </td>
                      <td className="delivery-actions">
                        <button
                          type="button"
                          className="button-secondary button-small"
                          aria-expanded={expanded}
                          aria-controls={detailsId}
                          onClick={() => setOpen(expanded ? undefined : delivery.id)}
                        >
                          {expanded ? "Hide" : "Details"}
                          <span className="visually-hidden"> of delivery {delivery.id}</span>
                        </button>
                        {can.edit && (
                          <button
                            type="button"
                            className="button-secondary button-small"
                            onClick={() => replay(delivery)}
                            disabled={replaying === delivery.id}
                          >
                            {replaying === delivery.id ? "Replaying…" : "Replay"}
                            <span className="visually-hidden"> delivery {delivery.id}</span>
                          </button>
                        )}
                      </td>
                    </tr>
                    <tr id={detailsId} hidden={!expanded} className="delivery-details">
                      <td colSpan={7}>
                        {expanded && <DeliveryDetails delivery={delivery} />}
                      </td>
                    </tr>
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" className="button-secondary delivery-more" onClick={more} disabled={loading}>
          {loading ? "Loading…" : "Older deliveries"}
        </button>
      )}
    </section>
  );
}

function DeliveryDetails({ delivery }: { delivery: Delivery }) {
  return (
    <div className="stack">
      <dl className="delivery-facts">
        <div>
          <dt>Delivery</dt>
          <dd>
            <code>{delivery.id}</code>
          </dd>
        </div>
        <div>
          <dt>Event id</dt>
          <dd>
            <code>{delivery.event_id}</code> (the same on every attempt and replay)
          </dd>
        </div>
        {delivery.replay_of && (
          <div>
            <dt>Replay of</dt>
            <dd>
              <code>{delivery.replay_of}</code>
            </dd>
          </div>
        )}
        {delivery.error && (
          <div>
            <dt>Error</dt>
            <dd>{delivery.error}</dd>
          </div>
        )}
      </dl>
      {delivery.response_excerpt && (
        <>
          <h4>The receiver's answer (first 512 bytes)</h4>
          <pre className="json">{delivery.response_excerpt}</pre>
        </>
      )}
      <h4>Event</h4>
      <pre className="json" tabIndex={0} aria-label="Event JSON">
        {JSON.stringify(delivery.event, null, 2)}
      </pre>
    </div>
  );
}
