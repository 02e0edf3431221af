import { useState } from "react";
import { api } from "../api/client";
import type { Account, Post, Summary } from "../api/types";
import { BarChart } from "../charts/BarChart";
import { ChartFigure } from "../charts/ChartFigure";
import { useMe } from "../me";
import { href } from "../router";
import { formatDateTime, formatDay } from "../time";
import { ErrorNotice, Loading } from "../ui/feedback";
import { network } from "../ui/networks";
import { useAsync, useInterval } from "../ui/useAsync";
import { describeBars } from "./describe";
import { EmptyMetrics } from "./EmptyMetrics";
import {
  followersGained,
  formatCount,
  formatMetric,
  groupMetric,
  metricLabel,
  metricsPresent,
  postTypeLabel,
  rankBy,
  type MetricId,
  type MetricRecord,
} from "./metrics";
import { OptimalTimes } from "./OptimalTimes";
import { PostPicker, postExcerpt } from "./PostPicker";
import { RANGES, isRange, rangeDates, type RangeDays } from "./ranges";
import { RefreshButton } from "./RefreshButton";
import { NetworkOptions } from "../ui/NetworkOptions";

const POLL_MS = 5_000;
const POLL_FOR_MS = 90_000;

export function Overview() {
  const [days, setDays] = useState<RangeDays>(30);
  const [platform, setPlatform] = useState("");
  const [pollUntil, setPollUntil] = useState(0);
  const range = rangeDates(days, new Date());
  const summary = useAsync(
    (signal) => api.get<Summary>("/v1/analytics/summary", { ...range, platform }, signal),
    [range.start_date, range.end_date, platform],
  );
  const empty = summary.data ? isEmpty(summary.data) : false;
  // After "Refresh now" on an empty page, look again every few seconds until numbers arrive.
  useInterval(summary.reload, POLL_MS, empty && pollUntil > Date.now());

  return (
    <div className="analytics">
      <div className="page-header">
        <h1>Analytics</h1>
        {summary.data && !empty && (
          <div className="actions">
            <RefreshButton />
          </div>
        )}
      </div>
      <div className="analytics-controls">
        <div>
          <label htmlFor="analytics-range">Period</label>
          <select
            id="analytics-range"
            value={days}
            onChange={(event) => isRange(event.target.value) && setDays(Number(event.target.value) as RangeDays)}
            aria-describedby="analytics-range-hint"
          >
            {RANGES.map((n) => (
              <option key={n} value={n}>
                Last {n} days
              </option>
            ))}
          </select>
          <p id="analytics-range-hint" className="hint">
            {formatDay(range.start_date, { dateStyle: "medium" })} – {formatDay(range.end_date, { dateStyle: "medium" })} (UTC days)
          </p>
        </div>
        <div>
          <label htmlFor="analytics-network">Network</label>
          <select id="analytics-network" value={platform} onChange={(event) => setPlatform(event.target.value)}>
            <NetworkOptions any="All networks" />
          </select>
        </div>
        <PostPicker />
      </div>

      {summary.loading && !summary.data && <Loading label="Adding up the numbers…" />}
      {summary.error && <ErrorNotice error={summary.error} onRetry={summary.reload} />}
      {summary.data &&
        (empty ? (
          <EmptyMetrics onQueued={() => setPollUntil(Date.now() + POLL_FOR_MS)} />
        ) : (
          <SummaryView summary={summary.data} />
        ))}

      <OptimalTimes platform={platform} />
    </div>
  );
}

function isEmpty(summary: Summary): boolean {
  const gained = metricsPresent([summary.gained as MetricRecord]);
  return summary.posts === 0 && gained.length === 0 && Object.keys(summary.by_network).length === 0;
}

