import { describe, expect, it } from "vitest";
import type { ServiceModel } from "./bindings/ServiceModel";
import tinyJson from "../../src-tauri/tests/fixtures/tiny.stride.json";
import stencilsJson from "./__fixtures__/stencils.json";
import type { StencilSet } from "./bindings/StencilSet";
import * as edit from "./edits";
import * as hist from "./history";
import { absoluteFromNodes, diagnosticsByObject, keepMeasured, sides, toEdges, toNodes } from "./diagram";
import { ELEMENT_SIZE, freeSpot, hasFullLayout, innermostBoundaryAt } from "./geometry";
import { absolutePositions, autoLayout, gridGraph } from "./layout";
import { expandAnalysis, memoryBackend } from "./api";
import type { Analysis } from "./bindings/Analysis";
import type { WireAnalysis } from "./bindings/WireAnalysis";

const tiny = tinyJson as unknown as ServiceModel;
const stencils = stencilsJson as unknown as StencilSet;
const CUSTOMER = "00000000-0000-4000-8000-0000000000e1";
const API = "00000000-0000-4000-8000-0000000000e2";
const DB = "00000000-0000-4000-8000-0000000000e3";
const INTERNET = "00000000-0000-4000-8000-0000000000b1";
const SUBSCRIPTION = "00000000-0000-4000-8000-0000000000b2";

/** A laid-out copy of the fixture: two boundaries side by side, one element each plus the DB. */
function laidOut(): ServiceModel {
  return {
    ...structuredClone(tiny),
    layout: {
      nodes: {
        [INTERNET]: { x: 0, y: 0, width: 300, height: 200 },
        [SUBSCRIPTION]: { x: 400, y: 0, width: 500, height: 300 },
        [CUSTOMER]: { x: 60, y: 60, width: 172, height: 68 },
        [API]: { x: 450, y: 60, width: 172, height: 68 },
        [DB]: { x: 700, y: 60, width: 172, height: 68 },
      },
      edges: {},
    },
  };
}

describe("history", () => {
  it("undoes and redoes every commit, and a new edit drops the redo branch", () => {
    let h = hist.start(1);
    h = hist.commit(h, 2);
    h = hist.commit(h, 3);
    h = hist.undo(h);
    expect(h.present).toBe(2);
    h = hist.redo(h);
    expect(h.present).toBe(3);
    h = hist.undo(hist.undo(h));
    expect(h.present).toBe(1);
    expect(hist.canUndo(h)).toBe(false);
    h = hist.commit(h, 9);
    expect(hist.canRedo(h)).toBe(false);
    expect(h.past).toEqual([1]);
  });

  it("coalesces typing in one field into one undo step", () => {
    let h = hist.start("");
    for (const s of ["a", "ab", "abc"]) h = hist.commit(h, s, "name");
    h = hist.commit(h, "abc!", "description");
    expect(h.past).toEqual(["", "abc"]);
    expect(hist.undo(hist.undo(h)).present).toBe("");
  });

  it("keeps at most MAX_UNDO steps", () => {
    let h = hist.start(0);
    for (let i = 1; i <= hist.MAX_UNDO + 10; i++) h = hist.commit(h, i);
    expect(h.past.length).toBe(hist.MAX_UNDO);
  });
});

describe("model to nodes and edges", () => {
  it("puts boundaries first, children relative to their parent, flows as labelled arrows", () => {
    const m = laidOut();
    const nodes = toNodes(m);
    expect(nodes.map((n) => n.type)).toEqual(["boundary", "boundary", "element", "element", "element"]);
    const api = nodes.find((n) => n.id === API)!;
    expect(api.parentId).toBe(SUBSCRIPTION);
    expect(api.position).toEqual({ x: 50, y: 60 });
    const edges = toEdges(m);
    expect(edges.map((e) => e.data?.text)).toEqual(["Place order · HTTPS", "Store order · SQL"]);
    expect(edges[0].markerEnd).toBeTruthy();
    expect(edges[0].markerStart).toBeUndefined();
  });

  it("gives back the model's absolute positions", () => {
    const m = laidOut();
    const abs = absoluteFromNodes(toNodes(m));
    for (const [id, r] of Object.entries(m.layout!.nodes!)) expect(abs[id]).toEqual({ x: r.x, y: r.y });
  });

  it("nests boundaries in boundaries", () => {
    const m = laidOut();
    m.boundaries[1] = { ...m.boundaries[1], parent: INTERNET };
    m.layout!.nodes![SUBSCRIPTION] = { x: 20, y: 40, width: 200, height: 120 };
    const nodes = toNodes(m);
    const inner = nodes.find((n) => n.id === SUBSCRIPTION)!;
    expect(nodes.findIndex((n) => n.id === INTERNET)).toBeLessThan(nodes.indexOf(inner));
    expect(inner.parentId).toBe(INTERNET);
    expect(inner.position).toEqual({ x: 20, y: 40 });
  });

  it("joins arrows on the sides that face each other", () => {
    const r = (x: number, y: number) => ({ x, y, width: 100, height: 50 });
    expect(sides(r(0, 0), r(300, 20))).toEqual(["right", "left"]);
    expect(sides(r(300, 0), r(0, 20))).toEqual(["left", "right"]);
    expect(sides(r(0, 0), r(10, 300))).toEqual(["bottom", "top"]);
    expect(sides(r(0, 300), r(10, 0))).toEqual(["top", "bottom"]);
    const edges = toEdges(laidOut());
    expect([edges[0].sourceHandle, edges[0].targetHandle]).toEqual(["right", "left"]);
  });

  it("puts diagnostics on the objects they concern", () => {
    const m = laidOut();
    const byObject = diagnosticsByObject([
      { level: "error", code: "empty-name", message: "x", pointer: "/elements/0/name", object: API },
      { level: "warning", code: "duplicate-name", message: "y", pointer: "/elements/1/name", object: null },
    ]);
    const nodes = toNodes(m, { diagnostics: byObject });
    const api = nodes.find((n) => n.id === API)!;
    expect(api.type === "element" && api.data.diagnostics.length).toBe(1);
    expect(byObject.size).toBe(1);
  });
});

