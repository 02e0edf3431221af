import { useState } from "react";
import { api } from "../api/client";
import type { Post, PostAnalytics as PostAnalyticsAnswer } from "../api/types";
import { BarChart } from "../charts/BarChart";
import { ChartFigure } from "../charts/ChartFigure";
import { LineChart, type LineSeries } from "../charts/LineChart";
import { compactNumber } from "../charts/scale";
import { useMe } from "../me";
import { href } from "../router";
import { formatDateTime } from "../time";
import { ErrorNotice, Loading } from "../ui/feedback";
import { network } from "../ui/networks";
import { useAsync, useInterval } from "../ui/useAsync";
import { describeBars, describeLines } from "./describe";
import { EmptyMetrics } from "./EmptyMetrics";
import {
  formatMetric,
  metricLabel,
  metricsPresent,
  rankBy,
  seriesByNetwork,
  totalSeries,
  type MetricId,
  type MetricRecord,
  type TimedRecord,
} from "./metrics";
import { PostPicker, postExcerpt } from "./PostPicker";
import { RefreshButton } from "./RefreshButton";

const POLL_MS = 5_000;
const POLL_FOR_MS = 90_000;

interface Loaded {
  post: Post;
  analytics: PostAnalyticsAnswer;
}

/** #/analytics?post={id}: one post's numbers over time, per network or in total. */
export function PostAnalytics({ postId }: { postId: string }) {
  const [pollUntil, setPollUntil] = useState(0);
  const loaded = useAsync<Loaded>(
    async (signal) => {
      const path = `/v1/posts/${encodeURIComponent(postId)}`;
      const [post, analytics] = await Promise.all([
        api.get<Post>(path, undefined, signal),
        api.get<PostAnalyticsAnswer>(`${path}/analytics`, undefined, signal),
      ]);
      return { post, analytics };
    },
    [postId],
  );
  const current = loaded.data?.post.id === postId ? loaded.data : undefined;
  const empty = current ? !hasPoints(current.analytics) : false;
  useInterval(loaded.reload, POLL_MS, empty && pollUntil > Date.now());
  const startPolling = () => setPollUntil(Date.now() + POLL_FOR_MS);

  return (
    <div className="analytics">
      <div className="page-header">
        <h1>Post analytics</h1>
        <div className="actions">
          <a className="button button-secondary" href={href("/analytics")}>
            All analytics
          </a>
        </div>
      </div>
      <div className="analytics-controls">
        <PostPicker current={postId} />
      </div>
      {loaded.loading && !current && <Loading label="Loading the post's numbers…" />}
      {loaded.error && <ErrorNotice error={loaded.error} onRetry={loaded.reload} />}
      {current && (
        <>
          <p className="post-ref">
            <a href={href(`/posts/${postId}`)}>
              Back to the post<span className="visually-hidden">:</span>
            </a>{" "}
            <span className="muted">“{postExcerpt(current.post, 100)}”</span>
          </p>
          {empty ? (
            <EmptyMetrics postId={postId} onQueued={startPolling} />
          ) : (
            <PostNumbers analytics={current.analytics} postId={postId} onQueued={startPolling} />
          )}
        </>
      )}
    </div>
  );
}

function hasPoints(analytics: PostAnalyticsAnswer): boolean {
  return Object.values(analytics.timeseries).some((points) => points.length > 0);
}

