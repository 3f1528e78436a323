// The application model seen as a diagram: one group per service the elements came from (an
// element several services share goes into a "Shared" group), flows as edges, and flows between
// services drawn apart. Layout is ELK's (loaded lazily, as in layout.ts) with a grid when ELK
// fails. Attack paths and threats become highlight sets. Everything but the ELK call is pure.

import { MarkerType, type Edge, type Node } from "@xyflow/react";
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk.bundled.js";
import type { AttackPath } from "./bindings/AttackPath";
import type { DataFlow } from "./bindings/DataFlow";
import type { Element } from "./bindings/Element";
import type { NodeLayout } from "./bindings/NodeLayout";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { Threat } from "./bindings/Threat";
import type { ThreatPaths } from "./bindings/ThreatPaths";
import { ELEMENT_SIZE } from "./geometry";
import { fitElement } from "./nodeSize";
import { sides } from "./diagram";
import { absolutePositions, elk } from "./layout";
import type { FlowEdgeData } from "./FlowEdge";
import type { PictureFlow, PictureNode } from "./picture";
import { placeFlows, titleStrip, type FlowPlacement, type Rect } from "./flowGeometry";

/** The group of elements that more than one service has (shared keys, references). */
export const SHARED = "Shared";
/** Elements without origins (not expected in an application model). */
export const UNASSIGNED = "Application";

export interface ServiceGroup {
  /** The diagram node id. */
  id: string;
  /** The service's name, or SHARED / UNASSIGNED. */
  name: string;
  shared: boolean;
  /** Element ids, in model order. */
  elements: string[];
}

export const groupNodeId = (name: string) => `group:${name}`;

/** Which group an element belongs to: its one service, or SHARED. */
export function groupNameOf(e: Pick<Element, "origins">): string {
  const origins = e.origins ?? [];
  if (origins.length > 1) return SHARED;
  return origins[0] ?? UNASSIGNED;
}

