// Drift marks on the diagram: after "Check drift against Terraform…", the elements, flows and
// boundaries the drift report names carry a mark on the canvas until the drift panel closes.
// A mark stands only while it still applies: the object is still in the model and, for a
// property that differs, the property still has the value it had when the marks were first
// shown (once someone edits it, the check no longer says anything about it). Plain logic and a
// small store (the drift panel sets it, the canvas reads it); the React glue is in
// TerraformActions.tsx.

import { createContext } from "react";
import type { DriftLine } from "./bindings/DriftLine";
import type { DriftReport } from "./bindings/DriftReport";
import type { PropertyValue } from "./bindings/PropertyValue";
import type { ServiceModel } from "./bindings/ServiceModel";

/** A drift report of one service, and what its marked objects looked like when first shown. */
export interface DriftCheck {
  /** The service's id. */
  service: string;
  drift: DriftReport;
  /** By `lineKey`: the object's state the line is about; null until the service is shown. */
  baseline: ReadonlyMap<string, string> | null;
}

/** The marks on each object of the diagram, by object id. */
export type DriftMarks = ReadonlyMap<string, DriftLine[]>;
export const NO_MARKS: DriftMarks = new Map();
/** The marks of the service in the editor, for the node and edge components. */
export const DriftContext = createContext<DriftMarks>(NO_MARKS);

const lineKey = (l: DriftLine) => `${l.object ?? ""}\u0000${l.property ?? ""}`;

type Marked = { properties?: { [key in string]: PropertyValue }; iac_address?: string | null };

function objectOf(model: ServiceModel, id: string): Marked | undefined {
  return model.elements.find((e) => e.id === id) ?? model.flows.find((f) => f.id === id) ?? model.boundaries.find((b) => b.id === id);
}

/** What the line is about in `model`: the property's value, or the object's address; null when the object is gone. */
export function stateOf(model: ServiceModel, line: DriftLine): string | null {
  if (!line.object) return null;
  const o = objectOf(model, line.object);
  if (!o) return null;
  return line.property ? JSON.stringify(o.properties?.[line.property] ?? null) : `@${o.iac_address ?? ""}`;
}

/** The state of every object the report marks, in the model the marks are first shown on. */
export function baselineOf(drift: DriftReport, model: ServiceModel): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of drift.items) {
    const s = stateOf(model, l);
    if (s !== null) out.set(lineKey(l), s);
  }
  return out;
}

/** The marks that still apply to `model`, by object id. */
export function marksOn(check: DriftCheck, model: ServiceModel): DriftMarks {
  const out = new Map<string, DriftLine[]>();
  for (const l of check.drift.items) {
    const s = stateOf(model, l);
    if (s === null || (check.baseline && check.baseline.get(lineKey(l)) !== s)) continue;
    const list = out.get(l.object!) ?? [];
    list.push(l);
    out.set(l.object!, list);
  }
  return out.size ? out : NO_MARKS;
}

/** The mark's tooltip: each difference on its own line. */
export const markTitle = (lines: readonly DriftLine[]) => lines.map((l) => `Drift (${l.label}): ${l.message}`).join("\n");

/** The kinds of mark on the diagram, for the legend: kind, label, count. */
export function legendOf(marks: DriftMarks): { kind: string; label: string; count: number }[] {
  const byKind = new Map<string, { kind: string; label: string; count: number }>();
  for (const lines of marks.values()) {
    for (const l of lines) {
      const k = byKind.get(l.kind) ?? { kind: l.kind, label: l.label, count: 0 };
      k.count += 1;
      byKind.set(l.kind, k);
    }
  }
  return [...byKind.values()].sort((a, b) => a.kind.localeCompare(b.kind));
}

/** The drift check whose marks show, set by the drift panel (null when it is closed). */
let current: DriftCheck | null = null;
const listeners = new Set<() => void>();
export const driftStore = {
  get: (): DriftCheck | null => current,
  set(next: DriftCheck | null) {
    current = next;
    for (const l of listeners) l();
  },
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  },
};
