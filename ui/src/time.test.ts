import { describe, expect, it } from "vitest";
import { readableTime, readableTimeAgo, timeAgo } from "./time";

describe("readable times", () => {
  const now = new Date("2026-12-07T14:00:00Z");
  it("says how long ago in the largest unit that fits", () => {
    expect(timeAgo("2026-12-07T13:59:50Z", now)).toBe("just now");
    expect(timeAgo("2026-12-07T13:55:00Z", now)).toBe("5 minutes ago");
    expect(timeAgo("2026-12-07T13:00:00Z", now)).toBe("1 hour ago");
    expect(timeAgo("2026-12-04T14:00:00Z", now)).toBe("3 days ago");
    expect(timeAgo("2025-12-01T14:00:00Z", now)).toBe("1 year ago");
  });
  it("never shows raw RFC 3339 text for a valid time, and keeps text it cannot read", () => {
    const shown = readableTimeAgo("2026-12-07T12:00:00Z", now);
    expect(shown).not.toContain("T12:00");
    expect(shown).toContain("(2 hours ago)");
    expect(readableTime("yesterday-ish")).toBe("yesterday-ish");
    expect(readableTime(null)).toBe("");
  });
});