describe("edits", () => {
  it("adds an element inside the innermost boundary at the drop point", () => {
    const m = laidOut();
    const r = edit.addElement(m, "process", "azure.key_vault", { x: 650, y: 250 }, "Vault");
    const e = r.model.elements.find((x) => x.id === r.id)!;
    expect(e.boundary).toBe(SUBSCRIPTION);
    expect(e.stencil).toBe("azure.key_vault");
    expect(r.model.layout!.nodes![r.id]).toMatchObject({ x: 650 - 86, y: 250 - 34 });
    const outside = edit.addElement(m, "external_entity", "generic.external_entity", { x: 2000, y: 2000 });
    expect(outside.model.elements.find((x) => x.id === outside.id)!.boundary).toBeNull();
    expect(outside.model.elements.find((x) => x.id === outside.id)!.name).toBe("New external entity");
    expect(m.elements.length).toBe(3); // edits never mutate
  });

  it("finds a free spot for a new element near the requested point", () => {
    const m = laidOut();
    const api = m.layout!.nodes![API];
    const centre = { x: api.x + api.width / 2, y: api.y + api.height / 2 };
    const p = freeSpot(m, centre);
    expect(p).not.toEqual(centre);
    const placed = { x: p.x - ELEMENT_SIZE.width / 2, y: p.y - ELEMENT_SIZE.height / 2, ...ELEMENT_SIZE };
    for (const e of m.elements) {
      const r = m.layout!.nodes![e.id];
      const apart = placed.x >= r.x + r.width || r.x >= placed.x + placed.width || placed.y >= r.y + r.height || r.y >= placed.y + placed.height;
      expect(apart).toBe(true);
    }
    expect(freeSpot(m, { x: 5000, y: 5000 })).toEqual({ x: 5000, y: 5000 });
    // Not under an arrow either: the point halfway along "Place order" is taken.
    const c = m.layout!.nodes![CUSTOMER];
    const mid = { x: (c.x + c.width / 2 + centre.x) / 2, y: (c.y + c.height / 2 + centre.y) / 2 };
    expect(freeSpot(m, mid)).not.toEqual(mid);
  });

  it("names new elements uniquely", () => {
    let m = laidOut();
    m = edit.addElement(m, "process", "generic.process", { x: 0, y: 0 }).model;
    m = edit.addElement(m, "process", "generic.process", { x: 0, y: 0 }).model;
    expect(m.elements.map((e) => e.name).filter((n) => n.startsWith("New process"))).toEqual(["New process", "New process 2"]);
  });

  it("connects two elements, but not an element to itself", () => {
    const m = laidOut();
    const r = edit.connect(m, DB, CUSTOMER);
    expect(r.model.flows.find((f) => f.id === r.id)).toMatchObject({ source: DB, target: CUSTOMER, name: "Orders DB to Customer" });
    expect(edit.connect(m, API, API).id).toBeNull();
  });

  it("deletes an element with its flows, and a boundary without its contents", () => {
    const m = laidOut();
    const noApi = edit.deleteObjects(m, [API]);
    expect(noApi.elements.map((e) => e.id)).toEqual([CUSTOMER, DB]);
    expect(noApi.flows).toEqual([]);
    expect(noApi.layout!.nodes![API]).toBeUndefined();
    const noBoundary = edit.deleteObjects(m, [SUBSCRIPTION]);
    expect(noBoundary.boundaries.map((b) => b.id)).toEqual([INTERNET]);
    expect(noBoundary.elements.find((e) => e.id === API)!.boundary).toBeNull();
    expect(noBoundary.flows.length).toBe(2);
  });

  it("moves membership with drag and drop (containment)", () => {
    const m = laidOut();
    // Drag the API into the internet boundary.
    const moved = edit.moveNodes(m, { [API]: { x: 100, y: 110 } }, [API]);
    expect(moved.elements.find((e) => e.id === API)!.boundary).toBe(INTERNET);
    // And out of every boundary.
    const out = edit.moveNodes(m, { [API]: { x: 100, y: 900 } }, [API]);
    expect(out.elements.find((e) => e.id === API)!.boundary).toBeNull();
    // Dragging a boundary into another nests it; its own children stay its children.
    const nested = edit.moveNodes(
      { ...m, layout: { ...m.layout, nodes: { ...m.layout!.nodes, [INTERNET]: { x: 0, y: 0, width: 1200, height: 800 } } } },
      { [SUBSCRIPTION]: { x: 400, y: 0 } },
      [SUBSCRIPTION],
    );
    expect(nested.boundaries.find((b) => b.id === SUBSCRIPTION)!.parent).toBe(INTERNET);
    expect(nested.elements.find((e) => e.id === API)!.boundary).toBe(SUBSCRIPTION);
  });

  it("never nests a boundary in itself or its descendants", () => {
    const m = laidOut();
    m.boundaries[1] = { ...m.boundaries[1], parent: INTERNET };
    m.layout!.nodes![SUBSCRIPTION] = { x: 20, y: 20, width: 260, height: 160 };
    // The outer boundary's centre now lies inside its own child.
    const r = edit.moveNodes(m, { [INTERNET]: { x: 0, y: 0 } }, [INTERNET]);
    expect(r.boundaries.find((b) => b.id === INTERNET)!.parent ?? null).toBeNull();
    expect(innermostBoundaryAt(m, { x: 150, y: 100 })).toBe(SUBSCRIPTION);
  });

  it("resizing a boundary takes in what it now covers", () => {
    const m = laidOut();
    m.layout!.nodes![API] = { x: 300, y: 250, width: 172, height: 68 }; // between the two
    const r = edit.resizeBoundary(m, INTERNET, { x: 0, y: 0, width: 395, height: 400 });
    expect(r.elements.find((e) => e.id === API)!.boundary).toBe(INTERNET);
  });

  it("sets and clears typed properties", () => {
    const m = laidOut();
    const set = edit.setElementProperty(m, API, "validates_input", true);
    expect(set.elements.find((e) => e.id === API)!.properties).toEqual({ authenticates_callers: true, validates_input: true });
    const cleared = edit.setElementProperty(set, API, "authenticates_callers", undefined);
    expect(cleared.elements.find((e) => e.id === API)!.properties).toEqual({ validates_input: true });
    const flow = edit.setFlowProperty(m, tiny.flows[1].id, "authentication", "managed_identity");
    expect(flow.flows[1].properties).toEqual({ authentication: "managed_identity" });
  });

  it("copies and pastes with fresh ids, keeping flows among the copies", () => {
    const m = laidOut();
    const clip = edit.copy(m, [API, DB]);
    expect(clip.flows.map((f) => f.name)).toEqual(["Store order"]);
    const r = edit.paste(m, clip);
    expect(r.ids.length).toBe(3);
    expect(r.model.elements.length).toBe(5);
    const newFlow = r.model.flows.find((f) => r.ids.includes(f.id))!;
    expect(r.ids).toContain(newFlow.source);
    expect(r.ids).toContain(newFlow.target);
    const copyOfApi = r.model.elements.find((e) => e.name === "Orders API (copy)")!;
    expect(copyOfApi.boundary).toBe(SUBSCRIPTION);
    expect(r.model.layout!.nodes![copyOfApi.id]).toMatchObject({ x: 450 + 32, y: 60 + 32 });
  });

  it("copying a boundary brings its contents", () => {
    const m = laidOut();
    const clip = edit.copy(m, [SUBSCRIPTION]);
    expect(clip.elements.map((e) => e.id).sort()).toEqual([API, DB].sort());
    const r = edit.paste(m, clip);
    const newBoundary = r.model.boundaries.find((b) => r.ids.includes(b.id))!;
    expect(r.model.elements.filter((e) => e.boundary === newBoundary.id).length).toBe(2);
  });

  it("every edit is one undo step over the document", () => {
    let h = hist.start(laidOut());
    h = hist.commit(h, edit.addElement(h.present, "process", "generic.process", { x: 10, y: 10 }).model);
    h = hist.commit(h, edit.connect(h.present, CUSTOMER, DB).model);
    h = hist.commit(h, edit.deleteObjects(h.present, [API]));
    expect(h.present.elements.length).toBe(3);
    h = hist.undo(h);
    expect(h.present.elements.length).toBe(4);
    expect(h.present.flows.length).toBe(3);
    h = hist.undo(hist.undo(h));
    expect(h.present).toEqual(laidOut());
  });
});

