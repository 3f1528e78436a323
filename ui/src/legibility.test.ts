// The samples' diagrams read at first sight: no element over another, no label over an element,
// a boundary's or service's title, or another label; in the editor on the samples' own layouts
// and on the automatic layout, and in the application view. Counts every overlap and fails on any.

import { describe, expect, it } from "vitest";
import type { ServiceModel } from "./bindings/ServiceModel";
import { appFlowPlacements, layoutApplication, serviceGroups } from "./appview";
import { flowPlacements } from "./diagram";
import { MAX_FIT_ZOOM, MIN_DIAGRAM_FONT, MIN_FIT_ZOOM, findOverlaps, readableViewport, titleStrip, type FlowPlacement, type Overlaps, type Rect } from "./flowGeometry";
import { autoLayout } from "./layout";
import { editorCanvasSize } from "./panels";
import { rectOf } from "./geometry";
import { consolidateSamples } from "./__fixtures__/consolidate";
import mcGlobal from "../../models/mc-global.stride.json";
import mcStamp from "../../models/mc-stamp.stride.json";
import mcOperations from "../../models/mc-operations.stride.json";
import own from "../../models/stridewise.stride.json";

const SAMPLES = { "mc-global": mcGlobal, "mc-stamp": mcStamp, "mc-operations": mcOperations, stridewise: own } as unknown as Record<string, ServiceModel>;

function editorOverlaps(model: ServiceModel): { overlaps: Overlaps; placements: Map<string, FlowPlacement> } {
  const nodes = new Map<string, Rect>();
  for (const e of model.elements) nodes.set(e.id, rectOf(model, e.id)!);
  const strips = new Map<string, Rect>();
  for (const b of model.boundaries) strips.set(b.id, titleStrip(rectOf(model, b.id)!, `${b.kind.replace(/_/g, " ")} ${b.name}`));
  const placements = flowPlacements(model);
  return { overlaps: findOverlaps(nodes, placements, strips), placements };
}

const total = (o: Overlaps) => o.nodeNode.length + o.labelNode.length + o.labelLabel.length;
const shown = (p: Map<string, FlowPlacement>) => [...p.values()].filter((x) => x.label).length;

describe("legible diagrams on the samples", () => {
  for (const [name, model] of Object.entries(SAMPLES)) {
    it(`${name}: its own layout has no overlaps`, () => {
      const { overlaps, placements } = editorOverlaps(model);
      expect(overlaps, JSON.stringify(overlaps)).toEqual({ nodeNode: [], labelNode: [], labelLabel: [] });
      // Labels find a free spot or show on hover; a placement that dropped them all would pass the
      // line above. The samples' hand-made layouts leave 90 px between columns, too narrow for a
      // two-line label beside a horizontal flow, hence the lower floor than on automatic layouts.
      expect(shown(placements) / model.flows.length).toBeGreaterThanOrEqual(0.5);
    });

    it(`${name}: the automatic layout has no overlaps`, async () => {
      const { model: laid, error } = await autoLayout({ ...model, layout: { nodes: {}, edges: {} } });
      expect(error).toBeNull();
      const { overlaps, placements } = editorOverlaps(laid);
      expect(total(overlaps), JSON.stringify(overlaps)).toBe(0);
      expect(shown(placements) / model.flows.length).toBeGreaterThanOrEqual(0.8);
    });
  }

  it("the application view of the mission-critical samples has no overlaps", async () => {
    const app = consolidateSamples([SAMPLES["mc-global"], SAMPLES["mc-stamp"], SAMPLES["mc-operations"]]);
    const services = ["mc-global", "mc-stamp", "mc-operations"];
    const { positions, error } = await layoutApplication(app, services);
    expect(error).toBeNull();
    const groups = serviceGroups(app, services);
    const nodes = new Map<string, Rect>(app.elements.map((e) => [e.id, positions[e.id]]));
    const strips = new Map<string, Rect>(groups.map((g) => [g.id, titleStrip(positions[g.id], `service ${g.name}`)]));
    const placements = appFlowPlacements(app, groups, positions);
    const overlaps = findOverlaps(nodes, placements, strips);
    expect(total(overlaps), JSON.stringify(overlaps)).toBe(0);
    expect(shown(placements) / app.flows.length).toBeGreaterThanOrEqual(0.6);
  });
});

describe("the readable fit", () => {
  it("centres a diagram that fits, at no more than the largest fit zoom", () => {
    const v = readableViewport({ x: 0, y: 0, width: 200, height: 100 }, 1000, 600);
    expect(v.zoom).toBe(MAX_FIT_ZOOM);
    expect(v.x).toBeCloseTo((1000 - 200 * v.zoom) / 2);
  });
  it("never zooms out below the readable zoom, and starts a large diagram at its top left", () => {
    const v = readableViewport({ x: 100, y: 50, width: 4000, height: 3000 }, 800, 600);
    expect(v.zoom).toBe(MIN_FIT_ZOOM);
    expect(MIN_FIT_ZOOM * MIN_DIAGRAM_FONT).toBeGreaterThanOrEqual(11);
    expect(v.x).toBeCloseTo(24 - 100 * v.zoom);
    expect(v.y).toBeCloseTo(24 - 50 * v.zoom);
  });

  // Issue 17: the sample opens on mc-global; at 1280x800 with the side panels at their default
  // widths, its first view showed the right third of the diagram cut off by the side panel.
  it("shows the sample's first service whole in the canvas the side panels leave at 1280x800", () => {
    const model = SAMPLES["mc-global"];
    const canvas = editorCanvasSize(1280, 800);
    const boxes = [...model.elements, ...model.boundaries].map((o) => rectOf(model, o.id)!);
    const x = Math.min(...boxes.map((b) => b.x));
    const y = Math.min(...boxes.map((b) => b.y));
    const bounds = { x, y, width: Math.max(...boxes.map((b) => b.x + b.width)) - x, height: Math.max(...boxes.map((b) => b.y + b.height)) - y };
    const v = readableViewport(bounds, canvas.width, canvas.height);
    expect(v.zoom).toBeGreaterThan(MIN_FIT_ZOOM);
    const onScreen = { left: v.x + bounds.x * v.zoom, top: v.y + bounds.y * v.zoom, right: v.x + (bounds.x + bounds.width) * v.zoom, bottom: v.y + (bounds.y + bounds.height) * v.zoom };
    expect(onScreen.left).toBeGreaterThanOrEqual(0);
    expect(onScreen.top).toBeGreaterThanOrEqual(0);
    expect(onScreen.right).toBeLessThanOrEqual(canvas.width);
    expect(onScreen.bottom).toBeLessThanOrEqual(canvas.height);
  });
});
