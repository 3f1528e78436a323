// Edits of the model document. Each is a pure function from a ServiceModel to the next one;
// the undo stack (history.ts) records the results. Nothing here knows about React Flow.

import type { BoundaryKind } from "./bindings/BoundaryKind";
import type { DataFlow } from "./bindings/DataFlow";
import type { Element } from "./bindings/Element";
import type { ElementKind } from "./bindings/ElementKind";
import type { NodeLayout } from "./bindings/NodeLayout";
import type { PropertyValue } from "./bindings/PropertyValue";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { TrustBoundary } from "./bindings/TrustBoundary";
import { BOUNDARY_SIZE, ELEMENT_SIZE, center, descendants, innermostBoundaryAt, rectOf } from "./geometry";

export const newId = (): string => crypto.randomUUID();

export const KIND_LABEL: Record<ElementKind, string> = {
  external_entity: "External entity",
  process: "Process",
  data_store: "Data store",
};

function withNode(model: ServiceModel, id: string, rect: NodeLayout): ServiceModel {
  return {
    ...model,
    layout: { ...model.layout, nodes: { ...(model.layout?.nodes ?? {}), [id]: rect } },
  };
}

function uniqueName(model: ServiceModel, base: string): string {
  const names = new Set(model.elements.map((e) => e.name));
  if (!names.has(base)) return base;
  for (let i = 2; ; i++) if (!names.has(`${base} ${i}`)) return `${base} ${i}`;
}

/** Adds an element centred at `at`, inside the innermost boundary drawn there. */
export function addElement(
  model: ServiceModel,
  kind: ElementKind,
  stencil: string,
  at: { x: number; y: number },
  name?: string,
): { model: ServiceModel; id: string } {
  const id = newId();
  const rect = { x: at.x - ELEMENT_SIZE.width / 2, y: at.y - ELEMENT_SIZE.height / 2, ...ELEMENT_SIZE };
  const element: Element = {
    id,
    kind,
    name: uniqueName(model, name ?? `New ${KIND_LABEL[kind].toLowerCase()}`),
    stencil,
    boundary: innermostBoundaryAt(model, at),
  };
  const next = withNode({ ...model, elements: [...model.elements, element] }, id, rect);
  return { model: next, id };
}

/** Adds a trust boundary with its top-left corner at `at`, nested where it is drawn. */
export function addBoundary(
  model: ServiceModel,
  kind: BoundaryKind,
  at: { x: number; y: number },
  name = "New trust boundary",
): { model: ServiceModel; id: string } {
  const id = newId();
  const rect = { x: at.x, y: at.y, ...BOUNDARY_SIZE };
  const boundary: TrustBoundary = { id, name, kind, parent: innermostBoundaryAt(model, center(rect)) };
  return { model: withNode({ ...model, boundaries: [...model.boundaries, boundary] }, id, rect), id };
}

/** Draws a data flow; a flow from an element to itself is refused (returns the model as is). */
export function connect(model: ServiceModel, source: string, target: string): { model: ServiceModel; id: string | null } {
  const s = model.elements.find((e) => e.id === source);
  const t = model.elements.find((e) => e.id === target);
  if (!s || !t || source === target) return { model, id: null };
  const flow: DataFlow = { id: newId(), name: `${s.name} to ${t.name}`, source, target };
  return { model: { ...model, flows: [...model.flows, flow] }, id: flow.id };
}

/**
 * Deletes elements, flows and boundaries. Flows of deleted elements go too; what sat in a
 * deleted boundary moves to the nearest boundary around it that stays.
 */
