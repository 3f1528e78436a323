// The model document seen as React Flow nodes and edges, and React Flow's positions seen as
// model layout. Boundaries are group nodes (parents before children, positions relative to
// the parent, as React Flow wants); the model keeps absolute positions.

import { MarkerType, type Edge, type Node } from "@xyflow/react";
import type { FlowEdgeData } from "./FlowEdge";
import { diagramSvg, type PictureFlow, type PictureNode } from "./picture";
import type { StencilSet } from "./bindings/StencilSet";
import { placeFlows, titleStrip, type FlowPlacement } from "./flowGeometry";
import type { Diagnostic } from "./bindings/Diagnostic";
import type { Element } from "./bindings/Element";
import type { DataFlow } from "./bindings/DataFlow";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { TrustBoundary } from "./bindings/TrustBoundary";
import type { NodeLayout } from "./bindings/NodeLayout";
import type { Threat } from "./analysis";
import { BOUNDARY_SIZE, ELEMENT_SIZE, depth, rectOf, type Rect } from "./geometry";
import { fitElement } from "./nodeSize";

/** The stencil's title, or its id when the stencils are not known. */
type StencilTitle = (stencil: string) => string;
const stencilId: StencilTitle = (s) => s;

/** Where an element is drawn: its layout, grown to show its whole name and stencil. */
function elementRect(model: ServiceModel, e: Element, title: StencilTitle): Rect | null {
  const r = rectOf(model, e.id);
  return r && fitElement(r, e.name, title(e.stencil));
}

export interface Decorations {
  selected?: ReadonlySet<string>;
  diagnostics?: ReadonlyMap<string, Diagnostic[]>;
  threats?: ReadonlyMap<string, Threat[]>;
  highlighted?: string | null;
  stencilTitle?: (stencil: string) => string;
}

export type ElementNodeData = {
  element: Element;
  stencilTitle: string;
  diagnostics: Diagnostic[];
  threats: number;
  highlighted: boolean;
};
export type BoundaryNodeData = { boundary: TrustBoundary; diagnostics: Diagnostic[]; highlighted: boolean };
export type ElementNode = Node<ElementNodeData, "element">;
export type BoundaryNode = Node<BoundaryNodeData, "boundary">;
export type DiagramNode = ElementNode | BoundaryNode;
export type FlowEdge = Edge<FlowEdgeData & { flow: DataFlow; diagnostics: Diagnostic[] }, "flow">;

/** Where a node sits when the model has no position for it (before automatic layout). */
function fallbackRect(i: number, size: { width: number; height: number }) {
  return { x: 40 + (i % 5) * 220, y: 40 + Math.floor(i / 5) * 140, ...size };
}

export function toNodes(model: ServiceModel, deco: Decorations = {}): DiagramNode[] {
  const known = new Set(model.boundaries.map((b) => b.id));
  const abs = (id: string, i: number, size: { width: number; height: number }) => rectOf(model, id) ?? fallbackRect(i, size);
  const boundaries = [...model.boundaries]
    .map((b, i) => ({ b, i, d: depth(model, b.id) }))
    .sort((x, y) => x.d - y.d || x.i - y.i);
  const out: DiagramNode[] = [];
  const placed = new Set<string>();
  for (const { b, i } of boundaries) {
    const r = abs(b.id, i, BOUNDARY_SIZE);
    const parent = b.parent && known.has(b.parent) && placed.has(b.parent) ? b.parent : undefined;
    const pr = parent ? abs(parent, model.boundaries.findIndex((x) => x.id === parent), BOUNDARY_SIZE) : null;
    out.push({
      id: b.id,
      type: "boundary",
      position: { x: r.x - (pr?.x ?? 0), y: r.y - (pr?.y ?? 0) },
      parentId: parent,
      width: r.width,
      height: r.height,
      style: { width: r.width, height: r.height },
      selected: deco.selected?.has(b.id) ?? false,
      data: { boundary: b, diagnostics: deco.diagnostics?.get(b.id) ?? [], highlighted: deco.highlighted === b.id },
      zIndex: 0,
    });
    placed.add(b.id);
  }
  const title = deco.stencilTitle ?? stencilId;
  model.elements.forEach((e, i) => {
    const r = fitElement(abs(e.id, i, ELEMENT_SIZE), e.name, title(e.stencil));
    const parent = e.boundary && placed.has(e.boundary) ? e.boundary : undefined;
    const pr = parent ? abs(parent, model.boundaries.findIndex((x) => x.id === parent), BOUNDARY_SIZE) : null;
    out.push({
      id: e.id,
      type: "element",
      position: { x: r.x - (pr?.x ?? 0), y: r.y - (pr?.y ?? 0) },
      parentId: parent,
      width: r.width,
      height: r.height,
      selected: deco.selected?.has(e.id) ?? false,
      data: {
        element: e,
        stencilTitle: title(e.stencil),
        diagnostics: deco.diagnostics?.get(e.id) ?? [],
        threats: deco.threats?.get(e.id)?.length ?? 0,
        highlighted: deco.highlighted === e.id,
      },
      zIndex: 1,
    });
  });
  return out;
}

/** The flows' label text: name and protocol. */
export const flowText = (f: Pick<DataFlow, "name" | "protocol">) => (f.protocol ? `${f.name} · ${f.protocol}` : f.name);

