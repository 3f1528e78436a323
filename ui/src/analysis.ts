// The shape of an analysis result, as documented for `stridewise analyze --format json`
// (issue 3). Written by hand until the engine lands in stridewise-core; then these types are
// generated into ./bindings like the others and this file re-exports them.

import type { Severity } from "./bindings/Severity";

export type StrideCategory =
  | "spoofing"
  | "tampering"
  | "repudiation"
  | "information_disclosure"
  | "denial_of_service"
  | "elevation_of_privilege";

export interface Threat {
  key: string;
  rule: string;
  stride: StrideCategory;
  title: string;
  severity: Severity;
  target: { kind: "element" | "flow" | "boundary" | string; id: string; name: string };
  mitigations: { id: string; title: string }[];
  source: { section: string; quote: string };
}

export interface Analysis {
  threats: Threat[];
  summary?: Record<string, unknown>;
}

export const STRIDE: { id: StrideCategory; letter: string; label: string }[] = [
  { id: "spoofing", letter: "S", label: "Spoofing" },
  { id: "tampering", letter: "T", label: "Tampering" },
  { id: "repudiation", letter: "R", label: "Repudiation" },
  { id: "information_disclosure", letter: "I", label: "Information disclosure" },
  { id: "denial_of_service", letter: "D", label: "Denial of service" },
  { id: "elevation_of_privilege", letter: "E", label: "Elevation of privilege" },
];

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** Threats grouped by STRIDE category (in STRIDE order), most severe first within a group. */
export function groupByStride(threats: Threat[]): { category: StrideCategory; threats: Threat[] }[] {
  return STRIDE.map(({ id }) => ({
    category: id,
    threats: threats
      .filter((t) => t.stride === id)
      .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.key.localeCompare(b.key)),
  })).filter((g) => g.threats.length > 0);
}

/** Threat counts per diagram object, for the badges on nodes and edges. */
export function threatsByTarget(threats: Threat[]): Map<string, Threat[]> {
  const out = new Map<string, Threat[]>();
  for (const t of threats) {
    const list = out.get(t.target.id) ?? [];
    list.push(t);
    out.set(t.target.id, list);
  }
  return out;
}