function PostNumbers({ analytics, postId, onQueued }: { analytics: PostAnalyticsAnswer; postId: string; onQueued: () => void }) {
  const { timezone } = useMe();
  const timeseries = analytics.timeseries as Record<string, TimedRecord[]>;
  const present = metricsPresent(Object.values(timeseries).flat());
  const [chosen, setChosen] = useState<MetricId>();
  const [view, setView] = useState<"network" | "total">("network");
  const metric: MetricId | undefined =
    chosen && present.includes(chosen) ? chosen : present.includes("impressions") ? "impressions" : present[0];
  const byNetwork = analytics.by_network as Record<string, MetricRecord>;
  if (!metric) return <p className="muted">The networks returned no numbers for this post.</p>;

  const lines: LineSeries[] =
    view === "total"
      ? [{ id: "total", label: "All networks", color: "var(--accent)", points: totalSeries(timeseries, metric) }]
      : seriesByNetwork(timeseries, metric).map((s) => ({
          id: s.network,
          label: network(s.network).label,
          color: network(s.network).color,
          points: s.points,
        }));
  const format = (value: number) => formatMetric(metric, value);
  const tick = (value: number) => (metric === "engagement_rate" ? format(value) : compactNumber(value));
  const title = `${metricLabel(metric)} over time`;
  const label = describeLines(title, lines, format, (at) => formatDateTime(new Date(at), timezone));
  const times = [...new Set(lines.flatMap((l) => l.points.map((p) => p.x)))].sort((a, b) => a - b);
  const bars = rankBy(byNetwork, metric).map((r) => ({ key: r.key, label: network(r.key).label, value: r.value, color: network(r.key).color }));
  const allMetrics = metricsPresent([analytics.total as MetricRecord, ...Object.values(byNetwork)]);

  return (
    <>
      <section className="card analytics-section" aria-labelledby="timeseries-title">
        <div className="row analytics-chart-controls">
          <div>
            <label htmlFor="post-metric">Metric</label>
            <select id="post-metric" value={metric} onChange={(event) => setChosen(event.target.value as MetricId)}>
              {present.map((id) => (
                <option key={id} value={id}>
                  {metricLabel(id)}
                </option>
              ))}
            </select>
          </div>
          <fieldset className="segmented">
            <legend>Lines</legend>
            <label className="check">
              <input type="radio" name="post-view" checked={view === "network"} onChange={() => setView("network")} />
              One per network
            </label>
            <label className="check">
              <input type="radio" name="post-view" checked={view === "total"} onChange={() => setView("total")} />
              Total
            </label>
          </fieldset>
          <div className="spacer" />
          <RefreshButton postId={postId} onQueued={onQueued} />
        </div>
        <ChartFigure
          headingLevel={2}
          title={title}
          description={
            analytics.collected_at
              ? `Last collected ${formatDateTime(analytics.collected_at, timezone)} (times in ${timezone}).`
              : `Times in ${timezone}.`
          }
          table={{
            caption: `${title}, each collection`,
            columns: ["Collected", ...lines.map((l) => l.label)],
            rows: times.map((at) => [
              formatDateTime(new Date(at), timezone),
              ...lines.map((l) => {
                const point = l.points.find((p) => p.x === at);
                return point ? format(point.y) : "—";
              }),
            ]),
          }}
        >
          <LineChart
            series={lines}
            label={label}
            zone={timezone}
            formatValue={format}
            formatTick={tick}
            whole={metric !== "engagement_rate"}
            testId="post-timeseries"
          />
        </ChartFigure>
      </section>

      <section className="card analytics-section" aria-labelledby="post-networks-title">
        <h2 id="post-networks-title">Totals by network</h2>
        {bars.length > 0 && (
          <BarChart bars={bars} formatValue={format} label={describeBars(`${metricLabel(metric)} by network`, bars, format)} />
        )}
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">The post's latest numbers by network</caption>
            <thead>
              <tr>
                <th scope="col">Network</th>
                {allMetrics.map((m) => (
                  <th key={m} scope="col" className="num">
                    {metricLabel(m)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {Object.entries(byNetwork).map(([id, values]) => (
                <tr key={id}>
                  <th scope="row">{network(id).label}</th>
                  {allMetrics.map((m) => (
                    <td key={m} className="num">
                      {formatMetric(m, values[m])}
                    </td>
                  ))}
                </tr>
              ))}
              <tr className="total-row">
                <th scope="row">All networks</th>
                {allMetrics.map((m) => (
                  <td key={m} className="num">
                    {formatMetric(m, (analytics.total as MetricRecord)[m])}
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
