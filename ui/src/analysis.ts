// Threats as the UI sees them: the generated analysis types, and the pure functions the panels
// use to order, group, filter and count them and to turn a triage form into a change. Nothing
// here renders or talks to the backend, so all of it is tested over the samples' real analysis.

import type { Severity } from "./bindings/Severity";
import type { Stride } from "./bindings/Stride";
import type { Threat } from "./bindings/Threat";
import type { TargetKind } from "./bindings/TargetKind";
import type { TriageChange } from "./bindings/TriageChange";
import type { TriageDecision } from "./bindings/TriageDecision";
import type { TriageStatus } from "./bindings/TriageStatus";
import type { MitigationStatus } from "./bindings/MitigationStatus";

export type { Analysis } from "./bindings/Analysis";
export type { Threat } from "./bindings/Threat";
export type { Stride } from "./bindings/Stride";

/** The workspace's decisions, by threat key (as in ServiceAnalysis and ApplicationView). */
export type Decisions = { readonly [key: string]: TriageDecision | undefined };

export const STRIDE: { id: Stride; letter: string; label: string }[] = [
  { id: "spoofing", letter: "S", label: "Spoofing" },
  { id: "tampering", letter: "T", label: "Tampering" },
  { id: "repudiation", letter: "R", label: "Repudiation" },
  { id: "information_disclosure", letter: "I", label: "Information disclosure" },
  { id: "denial_of_service", letter: "D", label: "Denial of service" },
  { id: "elevation_of_privilege", letter: "E", label: "Elevation of privilege" },
];

/** Worst first. */
export const SEVERITIES: Severity[] = ["critical", "high", "medium", "low"];

export const STATUSES: { id: TriageStatus; label: string }[] = [
  { id: "open", label: "Open" },
  { id: "needs_investigation", label: "Needs investigation" },
  { id: "mitigated", label: "Mitigated" },
  { id: "accepted", label: "Accepted" },
  { id: "not_applicable", label: "Not applicable" },
  { id: "transferred", label: "Transferred" },
];

export const MITIGATION_STATUSES: { id: MitigationStatus; label: string }[] = [
  { id: "proposed", label: "Proposed" },
  { id: "in_progress", label: "In progress" },
  { id: "implemented", label: "Implemented" },
  { id: "will_not_implement", label: "Will not implement" },
];

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export function severityRank(s: Severity): number {
  return SEVERITY_RANK[s];
}

/** Most severe first, then by key so that the order is stable across re-analysis. */
export function compareThreats(a: Threat, b: Threat): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.key.localeCompare(b.key);
}

/** Threats grouped by STRIDE category (in STRIDE order), most severe first within a group. */
export function groupByStride(threats: readonly Threat[]): { category: Stride; threats: Threat[] }[] {
  return STRIDE.map(({ id }) => ({
    category: id,
    threats: threats.filter((t) => t.stride === id).sort(compareThreats),
  })).filter((g) => g.threats.length > 0);
}

export interface ElementGroup {
  /** The target's id: an element or a flow. */
  id: string;
  name: string;
  kind: TargetKind;
  /** The worst severity among the group's threats. */
  worst: Severity;
  threats: Threat[];
}

/** Threats grouped by what they are about, the worst group first (then by name), most severe first within. */
export function groupByElement(threats: readonly Threat[]): ElementGroup[] {
  const groups = new Map<string, ElementGroup>();
  for (const t of threats) {
    let g = groups.get(t.target.id);
    if (!g) {
      g = { id: t.target.id, name: t.target.name, kind: t.target.kind, worst: t.severity, threats: [] };
      groups.set(t.target.id, g);
    }
    g.threats.push(t);
    if (SEVERITY_RANK[t.severity] < SEVERITY_RANK[g.worst]) g.worst = t.severity;
  }
  const out = [...groups.values()];
  for (const g of out) g.threats.sort(compareThreats);
  return out.sort(
    (a, b) => SEVERITY_RANK[a.worst] - SEVERITY_RANK[b.worst] || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  );
}

/** Threat counts per diagram object, for the badges on nodes and edges. */
export function threatsByTarget(threats: readonly Threat[]): Map<string, Threat[]> {
  const out = new Map<string, Threat[]>();
  for (const t of threats) {
    const list = out.get(t.target.id) ?? [];
    list.push(t);
    out.set(t.target.id, list);
  }
  return out;
}