describe("automatic layout", () => {
  it("places every node and keeps elements inside their boundaries", async () => {
    expect(hasFullLayout(tiny)).toBe(false);
    const { model: m, error } = await autoLayout(tiny);
    expect(error).toBeNull();
    expect(hasFullLayout(m)).toBe(true);
    for (const e of m.elements) {
      const r = m.layout!.nodes![e.id];
      const centre = { x: r.x + r.width / 2, y: r.y + r.height / 2 };
      expect(innermostBoundaryAt(m, centre)).toBe(e.boundary ?? null);
    }
  });

  it("falls back to a nested grid that keeps membership", () => {
    const nested = structuredClone(tiny);
    nested.boundaries[1] = { ...nested.boundaries[1], parent: INTERNET };
    const m = { ...nested, layout: { nodes: absolutePositions(gridGraph(nested)), edges: {} } };
    expect(hasFullLayout(m)).toBe(true);
    for (const e of m.elements) {
      const r = m.layout.nodes[e.id];
      expect(innermostBoundaryAt(m, { x: r.x + r.width / 2, y: r.y + r.height / 2 })).toBe(e.boundary ?? null);
    }
    const inner = m.layout.nodes[SUBSCRIPTION];
    expect(innermostBoundaryAt(m, { x: inner.x + inner.width / 2, y: inner.y + 10 }, new Set([SUBSCRIPTION]))).toBe(INTERNET);
  });
});

