// Sprint review mode's logic: grouping the agenda, moving through it, the decision form, and
// the texts the screen suggests; and that the web preview refuses reviews clearly.

import { describe, expect, it } from "vitest";
import type { ReviewItem } from "./bindings/ReviewItem";
import type { ReviewSummary } from "./bindings/ReviewSummary";
import { memoryBackend } from "./api";
import { draftProblem } from "./analysis";
import {
  closeNotes,
  draftOfItem,
  groupByReason,
  itemId,
  listOrder,
  nextUndecided,
  openReview,
  parseParticipants,
  percent,
  primaryReason,
  progressText,
  reportFileName,
  reviewChange,
  step,
  suggestSprint,
} from "./review";

let n = 0;
function item(over: Partial<ReviewItem> = {}): ReviewItem {
  n++;
  return {
    key: `RULE-${n}@00000000-0000-0000-0000-00000000000${n % 10}`,
    service: "mc-stamp",
    service_id: "11111111-1111-1111-1111-111111111111",
    title: `Threat ${n}`,
    severity: "high",
    stride: "tampering",
    description: "",
    target: { kind: "process", id: "22222222-2222-2222-2222-222222222222", name: "API" },
    status_at_start: "open",
    reasons: ["new", "still_open"],
    why: ["new since the last review", "still open"],
    current: null,
    decision: null,
    members: [],
    ...over,
  };
}

function summary(over: Partial<ReviewSummary> = {}): ReviewSummary {
  return {
    id: "r1",
    application: "mission-critical",
    seq: 1,
    sprint: "2026.24",
    state: "closed",
    participants: [],
    notes: "",
    opened_by: "ana",
    opened_at: "2026-06-01T10:00:00Z",
    closed_by: null,
    closed_at: null,
    decided: 0,
    total: 0,
    ...over,
  };
}

const decided = { status: "mitigated", justification: "", owner: "bo", due_sprint: "", ticket: "", decided_by: "ana", decided_at: "2026-06-01T10:00:00Z" } as const;

describe("the agenda by reason", () => {
  it("lists each item once, under its first reason in meeting order, keeping the core's order", () => {
    const a = item({ reasons: ["still_open", "past_due"], severity: "critical" });
    const b = item({ reasons: ["new", "still_open"] });
    const c = item({ reasons: ["obsolete"], status_at_start: null, target: null, stride: null, severity: "low" });
    const d = item({ reasons: ["changed", "still_open"], decision: decided });
    const e = item({ reasons: ["past_due"] });
    const groups = groupByReason([a, b, c, d, e]);
    expect(groups.map((g) => [g.reason, g.label, g.items.length, g.decided])).toEqual([
      ["new", "New", 1, 0],
      ["changed", "Changed", 1, 1],
      ["still_open", "Still open", 1, 0],
      ["past_due", "Past due", 1, 0],
      ["obsolete", "Obsolete", 1, 0],
    ]);
    expect(listOrder(groups)).toEqual([b, d, a, e, c]);
    expect(primaryReason(item({ reasons: ["past_due", "changed"] }))).toBe("changed");
  });

  it("has no empty groups", () => {
    expect(groupByReason([])).toEqual([]);
    expect(groupByReason([item({ reasons: ["still_open"] })]).map((g) => g.reason)).toEqual(["still_open"]);
  });

  it("tells apart the same key in two services", () => {
    const a = item({ key: "K@1" });
    const b = item({ key: "K@1", service: "mc-global", service_id: "33333333-3333-3333-3333-333333333333" });
    expect(itemId(a)).not.toBe(itemId(b));
  });
});

describe("moving through the agenda", () => {
  const order = [item(), item({ decision: decided }), item(), item({ decision: decided })];
  const ids = order.map(itemId);

  it("steps with the arrow keys and stops at the ends", () => {
    expect(step(order, ids[0], 1)).toBe(ids[1]);
    expect(step(order, ids[3], 1)).toBe(ids[3]);
    expect(step(order, ids[0], -1)).toBe(ids[0]);
    expect(step(order, null, 1)).toBe(ids[0]);
    expect(step(order, null, -1)).toBe(ids[3]);
    expect(step(order, "gone", 1)).toBe(ids[0]);
    expect(step([], null, 1)).toBeNull();
  });

  it("finds the next undecided item, wrapping round", () => {
    expect(nextUndecided(order, ids[0])).toBe(ids[2]);
    expect(nextUndecided(order, ids[2])).toBe(ids[0]);
    expect(nextUndecided(order, null)).toBe(ids[0]);
    expect(nextUndecided([order[1], order[3]], ids[1])).toBeNull();
    // The current item is never "next", even when it is the only undecided one.
    expect(nextUndecided([order[0], order[1]], ids[0])).toBeNull();
  });
});

