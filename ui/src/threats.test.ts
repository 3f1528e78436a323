// The threat list's logic over the samples' real analysis (ui/src/__fixtures__/analysis.json,
// written by the bindings test from the engine's output for models/*.stride.json).

import { describe, expect, it } from "vitest";
import type { Analysis } from "./bindings/Analysis";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { TriageDecision } from "./bindings/TriageDecision";
import type { Threat } from "./bindings/Threat";
import {
  NO_FILTER,
  STRIDE,
  changeFrom,
  countByStatus,
  draftOf,
  draftProblem,
  filterThreats,
  groupByElement,
  groupByStride,
  isEmptyChange,
  needsJustification,
  severityRank,
  statusOf,
  statusSummary,
  threatCount,
  threatsByTarget,
  type Decisions,
  type ThreatFilter,
} from "./analysis";
import fixture from "./__fixtures__/analysis.json";
import mcGlobal from "../../models/mc-global.stride.json";
import mcStamp from "../../models/mc-stamp.stride.json";
import mcOperations from "../../models/mc-operations.stride.json";
import stridewise from "../../models/stridewise.stride.json";

const analyses = fixture as unknown as Record<string, Analysis>;
const MODELS: Record<string, unknown> = { "mc-global": mcGlobal, "mc-stamp": mcStamp, "mc-operations": mcOperations, stridewise };
const model = (name: string): ServiceModel => MODELS[name] as ServiceModel;

const stamp = model("mc-stamp");
const stampAnalysis = analyses[stamp.id];
const threats = stampAnalysis.threats;
const filter = (f: Partial<ThreatFilter>): ThreatFilter => ({ ...NO_FILTER, ...f });

describe("the fixture", () => {
  it("has the analysis of every sample model", () => {
    for (const name of ["mc-global", "mc-stamp", "mc-operations", "stridewise"]) {
      const a = analyses[model(name).id];
      expect(a, name).toBeDefined();
      expect(a.threats.length).toBe(a.summary.total);
      expect(a.threats.length).toBeGreaterThan(10);
    }
  });
});

describe("groupByStride", () => {
  it("puts every threat in its category, in STRIDE order, worst first", () => {
    const groups = groupByStride(threats);
    expect(groups.map((g) => g.category)).toEqual(STRIDE.map((s) => s.id).filter((id) => (stampAnalysis.summary.by_stride[id] ?? 0) > 0));
    for (const g of groups) {
      expect(g.threats.length).toBe(stampAnalysis.summary.by_stride[g.category]);
      expect(g.threats.every((t) => t.stride === g.category)).toBe(true);
      for (let i = 1; i < g.threats.length; i++)
        expect(severityRank(g.threats[i - 1].severity)).toBeLessThanOrEqual(severityRank(g.threats[i].severity));
    }
    expect(groups.reduce((n, g) => n + g.threats.length, 0)).toBe(threats.length);
  });
});

describe("groupByElement", () => {
  const groups = groupByElement(threats);

  it("has one group per target, named after it, holding exactly its threats", () => {
    const targets = new Set(threats.map((t) => t.target.id));
    expect(groups.length).toBe(targets.size);
    expect(new Set(groups.map((g) => g.id))).toEqual(targets);
    for (const g of groups) {
      expect(g.threats.every((t) => t.target.id === g.id && t.target.name === g.name && t.target.kind === g.kind)).toBe(true);
    }
    expect(groups.reduce((n, g) => n + g.threats.length, 0)).toBe(threats.length);
  });

  it("orders groups by their worst threat, then by name", () => {
    for (const g of groups) expect(g.worst).toBe([...g.threats].sort((a, b) => severityRank(a.severity) - severityRank(b.severity))[0].severity);
    for (let i = 1; i < groups.length; i++) {
      const a = groups[i - 1], b = groups[i];
      const byWorst = severityRank(a.worst) - severityRank(b.worst);
      expect(byWorst < 0 || (byWorst === 0 && a.name.localeCompare(b.name) <= 0)).toBe(true);
    }
    // The stamp has critical threats, so a critical group leads.
    expect(groups[0].worst).toBe("critical");
    expect(groups[groups.length - 1].worst).not.toBe("critical");
  });

  it("covers flows as well as elements", () => {
    expect(groups.some((g) => g.kind === "flow")).toBe(true);
    expect(groups.some((g) => g.kind === "data_store")).toBe(true);
  });
});

