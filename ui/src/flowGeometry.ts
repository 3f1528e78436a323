// Where a data flow is drawn and where its label goes, so that a diagram reads at first sight:
// - flows between the same two elements (a request and its response, or two flows one way)
//   are drawn apart, each bowed to its own side with its own ends, instead of on top of each
//   other and meeting in one point;
// - each label is put where it covers no element, no boundary's title and no other label,
//   trying spots along its flow from the middle outwards; a label with no free spot is not drawn
//   (it shows when the flow is hovered or selected) rather than drawn over something.
// Pure: the editor, the application view and the overlap test use the same functions, and the
// edge component (FlowEdge.tsx) draws the curve with them from React Flow's handle positions.

export interface Point {
  x: number;
  y: number;
}
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
export type Side = "top" | "right" | "bottom" | "left";

/** Diagram text is at least this large (CSS px at zoom 1)... */
export const MIN_DIAGRAM_FONT = 12;
/** ...and is never shown smaller than this on screen: the fit stops zooming out here and the
 *  person pans for the rest. */
export const MIN_SCREEN_TEXT = 11;
export const MIN_FIT_ZOOM = MIN_SCREEN_TEXT / MIN_DIAGRAM_FONT;
/** The fit does not blow a small diagram up either. */
export const MAX_FIT_ZOOM = 1.25;

/** How far apart flows between the same two elements are drawn. */
export const SPREAD = 30;
const LINE_HEIGHT = 16;
const CHAR_WIDTH = 7.2; // 12 px DejaVu Sans/Inter, measured on mixed text, rounded up
const LABEL_PAD = 10;
const MAX_CHARS = 30;
const NODE_MARGIN = 4;
const LABEL_MARGIN = 3;
/** Height of the title strip along the top of a boundary or service group. */
export const TITLE_STRIP = 30;

/** Which sides of two rectangles a flow joins: the ones that face each other. */
export function facingSides(a: Rect, b: Rect): [Side, Side] {
  const dx = b.x + b.width / 2 - (a.x + a.width / 2);
  const dy = b.y + b.height / 2 - (a.y + a.height / 2);
  if (Math.abs(dx) >= Math.abs(dy)) return dx >= 0 ? ["right", "left"] : ["left", "right"];
  return dy >= 0 ? ["bottom", "top"] : ["top", "bottom"];
}

export function sideMiddle(r: Rect, side: Side): Point {
  switch (side) {
    case "top":
      return { x: r.x + r.width / 2, y: r.y };
    case "bottom":
      return { x: r.x + r.width / 2, y: r.y + r.height };
    case "left":
      return { x: r.x, y: r.y + r.height / 2 };
    case "right":
      return { x: r.x + r.width, y: r.y + r.height / 2 };
  }
}

/** The unit vector at right angles to a -> b (turned clockwise on screen); (0, 1) when they coincide. */
export function normal(a: Point, b: Point): Point {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy);
  return len < 1e-6 ? { x: 0, y: 1 } : { x: -dy / len, y: dx / len };
}

/** An end moved `along` px along its side (rightwards on top and bottom sides, downwards on left and right). */
export function alongSide(p: Point, side: Side, along: number): Point {
  return side === "top" || side === "bottom" ? { x: p.x + along, y: p.y } : { x: p.x, y: p.y + along };
}

const horizontal = (side: Side) => side === "top" || side === "bottom";

export interface Curve {
  from: Point;
  control: Point;
  to: Point;
}

/**
 * The curve of a flow from `from` to `to` (the middles of the sides it joins, as React Flow's
 * handles are), each end moved along its side (`fromAlong`, `toAlong`) so that flows meeting a
 * side do not meet in one point, and bowed `bow` px to one side of the line between its pair's
 * first and second element (`n`, the normal of that line). Bow 0 is a straight line.
 */
export function flowCurve(from: Point, fromSide: Side, fromAlong: number, to: Point, toSide: Side, toAlong: number, n: Point, bow: number): Curve {
  const a = alongSide(from, fromSide, fromAlong);
  const b = alongSide(to, toSide, toAlong);
  const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  // A quadratic curve whose control point is 2 * bow off the chord's middle peaks bow px off it.
  return { from: a, control: { x: mid.x + 2 * n.x * bow, y: mid.y + 2 * n.y * bow }, to: b };
}

export function pointAt(c: Curve, t: number): Point {
  const u = 1 - t;
  return {
    x: u * u * c.from.x + 2 * u * t * c.control.x + t * t * c.to.x,
    y: u * u * c.from.y + 2 * u * t * c.control.y + t * t * c.to.y,
  };
}