/** One group per origin service (in `services` order when given, else by name), Shared last. */
export function serviceGroups(model: ServiceModel, services: readonly string[] = []): ServiceGroup[] {
  const groups = new Map<string, ServiceGroup>();
  for (const e of model.elements) {
    const name = groupNameOf(e);
    let g = groups.get(name);
    if (!g) {
      g = { id: groupNodeId(name), name, shared: name === SHARED, elements: [] };
      groups.set(name, g);
    }
    g.elements.push(e.id);
  }
  const rank = (g: ServiceGroup) => {
    if (g.name === SHARED) return Number.MAX_SAFE_INTEGER;
    if (g.name === UNASSIGNED) return Number.MAX_SAFE_INTEGER - 1;
    const i = services.indexOf(g.name);
    return i < 0 ? services.length : i;
  };
  return [...groups.values()].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/** Element id -> group name. */
export function groupIndex(groups: readonly ServiceGroup[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const g of groups) for (const id of g.elements) out.set(id, g.name);
  return out;
}

/** A flow whose ends sit in different groups: it crosses from one service to another. */
export function isCrossService(flow: Pick<DataFlow, "source" | "target">, groupOf: ReadonlyMap<string, string>): boolean {
  const a = groupOf.get(flow.source);
  const b = groupOf.get(flow.target);
  return a !== undefined && b !== undefined && a !== b;
}

/** What an edge says: the flow's name and protocol, and for a cross-service flow the services. */
export function flowLabel(flow: DataFlow, groupOf: ReadonlyMap<string, string>): string {
  const base = flow.protocol ? `${flow.name} · ${flow.protocol}` : flow.name;
  return isCrossService(flow, groupOf) ? `${base} (${groupOf.get(flow.source)} → ${groupOf.get(flow.target)})` : base;
}

/** The flows drawn: both ends known, not a loop. */
function drawable(model: ServiceModel): DataFlow[] {
  const ids = new Set(model.elements.map((e) => e.id));
  return model.flows.filter((f) => ids.has(f.source) && ids.has(f.target) && f.source !== f.target);
}

const GROUP_PADDING = "[top=46,left=28,bottom=28,right=28]";
const SPACING = {
  "elk.layered.spacing.nodeNodeBetweenLayers": "64",
  "elk.spacing.nodeNode": "40",
  "elk.spacing.componentComponent": "60",
};
const ROOT_OPTIONS = {
  "elk.algorithm": "layered",
  // Downwards, with no room kept for labels: a consolidated model has many long flows, and
  // rightwards with labels made the diagram five times wider than high, too small to read once fitted.
  "elk.direction": "DOWN",
  "elk.hierarchyHandling": "INCLUDE_CHILDREN",
  "elk.padding": "[top=20,left=20,bottom=20,right=20]",
  ...SPACING,
};

/** The ELK graph: groups as compound nodes holding their elements; every flow an edge at the root. */
export function appElkGraph(model: ServiceModel, groups: readonly ServiceGroup[] = serviceGroups(model)): ElkNode {
  const names = new Map(model.elements.map((e) => [e.id, e.name]));
  return {
    id: "__root__",
    layoutOptions: ROOT_OPTIONS,
    children: groups.map((g) => ({
      id: g.id,
      layoutOptions: { ...SPACING, "elk.padding": GROUP_PADDING },
      // Sized to the name; the stencil's title is not known here, so room for one line of it.
      children: g.elements.map((id) => ({ id, ...fitElement(ELEMENT_SIZE, names.get(id) ?? "", "stencil") })),
    })),
    edges: drawable(model).map<ElkExtendedEdge>((f) => ({ id: f.id, sources: [f.source], targets: [f.target] })),
  };
}

/** The fallback when ELK fails: each group's elements in rows of three, groups in rows of three. */
export function appGridGraph(model: ServiceModel, groups: readonly ServiceGroup[] = serviceGroups(model)): ElkNode {
  const root = appElkGraph(model, groups);
  const GAP = 48;
  const place = (kids: ElkNode[], perRow: number, pad: { top: number; side: number; bottom: number }) => {
    let x = pad.side, y = pad.top, row = 0, width = 0;
    kids.forEach((c, i) => {
      if (i > 0 && i % perRow === 0) {
        x = pad.side;
        y += row + GAP;
        row = 0;
      }
      c.x = x;
      c.y = y;
      x += (c.width ?? 0) + GAP;
      row = Math.max(row, c.height ?? 0);
      width = Math.max(width, x - GAP);
    });
    return { width: width + pad.side, height: y + row + pad.bottom };
  };
  for (const g of root.children ?? []) {
    const size = place(g.children ?? [], 3, { top: 46, side: 28, bottom: 28 });
    g.width = Math.max(size.width, 240);
    g.height = Math.max(size.height, 140);
  }
  place(root.children ?? [], 3, { top: 0, side: 0, bottom: 0 });
  return root;
}

/**
 * What the layout depends on: the groups, their elements and the flows' ends. A new view that
 * differs only in names, threats or triage (every decision re-consolidates) keeps its layout.
 */
export function layoutSignature(model: ServiceModel, services: readonly string[] = []): string {
  const groups = serviceGroups(model, services).map((g) => `${g.name}:${g.elements.join(",")}`);
  const flows = drawable(model).map((f) => `${f.id}:${f.source}>${f.target}`);
  return `${groups.join(";")}|${flows.join(";")}`;
}

/** Absolute positions of groups and elements; `error` says why the grid was used instead of ELK. */
export async function layoutApplication(
  model: ServiceModel,
  services: readonly string[] = [],
): Promise<{ positions: Record<string, NodeLayout>; error: string | null }> {
  const groups = serviceGroups(model, services);
  try {
    const laid = await (await elk()).layout(appElkGraph(model, groups));
    return { positions: absolutePositions(laid), error: null };
  } catch (e) {
    return { positions: absolutePositions(appGridGraph(model, groups)), error: e instanceof Error ? e.message : String(e) };
  }
}

// Highlighting ------------------------------------------------------------------------------

export interface Highlight {
  elements: ReadonlySet<string>;
  flows: ReadonlySet<string>;
  /** For a path: where the attacker starts and what they reach. */
  entry?: string;
  target?: string;
}

export function pathHighlight(path: AttackPath): Highlight {
  return { elements: new Set(path.elements), flows: new Set(path.flows), entry: path.entry, target: path.target };
}

/** What a threat is about on the diagram: its target, and a flow's two ends. */
export function targetHighlight(threat: Threat): Highlight {
  if (threat.target.kind === "flow") {
    const ends = threat.flow ? [threat.flow.source.id, threat.flow.target.id] : [];
    return { elements: new Set(ends), flows: new Set([threat.target.id]) };
  }
  return { elements: new Set([threat.target.id]), flows: new Set() };
}

/** The attack paths of a threat, if it has any. */
export function pathsOf(attackPaths: readonly ThreatPaths[], key: string | null): AttackPath[] {
  if (!key) return [];
  return attackPaths.find((p) => p.key === key)?.paths ?? [];
}

/** The highlight for a selected threat: the chosen attack path (the first when none is chosen), else its target. */
export function threatHighlight(threat: Threat | null, paths: readonly AttackPath[], pathIndex = 0): Highlight | null {
  if (!threat) return null;
  const path = paths[pathIndex] ?? paths[0];
  return path ? pathHighlight(path) : targetHighlight(threat);
}

// React Flow ----------------------------------------------------------------------------------

export type ServiceGroupNode = Node<{ group: ServiceGroup }, "service">;
export type AppElementNode = Node<{ element: Element; threats: number; stencilTitle: string }, "appElement">;
export type AppNode = ServiceGroupNode | AppElementNode;

export interface AppDecorations {
  highlight?: Highlight | null;
  threats?: ReadonlyMap<string, readonly Threat[]>;
  stencilTitle?: (stencil: string) => string;
}

const FALLBACK = { x: 0, y: 0, ...ELEMENT_SIZE };

function pathClass(id: string, inPath: boolean, h: Highlight | null | undefined): string | undefined {
  if (!h) return undefined;
  if (!inPath) return "sw-dim";
  const extra = id === h.entry ? " sw-path-entry" : id === h.target ? " sw-path-target" : "";
  return `sw-path${extra}`;
}

/** Group nodes first (React Flow wants parents before children), elements relative to their group. */
export function toAppNodes(
  model: ServiceModel,
  groups: readonly ServiceGroup[],
  positions: Readonly<Record<string, NodeLayout>>,
  deco: AppDecorations = {},
): AppNode[] {
  const byId = new Map(model.elements.map((e) => [e.id, e]));
  const out: AppNode[] = [];
  for (const g of groups) {
    const r = positions[g.id] ?? { ...FALLBACK, width: 240, height: 140 };
    out.push({
      id: g.id,
      type: "service",
      position: { x: r.x, y: r.y },
      width: r.width,
      height: r.height,
      style: { width: r.width, height: r.height },
      data: { group: g },
      selectable: false,
      zIndex: 0,
    });
  }
  for (const g of groups) {
    const gr = positions[g.id] ?? FALLBACK;
    for (const id of g.elements) {
      const e = byId.get(id)!;
      const title = deco.stencilTitle?.(e.stencil) ?? e.stencil;
      const r = fitElement(positions[id] ?? FALLBACK, e.name, title);
      out.push({
        id,
        type: "appElement",
        parentId: g.id,
        extent: "parent",
        position: { x: r.x - gr.x, y: r.y - gr.y },
        width: r.width,
        height: r.height,
        className: pathClass(id, !!deco.highlight?.elements.has(id), deco.highlight),
        data: { element: e, threats: deco.threats?.get(id)?.length ?? 0, stencilTitle: title },
        zIndex: 1,
      });
    }
  }
  return out;
}

/** Where each flow and its label go (flowGeometry.ts) on the laid-out application diagram. */
export function appFlowPlacements(model: ServiceModel, groups: readonly ServiceGroup[], positions: Readonly<Record<string, NodeLayout>>): Map<string, FlowPlacement> {
  const groupOf = groupIndex(groups);
  const rects = new Map<string, Rect>();
  for (const e of model.elements) if (positions[e.id]) rects.set(e.id, positions[e.id]);
  const strips = groups.flatMap((g) => (positions[g.id] ? [titleStrip(positions[g.id], `service ${g.name}`)] : []));
  return placeFlows(rects, drawable(model).map((f) => ({ id: f.id, source: f.source, target: f.target, label: flowLabel(f, groupOf) })), strips);
}

export function toAppEdges(
  model: ServiceModel,
  groups: readonly ServiceGroup[],
  positions: Readonly<Record<string, NodeLayout>>,
  deco: AppDecorations = {},
  placements: ReadonlyMap<string, FlowPlacement> = appFlowPlacements(model, groups, positions),
): Edge<FlowEdgeData & { flow: DataFlow; cross: boolean }>[] {
  const groupOf = groupIndex(groups);
  const arrow = { type: MarkerType.ArrowClosed, width: 16, height: 16 };
  return drawable(model).map((f) => {
    const cross = isCrossService(f, groupOf);
    const classes = ["sw-flow"];
    if (cross) classes.push("sw-flow--cross");
    const hl = pathClass(f.id, !!deco.highlight?.flows.has(f.id), deco.highlight);
    if (hl) classes.push(hl);
    const placement = placements.get(f.id);
    const [sourceHandle, targetHandle] = placement ? [placement.sourceSide, placement.targetSide] : sides(positions[f.source] ?? null, positions[f.target] ?? null);
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
      zIndex: deco.highlight?.flows.has(f.id) ? 3 : 2,
      data: { flow: f, cross, text: flowLabel(f, groupOf), placement, labelClass: classes.join(" ") },
    };
  });
}

/** The application diagram as a picture (picture.ts). */
export function appPicture(model: ServiceModel, groups: readonly ServiceGroup[], positions: Readonly<Record<string, NodeLayout>>, stencilTitle: (s: string) => string = (s) => s): { nodes: PictureNode[]; flows: PictureFlow[] } {
  const groupOf = groupIndex(groups);
  const nodes: PictureNode[] = [];
  for (const g of groups) if (positions[g.id]) nodes.push({ id: g.id, rect: positions[g.id], shape: "container", title: g.shared ? "Shared" : g.name, subtitle: g.shared ? "shared by services" : "service" });
  for (const e of model.elements) if (positions[e.id]) nodes.push({ id: e.id, rect: positions[e.id], shape: e.kind, title: e.name, subtitle: stencilTitle(e.stencil) });
  const flows = drawable(model).map((f) => ({ id: f.id, source: f.source, target: f.target, text: flowLabel(f, groupOf), bidirectional: !!f.bidirectional }));
  return { nodes, flows };
}
