// Diagram geometry over the model's layout: absolute rectangles, nesting depth and
// membership by containment. Layout positions in the model are absolute diagram units.

import type { ServiceModel } from "./bindings/ServiceModel";
import type { NodeLayout } from "./bindings/NodeLayout";

export const ELEMENT_SIZE = { width: 172, height: 68 } as const;
export const BOUNDARY_SIZE = { width: 360, height: 240 } as const;

export type Rect = NodeLayout;

export function rectOf(model: ServiceModel, id: string): Rect | null {
  return model.layout?.nodes?.[id] ?? null;
}

export function center(r: Rect): { x: number; y: number } {
  return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
}

export function contains(r: Rect, p: { x: number; y: number }): boolean {
  return p.x >= r.x && p.x <= r.x + r.width && p.y >= r.y && p.y <= r.y + r.height;
}

/** Nesting depth of a boundary (0 for a top-level one); cycles stop at the model's size. */
export function depth(model: ServiceModel, id: string): number {
  let d = 0;
  let current = model.boundaries.find((b) => b.id === id)?.parent ?? null;
  while (current && d <= model.boundaries.length) {
    d++;
    const parentId: string = current;
    current = model.boundaries.find((b) => b.id === parentId)?.parent ?? null;
  }
  return d;
}

/** The boundary ids nested in `id`, at any depth. */
export function descendants(model: ServiceModel, id: string): Set<string> {
  const out = new Set<string>();
  let frontier = [id];
  while (frontier.length) {
    const next: string[] = [];
    for (const b of model.boundaries)
      if (b.parent && frontier.includes(b.parent) && !out.has(b.id)) {
        out.add(b.id);
        next.push(b.id);
      }
    frontier = next;
  }
  return out;
}

/**
 * The innermost boundary whose drawn rectangle contains `p`, leaving out `exclude` (a
 * boundary and its descendants cannot contain themselves). The innermost is the deepest
 * nesting; among equals, the smallest area.
 */
export function innermostBoundaryAt(
  model: ServiceModel,
  p: { x: number; y: number },
  exclude: Set<string> = new Set(),
): string | null {
  let best: { id: string; depth: number; area: number } | null = null;
  for (const b of model.boundaries) {
    if (exclude.has(b.id)) continue;
    const r = rectOf(model, b.id);
    if (!r || !contains(r, p)) continue;
    const cand = { id: b.id, depth: depth(model, b.id), area: r.width * r.height };
    if (!best || cand.depth > best.depth || (cand.depth === best.depth && cand.area < best.area)) best = cand;
  }
  return best?.id ?? null;
}

/** Whether every element and boundary has a position. */
export function hasFullLayout(model: ServiceModel): boolean {
  const nodes = model.layout?.nodes ?? {};
  return model.elements.every((e) => nodes[e.id]) && model.boundaries.every((b) => nodes[b.id]);
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** The point nearest `at` (on a spiral of 24-unit steps) where a new element overlaps none. */
export function freeSpot(model: ServiceModel, at: { x: number; y: number }): { x: number; y: number } {
  const { width, height } = ELEMENT_SIZE;
  const taken = model.elements.map((e) => rectOf(model, e.id)).filter((r): r is Rect => !!r);
  // Flows, as the straight line between their ends' centres, sampled: a new element should not
  // land under an arrow (its handles would be hard to grab).
  const flowPoints: { x: number; y: number }[] = [];
  for (const f of model.flows) {
    const a = rectOf(model, f.source);
    const b = rectOf(model, f.target);
    if (!a || !b) continue;
    const [ca, cb] = [center(a), center(b)];
    for (let t = 0; t <= 1; t += 1 / 24) flowPoints.push({ x: ca.x + (cb.x - ca.x) * t, y: ca.y + (cb.y - ca.y) * t });
  }
  for (let ring = 0; ring < 40; ring++) {
    const steps = ring === 0 ? 1 : ring * 8;
    for (let i = 0; i < steps; i++) {
      const angle = (2 * Math.PI * i) / steps;
      const p = { x: at.x + Math.cos(angle) * ring * 24 * 1.6, y: at.y + Math.sin(angle) * ring * 24 };
      const r = { x: p.x - width / 2 - 12, y: p.y - height / 2 - 12, width: width + 24, height: height + 24 };
      if (!taken.some((t) => overlaps(r, t)) && !flowPoints.some((q) => contains(r, q))) return p;
    }
  }
  return at;
}
