// The application view's diagram logic over a consolidated-looking model built from the
// mission-critical samples (models/mc-*.stride.json): elements with the same shared key, and
// references to another service's element, become one element with several origins.

import { describe, expect, it } from "vitest";
import type { AttackPath } from "./bindings/AttackPath";
import type { DataFlow } from "./bindings/DataFlow";
import type { NodeLayout } from "./bindings/NodeLayout";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { Threat } from "./bindings/Threat";
import {
  SHARED,
  appElkGraph,
  appGridGraph,
  flowLabel,
  groupIndex,
  groupNameOf,
  groupNodeId,
  isCrossService,
  layoutApplication,
  layoutSignature,
  pathHighlight,
  pathsOf,
  serviceGroups,
  targetHighlight,
  threatHighlight,
  toAppEdges,
  toAppNodes,
} from "./appview";
import { absolutePositions } from "./layout";
import { consolidateSamples } from "./__fixtures__/consolidate";
import mcGlobal from "../../models/mc-global.stride.json";
import mcStamp from "../../models/mc-stamp.stride.json";
import mcOperations from "../../models/mc-operations.stride.json";

const SERVICES = [mcGlobal, mcStamp, mcOperations] as unknown as ServiceModel[];
const consolidate = consolidateSamples;

/** Shortest path along flows, as the core's attack paths are (entry first). */
function shortestPath(model: ServiceModel, from: string, to: string): AttackPath | null {
  const prev = new Map<string, DataFlow>();
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length) {
    const at = queue.shift()!;
    if (at === to) break;
    for (const f of model.flows) {
      const next = f.source === at ? f.target : f.bidirectional && f.target === at ? f.source : null;
      if (next && !seen.has(next)) {
        seen.add(next);
        prev.set(next, f);
        queue.push(next);
      }
    }
  }
  if (!seen.has(to)) return null;
  const elements = [to];
  const flows: string[] = [];
  for (let at = to; at !== from; ) {
    const f = prev.get(at)!;
    flows.unshift(f.id);
    at = f.source === at ? f.target : f.source;
    elements.unshift(at);
  }
  const name = (id: string) => model.elements.find((e) => e.id === id)!.name;
  return { entry: from, target: to, elements, flows, summary: elements.map(name).join(" → ") };
}

const app = consolidate(SERVICES);
const named = (name: string) => app.elements.find((e) => e.name === name)!;
const groups = serviceGroups(app, ["mc-global", "mc-stamp", "mc-operations"]);
const groupOf = groupIndex(groups);

describe("the consolidated stand-in", () => {
  it("joins shared and referenced elements", () => {
    expect(named("Global Cosmos DB").origins).toEqual(["mc-global", "mc-stamp", "mc-operations"]);
    expect(named("Azure Front Door").origins).toEqual(["mc-global", "mc-stamp", "mc-operations"]);
    expect(app.elements.filter((e) => e.name === "Global Cosmos DB")).toHaveLength(1);
  });
});

describe("serviceGroups", () => {
  it("makes one group per origin service, in the order given, and Shared last", () => {
    // Every element of mc-global is shared with or referred to by another service, so it has no group of its own.
    expect(groups.map((g) => g.name)).toEqual(["mc-stamp", "mc-operations", SHARED]);
    expect(groups.map((g) => g.id)).toEqual(groups.map((g) => groupNodeId(g.name)));
    expect(groups.filter((g) => g.shared).map((g) => g.name)).toEqual([SHARED]);
  });

  it("puts every element in exactly one group: its service, or Shared when several have it", () => {
    expect(groups.reduce((n, g) => n + g.elements.length, 0)).toBe(app.elements.length);
    for (const e of app.elements) {
      const expected = (e.origins ?? []).length > 1 ? SHARED : e.origins![0];
      expect(groupOf.get(e.id), e.name).toBe(expected);
      expect(groupNameOf(e)).toBe(expected);
    }
    const shared = groups.find((g) => g.shared)!.elements.map((id) => app.elements.find((e) => e.id === id)!.name).sort();
    expect(shared).toEqual(
      ["AKS cluster", "Azure Front Door", "Global Cosmos DB", "Global Key Vault", "Global Log Analytics workspace", "Global container registry", "Internet users", "Microsoft Entra ID", "Stamp Key Vault"].sort(),
    );
    expect(groups.find((g) => g.name === "mc-stamp")!.elements.map((id) => app.elements.find((e) => e.id === id)!.name)).toContain("CatalogService");
  });

  it("orders by name when no service order is given", () => {
    expect(serviceGroups(app).map((g) => g.name)).toEqual(["mc-operations", "mc-stamp", SHARED]);
    const onlyGlobal = consolidate([SERVICES[0]]);
    expect(serviceGroups(onlyGlobal).map((g) => [g.name, g.elements.length])).toEqual([["mc-global", onlyGlobal.elements.length]]);
  });
});

