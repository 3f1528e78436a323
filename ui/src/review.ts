// Sprint review mode, the pure part: grouping the agenda by reason, moving through it, the
// decision form's draft, and the small texts the screen suggests (next sprint, close notes,
// report file name). ReviewView.tsx renders; nothing here talks to the backend.

import type { ReviewItem } from "./bindings/ReviewItem";
import type { ReviewReason } from "./bindings/ReviewReason";
import type { ReviewSummary } from "./bindings/ReviewSummary";
import type { TriageChange } from "./bindings/TriageChange";
import type { TriageDraft } from "./analysis";

export type { ReviewItem } from "./bindings/ReviewItem";
export type { ReviewSummary } from "./bindings/ReviewSummary";
export type { ReviewView as Review } from "./bindings/ReviewView";

/** In the order the meeting walks them. */
export const REASONS: { id: ReviewReason; label: string; hint: string }[] = [
  { id: "new", label: "New", hint: "not seen by the last closed review" },
  { id: "changed", label: "Changed", hint: "its element or flow changed since the last review" },
  { id: "still_open", label: "Still open", hint: "open or needs investigation" },
  { id: "past_due", label: "Past due", hint: "past its due sprint and not resolved" },
  { id: "obsolete", label: "Obsolete", hint: "no longer detected: confirm it is gone" },
];

const REASON_RANK: Record<ReviewReason, number> = { new: 0, changed: 1, still_open: 2, past_due: 3, obsolete: 4 };

export function reasonLabel(r: ReviewReason): string {
  return REASONS[REASON_RANK[r]].label;
}

/** One item's identity: a threat key may be on the agenda for two services. */
export function itemId(item: Pick<ReviewItem, "service_id" | "key">): string {
  return `${item.service_id}/${item.key}`;
}

/** The group an item is listed under: its first reason in meeting order. */
export function primaryReason(item: ReviewItem): ReviewReason {
  let best: ReviewReason = item.reasons[0] ?? "still_open";
  for (const r of item.reasons) if (REASON_RANK[r] < REASON_RANK[best]) best = r;
  return best;
}

export interface ReasonGroup {
  reason: ReviewReason;
  label: string;
  items: ReviewItem[];
  decided: number;
}

/** The agenda grouped by primary reason (meeting order); within a group the core's order (worst first) is kept. */
export function groupByReason(items: readonly ReviewItem[]): ReasonGroup[] {
  return REASONS.map(({ id, label }) => {
    const mine = items.filter((i) => primaryReason(i) === id);
    return { reason: id, label, items: mine, decided: mine.filter((i) => i.decision).length };
  }).filter((g) => g.items.length > 0);
}

/** The items in the order the list shows them, for the arrow keys. */
export function listOrder(groups: readonly ReasonGroup[]): ReviewItem[] {
  return groups.flatMap((g) => g.items);
}

/** The item `delta` places from `current` (clamped to the ends; the first one when nothing is selected). */
export function step(order: readonly ReviewItem[], current: string | null, delta: number): string | null {
  if (!order.length) return null;
  const at = current === null ? -1 : order.findIndex((i) => itemId(i) === current);
  if (at < 0) return itemId(order[delta < 0 ? order.length - 1 : 0]);
  return itemId(order[Math.min(order.length - 1, Math.max(0, at + delta))]);
}

/** The next undecided item after `current` in list order, wrapping round; null when all are decided. */
export function nextUndecided(order: readonly ReviewItem[], current: string | null): string | null {
  const at = current === null ? -1 : order.findIndex((i) => itemId(i) === current);
  for (let n = 1; n <= order.length; n++) {
    const i = order[(at + n + order.length) % order.length];
    if (!i.decision && itemId(i) !== current) return itemId(i);
  }
  return null;
}

/** What the decision form starts from: the review's decision, else the threat's triage now. */
export function draftOfItem(item: ReviewItem): TriageDraft {
  const d = item.decision;
  const c = item.current;
  return {
    status: d?.status ?? c?.status ?? item.status_at_start ?? "open",
    justification: d?.justification ?? c?.justification ?? "",
    owner: d?.owner ?? c?.owner ?? "",
    ticket: d?.ticket ?? c?.ticket ?? "",
    due_sprint: d?.due_sprint ?? c?.due_sprint ?? "",
  };
}

/** A review decision records the whole form (even "still open, same owner" is a decision). */
export function reviewChange(draft: TriageDraft): TriageChange {
  return {
    status: draft.status,
    justification: draft.justification.trim(),
    owner: draft.owner.trim(),
    ticket: draft.ticket.trim(),
    due_sprint: draft.due_sprint.trim(),
  };
}

/** "ana, bo ,, ana" -> ["ana", "bo"]. */
export function parseParticipants(text: string): string[] {
  const out: string[] = [];
  for (const p of text.split(",").map((s) => s.trim())) if (p && !out.includes(p)) out.push(p);
  return out;
}

export function percent(r: Pick<ReviewSummary, "decided" | "total">): number {
  return r.total ? Math.round((100 * r.decided) / r.total) : 100;
}

export function progressText(r: Pick<ReviewSummary, "decided" | "total">): string {
  return `${r.decided} of ${r.total} decided`;
}

/** The sprint after the latest review's, by bumping its last number ("2026.24" -> "2026.25"); "" when there is none to bump. */
export function suggestSprint(reviews: readonly ReviewSummary[]): string {
  const latest = [...reviews].sort((a, b) => b.seq - a.seq)[0];
  const m = latest?.sprint.match(/^(.*?)(\d+)(\D*)$/);
  if (!m) return "";
  const n = String(Number(m[2]) + 1).padStart(m[2].length, "0");
  return `${m[1]}${n}${m[3]}`;
}

/** What the close dialog offers as notes. */
export function closeNotes(r: Pick<ReviewSummary, "decided" | "total">): string {
  const left = r.total - r.decided;
  return left === 0 ? `All ${r.total} items decided.` : `${r.decided} of ${r.total} items decided; ${left} left for the next review.`;
}

/** "mission-critical-review-2026.24.html", safe as a file name. */
export function reportFileName(r: Pick<ReviewSummary, "application" | "sprint">): string {
  const safe = (s: string) => s.replace(/[^\w.-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "") || "review";
  return `${safe(r.application)}-review-${safe(r.sprint)}.html`;
}

/** The open review among an application's reviews, if any. */
export function openReview(reviews: readonly ReviewSummary[]): ReviewSummary | null {
  return reviews.find((r) => r.state === "open") ?? null;
}
