import { describe, expect, it } from "vitest";
import {
  followersGained,
  formatMetric,
  groupMetric,
  metricsPresent,
  postTypeLabel,
  rankBy,
  seriesByNetwork,
  totalSeries,
} from "./metrics";
import { describeBars, describeLines } from "./describe";
import { basisSentence, scoreWords, slotGrid, slotLabel, sourceWords } from "./optimal";
import { rangeDates } from "./ranges";

const timeseries = {
  x: [
    { at: "2026-11-23T06:00:00Z", impressions: 100, engagements: 5 },
    { at: "2026-11-23T12:00:00Z", impressions: 300, engagements: 12 },
  ],
  bluesky: [
    { at: "2026-11-23T09:00:00Z", impressions: null, likes: 4, engagements: 6 },
    { at: "2026-11-23T12:00:00Z", impressions: null, likes: 7, engagements: 9 },
  ],
};

describe("metrics", () => {
  it("formats counts, rates and absent values", () => {
    expect(formatMetric("impressions", 12345, "en")).toBe("12,345");
    expect(formatMetric("engagement_rate", 0.0342, "en")).toBe("3.42%");
    expect(formatMetric("likes", null)).toBe("—");
  });

  it("lists only the metrics some record carries", () => {
    expect(metricsPresent([{ likes: 0, views: null }, { impressions: 3 }])).toEqual(["impressions", "likes"]);
  });

  it("draws one line per network, leaving out collections without the metric", () => {
    const lines = seriesByNetwork(timeseries, "impressions");
    expect(lines).toEqual([
      {
        network: "x",
        points: [
          { x: Date.parse("2026-11-23T06:00:00Z"), y: 100 },
          { x: Date.parse("2026-11-23T12:00:00Z"), y: 300 },
        ],
      },
    ]);
  });

  it("totals each network's latest value at every collection", () => {
    const total = totalSeries(timeseries, "engagements").map((p) => p.y);
    // 06:00 x=5; 09:00 x=5 + bluesky 6; 12:00 x=12 + bluesky 9
    expect(total).toEqual([5, 11, 21]);
  });

  it("totals the rate as summed engagements over summed impressions", () => {
    const rates = totalSeries(timeseries, "engagement_rate").map((p) => p.y);
    expect(rates).toEqual([0.05, 0.04]); // bluesky has no impressions: left out of both sums
  });

  it("ranks groups by a metric and picks the rate when there is one", () => {
    const groups = { promo: { posts: 2, engagements: 10, engagement_rate: 0.02 }, clip: { posts: 1, engagements: 4, engagement_rate: 0.05 }, quote: { posts: 1, engagement_rate: null } };
    expect(groupMetric(groups)).toBe("engagement_rate");
    expect(rankBy(groups, "engagement_rate").map((r) => r.key)).toEqual(["clip", "promo"]);
    expect(groupMetric({ a: { engagements: 3 } })).toBe("engagements");
    expect(postTypeLabel("behind_scenes")).toBe("Behind the scenes");
  });

  it("sums followers gained, or says there is no count", () => {
    expect(followersGained([{ gained: 3 }, { gained: -1 }])).toBe(2);
    expect(followersGained([])).toBeNull();
  });
});

describe("date ranges", () => {
  it("ends today (UTC) and counts today in", () => {
    expect(rangeDates(7, new Date("2026-11-23T23:30:00-05:00"))).toEqual({ start_date: "2026-11-18", end_date: "2026-11-24" });
    expect(rangeDates(30, new Date("2026-03-01T12:00:00Z")).start_date).toBe("2026-01-31");
  });
});

describe("optimal times", () => {
  const prior = { network: "all", title: "The Sprout Social Index", publisher: "Sprout Social", year: 2023, url: "https://example.com" };

  it("lays the slots out Monday first, hour by hour", () => {
    const grid = slotGrid([{ weekday: 1, hour: 9, score: 0.7 }]);
    expect(grid).toHaveLength(7);
    expect(grid[1][9]).toBe(0.7);
    expect(Number.isNaN(grid[0][0])).toBe(true);
  });

  it("says slots, scores and sources in words", () => {
    expect(slotLabel(6, 23)).toBe("Sunday 23:00–00:00");
    expect(scoreWords(0.6234)).toBe("62 of 100");
    expect(sourceWords({ source: "prior", posts: 0, nearby_posts: 0 })).toMatch(/published research/);
    expect(sourceWords({ source: "history", posts: 9, nearby_posts: 2 })).toBe("from 11 of your posts");
    expect(sourceWords({ source: "blend", posts: 1, nearby_posts: 0 })).toBe("1 of your posts and research");
  });

  it("explains the basis in one sentence", () => {
    const none = { level: "none" as const, posts: 0, posts_with_impressions: 0, slots_with_posts: 0, slots_from_history: 0, first_published_at: null, last_published_at: null };
    expect(basisSentence({ basis: none, prior, timezone: "Europe/Paris" })).toBe(
      "None of your published posts has metrics yet, so these times come from Sprout Social's “The Sprout Social Index” (2023). Hours are in Europe/Paris.",
    );
    const thin = { ...none, level: "thin" as const, posts: 1, slots_with_posts: 1 };
    expect(basisSentence({ basis: thin, prior, timezone: "UTC" })).toMatch(/^Based on 1 published post with metrics \(1 hour of the week/);
  });
});

describe("chart summaries", () => {
  it("says where each line starts and ends", () => {
    const text = describeLines(
      "Likes",
      [
        { label: "X", points: [{ x: 1, y: 2 }, { x: 2, y: 9 }] },
        { label: "Bluesky", points: [{ x: 2, y: 4 }] },
        { label: "Threads", points: [] },
      ],
      String,
      (at) => `t${at}`,
    );
    expect(text).toBe("Likes: X from 2 on t1 to 9 on t2; Bluesky 4 on t2.");
    expect(describeLines("Likes", [], String, String)).toBe("Likes: no collections yet.");
    expect(describeBars("By network", [{ label: "X", value: 3 }], String)).toBe("By network: X 3.");
  });
});