describe("threatsByTarget", () => {
  it("counts the same threats as the element groups", () => {
    const map = threatsByTarget(threats);
    for (const g of groupByElement(threats)) expect(map.get(g.id)?.length).toBe(g.threats.length);
  });
});

describe("filterThreats", () => {
  it("lets everything through with no filter", () => {
    expect(filterThreats(threats, {}, NO_FILTER)).toEqual(threats);
  });

  it("matches the query against title, target name and rule, in any case", () => {
    const cosmos = filterThreats(threats, {}, filter({ query: "cosmos" }));
    expect(cosmos.length).toBeGreaterThan(0);
    expect(cosmos.length).toBeLessThan(threats.length);
    for (const t of cosmos) expect(`${t.title} ${t.target.name} ${t.rule} ${t.key}`.toLowerCase()).toContain("cosmos");
    const missed = threats.filter((t) => !cosmos.includes(t));
    for (const t of missed) expect(`${t.title}\n${t.target.name}\n${t.rule}\n${t.key}`.toLowerCase()).not.toContain("cosmos");

    const rule = threats[0].rule;
    const byRule = filterThreats(threats, {}, filter({ query: rule.toLowerCase() }));
    expect(byRule.length).toBeGreaterThan(0);
    expect(byRule.every((t) => t.rule.includes(rule) || t.title.includes(rule) || t.key.includes(rule))).toBe(true);
  });

  it("matches a threat's exact key", () => {
    const t = threats[17];
    expect(filterThreats(threats, {}, filter({ query: t.key }))).toEqual([t]);
  });

  it("needs every word of the query", () => {
    const both = filterThreats(threats, {}, filter({ query: "cosmos  tampering" }));
    const cosmos = filterThreats(threats, {}, filter({ query: "cosmos" }));
    expect(both.length).toBeLessThanOrEqual(cosmos.length);
    for (const t of both) expect(`${t.title} ${t.target.name} ${t.rule}`.toLowerCase()).toMatch(/cosmos/);
  });

  it("matches the owner of a decision", () => {
    const decisions: Decisions = { [threats[3].key]: { status: "needs_investigation", owner: "Priya Raman" } };
    expect(filterThreats(threats, decisions, filter({ query: "priya" }))).toEqual([threats[3]]);
    expect(filterThreats(threats, {}, filter({ query: "priya" }))).toEqual([]);
  });

  it("filters by severity and category", () => {
    const severe = filterThreats(threats, {}, filter({ severities: new Set(["critical", "high"]) }));
    expect(severe.length).toBe((stampAnalysis.summary.by_severity.critical ?? 0) + (stampAnalysis.summary.by_severity.high ?? 0));
    const dos = filterThreats(threats, {}, filter({ categories: new Set(["denial_of_service"]) }));
    expect(dos.length).toBe(stampAnalysis.summary.by_stride.denial_of_service);
    const both = filterThreats(threats, {}, filter({ severities: new Set(["critical"]), categories: new Set(["denial_of_service"]) }));
    expect(both.every((t) => t.severity === "critical" && t.stride === "denial_of_service")).toBe(true);
    expect(both.length).toBe(threats.filter((t) => t.severity === "critical" && t.stride === "denial_of_service").length);
  });

  it("treats a threat without a decision as open, and prefers the status the analysis applied", () => {
    const [a, b, c] = threats;
    const decisions: Decisions = {
      [a.key]: { status: "accepted", justification: "behind Front Door" },
      [b.key]: { status: "mitigated" },
    };
    // The analysis applied a newer decision to c than the one in the map.
    const applied: Threat[] = threats.map((t) => (t.key === c.key ? { ...t, status: "transferred" } : t));
    const withStale = { ...decisions, [c.key]: { status: "open" } as TriageDecision };
    const open = filterThreats(applied, withStale, filter({ statuses: new Set(["open"]) }));
    expect(open.length).toBe(threats.length - 3);
    expect(open.some((t) => t.key === a.key || t.key === b.key || t.key === c.key)).toBe(false);
    expect(filterThreats(applied, withStale, filter({ statuses: new Set(["accepted"]) })).map((t) => t.key)).toEqual([a.key]);
    expect(filterThreats(applied, withStale, filter({ statuses: new Set(["transferred"]) })).map((t) => t.key)).toEqual([c.key]);
    expect(statusOf(applied[2], withStale[c.key])).toBe("transferred");
    expect(statusOf(a, undefined)).toBe("open");
  });

  it("keeps only application-level threats when asked", () => {
    const marked = threats.map((t, i) => (i % 10 === 0 ? { ...t, app_level: true } : t));
    const app = filterThreats(marked, {}, filter({ appLevelOnly: true }));
    expect(app.length).toBe(Math.ceil(threats.length / 10));
    expect(app.every((t) => t.app_level)).toBe(true);
    expect(filterThreats(threats, {}, filter({ appLevelOnly: true }))).toEqual([]);
  });

  it("keeps the input order, so grouping decides the order shown", () => {
    const some = filterThreats(threats, {}, filter({ severities: new Set(["medium"]) }));
    const idx = some.map((t) => threats.indexOf(t));
    expect(idx).toEqual([...idx].sort((x, y) => x - y));
  });
});