describe("memory backend", () => {
  it("validates structure, reports errors by code, and serves the stencils", async () => {
    const b = memoryBackend([{ id: "tiny.stride.json", model: tiny, application: "shop" }], stencils);
    expect(await b.validate(tiny)).toEqual([]);
    const bad = edit.updateElement(tiny, API, { name: " " });
    expect((await b.validate(bad)).map((d) => [d.code, d.object])).toEqual([["empty-name", API]]);
    expect(Object.keys((await b.stencils()).stencils)).toContain("azure.key_vault");
    await expect(b.loadService("nope")).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("analysis over IPC", () => {
  it("puts each rule's shared parts back on its threats, and refuses a rule it was not told about", async () => {
    const recorded = (await import("./__fixtures__/analysis.json")).default as unknown as Record<string, Analysis>;
    const full = Object.values(recorded)[0];
    // The wire form, as src-tauri's WireAnalysis builds it.
    const rules: WireAnalysis["rules"] = {};
    const threats = full.threats.map(({ mitigations, source, cwe, capec, ...rest }) => {
      rules[rest.rule] = { mitigations, source, cwe: cwe ?? [], capec: capec ?? [] };
      return rest;
    });
    const expanded = expandAnalysis({ threats, summary: full.summary, rules });
    expect(expanded.threats.length).toBe(full.threats.length);
    expanded.threats.forEach((t, i) => {
      expect(t.mitigations).toEqual(full.threats[i].mitigations);
      expect(t.source).toEqual(full.threats[i].source);
      expect(t.title).toBe(full.threats[i].title);
    });
    const sameRule = expanded.threats.filter((t) => t.rule === expanded.threats[0].rule);
    if (sameRule.length > 1) expect(sameRule[1].mitigations).toBe(sameRule[0].mitigations);
    expect(() => expandAnalysis({ threats, summary: full.summary, rules: {} })).toThrow(/names rule/);
  });
});

describe("rebuilding the diagram", () => {
  it("keeps React Flow's measurements of nodes that are still there, so their edges stay drawn", () => {
    const before = toNodes(tiny, {}).map((n) => ({ ...n, measured: { width: 160, height: 64 } }));
    const next = toNodes(edit.updateElement(tiny, API, { name: "renamed" }), {});
    const kept = keepMeasured(before, next);
    expect(kept.every((n) => n.measured?.width === 160)).toBe(true);
    expect(kept.find((n) => n.id === API)!.data).toEqual(next.find((n) => n.id === API)!.data);
    // A node that is new has no measurement to keep.
    const added = edit.addElement(tiny, "process", "generic.process", { x: 900, y: 900 });
    const withNew = keepMeasured(before, toNodes(added.model, {}));
    expect(withNew.find((n) => n.id === added.id)!.measured).toBeUndefined();
  });
});