export function curvePath(c: Curve): string {
  const r = (v: number) => Math.round(v * 10) / 10;
  return `M ${r(c.from.x)} ${r(c.from.y)} Q ${r(c.control.x)} ${r(c.control.y)} ${r(c.to.x)} ${r(c.to.y)}`;
}

/** A label's lines (words wrapped at MAX_CHARS) and the box they need. */
export function labelBox(text: string): { lines: string[]; width: number; height: number } {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > MAX_CHARS) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  const longest = Math.max(0, ...lines.map((l) => Math.min(l.length, MAX_CHARS + 6)));
  return { lines, width: Math.ceil(longest * CHAR_WIDTH + LABEL_PAD), height: Math.max(1, lines.length) * LINE_HEIGHT + 4 };
}

export function overlaps(a: Rect, b: Rect, margin = 0): boolean {
  return a.x < b.x + b.width + margin && b.x < a.x + a.width + margin && a.y < b.y + b.height + margin && b.y < a.y + a.height + margin;
}

export interface FlowInput {
  id: string;
  source: string;
  target: string;
  label: string;
}

export interface FlowPlacement {
  sourceSide: Side;
  targetSide: Side;
  /** How far each end sits from the middle of its side (see flowCurve). */
  sourceAlong: number;
  targetAlong: number;
  /** How far the curve bows off the pair's line (see flowCurve). */
  bow: number;
  /** The pair's first element is this flow's target: the normal is taken target to source. */
  reversed: boolean;
  /** The label's box and where on the curve it sits; null when it has no free spot. */
  label: { t: number; shift: number; box: Rect; lines: string[] } | null;
}

const SPOTS = [0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82, 0.1, 0.9];

/**
 * Sides, offsets and label boxes for every flow whose two ends have a rectangle. `nodes` are
 * what labels must not cover (elements); `strips` too (the title strips of boundaries and
 * groups). Deterministic: flows are taken in id order.
 */
export function placeFlows(rects: ReadonlyMap<string, Rect>, flows: readonly FlowInput[], strips: readonly Rect[] = [], nodes?: readonly Rect[]): Map<string, FlowPlacement> {
  const out = new Map<string, FlowPlacement>();
  const drawn = flows.filter((f) => f.source !== f.target && rects.has(f.source) && rects.has(f.target));
  // Flows between the same two elements, either way, share a pair.
  const pairs = new Map<string, FlowInput[]>();
  for (const f of [...drawn].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const key = f.source < f.target ? `${f.source}|${f.target}` : `${f.target}|${f.source}`;
    const list = pairs.get(key) ?? [];
    list.push(f);
    pairs.set(key, list);
  }
  const obstacles = [...(nodes ?? [...rects.values()]), ...strips];
  // First the sides, the pair's normal and the bow of every flow.
  interface Draft { f: FlowInput; sourceSide: Side; targetSide: Side; reversed: boolean; n: Point; bow: number; sourceAlong: number; targetAlong: number }
  const drafts: Draft[] = [];
  for (const list of pairs.values()) {
    list.forEach((f, i) => {
      const s = rects.get(f.source)!;
      const t = rects.get(f.target)!;
      const [sourceSide, targetSide] = facingSides(s, t);
      const reversed = f.source > f.target;
      const from = sideMiddle(s, sourceSide);
      const to = sideMiddle(t, targetSide);
      const n = reversed ? normal(to, from) : normal(from, to);
      drafts.push({ f, sourceSide, targetSide, reversed, n, bow: (i - (list.length - 1) / 2) * SPREAD * 0.6, sourceAlong: 0, targetAlong: 0 });
    });
  }
  // Then the ends on each side of each element, spread along it in the order of where their
  // other ends are (so that they do not cross), the pairs' bows breaking ties.
  const ends = new Map<string, { d: Draft; end: "source" | "target"; key: number }[]>();
  for (const d of drafts) {
    for (const end of ["source", "target"] as const) {
      const id = end === "source" ? d.f.source : d.f.target;
      const side = end === "source" ? d.sourceSide : d.targetSide;
      const other = rects.get(end === "source" ? d.f.target : d.f.source)!;
      const key = (horizontal(side) ? other.x + other.width / 2 + d.n.x * d.bow : other.y + other.height / 2 + d.n.y * d.bow);
      const k = `${id}|${side}`;
      const list = ends.get(k) ?? [];
      list.push({ d, end, key });
      ends.set(k, list);
    }
  }
  for (const [k, list] of ends) {
    if (list.length < 2) continue;
    const [id, side] = k.split("|") as [string, Side];
    const r = rects.get(id)!;
    const length = horizontal(side) ? r.width : r.height;
    const step = Math.min(SPREAD, (length * 0.7) / (list.length - 1));
    list.sort((a, b) => a.key - b.key || (a.d.f.id < b.d.f.id ? -1 : 1));
    list.forEach((e, i) => {
      const along = (i - (list.length - 1) / 2) * step;
      if (e.end === "source") e.d.sourceAlong = along;
      else e.d.targetAlong = along;
    });
  }
  const placed: Rect[] = [];
  for (const d of drafts) {
    const s = rects.get(d.f.source)!;
    const t = rects.get(d.f.target)!;
    const curve = flowCurve(sideMiddle(s, d.sourceSide), d.sourceSide, d.sourceAlong, sideMiddle(t, d.targetSide), d.targetSide, d.targetAlong, d.n, d.bow);
    const size = labelBox(d.f.label);
    let label: FlowPlacement["label"] = null;
    if (size.lines.length) {
      const h = size.height / 2 + 6;
      search: for (const at of SPOTS) {
        for (const shift of [0, h, -h, 2 * h, -2 * h]) {
          const p = pointAt(curve, at);
          const box = { x: p.x + d.n.x * shift - size.width / 2, y: p.y + d.n.y * shift - size.height / 2, width: size.width, height: size.height };
          if (obstacles.some((o) => overlaps(box, o, NODE_MARGIN))) continue;
          if (placed.some((o) => overlaps(box, o, LABEL_MARGIN))) continue;
          label = { t: at, shift, box, lines: size.lines };
          placed.push(box);
          break search;
        }
      }
    }
    out.set(d.f.id, { sourceSide: d.sourceSide, targetSide: d.targetSide, sourceAlong: d.sourceAlong, targetAlong: d.targetAlong, bow: d.bow, reversed: d.reversed, label });
  }
  return out;
}