describe("cross-service flows", () => {
  it("are the flows whose ends sit in different groups, and say so in their label", () => {
    const cross = app.flows.filter((f) => isCrossService(f, groupOf));
    const inside = app.flows.filter((f) => !isCrossService(f, groupOf));
    expect(cross.length).toBeGreaterThan(5);
    expect(inside.length).toBeGreaterThan(5);
    for (const f of cross) {
      expect(groupOf.get(f.source)).not.toBe(groupOf.get(f.target));
      expect(flowLabel(f, groupOf)).toContain(`(${groupOf.get(f.source)} → ${groupOf.get(f.target)})`);
    }
    for (const f of inside) expect(flowLabel(f, groupOf)).not.toContain("→");
  });

  it("are drawn dashed (class sw-flow--cross) and the others are not", () => {
    const positions = absolutePositions(appGridGraph(app, groups));
    const edges = toAppEdges(app, groups, positions);
    expect(edges.length).toBe(app.flows.filter((f) => f.source !== f.target).length);
    for (const e of edges) {
      const f = app.flows.find((x) => x.id === e.id)!;
      expect(e.className?.includes("sw-flow--cross"), f.name).toBe(isCrossService(f, groupOf));
    }
  });
});

describe("the ELK graph", () => {
  it("holds each group's elements as children and every flow as an edge", () => {
    const root = appElkGraph(app, groups);
    expect(root.children!.map((c) => c.id)).toEqual(groups.map((g) => g.id));
    for (const [i, g] of groups.entries()) expect(root.children![i].children!.map((c) => c.id)).toEqual(g.elements);
    expect(root.edges!.map((e) => e.id).sort()).toEqual(app.flows.map((f) => f.id).sort());
  });
});

/** Every element inside its group's box, and no two groups overlapping. */
function expectContained(positions: Record<string, NodeLayout>) {
  for (const g of groups) {
    const gr = positions[g.id];
    expect(gr, g.name).toBeDefined();
    for (const id of g.elements) {
      const r = positions[id];
      expect(r.x).toBeGreaterThanOrEqual(gr.x);
      expect(r.y).toBeGreaterThanOrEqual(gr.y);
      expect(r.x + r.width).toBeLessThanOrEqual(gr.x + gr.width);
      expect(r.y + r.height).toBeLessThanOrEqual(gr.y + gr.height);
    }
  }
  for (const a of groups)
    for (const b of groups) {
      if (a === b) continue;
      const p = positions[a.id], q = positions[b.id];
      const overlap = p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height;
      expect(overlap, `${a.name} and ${b.name}`).toBe(false);
    }
}

describe("layout", () => {
  it("lays the application out with ELK, elements inside their groups", async () => {
    const { positions, error } = await layoutApplication(app, ["mc-global", "mc-stamp", "mc-operations"]);
    expect(error).toBeNull();
    expectContained(positions);
  });

  it("falls back to a grid that keeps the same containment", () => {
    expectContained(absolutePositions(appGridGraph(app, groups)));
  });

  it("gives React Flow groups first and elements relative to their group", () => {
    const positions = absolutePositions(appGridGraph(app, groups));
    const nodes = toAppNodes(app, groups, positions);
    expect(nodes.slice(0, groups.length).map((n) => n.type)).toEqual(groups.map(() => "service"));
    expect(nodes.length).toBe(groups.length + app.elements.length);
    for (const n of nodes.slice(groups.length)) {
      const parent = positions[n.parentId!];
      expect(n.parentId).toBe(groupNodeId(groupOf.get(n.id)!));
      expect(n.position).toEqual({ x: positions[n.id].x - parent.x, y: positions[n.id].y - parent.y });
    }
    // Nothing is highlighted or dimmed without a selection.
    expect(nodes.some((n) => n.className)).toBe(false);
  });
});

