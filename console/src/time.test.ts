import { describe, expect, it } from "vitest";
import { addDays, addMonths, dayOf, startOfWeek, weekdayOf, zonedParts, zonedToUtc } from "./time";

describe("zoned dates", () => {
  it("reads an instant in the profile's zone, not the browser's", () => {
    expect(dayOf("2026-11-23T23:30:00Z", "Europe/Paris")).toBe("2026-11-24");
    expect(dayOf("2026-11-23T03:30:00Z", "America/New_York")).toBe("2026-11-22");
    expect(zonedParts("2026-11-23T23:30:00Z", "Asia/Kolkata").hour).toBe(5);
  });

  it("turns a wall-clock time into the right instant across DST changes", () => {
    expect(zonedToUtc("2026-07-01", 9, 0, "Europe/Paris").toISOString()).toBe("2026-07-01T07:00:00.000Z");
    expect(zonedToUtc("2026-12-01", 9, 0, "Europe/Paris").toISOString()).toBe("2026-12-01T08:00:00.000Z");
    expect(zonedToUtc("2026-03-29", 12, 0, "Europe/Paris").toISOString()).toBe("2026-03-29T10:00:00.000Z");
    expect(zonedToUtc("2026-11-01", 12, 0, "America/New_York").toISOString()).toBe("2026-11-01T17:00:00.000Z");
  });

  it("does calendar arithmetic on days", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2028-03-01", -1)).toBe("2028-02-29");
    expect(weekdayOf("2026-11-23")).toBe(0);
    expect(startOfWeek("2026-11-29")).toBe("2026-11-23");
    expect(addMonths("2026-12-15", 1)).toBe("2027-01-01");
  });
});