export function deleteObjects(model: ServiceModel, ids: Iterable<string>): ServiceModel {
  const gone = new Set(ids);
  if (gone.size === 0) return model;
  const parentOf = new Map(model.boundaries.map((b) => [b.id, b.parent ?? null]));
  const surviving = (b: string | null | undefined): string | null => {
    let cur = b ?? null;
    let guard = 0;
    while (cur && gone.has(cur) && guard++ <= parentOf.size) cur = parentOf.get(cur) ?? null;
    return cur;
  };
  const elements = model.elements
    .filter((e) => !gone.has(e.id))
    .map((e) => (e.boundary && gone.has(e.boundary) ? { ...e, boundary: surviving(e.boundary) } : e));
  const kept = new Set(elements.map((e) => e.id));
  const flows = model.flows.filter((f) => !gone.has(f.id) && kept.has(f.source) && kept.has(f.target));
  const boundaries = model.boundaries
    .filter((b) => !gone.has(b.id))
    .map((b) => (b.parent && gone.has(b.parent) ? { ...b, parent: surviving(b.parent) } : b));
  const keptFlows = new Set(flows.map((f) => f.id));
  const nodes = Object.fromEntries(Object.entries(model.layout?.nodes ?? {}).filter(([id]) => !gone.has(id) && (kept.has(id) || boundaries.some((b) => b.id === id))));
  const edges = Object.fromEntries(Object.entries(model.layout?.edges ?? {}).filter(([id]) => keptFlows.has(id)));
  return { ...model, elements, flows, boundaries, layout: { nodes, edges } };
}

/**
 * Nodes were dragged: stores their new absolute positions (and those of everything that moved
 * with them), then puts each dragged node in the innermost boundary that contains its centre.
 */
export function moveNodes(
  model: ServiceModel,
  positions: Record<string, { x: number; y: number }>,
  dragged: string[],
): ServiceModel {
  const nodes = { ...(model.layout?.nodes ?? {}) };
  let changed = false;
  for (const [id, p] of Object.entries(positions)) {
    const old = nodes[id];
    if (!old) continue;
    if (old.x !== p.x || old.y !== p.y) {
      nodes[id] = { ...old, x: p.x, y: p.y };
      changed = true;
    }
  }
  const moved: ServiceModel = changed ? { ...model, layout: { ...model.layout, nodes } } : model;
  return reassignMembership(moved, dragged);
}

/** Resizes a boundary, then lets every node find its innermost boundary again. */
export function resizeBoundary(model: ServiceModel, id: string, rect: NodeLayout): ServiceModel {
  const next = withNode(model, id, rect);
  return reassignMembership(next, [...next.elements.map((e) => e.id), ...next.boundaries.map((b) => b.id)]);
}

/** Membership by containment: each listed node goes into the innermost boundary around its centre. */
export function reassignMembership(model: ServiceModel, ids: string[]): ServiceModel {
  const want = new Set(ids);
  let changed = false;
  const elements = model.elements.map((e) => {
    const r = rectOf(model, e.id);
    if (!want.has(e.id) || !r) return e;
    const b = innermostBoundaryAt(model, center(r));
    if ((e.boundary ?? null) === b) return e;
    changed = true;
    return { ...e, boundary: b };
  });
  const boundaries = model.boundaries.map((b) => {
    const r = rectOf(model, b.id);
    if (!want.has(b.id) || !r) return b;
    const exclude = descendants(model, b.id);
    exclude.add(b.id);
    const p = innermostBoundaryAt(model, center(r), exclude);
    if ((b.parent ?? null) === p) return b;
    changed = true;
    return { ...b, parent: p };
  });
  return changed ? { ...model, elements, boundaries } : model;
}

export function updateElement(model: ServiceModel, id: string, patch: Partial<Element>): ServiceModel {
  return { ...model, elements: model.elements.map((e) => (e.id === id ? { ...e, ...patch } : e)) };
}

export function updateFlow(model: ServiceModel, id: string, patch: Partial<DataFlow>): ServiceModel {
  return { ...model, flows: model.flows.map((f) => (f.id === id ? { ...f, ...patch } : f)) };
}

export function updateBoundary(model: ServiceModel, id: string, patch: Partial<TrustBoundary>): ServiceModel {
  return { ...model, boundaries: model.boundaries.map((b) => (b.id === id ? { ...b, ...patch } : b)) };
}

function setProp(props: Record<string, PropertyValue> | undefined, name: string, value: PropertyValue | undefined) {
  const next = { ...(props ?? {}) };
  if (value === undefined) delete next[name];
  else next[name] = value;
  return next;
}