describe("the decision form", () => {
  it("starts from the review's decision, else the threat's triage now, else its status at the start", () => {
    const current = { status: "accepted", justification: "behind Front Door", owner: "ana", due_sprint: "2026.26" } as const;
    expect(draftOfItem(item({ status_at_start: "needs_investigation" }))).toEqual({
      status: "needs_investigation", justification: "", owner: "", ticket: "", due_sprint: "",
    });
    expect(draftOfItem(item({ current }))).toMatchObject({ status: "accepted", owner: "ana", due_sprint: "2026.26" });
    expect(draftOfItem(item({ current, decision: decided }))).toMatchObject({ status: "mitigated", owner: "bo", justification: "" });
    expect(draftOfItem(item({ status_at_start: null }))).toMatchObject({ status: "open" });
  });

  it("records the whole form, trimmed", () => {
    const change = reviewChange({ status: "open", justification: " ", owner: " bo ", ticket: "", due_sprint: "2026.26 " });
    expect(change).toEqual({ status: "open", justification: "", owner: "bo", ticket: "", due_sprint: "2026.26" });
  });

  it("needs a justification to accept, as the triage form does", () => {
    const d = draftOfItem(item());
    expect(draftProblem({ ...d, status: "accepted" })).toMatch(/justification/);
    expect(draftProblem({ ...d, status: "accepted", justification: "rate limited" })).toBeNull();
    expect(draftProblem({ ...d, status: "mitigated" })).toBeNull();
  });
});

describe("texts", () => {
  it("parses participants", () => {
    expect(parseParticipants(" ana, bo ,, ana,chen ")).toEqual(["ana", "bo", "chen"]);
    expect(parseParticipants("")).toEqual([]);
  });

  it("shows progress", () => {
    expect(progressText({ decided: 3, total: 12 })).toBe("3 of 12 decided");
    expect(percent({ decided: 3, total: 12 })).toBe(25);
    expect(percent({ decided: 0, total: 0 })).toBe(100);
  });

  it("suggests the sprint after the latest review's", () => {
    expect(suggestSprint([])).toBe("");
    expect(suggestSprint([summary({ seq: 1, sprint: "2026.24" }), summary({ seq: 2, sprint: "2026.25" })])).toBe("2026.26");
    expect(suggestSprint([summary({ sprint: "2026.09" })])).toBe("2026.10");
    expect(suggestSprint([summary({ sprint: "S7-beta" })])).toBe("S8-beta");
    expect(suggestSprint([summary({ sprint: "autumn" })])).toBe("");
  });

  it("offers close notes and a report file name", () => {
    expect(closeNotes({ decided: 4, total: 4 })).toBe("All 4 items decided.");
    expect(closeNotes({ decided: 1, total: 4 })).toBe("1 of 4 items decided; 3 left for the next review.");
    expect(reportFileName({ application: "mission-critical", sprint: "2026.24" })).toBe("mission-critical-review-2026.24.html");
    expect(reportFileName({ application: "a/b c", sprint: "../x" })).toBe("a-b-c-review-x.html");
  });

  it("finds the open review", () => {
    expect(openReview([summary(), summary({ id: "r2", seq: 2, state: "open" })])?.id).toBe("r2");
    expect(openReview([summary()])).toBeNull();
  });
});

describe("the web preview", () => {
  it("refuses reviews with invalid_input", async () => {
    const b = memoryBackend([], { stencils: [] } as never, async () => ({}));
    const refusal = { code: "invalid_input", message: "reviews need the desktop app" };
    await expect(b.reviews("mission-critical")).rejects.toEqual(refusal);
    await expect(b.startReview("mission-critical", "2026.24", [])).rejects.toEqual(refusal);
    await expect(b.review("r1")).rejects.toEqual(refusal);
    await expect(b.decideReviewItem("r1", "K", {})).rejects.toEqual(refusal);
    await expect(b.closeReview("r1", "")).rejects.toEqual(refusal);
    await expect(b.exportReviewReport("r1", "/tmp/x.html")).rejects.toEqual(refusal);
  });
});