/** The curve a placed flow is drawn on, from its elements' rectangles (as placeFlows drew it). */
export function placedCurve(source: Rect, target: Rect, p: FlowPlacement): { curve: Curve; n: Point } {
  const from = sideMiddle(source, p.sourceSide);
  const to = sideMiddle(target, p.targetSide);
  const n = p.reversed ? normal(to, from) : normal(from, to);
  return { curve: flowCurve(from, p.sourceSide, p.sourceAlong, to, p.targetSide, p.targetAlong, n, p.bow), n };
}

/** The title strip along the top of a container (a boundary or a service group). */
export function titleStrip(r: Rect, title: string): Rect {
  return { x: r.x, y: r.y, width: Math.min(r.width, Math.ceil(title.length * CHAR_WIDTH + 60)), height: TITLE_STRIP };
}

export interface Overlaps {
  /** Pairs of elements whose boxes overlap. */
  nodeNode: [string, string][];
  /** Labels over an element or a container's title. */
  labelNode: [string, string][];
  /** Labels over each other. */
  labelLabel: [string, string][];
}

/** What covers what: for the overlap test and for anyone checking a layout. */
export function findOverlaps(nodes: ReadonlyMap<string, Rect>, placements: ReadonlyMap<string, FlowPlacement>, strips: ReadonlyMap<string, Rect> = new Map()): Overlaps {
  const out: Overlaps = { nodeNode: [], labelNode: [], labelLabel: [] };
  const ns = [...nodes];
  for (let i = 0; i < ns.length; i++) for (let j = i + 1; j < ns.length; j++) if (overlaps(ns[i][1], ns[j][1])) out.nodeNode.push([ns[i][0], ns[j][0]]);
  const labels = [...placements].filter(([, p]) => p.label).map(([id, p]) => [id, p.label!.box] as const);
  for (const [id, box] of labels) {
    for (const [nid, r] of [...ns, ...strips]) if (overlaps(box, r)) out.labelNode.push([id, nid]);
  }
  for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) if (overlaps(labels[i][1], labels[j][1])) out.labelLabel.push([labels[i][0], labels[j][0]]);
  return out;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/**
 * The fit: the zoom that shows `bounds` whole in a `width` x `height` pane, kept between
 * MIN_FIT_ZOOM (text stays readable) and MAX_FIT_ZOOM. An axis that fits is centred; one that
 * does not starts at the diagram's top or left edge, where a reader starts, and the rest is panned to.
 */
export function readableViewport(bounds: Rect, width: number, height: number, padding = 24): Viewport {
  const w = Math.max(bounds.width, 1);
  const h = Math.max(bounds.height, 1);
  const zoom = Math.min(MAX_FIT_ZOOM, Math.max(MIN_FIT_ZOOM, Math.min((width - 2 * padding) / w, (height - 2 * padding) / h)));
  const axis = (start: number, size: number, pane: number) =>
    size * zoom <= pane - 2 * padding ? (pane - size * zoom) / 2 - start * zoom : padding - start * zoom;
  return { x: axis(bounds.x, w, width), y: axis(bounds.y, h, height), zoom };
}
