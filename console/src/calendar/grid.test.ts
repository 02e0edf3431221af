import { describe, expect, it } from "vitest";
import {
  byDay,
  byHour,
  daysOf,
  isMovable,
  listFilters,
  moveAt,
  moveTo,
  rangeInstants,
  readQuery,
  shiftDay,
  showsOnCalendar,
  visibleRange,
  weeksOf,
} from "./grid";

const post = (at: string, extra: Record<string, unknown> = {}) => ({
  id: at,
  status: "scheduled",
  created_at: "2026-01-01T00:00:00Z",
  scheduled_at: at,
  ...extra,
});

describe("calendar ranges", () => {
  it("shows whole weeks, Monday first, around the month", () => {
    // November 2026 starts on a Sunday and ends on a Monday.
    const range = visibleRange("month", "2026-11-17");
    expect(range).toEqual({ first: "2026-10-26", end: "2026-12-07" });
    const weeks = weeksOf(range);
    expect(weeks).toHaveLength(6);
    expect(weeks.every((week) => week.length === 7)).toBe(true);
    expect(weeks[5][0]).toBe("2026-11-30");
  });

  it("does not add a week when the month ends on a Sunday", () => {
    // May 2026 ends on Sunday the 31st: the grid stops there.
    expect(visibleRange("month", "2026-05-02")).toEqual({ first: "2026-04-27", end: "2026-06-01" });
    // February 2027 starts on a Monday and ends on a Sunday: exactly four weeks.
    expect(weeksOf(visibleRange("month", "2027-02-10"))).toHaveLength(4);
  });

  it("shows the week holding the day", () => {
    const range = visibleRange("week", "2026-11-29");
    expect(range).toEqual({ first: "2026-11-23", end: "2026-11-30" });
    expect(daysOf(range)).toHaveLength(7);
  });

  it("asks the API for the range's edges in the profile's zone", () => {
    const range = { first: "2026-11-23", end: "2026-11-30" };
    expect(rangeInstants(range, "Europe/Paris")).toEqual({
      start_date: "2026-11-22T23:00:00.000Z",
      end_date: "2026-11-29T23:00:00.000Z",
    });
    expect(rangeInstants(range, "America/Los_Angeles").start_date).toBe("2026-11-23T08:00:00.000Z");
  });

  it("steps a month or a week", () => {
    expect(shiftDay("month", "2026-01-31", 1)).toBe("2026-02-01");
    expect(shiftDay("month", "2026-01-31", -1)).toBe("2025-12-01");
    expect(shiftDay("week", "2026-12-29", 1)).toBe("2027-01-05");
  });
});

describe("posts on days", () => {
  it("puts a post on its day in the zone, in time order", () => {
    const late = post("2026-11-23T23:30:00Z");
    const early = post("2026-11-24T06:00:00Z");
    const days = byDay([early, late], "Europe/Paris");
    expect([...days.keys()]).toEqual(["2026-11-24"]);
    expect(days.get("2026-11-24")).toEqual([late, early]);
    expect([...byDay([late], "UTC").keys()]).toEqual(["2026-11-23"]);
  });

  it("uses the publish time, then the creation time, without a schedule", () => {
    const published = post("", { scheduled_at: null, published_at: "2026-11-20T10:00:00Z" });
    const created = post("", { scheduled_at: null, created_at: "2026-11-21T10:00:00Z" });
    expect([...byDay([published, created], "UTC").keys()]).toEqual(["2026-11-20", "2026-11-21"]);
  });

  it("groups a day's posts by hour in the zone", () => {
    const hours = byHour([post("2026-11-23T08:15:00Z"), post("2026-11-23T08:45:00Z")], "Asia/Kolkata");
    expect([...hours.keys()]).toEqual([13, 14]);
  });

  it("shows drafts only with a date, and never cancelled posts", () => {
    expect(showsOnCalendar(post("2026-11-23T08:00:00Z", { status: "draft" }))).toBe(true);
    expect(showsOnCalendar(post("", { status: "draft", scheduled_at: null }))).toBe(false);
    expect(showsOnCalendar(post("2026-11-23T08:00:00Z", { status: "cancelled" }))).toBe(false);
    expect(showsOnCalendar(post("2026-11-23T08:00:00Z", { status: "partially_published" }))).toBe(true);
  });

  it("moves only what is still Herald's to schedule", () => {
    expect(isMovable({ status: "scheduled", scheduled_at: "x" })).toBe(true);
    expect(isMovable({ status: "paused", scheduled_at: "x" })).toBe(true);
    expect(isMovable({ status: "draft", scheduled_at: "x" })).toBe(true);
    expect(isMovable({ status: "draft", scheduled_at: null })).toBe(false);
    for (const status of ["published", "failed", "publishing", "pending_approval"]) {
      expect(isMovable({ status, scheduled_at: "x" })).toBe(false);
    }
  });
});

describe("moving a post", () => {
  it("keeps the time of day in the zone on another day, across a DST change", () => {
    // 09:30 in Paris in October (UTC+2), moved into November (UTC+1): still 09:30 there.
    const move = moveTo(post("2026-10-20T07:30:00Z"), "2026-11-03", "Europe/Paris");
    expect(move.scheduled_at).toBe("2026-11-03T09:30:00");
    expect(move.instant.toISOString()).toBe("2026-11-03T08:30:00.000Z");
  });

  it("takes the hour row's hour in the week view, keeping the minutes", () => {
    const move = moveTo(post("2026-11-23T09:45:00Z"), "2026-11-25", "UTC", 16);
    expect(move.scheduled_at).toBe("2026-11-25T16:45:00");
  });

  it("reads the keyboard form's date and time", () => {
    expect(moveAt("2026-11-25", "07:05", "Europe/Paris")?.instant.toISOString()).toBe("2026-11-25T06:05:00.000Z");
    expect(moveAt("2026-11-25", "25:00", "UTC")).toBeUndefined();
    expect(moveAt("", "07:05", "UTC")).toBeUndefined();
  });
});

describe("the calendar's URL", () => {
  it("reads the view, the day and the filters, with defaults", () => {
    const state = readQuery(new URLSearchParams("view=week&day=2026-11-23&platform=x&tag=launch"), "2026-01-01");
    expect(state).toMatchObject({ view: "week", day: "2026-11-23", platform: "x", tag: "launch" });
    expect(readQuery(new URLSearchParams("view=year&day=nonsense"), "2026-01-01")).toMatchObject({
      view: "month",
      day: "2026-01-01",
    });
  });

  it("asks for the calendar's statuses unless one is chosen", () => {
    expect(listFilters({ view: "month", day: "2026-11-23" }).status).toContain("partially_published");
    expect(listFilters({ view: "month", day: "2026-11-23" }).status).not.toContain("cancelled");
    expect(listFilters({ view: "month", day: "2026-11-23", status: "failed", campaign: "c1" })).toMatchObject({
      status: "failed",
      campaign_id: "c1",
    });
  });
});