function SummaryView({ summary }: { summary: Summary }) {
  const { timezone } = useMe();
  const accounts = useAsync((signal) => api.get<{ accounts: Account[] }>("/v1/accounts", undefined, signal), []);
  const posts = useAsync(
    (signal) => api.get<{ posts: Post[] }>("/v1/posts", { status: "published,partially_published", limit: 100 }, signal),
    [],
  );
  const postById = new Map((posts.data?.posts ?? []).map((p) => [p.id, p]));
  const accountById = new Map((accounts.data?.accounts ?? []).map((a) => [a.id, a]));
  const followers = followersGained(summary.followers);
  const totals: { label: string; value: string; hint?: string }[] = [
    { label: "Impressions", value: formatMetric("impressions", summary.impressions ?? summary.gained.impressions) },
    { label: "Engagements", value: formatMetric("engagements", summary.engagements ?? summary.gained.engagements) },
    { label: "Engagement rate", value: formatMetric("engagement_rate", summary.average_engagement_rate), hint: "average per post" },
    { label: "Posts published", value: String(summary.posts), hint: "with metrics, in the period" },
    {
      label: "Followers gained",
      value: followers === null ? "—" : `${followers > 0 ? "+" : ""}${formatCount(followers)}`,
      hint: followers === null ? "needs two counts in the period" : `across ${summary.followers.length} accounts`,
    },
  ];

  return (
    <>
      <section aria-labelledby="totals-title">
        <h2 id="totals-title" className="visually-hidden">
          Totals
        </h2>
        <dl className="analytics-totals">
          {totals.map((total) => (
            <div key={total.label} className="card">
              <dt>{total.label}</dt>
              <dd>
                <span className="total-value">{total.value}</span>
                {total.hint && <span className="hint">{total.hint}</span>}
              </dd>
            </div>
          ))}
        </dl>
      </section>

      <div className="analytics-grid">
        <section className="card analytics-section" aria-labelledby="by-network-title">
          <h2 id="by-network-title">By network</h2>
          <ByNetwork byNetwork={summary.by_network as Record<string, MetricRecord>} />
        </section>
        <section className="card analytics-section" aria-labelledby="groups-title">
          <h2 id="groups-title">What works best</h2>
          <GroupChart title="Post types" groups={summary.by_post_type} label={postTypeLabel} none="No post in the period has a post type." />
          <GroupChart title="Campaigns" groups={summary.by_campaign} label={(key) => key} none="No post in the period belongs to a campaign." />
        </section>
      </div>

      <section className="card analytics-section" aria-labelledby="top-title">
        <h2 id="top-title">Top posts</h2>
        {summary.top_posts.length === 0 ? (
          <p className="muted">No post was published in the period.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">The period's top posts, best first</caption>
              <thead>
                <tr>
                  <th scope="col">Post</th>
                  <th scope="col">Network</th>
                  <th scope="col">Published</th>
                  <th scope="col" className="num">Impressions</th>
                  <th scope="col" className="num">Engagements</th>
                  <th scope="col" className="num">Rate</th>
                </tr>
              </thead>
              <tbody>
                {summary.top_posts.map((top) => {
                  const post = postById.get(top.post_id);
                  return (
                    <tr key={`${top.post_id}-${top.platform}`}>
                      <th scope="row">
                        <a href={href(`/posts/${top.post_id}`)}>{post ? postExcerpt(post, 50) : top.post_id}</a>{" "}
                        <a className="hint" href={href("/analytics", { post: top.post_id })}>
                          analytics
                          <span className="visually-hidden"> of this post</span>
                        </a>
                      </th>
                      <td>{network(top.platform).label}</td>
                      <td>{formatDateTime(top.published_at, timezone)}</td>
                      <td className="num">{formatMetric("impressions", top.impressions)}</td>
                      <td className="num">{formatMetric("engagements", top.engagements)}</td>
                      <td className="num">{formatMetric("engagement_rate", top.engagement_rate)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {summary.followers.length > 0 && (
        <section className="card analytics-section" aria-labelledby="followers-title">
          <h2 id="followers-title">Followers</h2>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Network</th>
                  <th scope="col" className="num">Gained</th>
                  <th scope="col" className="num">Now</th>
                </tr>
              </thead>
              <tbody>
                {summary.followers.map((f) => {
                  const account = accountById.get(f.account_id);
                  return (
                    <tr key={f.account_id}>
                      <th scope="row">{account ? `${account.name} (@${account.username})` : f.account_id}</th>
                      <td>{network(f.platform).label}</td>
                      <td className="num">
                        {f.gained > 0 ? "+" : ""}
                        {formatCount(f.gained)}
                      </td>
                      <td className="num">{formatCount(f.now)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}

function ByNetwork({ byNetwork }: { byNetwork: Record<string, MetricRecord> }) {
  const present = metricsPresent(Object.values(byNetwork));
  const [chosen, setChosen] = useState<MetricId>();
  const metric = chosen && present.includes(chosen) ? chosen : present.includes("engagements") ? "engagements" : present[0];
  if (!metric) return <p className="muted">No network reported numbers in the period.</p>;
  const bars = rankBy(byNetwork, metric).map((r) => ({
    key: r.key,
    label: network(r.key).label,
    value: r.value,
    color: network(r.key).color,
  }));
  const format = (value: number) => formatMetric(metric, value);
  return (
    <>
      <div className="metric-pick">
        <label htmlFor="by-network-metric">Metric</label>
        <select id="by-network-metric" value={metric} onChange={(event) => setChosen(event.target.value as MetricId)}>
          {present.map((id) => (
            <option key={id} value={id}>
              {metricLabel(id)}
            </option>
          ))}
        </select>
      </div>
      <ChartFigure
        title={`${metricLabel(metric)} by network`}
        table={{
          caption: "Every metric by network over the period",
          columns: ["Network", ...present.map(metricLabel)],
          rows: Object.entries(byNetwork).map(([id, values]) => [network(id).label, ...present.map((m) => formatMetric(m, values[m]))]),
        }}
      >
        <BarChart bars={bars} formatValue={format} label={describeBars(`${metricLabel(metric)} by network`, bars, format)} />
      </ChartFigure>
    </>
  );
}

function GroupChart({
  title,
  groups,
  label,
  none,
}: {
  title: string;
  groups: Record<string, MetricRecord & { posts: number }>;
  label: (key: string) => string;
  none: string;
}) {
  const metric = groupMetric(groups);
  const ranked = rankBy(groups, metric);
  if (ranked.length === 0) {
    return (
      <>
        <h3>{title}</h3>
        <p className="muted">{none}</p>
      </>
    );
  }
  const format = (value: number) => formatMetric(metric, value);
  const bars = ranked.map((r) => ({
    key: r.key,
    label: label(r.key),
    value: r.value,
    note: `${r.record.posts} ${r.record.posts === 1 ? "post" : "posts"}`,
  }));
  return (
    <ChartFigure
      title={`${title}, by ${metricLabel(metric).toLowerCase()}`}
      table={{
        caption: `${title} ranked by ${metricLabel(metric).toLowerCase()}`,
        columns: [title, "Posts", "Impressions", "Engagements", "Engagement rate"],
        rows: ranked.map((r) => [
          label(r.key),
          r.record.posts,
          formatMetric("impressions", r.record.impressions),
          formatMetric("engagements", r.record.engagements),
          formatMetric("engagement_rate", r.record.engagement_rate),
        ]),
      }}
    >
      <BarChart bars={bars} formatValue={format} label={describeBars(`${title} by ${metricLabel(metric).toLowerCase()}`, bars, format)} />
    </ChartFigure>
  );
}
