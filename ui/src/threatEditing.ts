// Threats written by hand, as the UI edits them: the form's fields, the objects a threat can be
// about, and the edit sent to the backend. The rules (a title, a target that exists, the
// decision following a moved threat, the author and time) are the core's (app::threat, through
// the `edit_threat` command); nothing here decides whether an edit is allowed.

import type { ManualThreat } from "./bindings/ManualThreat";
import type { MitigationRef } from "./bindings/MitigationRef";
import type { Rating } from "./bindings/Rating";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { Stride } from "./bindings/Stride";
import type { Threat } from "./bindings/Threat";
import type { ThreatEdit } from "./bindings/ThreatEdit";
import type { ThreatTarget } from "./bindings/ThreatTarget";
import type { MenuProvider } from "./contextMenu";
import { newId } from "./edits";

/** The rule part of a hand-written threat's key starts with this (the core's MANUAL_PREFIX). */
export const MANUAL_PREFIX = "MANUAL-";

export const RATINGS: { id: Rating; label: string }[] = [
  { id: "low", label: "Low" },
  { id: "medium", label: "Medium" },
  { id: "high", label: "High" },
];

/** Whether a threat of the analysis was written by hand (or imported from another tool). */
export const isManual = (t: Pick<Threat, "rule">): boolean => t.rule.startsWith(MANUAL_PREFIX);

/** The hand-written threat of the model behind a threat of the analysis. */
export function manualThreatOf(model: ServiceModel, t: Pick<Threat, "rule">): ManualThreat | null {
  if (!isManual(t)) return null;
  const id = t.rule.slice(MANUAL_PREFIX.length);
  return model.threats?.find((m) => m.id === id) ?? null;
}

/** What a hand-written threat can be about, as the form's choices: the model, then each element,
 *  flow and trust boundary by name. `value` is the choice's key in the select. */
export interface TargetChoice {
  value: string;
  label: string;
  target: ThreatTarget;
}

export const targetValue = (t: ThreatTarget): string => (t.kind === "model" ? "model" : `${t.kind}:${t.id}`);

export function targetChoices(model: ServiceModel): TargetChoice[] {
  const byName = <T extends { name: string }>(xs: T[]) => [...xs].sort((a, b) => a.name.localeCompare(b.name));
  const choice = (target: ThreatTarget, label: string): TargetChoice => ({ value: targetValue(target), label, target });
  return [
    choice({ kind: "model" }, `The whole service (${model.name})`),
    ...byName(model.elements).map((e) => choice({ kind: "element", id: e.id }, e.name)),
    ...byName(model.flows).map((f) => choice({ kind: "flow", id: f.id }, `Flow: ${f.name}`)),
    ...byName(model.boundaries).map((b) => choice({ kind: "boundary", id: b.id }, `Boundary: ${b.name}`)),
  ];
}

/** The target for "Add threat" on a selection: the one selected object, else the whole model. */
export function targetOfSelection(model: ServiceModel, selected: ReadonlySet<string>): ThreatTarget {
  if (selected.size !== 1) return { kind: "model" };
  const [id] = selected;
  if (model.elements.some((e) => e.id === id)) return { kind: "element", id };
  if (model.flows.some((f) => f.id === id)) return { kind: "flow", id };
  if (model.boundaries.some((b) => b.id === id)) return { kind: "boundary", id };
  return { kind: "model" };
}

/** The form's fields, as typed. */
export interface ThreatFields {
  title: string;
  stride: Stride;
  target: string;
  likelihood: Rating;
  impact: Rating;
  description: string;
  /** Catalog mitigations by id. */
  mitigations: string[];
  /** The author's own mitigations, one per line. */
  customMitigations: string;
}

export function fieldsOf(t: ManualThreat): ThreatFields {
  return {
    title: t.title,
    stride: t.stride,
    target: targetValue(t.target),
    likelihood: t.likelihood,
    impact: t.impact,
    description: t.description ?? "",
    mitigations: [...(t.mitigations ?? [])],
    customMitigations: (t.custom_mitigations ?? []).join("\n"),
  };
}

export function newFields(target: ThreatTarget): ThreatFields {
  return {
    title: "",
    stride: "spoofing",
    target: targetValue(target),
    likelihood: "medium",
    impact: "medium",
    description: "",
    mitigations: [],
    customMitigations: "",
  };
}

/** The edit the form asks for: a new threat (fresh id), or `old` with the fields changed (its
 *  author, time and notes kept for the core to stamp). */
export function editOf(model: ServiceModel, fields: ThreatFields, old: ManualThreat | null): ThreatEdit {
  const target = targetChoices(model).find((c) => c.value === fields.target)?.target ?? { kind: "model" };
  const threat: ManualThreat = {
    ...(old ?? { id: newId() }),
    title: fields.title.trim(),
    stride: fields.stride,
    target,
    likelihood: fields.likelihood,
    impact: fields.impact,
    description: fields.description.trim(),
    mitigations: fields.mitigations,
    custom_mitigations: fields.customMitigations
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.length > 0),
  };
  return old ? { action: "update", threat } : { action: "add", threat };
}

/** The catalog's mitigations the analysis knows (from the rules that fired), by title, for the
 *  form's search; the author's own ones are left out. */
export function knownMitigations(threats: readonly Threat[]): MitigationRef[] {
  const seen = new Map<string, MitigationRef>();
  for (const t of threats) {
    if (isManual(t)) continue;
    for (const m of t.mitigations) if (!seen.has(m.id)) seen.set(m.id, m);
  }
  return [...seen.values()].sort((a, b) => a.title.localeCompare(b.title));
}

/** "Add threat…" on the right-click menus of an element, a flow, a boundary and the canvas. */
export const threatMenu: MenuProvider = (target) =>
  target.kind === "element" || target.kind === "flow" || target.kind === "boundary" || target.kind === "canvas"
    ? [[{ command: "addThreat", label: "Add threat…" }]]
    : [];