describe("countByStatus", () => {
  it("counts every threat once, open unless decided", () => {
    const decisions: Decisions = {
      [threats[0].key]: { status: "accepted", justification: "x" },
      [threats[1].key]: { status: "mitigated" },
      [threats[2].key]: { status: "mitigated" },
    };
    const counts = countByStatus(threats, decisions);
    expect(counts.total).toBe(threats.length);
    expect(counts.open).toBe(threats.length - 3);
    expect(counts.mitigated).toBe(2);
    expect(counts.accepted).toBe(1);
    expect(counts.transferred).toBe(0);
    expect(statusSummary(counts)).toBe(`${threats.length} threats: ${threats.length - 3} open, 2 mitigated, 1 accepted`);
    expect(statusSummary(countByStatus([], {}))).toBe("0 threats");
  });
});

describe("the triage form", () => {
  const t = threats[0];

  it("asks for a justification when a threat is closed without a fix", () => {
    expect(["accepted", "not_applicable", "transferred"].every((s) => needsJustification(s as never))).toBe(true);
    expect(["open", "needs_investigation", "mitigated"].some((s) => needsJustification(s as never))).toBe(false);
    const draft = { ...draftOf(t, undefined), status: "accepted" as const };
    expect(draftProblem(draft)).toMatch(/justification/);
    expect(draftProblem({ ...draft, justification: "   " })).toMatch(/justification/);
    expect(draftProblem({ ...draft, justification: "only reachable through Front Door" })).toBeNull();
    expect(draftProblem({ ...draft, status: "mitigated" })).toBeNull();
  });

  it("starts from the decision and sends only what changed", () => {
    const decision: TriageDecision = { status: "needs_investigation", owner: "ana", ticket: "OPS-1" };
    const saved = draftOf(t, decision);
    expect(saved).toEqual({ status: "needs_investigation", justification: "", owner: "ana", ticket: "OPS-1", due_sprint: "" });
    expect(isEmptyChange(changeFrom(saved, saved))).toBe(true);
    expect(changeFrom({ ...saved, status: "accepted", justification: " ok ", owner: "ana " }, saved)).toEqual({ status: "accepted", justification: "ok" });
    expect(changeFrom({ ...saved, ticket: "" }, saved)).toEqual({ ticket: "" });
    expect(draftOf(t, undefined).status).toBe("open");
  });
});