/** Where each flow and its label go (flowGeometry.ts) on the model's own layout. */
export function flowPlacements(model: ServiceModel, title: StencilTitle = stencilId): Map<string, FlowPlacement> {
  const rects = new Map<string, Rect>();
  for (const e of model.elements) {
    const r = elementRect(model, e, title);
    if (r) rects.set(e.id, r);
  }
  const strips = model.boundaries.flatMap((b) => {
    const r = rectOf(model, b.id);
    return r ? [titleStrip(r, `${b.kind.replace(/_/g, " ")} ${b.name}`)] : [];
  });
  return placeFlows(rects, model.flows.map((f) => ({ id: f.id, source: f.source, target: f.target, label: flowText(f) })), strips);
}

export function toEdges(model: ServiceModel, deco: Decorations = {}): FlowEdge[] {
  const placements = flowPlacements(model, deco.stencilTitle);
  return model.flows.map((f) => {
    const diagnostics = deco.diagnostics?.get(f.id) ?? [];
    const classes = ["sw-flow"];
    if (diagnostics.some((d) => d.level === "error")) classes.push("sw-flow--error");
    else if (diagnostics.length) classes.push("sw-flow--warning");
    if (deco.highlighted === f.id) classes.push("sw-flow--highlighted");
    if (f.out_of_scope) classes.push("sw-flow--out-of-scope");
    const arrow = { type: MarkerType.ArrowClosed, width: 18, height: 18 };
    const placement = placements.get(f.id);
    const [sourceHandle, targetHandle] = placement ? [placement.sourceSide, placement.targetSide] : sides(rectOf(model, f.source), rectOf(model, f.target));
    return {
      id: f.id,
      type: "flow",
      source: f.source,
      target: f.target,
      sourceHandle,
      targetHandle,
      className: classes.join(" "),
      markerEnd: arrow,
      markerStart: f.bidirectional ? arrow : undefined,
      selected: deco.selected?.has(f.id) ?? false,
      zIndex: 2,
      data: { flow: f, diagnostics, text: flowText(f), placement, labelClass: classes.join(" ") },
    };
  });
}

/** Which sides of two nodes an arrow joins: the ones that face each other. */
export function sides(a: NodeLayout | null, b: NodeLayout | null): [string | undefined, string | undefined] {
  if (!a || !b) return [undefined, undefined];
  const dx = b.x + b.width / 2 - (a.x + a.width / 2);
  const dy = b.y + b.height / 2 - (a.y + a.height / 2);
  if (Math.abs(dx) >= Math.abs(dy)) return dx >= 0 ? ["right", "left"] : ["left", "right"];
  return dy >= 0 ? ["bottom", "top"] : ["top", "bottom"];
}

/** Absolute positions of React Flow nodes (theirs are relative to the parent). */
export function absoluteFromNodes(nodes: readonly Node[]): Record<string, { x: number; y: number }> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out: Record<string, { x: number; y: number }> = {};
  const resolve = (n: Node, guard = 0): { x: number; y: number } => {
    if (out[n.id]) return out[n.id];
    const parent = n.parentId ? byId.get(n.parentId) : undefined;
    const base = parent && guard < nodes.length ? resolve(parent, guard + 1) : { x: 0, y: 0 };
    const p = { x: Math.round(base.x + n.position.x), y: Math.round(base.y + n.position.y) };
    out[n.id] = p;
    return p;
  };
  for (const n of nodes) resolve(n);
  return out;
}

/** Diagnostics by the id of the object they concern. */
export function diagnosticsByObject(diags: Diagnostic[]): Map<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  for (const d of diags) {
    if (!d.object) continue;
    const list = out.get(d.object) ?? [];
    list.push(d);
    out.set(d.object, list);
  }
  return out;
}

/**
 * `next` with React Flow's measurements (`measured`) taken over from `old` for the nodes that are
 * still there with the same kind; React Flow measures the rest (and measures again whatever
 * changes size).
 */
export function keepMeasured<N extends Node>(old: readonly N[], next: N[]): N[] {
  const before = new Map(old.map((n) => [n.id, n]));
  return next.map((n) => {
    const o = before.get(n.id);
    return o?.measured && o.type === n.type && !n.measured ? { ...n, measured: o.measured } : n;
  });
}

/** The editor's diagram as a picture (picture.ts). */
export function modelPicture(model: ServiceModel, stencilTitle: (stencil: string) => string = (s) => s): { nodes: PictureNode[]; flows: PictureFlow[] } {
  const nodes: PictureNode[] = [];
  for (const b of model.boundaries) {
    const r = rectOf(model, b.id);
    if (r) nodes.push({ id: b.id, rect: r, shape: "container", title: b.name, subtitle: b.kind.replace(/_/g, " ") });
  }
  for (const e of model.elements) {
    const r = elementRect(model, e, stencilTitle);
    if (r) nodes.push({ id: e.id, rect: r, shape: e.kind, title: e.name, subtitle: stencilTitle(e.stencil) });
  }
  const flows = model.flows.map((f) => ({ id: f.id, source: f.source, target: f.target, text: flowText(f), bidirectional: !!f.bidirectional }));
  return { nodes, flows };
}

/** The editor's diagram as an SVG picture with its title. */
export function editorPicture(title: string, model: ServiceModel, stencils: StencilSet | null): { title: string; svg: string } {
  const stencilTitle = (id: string) => stencils?.stencils[id]?.title ?? id;
  const { nodes, flows } = modelPicture(model, stencilTitle);
  return { title, svg: diagramSvg(title, nodes, flows, flowPlacements(model, stencilTitle)) };
}
