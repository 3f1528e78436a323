// The revision browser's rules that need no window: how a revision is listed, and what restoring
// one puts in the editor.

import type { RevisionRef } from "./bindings/RevisionRef";
import type { ServiceModel } from "./bindings/ServiceModel";
import { readableTime } from "./time";

/** A revision's line in the list: "#3 · alice · 7 Dec 2026, 14:08". */
export function revisionLine(r: RevisionRef): string {
  return `#${r.seq} · ${r.author} · ${readableTime(r.created_at)}`;
}

/**
 * The model the editor takes when `old` is restored over `present`: the old diagram and fields,
 * with what is not part of the drawing kept as it is now: the triage decisions (the workspace's
 * record of them, undo keeps them too), the lineage (where the model came from) and any merge
 * conflicts still to decide. Saved, it is the next revision; the history only grows.
 */
export function restoredModel(old: ServiceModel, present: ServiceModel): ServiceModel {
  const { triage: _t, lineage: _l, conflicts: _c, ...drawing } = structuredClone(old);
  const next: ServiceModel = { ...drawing };
  if (present.triage !== undefined) next.triage = present.triage;
  if (present.lineage !== undefined) next.lineage = present.lineage;
  if (present.conflicts !== undefined) next.conflicts = present.conflicts;
  return next;
}
