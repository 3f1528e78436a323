// Merge conflicts recorded in a model (by `stridewise merge`, the git driver, a workspace merge
// or the app's own "Merge mine into theirs"): the merged model holds one side's value (the core
// keeps ours) and lists each clash with both values until someone decides. Here: what a conflict
// is about, its values as people read them, and deciding one (the model as it is now is the
// decision: kept as merged, or edited first), which is an edit like any other, saved as the next
// revision.

import type { MergeConflict } from "./bindings/MergeConflict";
import type { ServiceModel } from "./bindings/ServiceModel";

/** The element, flow or boundary a conflict's path names (`/elements/<id>/...`), if any. */
export function conflictObject(c: MergeConflict): string | null {
  const m = /^\/(elements|flows|boundaries)\/([^/]+)/.exec(c.path);
  return m ? m[2] : null;
}

/** A side's value as text: "(absent)" when that side deleted the object or left the field out. */
export function conflictValue(v: unknown): string {
  if (v === undefined || v === null) return "(absent)";
  if (typeof v === "string") return `'${v}'`;
  if (typeof v === "object" && v && "name" in v && typeof (v as { name: unknown }).name === "string") return `'${(v as { name: string }).name}' (the whole object)`;
  return JSON.stringify(v);
}

/**
 * Who made each side, as the conflict's labels say it: where the merge recorded it came from
 * (a file, a branch, a workspace revision and its author), else "Yours" for the side the model
 * holds and "Theirs" for the other one (conflicts of merges that did not record it). Origins
 * rather than "yours": in the app's own merge the model holds the workspace's head, and the
 * person at the window made the other side.
 */
export function sideLabels(c: MergeConflict): { ours: string; theirs: string } {
  return {
    ours: c.ours_from ? `From ${c.ours_from}` : "Yours",
    theirs: c.theirs_from ? `From ${c.theirs_from}` : "Theirs",
  };
}

/** The model's unresolved conflicts. */
export const conflictsOf = (m: ServiceModel | null): MergeConflict[] => m?.conflicts ?? [];

/** The model with the conflict at `index` decided: taken off the list, the model kept as it is. */
export function resolveConflict(m: ServiceModel, index: number): ServiceModel {
  const list = conflictsOf(m);
  if (index < 0 || index >= list.length) throw new Error(`there is no conflict ${index + 1} in '${m.name}' (it has ${list.length})`);
  const rest = list.filter((_, i) => i !== index);
  const { conflicts: _c, ...model } = m;
  return rest.length ? { ...model, conflicts: rest } : model;
}