describe("highlighting", () => {
  const internet = named("Internet users");
  const cosmos = named("Global Cosmos DB");
  const path = shortestPath(app, internet.id, cosmos.id)!;
  const positions = absolutePositions(appGridGraph(app, groups));

  it("marks exactly the path's elements and flows with sw-path and dims the rest", () => {
    expect(path.elements.length).toBeGreaterThanOrEqual(3);
    const h = pathHighlight(path);
    const nodes = toAppNodes(app, groups, positions, { highlight: h });
    const edges = toAppEdges(app, groups, positions, { highlight: h });
    const lit = (c?: string) => (c ?? "").split(" ").includes("sw-path");
    expect(nodes.filter((n) => lit(n.className)).map((n) => n.id).sort()).toEqual([...path.elements].sort());
    expect(edges.filter((e) => lit(e.className)).map((e) => e.id).sort()).toEqual([...path.flows].sort());
    expect(nodes.filter((n) => n.type === "appElement" && !lit(n.className)).every((n) => n.className === "sw-dim")).toBe(true);
    expect(edges.filter((e) => !lit(e.className)).every((e) => e.className!.includes("sw-dim"))).toBe(true);
    expect(nodes.find((n) => n.id === internet.id)!.className).toContain("sw-path-entry");
    expect(nodes.find((n) => n.id === cosmos.id)!.className).toContain("sw-path-target");
    // Groups are never dimmed: they frame the path.
    expect(nodes.filter((n) => n.type === "service").every((n) => !n.className)).toBe(true);
  });

  const threat = (over: Partial<Threat>): Threat => ({
    key: "APP-X@" + cosmos.id,
    rule: "APP-X",
    stride: "information_disclosure",
    title: "Cosmos DB reachable from the internet",
    description: "",
    severity: "high",
    likelihood: "high",
    impact: "high",
    target: { kind: "data_store", id: cosmos.id, name: cosmos.name },
    mitigations: [],
    source: { section: "s", quote: "q" },
    ...over,
  });

  it("uses the chosen path of the selected threat, the first by default", () => {
    const t = threat({});
    const second: AttackPath = { ...path, elements: [cosmos.id], flows: [], summary: cosmos.name, entry: cosmos.id };
    const all = [{ key: t.key, title: t.title, severity: t.severity, paths: [path, second] }];
    const paths = pathsOf(all, t.key);
    expect(paths).toHaveLength(2);
    expect(pathsOf(all, "other")).toEqual([]);
    expect([...threatHighlight(t, paths)!.flows]).toEqual(path.flows);
    expect([...threatHighlight(t, paths, 1)!.elements]).toEqual([cosmos.id]);
    expect(threatHighlight(null, paths)).toBeNull();
  });

  it("highlights the target of a threat without paths, and a flow's two ends", () => {
    expect([...threatHighlight(threat({}), [])!.elements]).toEqual([cosmos.id]);
    const f = app.flows.find((x) => isCrossService(x, groupOf))!;
    const end = (id: string) => ({ kind: "process" as const, id, name: id });
    const h = targetHighlight(threat({ target: { kind: "flow", id: f.id, name: f.name }, flow: { source: end(f.source), target: end(f.target) } }));
    expect([...h.flows]).toEqual([f.id]);
    expect([...h.elements].sort()).toEqual([f.source, f.target].sort());
    const edges = toAppEdges(app, groups, positions, { highlight: h });
    expect(edges.filter((e) => e.className!.split(" ").includes("sw-path")).map((e) => e.id)).toEqual([f.id]);
  });
});

describe("layoutSignature", () => {
  it("stays the same when only names, threats or triage change, and not when the structure does", () => {
    const sig = layoutSignature(app);
    const renamed: ServiceModel = { ...app, elements: app.elements.map((e, i) => (i === 0 ? { ...e, name: "renamed" } : e)), triage: { k: { status: "accepted" } } };
    expect(layoutSignature(renamed)).toBe(sig);
    const f = app.flows[0];
    expect(layoutSignature({ ...app, flows: [...app.flows, { ...f, id: "new-flow" }] })).not.toBe(sig);
    const moved = app.elements.map((e) => (e.id === named("Global Cosmos DB").id ? { ...e, origins: ["mc-stamp"] } : e));
    expect(layoutSignature({ ...app, elements: moved })).not.toBe(sig);
  });
});

describe("AppView", async () => {
  const { createElement } = await import("react");
  const { renderToStaticMarkup } = await import("react-dom/server");
  const { AppView } = await import("./AppView");
  const t = (key: string, app_level: boolean): Threat => ({
    key, rule: "R", stride: "tampering", title: `threat ${key}`, description: "", severity: "high", likelihood: "high", impact: "high",
    target: { kind: "process", id: app.elements[0].id, name: app.elements[0].name }, mitigations: [], source: { section: "s", quote: "q" }, app_level,
  });
  const view = {
    application: "mission-critical",
    model: app,
    analysis: { threats: [t("a", true), t("b", false), t("c", false)], summary: { total: 3, by_stride: {}, by_severity: {} } },
    decisions: {},
    attack_paths: [],
    diagnostics: [{ code: "property-conflict" as const, message: "mc-stamp and mc-operations disagree", services: ["mc-stamp", "mc-operations"], object: null }],
    services: ["mc-global", "mc-stamp", "mc-operations"],
    revision: { id: "r1", seq: 1, author: "a", created_at: "2026-11-20T10:00:00Z", message: "m" },
  };

  it("lists only application-level threats at first, and the consolidation diagnostics", () => {
    const html = renderToStaticMarkup(createElement(AppView, { view, loading: false, error: null, onDecide: async () => {}, sideWidth: 400, onResizeSide: () => {} }));
    for (const id of ["app-view", "app-view-diagram", "app-diagnostics", "threats-panel"]) expect(html).toContain(`data-testid="${id}"`);
    expect(html.match(/data-testid="threat-row"/g)).toHaveLength(1);
    expect(html).toContain("1 of 3 threats");
    expect(html).toContain("mc-stamp and mc-operations disagree");
  });

  it("says when there is no view yet", () => {
    expect(renderToStaticMarkup(createElement(AppView, { view: null, loading: true, error: null, onDecide: async () => {}, sideWidth: 400, onResizeSide: () => {} }))).toContain("Consolidating");
    expect(renderToStaticMarkup(createElement(AppView, { view: null, loading: false, error: "no services", onDecide: async () => {}, sideWidth: 400, onResizeSide: () => {} }))).toContain("no services");
  });
});