// The panel rendered to HTML (no DOM here): what a person sees first for a given input.
describe("ThreatsPanel", async () => {
  const { createElement } = await import("react");
  const { renderToStaticMarkup } = await import("react-dom/server");
  const { ThreatsPanel, PAGE } = await import("./ThreatsPanel");
  type Props = import("./ThreatsPanel").ThreatsPanelProps;
  const render = (p: Partial<Props>) =>
    renderToStaticMarkup(
      createElement(ThreatsPanel, {
        analysis: { analysis: stampAnalysis, decisions: {} },
        error: null,
        scope: { kind: "service", id: stamp.id },
        selectedKey: null,
        onSelect: () => {},
        onDecide: async () => {},
        ...p,
      }),
    );
  const rows = (html: string) => html.match(/data-testid="threat-row"/g)?.length ?? 0;

  it("lists every threat of a small model with the total", () => {
    const html = render({});
    expect(rows(html)).toBe(threats.length);
    expect(html).toContain(`>${threats.length} threats<`);
    expect(html).not.toContain("threat-show-more");
    expect(html).not.toContain('data-testid="threat-details"');
  });

  it("draws at most one page of a thousand threats and offers the rest", () => {
    const many = Array.from({ length: Math.ceil(1000 / threats.length) }, (_, i) => threats.map((t) => ({ ...t, key: `${t.key}#${i}` }))).flat();
    const html = render({ analysis: { analysis: { ...stampAnalysis, threats: many }, decisions: {} } });
    expect(many.length).toBeGreaterThan(900);
    expect(rows(html)).toBe(PAGE);
    expect(html).toContain(`${many.length - PAGE} not shown`);
  });

  it("shows the selected threat's details, source and triage form with its decision", () => {
    const t = threats.find((x) => x.mitigations.length > 0)!;
    const decisions: Record<string, TriageDecision> = { [t.key]: { status: "accepted", justification: "WAF in front", owner: "ana", decided_by: "ana", decided_at: "2026-11-20T10:00:00Z", mitigations: { [t.mitigations[0].id]: "in_progress" } } };
    const html = render({ selectedKey: t.key, analysis: { analysis: stampAnalysis, decisions } });
    expect(html.match(/data-testid="threat-details"/g)).toHaveLength(1);
    expect(html).toContain(t.source.section);
    for (const id of ["triage-status", "triage-justification", "triage-owner", "triage-save"]) expect(html).toContain(`data-testid="${id}"`);
    expect(html).toContain("WAF in front");
    expect(html).toContain("Decided by ana");
    expect(html).toMatch(/data-mitigation="[^"]+"[^>]*>.*<option value="in_progress" selected=""/);
    expect(html).not.toContain("triage-problem");
  });

  it("makes triage read-only outside a workspace", () => {
    const html = render({ selectedKey: threats[0].key, scope: null });
    expect(html).toContain("Save the model to a workspace");
    expect(html).toMatch(/data-testid="triage-status" disabled=""/);
  });

  it("says what is going on when there is nothing to list", () => {
    expect(render({ analysis: null, busy: true })).toContain("Analysing the model");
    expect(render({ analysis: null })).toContain("No analysis yet");
    expect(render({ analysis: null, error: "the catalog failed to load" })).toContain("the catalog failed to load");
    expect(render({ analysis: { analysis: { threats: [], summary: { total: 0, by_stride: {}, by_severity: {} } }, decisions: {} } })).toContain("No threats found");
  });
});

describe("threatCount", () => {
  it("says one threat in the singular and any other count in the plural", () => {
    expect(threatCount(1)).toBe("1 threat");
    expect(threatCount(2)).toBe("2 threats");
    expect(threatCount(0)).toBe("0 threats");
  });
});