/** Where a threat stands: the analysis has usually applied the decision already; no decision means open. */
export function statusOf(threat: Threat, decision: TriageDecision | undefined): TriageStatus {
  return threat.status ?? decision?.status ?? "open";
}

export interface ThreatFilter {
  /** Words that must each appear in the title, target name, rule, key or owner (any case). */
  query: string;
  /** An empty set lets every severity through; likewise for statuses and categories. */
  severities: ReadonlySet<Severity>;
  statuses: ReadonlySet<TriageStatus>;
  categories: ReadonlySet<Stride>;
  /** Only the threats found by application-level rules. */
  appLevelOnly?: boolean;
}

export const NO_FILTER: ThreatFilter = { query: "", severities: new Set(), statuses: new Set(), categories: new Set() };

export function filterThreats(threats: readonly Threat[], decisions: Decisions, filter: ThreatFilter): Threat[] {
  const words = filter.query.toLowerCase().split(/\s+/).filter(Boolean);
  return threats.filter((t) => {
    if (filter.appLevelOnly && !t.app_level) return false;
    if (filter.severities.size && !filter.severities.has(t.severity)) return false;
    if (filter.categories.size && !filter.categories.has(t.stride)) return false;
    const decision = decisions[t.key];
    if (filter.statuses.size && !filter.statuses.has(statusOf(t, decision))) return false;
    if (!words.length) return true;
    const haystack = [t.title, t.target.name, t.rule, t.key, decision?.owner ?? ""].join("\n").toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}

export type StatusCounts = Record<TriageStatus, number> & { total: number };

export function countByStatus(threats: readonly Threat[], decisions: Decisions): StatusCounts {
  const out: StatusCounts = { total: 0, open: 0, needs_investigation: 0, mitigated: 0, accepted: 0, not_applicable: 0, transferred: 0 };
  for (const t of threats) {
    out[statusOf(t, decisions[t.key])]++;
    out.total++;
  }
  return out;
}

/** "81 threats: 70 open, 3 mitigated, ..." (statuses with no threats left out). */
export function statusSummary(counts: StatusCounts): string {
  const parts = STATUSES.filter((s) => counts[s.id] > 0).map((s) => `${counts[s.id]} ${s.label.toLowerCase()}`);
  const head = `${counts.total} ${counts.total === 1 ? "threat" : "threats"}`;
  return parts.length ? `${head}: ${parts.join(", ")}` : head;
}

// Triage form --------------------------------------------------------------------------------

/** What the triage editor holds while a person edits a decision. */
export interface TriageDraft {
  status: TriageStatus;
  justification: string;
  owner: string;
  ticket: string;
  due_sprint: string;
}

/** Statuses that close a threat without fixing it: someone has to say why. */
export function needsJustification(status: TriageStatus): boolean {
  return status === "accepted" || status === "not_applicable" || status === "transferred";
}

export function draftOf(threat: Threat, decision: TriageDecision | undefined): TriageDraft {
  return {
    status: statusOf(threat, decision),
    justification: decision?.justification ?? "",
    owner: decision?.owner ?? "",
    ticket: decision?.ticket ?? "",
    due_sprint: decision?.due_sprint ?? "",
  };
}

/** Why the draft cannot be saved, or null. */
export function draftProblem(draft: TriageDraft): string | null {
  if (needsJustification(draft.status) && !draft.justification.trim()) {
    const label = STATUSES.find((s) => s.id === draft.status)!.label.toLowerCase();
    return `A threat marked “${label}” needs a justification: say why.`;
  }
  return null;
}

/** The fields the draft changes (trimmed); fields left as they were are left out. */
export function changeFrom(draft: TriageDraft, saved: TriageDraft): TriageChange {
  const change: TriageChange = {};
  if (draft.status !== saved.status) change.status = draft.status;
  for (const f of ["justification", "owner", "ticket", "due_sprint"] as const) {
    const v = draft[f].trim();
    if (v !== saved[f].trim()) change[f] = v;
  }
  return change;
}

export function isEmptyChange(change: TriageChange): boolean {
  return Object.keys(change).length === 0;
}

/** A threat count as a diagram badge says it: "1 threat", "3 threats". */
export function threatCount(n: number): string {
  return `${n} ${n === 1 ? "threat" : "threats"}`;
}
