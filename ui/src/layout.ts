// Automatic layout with elkjs for models that have no positions: boundaries become compound
// nodes, so nesting is kept; flows run left to right.

import ELK, { type ELK as ElkEngine, type ElkNode, type ElkExtendedEdge } from "elkjs/lib/elk.bundled.js";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { NodeLayout } from "./bindings/NodeLayout";
import { ELEMENT_SIZE } from "./geometry";

// elkjs is part of the main bundle, not a chunk loaded on demand: in the packaged app a chunk
// that the custom protocol did not find came back as index.html ("'text/html' is not a valid
// JavaScript MIME type") and the layout fell back to the grid. Its engine runs in this thread
// (elk.bundled.js's in-thread worker), created on first use and shared by the editor and the
// application view.
let engine: ElkEngine | null = null;
export function elk(): Promise<ElkEngine> {
  try {
    engine ??= new ELK();
    return Promise.resolve(engine);
  } catch (e) {
    return Promise.reject(e);
  }
}

const LAYOUT_OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.hierarchyHandling": "INCLUDE_CHILDREN",
  "elk.layered.spacing.nodeNodeBetweenLayers": "60",
  "elk.spacing.nodeNode": "48",
  "elk.padding": "[top=44,left=28,bottom=28,right=28]",
  "elk.edgeLabels.inline": "true",
};

export function elkGraph(model: ServiceModel): ElkNode {
  const nodes = new Map<string, ElkNode>();
  // Spacing is set on every compound node too: ELK reads it per parent.
  const { "elk.algorithm": _a, "elk.hierarchyHandling": _h, ...spacing } = LAYOUT_OPTIONS;
  for (const b of model.boundaries) nodes.set(b.id, { id: b.id, children: [], layoutOptions: spacing });
  for (const e of model.elements) nodes.set(e.id, { id: e.id, ...ELEMENT_SIZE });
  const root: ElkNode = { id: "__root__", layoutOptions: LAYOUT_OPTIONS, children: [], edges: [] };
  const known = new Set(model.boundaries.map((b) => b.id));
  const parentOf = (id: string): string | null => {
    const b = model.boundaries.find((x) => x.id === id);
    if (b) return b.parent && known.has(b.parent) && b.parent !== b.id ? b.parent : null;
    const e = model.elements.find((x) => x.id === id);
    return e?.boundary && known.has(e.boundary) ? e.boundary : null;
  };
  // Cycles in boundary nesting (a validation error) are broken by placing the node at the top.
  const safeParent = (id: string): string | null => {
    const p = parentOf(id);
    const seen = new Set([id]);
    for (let cur = p; cur; cur = parentOf(cur)) {
      if (seen.has(cur)) return null;
      seen.add(cur);
    }
    return p;
  };
  for (const [id, node] of nodes) {
    const p = safeParent(id);
    (p ? nodes.get(p)! : root).children!.push(node);
  }
  const ids = new Set(model.elements.map((e) => e.id));
  root.edges = model.flows
    .filter((f) => ids.has(f.source) && ids.has(f.target) && f.source !== f.target)
    .map<ElkExtendedEdge>((f) => {
      // ELK leaves room for labels it knows about; the size is estimated from the text.
      const text = f.protocol ? `${f.name} · ${f.protocol}` : f.name;
      return { id: f.id, sources: [f.source], targets: [f.target], labels: [{ text, width: Math.min(text.length * 6 + 12, 260), height: 18 }] };
    });
  return root;
}

/** Absolute positions for every element and boundary, from ELK's relative ones. */
export function absolutePositions(root: ElkNode): Record<string, NodeLayout> {
  const out: Record<string, NodeLayout> = {};
  const walk = (n: ElkNode, ox: number, oy: number) => {
    for (const c of n.children ?? []) {
      const x = ox + (c.x ?? 0);
      const y = oy + (c.y ?? 0);
      out[c.id] = { x: Math.round(x), y: Math.round(y), width: Math.round(c.width ?? ELEMENT_SIZE.width), height: Math.round(c.height ?? ELEMENT_SIZE.height) };
      walk(c, x, y);
    }
  };
  walk(root, 0, 0);
  return out;
}

/**
 * The model with every node laid out anew (edge bend points are dropped). When ELK fails, a
 * simple nested grid is used instead, so that a model always leaves here with every position;
 * `error` then says why.
 */
export async function autoLayout(model: ServiceModel): Promise<{ model: ServiceModel; error: string | null }> {
  let laid: ElkNode;
  try {
    laid = await (await elk()).layout(elkGraph(model));
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return { model: { ...model, layout: { nodes: absolutePositions(gridGraph(model)), edges: {} } }, error };
  }
  return { model: { ...model, layout: { nodes: absolutePositions(laid), edges: {} } }, error: null };
}

/** The fallback: each boundary's contents in rows of four, boundaries sized to fit, nesting kept. */
export function gridGraph(model: ServiceModel): ElkNode {
  const root = elkGraph(model);
  const GAP = 48;
  const PAD = { top: 44, side: 28, bottom: 28 };
  const place = (n: ElkNode, isRoot: boolean) => {
    const kids = n.children ?? [];
    for (const c of kids) if (c.children) place(c, false);
    let x = isRoot ? 0 : PAD.side;
    let y = isRoot ? 0 : PAD.top;
    let rowHeight = 0;
    let width = 0;
    kids.forEach((c, i) => {
      if (i > 0 && i % 4 === 0) {
        x = isRoot ? 0 : PAD.side;
        y += rowHeight + GAP;
        rowHeight = 0;
      }
      c.x = x;
      c.y = y;
      c.width ??= 240;
      c.height ??= 120;
      x += c.width + GAP;
      rowHeight = Math.max(rowHeight, c.height);
      width = Math.max(width, x - GAP);
    });
    if (!isRoot) {
      n.width = Math.max(width + PAD.side, 200);
      n.height = Math.max(y + rowHeight + PAD.bottom, 120);
    }
  };
  place(root, true);
  return root;
}