/** Sets a property (or clears it with `undefined`, so the stencil's default applies). */
export function setElementProperty(model: ServiceModel, id: string, name: string, value: PropertyValue | undefined): ServiceModel {
  const e = model.elements.find((x) => x.id === id);
  return e ? updateElement(model, id, { properties: setProp(e.properties, name, value) }) : model;
}

export function setFlowProperty(model: ServiceModel, id: string, name: string, value: PropertyValue | undefined): ServiceModel {
  const f = model.flows.find((x) => x.id === id);
  return f ? updateFlow(model, id, { properties: setProp(f.properties, name, value) }) : model;
}

/** Changes an element's stencil; its properties that the new stencil lacks are kept for validation to flag. */
export function setStencil(model: ServiceModel, id: string, stencil: string): ServiceModel {
  return updateElement(model, id, { stencil });
}

/** What copy puts on the clipboard: the selected objects, and the flows among them. */
export interface Clipboard {
  elements: Element[];
  flows: DataFlow[];
  boundaries: TrustBoundary[];
  nodes: Record<string, NodeLayout>;
}

export function copy(model: ServiceModel, ids: Iterable<string>): Clipboard {
  const want = new Set(ids);
  // A copied boundary brings what it contains.
  for (const b of model.boundaries) if (want.has(b.id)) for (const d of descendants(model, b.id)) want.add(d);
  for (const e of model.elements) if (e.boundary && want.has(e.boundary)) want.add(e.id);
  const elements = model.elements.filter((e) => want.has(e.id));
  const inClip = new Set(elements.map((e) => e.id));
  const flows = model.flows.filter((f) => inClip.has(f.source) && inClip.has(f.target));
  const boundaries = model.boundaries.filter((b) => want.has(b.id));
  const nodes: Record<string, NodeLayout> = {};
  for (const id of [...inClip, ...boundaries.map((b) => b.id)]) {
    const r = rectOf(model, id);
    if (r) nodes[id] = r;
  }
  return structuredClone({ elements, flows, boundaries, nodes });
}

/** Pastes a clipboard with fresh ids, shifted by `offset`; returns the new objects' ids. */
export function paste(model: ServiceModel, clip: Clipboard, offset = { x: 32, y: 32 }): { model: ServiceModel; ids: string[] } {
  const ids = new Map<string, string>();
  for (const o of [...clip.elements, ...clip.flows, ...clip.boundaries]) ids.set(o.id, newId());
  const existingBoundaries = new Set(model.boundaries.map((b) => b.id));
  const mapBoundary = (b: string | null | undefined) =>
    b ? (ids.get(b) ?? (existingBoundaries.has(b) ? b : null)) : null;
  let next: ServiceModel = model;
  const boundaries = clip.boundaries.map((b) => ({ ...b, id: ids.get(b.id)!, parent: mapBoundary(b.parent) }));
  next = { ...next, boundaries: [...next.boundaries, ...boundaries] };
  const elements: Element[] = [];
  for (const e of clip.elements) {
    elements.push({ ...e, id: ids.get(e.id)!, name: uniqueName({ ...next, elements: [...next.elements, ...elements] }, `${e.name} (copy)`), boundary: mapBoundary(e.boundary) });
  }
  next = { ...next, elements: [...next.elements, ...elements] };
  const flows = clip.flows.map((f) => ({ ...f, id: ids.get(f.id)!, source: ids.get(f.source)!, target: ids.get(f.target)! }));
  next = { ...next, flows: [...next.flows, ...flows] };
  const nodes = { ...(next.layout?.nodes ?? {}) };
  for (const [old, r] of Object.entries(clip.nodes)) {
    const id = ids.get(old);
    if (id) nodes[id] = { ...r, x: r.x + offset.x, y: r.y + offset.y };
  }
  next = { ...next, layout: { ...next.layout, nodes } };
  return { model: next, ids: [...boundaries, ...elements, ...flows].map((o) => o.id) };
}

/** A fresh, empty service model. */
export function emptyModel(name = "New service"): ServiceModel {
  return { schema_version: 1, id: newId(), name, boundaries: [], elements: [], flows: [] };
}
