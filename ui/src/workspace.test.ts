import { describe, expect, it } from "vitest";
import type { Analysis } from "./bindings/Analysis";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { StencilSet } from "./bindings/StencilSet";
import tinyJson from "../../src-tauri/tests/fixtures/tiny.stride.json";
import stencilsJson from "./__fixtures__/stencils.json";
import analysesJson from "./__fixtures__/analysis.json";
import { memoryBackend, withFreshIds, type MemoryBackend } from "./api";
import * as edit from "./edits";
import * as hist from "./history";
import * as ws from "./workspace";

const tiny = tinyJson as unknown as ServiceModel;
const stencils = stencilsJson as unknown as StencilSet;
const analyses = analysesJson as unknown as Record<string, Analysis>;
const MC_STAMP = "5e670f69-793d-59b8-96c2-f2af5eb1e345";

/** A workspace with the tiny fixture in "shop", and its recorded analysis standing in for mc-stamp's. */
function backend(): MemoryBackend {
  return memoryBackend([{ id: "tiny.stride.json", model: tiny, application: "shop" }], stencils, async () => ({
    [tiny.id]: analyses[MC_STAMP],
  }));
}

const addProcess = (m: ServiceModel) => edit.addElement(m, "process", "generic.process", { x: 0, y: 0 }).model;

/** The doc after one edit of its present model. */
const withEdit = (d: ws.ServiceDoc, now = 1000) => ws.edited(d, hist.commit(d.history, addProcess(d.history.present)), now);

describe("memory workspace", () => {
  it("lists the samples by application and loads a service at its head", async () => {
    const b = backend();
    const info = await b.start();
    expect(info.applications.map((a) => [a.name, a.services.map((s) => s.name)])).toEqual([["shop", ["tiny"]]]);
    const loaded = await b.loadService(tiny.id);
    expect(loaded.service.head?.seq).toBe(1);
    expect(loaded.model).toEqual(tiny);
    await expect(b.loadService("nope")).rejects.toMatchObject({ code: "not_found" });
  });

  it("saves on the head, refuses a stale base with 'conflict', and writes nothing for equal content", async () => {
    const b = backend();
    const { service, model } = await b.loadService(tiny.id);
    const same = await b.saveService("shop", model, service.head!.id, "no change");
    expect(same).toMatchObject({ changed: false, service: { revisions: 1 } });
    const saved = await b.saveService("shop", addProcess(model), service.head!.id, "one more");
    expect(saved).toMatchObject({ changed: true, service: { revisions: 2, head: { seq: 2 } } });
    await expect(b.saveService("shop", addProcess(model), service.head!.id, "stale")).rejects.toMatchObject({ code: "conflict" });
    expect((await b.workspace()).applications[0].services[0].revisions).toBe(2);
    // A new model (base null) makes a new service, and its application when new.
    const fresh = edit.emptyModel("Billing");
    await b.saveService("billing", fresh, null, "new");
    expect((await b.workspace()).applications.map((a) => a.name)).toEqual(["billing", "shop"]);
  });

  it("creates, renames, duplicates with fresh ids and deletes; names are unique per application", async () => {
    const b = backend();
    const created = await b.createService("shop", "Payments");
    expect(created.service).toMatchObject({ name: "Payments", application: "shop", revisions: 1 });
    await expect(b.createService("shop", "Payments")).rejects.toMatchObject({ code: "name_taken" });
    await expect(b.renameService(created.service.id, "tiny")).rejects.toMatchObject({ code: "name_taken" });
    expect(await b.renameService(created.service.id, "Payments API")).toMatchObject({ name: "Payments API" });
    const dup = await b.duplicateService(tiny.id, "tiny copy");
    expect(dup.model.id).not.toBe(tiny.id);
    const oldIds = new Set([...tiny.elements, ...tiny.flows, ...tiny.boundaries].map((o) => o.id));
    for (const o of [...dup.model.elements, ...dup.model.flows, ...dup.model.boundaries]) expect(oldIds.has(o.id)).toBe(false);
    const ids = new Set(dup.model.elements.map((e) => e.id));
    for (const f of dup.model.flows) expect(ids.has(f.source) && ids.has(f.target)).toBe(true);
    await expect(b.duplicateService(tiny.id, "tiny copy")).rejects.toMatchObject({ code: "name_taken" });
    await b.deleteService(dup.service.id);
    expect((await b.workspace()).applications[0].services.map((s) => s.name)).toEqual(["Payments API", "tiny"]);
    await expect(b.loadService(dup.service.id)).rejects.toMatchObject({ code: "not_found" });
  });

  it("keeps layout keys and boundary nesting with fresh ids", () => {
    const m = { ...tiny, layout: { nodes: { [tiny.elements[0].id]: { x: 1, y: 2, width: 3, height: 4 } }, edges: {} } };
    const copy = withFreshIds(m, "copy");
    expect(copy.layout!.nodes![copy.elements[0].id]).toEqual({ x: 1, y: 2, width: 3, height: 4 });
    const boundaryIds = new Set(copy.boundaries.map((x) => x.id));
    for (const e of copy.elements) if (e.boundary) expect(boundaryIds.has(e.boundary)).toBe(true);
  });

  it("analyses with the recorded threats and applies the service's decisions", async () => {
    const b = backend();
    const { model } = await b.loadService(tiny.id);
    // The recorded threats are mc-stamp's; keep them all by pretending the targets exist.
    const targets = [...new Set(analyses[MC_STAMP].threats.map((t) => t.target.id))];
    const m = { ...model, elements: [...model.elements, ...targets.map((id) => ({ id, kind: "process" as const, name: id, stencil: "generic.process" }))] };
    const before = await b.analyze(m, tiny.id);
    expect(before.analysis.threats.length).toBe(analyses[MC_STAMP].threats.length);
    expect(new Set(before.analysis.threats.map((t) => t.status))).toEqual(new Set(["open"]));
    const key = before.analysis.threats[0].key;
    const d = await b.decide({ kind: "service", id: tiny.id }, key, { status: "mitigated", justification: "WAF" });
    expect(d).toMatchObject({ status: "mitigated", justification: "WAF", decided_by: "you" });
    const after = await b.analyze(m, tiny.id);
    expect(after.analysis.threats.find((t) => t.key === key)!.status).toBe("mitigated");
    expect(after.decisions[key].status).toBe("mitigated");
    // Decisions are per service; a model outside the workspace, or unknown to the recording, has none.
    expect((await b.analyze(m, null)).analysis.threats.find((t) => t.key === key)!.status).toBe("open");
    expect((await b.analyze(edit.emptyModel(), null)).analysis.threats).toEqual([]);
    // Threats on deleted elements go.
    expect((await b.analyze(model, tiny.id)).analysis.threats.length).toBeLessThan(before.analysis.threats.length);
  });

  it("refuses what needs the desktop app with a clear message", async () => {
    const b = backend();
    await expect(b.applicationView("shop")).rejects.toMatchObject({ code: "invalid_input", message: "the application view needs the desktop app" });
    await expect(b.exportReport("shop", "/x.html")).rejects.toMatchObject({ code: "invalid_input" });
    await expect(b.importModels("shop", "/x.json")).rejects.toMatchObject({ code: "invalid_input" });
    expect(await b.pickOpenPath("workspace")).toBeNull();
  });
});

describe("autosave", () => {
  it("goes dirty on an edit, is due 800 ms later (at once on flush), and saved with the new base", async () => {
    const b = backend();
    let d = ws.openDoc(await b.loadService(tiny.id));
    expect(d.state).toBe("saved");
    d = withEdit(d, 1000);
    expect(d.state).toBe("dirty");
    expect(ws.autosaveDue(d, 1500)).toBe(false);
    expect(ws.autosaveDue(d, 1500, true)).toBe(true);
    expect(ws.autosaveDue(d, 1000 + ws.AUTOSAVE_MS)).toBe(true);
    d = ws.saveStarted(d);
    const version = d.saving!;
    expect(d.state).toBe("saving");
    expect(ws.autosaveDue(d, 9999, true)).toBe(false);
    const saved = await b.saveService(d.application, d.history.present, d.base, "edit");
    d = ws.saveSucceeded(d, saved, version);
    expect(d).toMatchObject({ state: "saved", base: saved.service.head!.id, baseSeq: 2 });
  });

  it("an edit during a save stays to be saved after it", async () => {
    const b = backend();
    let d = withEdit(ws.openDoc(await b.loadService(tiny.id)));
    d = ws.saveStarted(d);
    const version = d.saving!;
    d = withEdit(d, 1200);
    expect(d.state).toBe("saving");
    d = ws.saveSucceeded(d, await b.saveService(d.application, d.history.past[d.history.past.length - 1], d.base, "x"), version);
    expect(d.state).toBe("dirty");
    expect(ws.autosaveDue(d, 1200 + ws.AUTOSAVE_MS)).toBe(true);
  });

  it("undoing back to the saved version is clean again", async () => {
    const b = backend();
    let d = withEdit(ws.openDoc(await b.loadService(tiny.id)));
    d = ws.edited(d, hist.undo(d.history), 1100);
    expect(d.state).toBe("saved");
    expect(ws.autosaveDue(d, 5000, true)).toBe(false);
  });

  it("a conflicting save stops autosave; other failures are retried", async () => {
    const b = backend();
    let d = withEdit(ws.openDoc(await b.loadService(tiny.id)));
    b.simulateOutsideSave(tiny.id);
    d = ws.saveStarted(d);
    const e = await b.saveService(d.application, d.history.present, d.base, "x").catch((x: unknown) => x);
    d = ws.saveFailed(d, e);
    expect(d.state).toBe("conflict");
    expect(ws.autosaveDue(withEdit(d, 2000), 9999, true)).toBe(false);
    const failed = ws.saveFailed(ws.saveStarted(withEdit(ws.openDoc(await b.loadService(tiny.id)))), { code: "io", message: "disk full" });
    expect(failed).toMatchObject({ state: "error", error: "disk full" });
    expect(ws.autosaveDue(failed, 0, true)).toBe(true);
    expect(withEdit(failed).state).toBe("dirty");
  });
});

describe("changes made outside the app", () => {
  it("a clean doc reloads their head silently", async () => {
    const b = backend();
    let d = ws.openDoc(await b.loadService(tiny.id));
    const entry = b.simulateOutsideSave(tiny.id, { ...tiny, description: "theirs" }, "ci");
    const seen = ws.headSeen(d, entry);
    expect(seen.action).toBe("reload");
    d = ws.reloaded(seen.doc, await b.loadService(tiny.id), false);
    expect(d).toMatchObject({ state: "saved", base: entry.head!.id, baseSeq: 2 });
    expect(d.history.present.description).toBe("theirs");
    expect(ws.headSeen(d, entry).action).toBe("none");
    expect(ws.describeOutside(entry.head)).toMatch(/^This service was changed outside the app \(revision #2 by ci at .+\)\.$/);
  });

  it("a dirty doc gets the banner and is never saved over their head", async () => {
    const b = backend();
    let d = withEdit(ws.openDoc(await b.loadService(tiny.id)));
    const entry = b.simulateOutsideSave(tiny.id);
    const seen = ws.headSeen(d, entry);
    expect(seen.action).toBe("banner");
    d = seen.doc;
    expect(d).toMatchObject({ state: "conflict", outside: entry.head });
    expect(ws.autosaveDue(d, 1e9, true)).toBe(false);
    expect(ws.headSeen(d, entry).action).toBe("none");
    // Reload theirs: their model is the present, and Undo gives the editor's version back.
    const mine = d.history.present;
    const r = ws.reloaded(d, await b.loadService(tiny.id), true);
    expect(r).toMatchObject({ state: "saved", outside: null, base: entry.head!.id });
    expect(hist.undo(r.history).present).toBe(mine);
  });

  it("merge mine into theirs loads the merged model as the new base", async () => {
    const b = backend();
    let d = withEdit(ws.openDoc(await b.loadService(tiny.id)));
    d = ws.headSeen(d, b.simulateOutsideSave(tiny.id)).doc;
    const m = await b.mergeService(d.application, d.history.present, d.base!);
    d = ws.merged(d, m);
    expect(d).toMatchObject({ state: "saved", outside: null, base: m.service.head!.id, baseSeq: 3, conflicts: [] });
    expect(d.history.present.elements.length).toBe(tiny.elements.length + 1);
  });

  it("a stale poll (from before our own save) or a poll during a save changes nothing", async () => {
    const b = backend();
    const first = await b.loadService(tiny.id);
    let d = withEdit(ws.openDoc(first));
    const saved = await b.saveService(d.application, d.history.present, d.base, "x");
    d = ws.saveSucceeded(ws.saveStarted(d), saved, d.history.present);
    expect(ws.headSeen(d, first.service).action).toBe("none");
    const saving = ws.saveStarted(withEdit(d));
    expect(ws.headSeen(saving, b.simulateOutsideSave(tiny.id)).action).toBe("none");
  });

  it("a clean doc edited while its reload was loading keeps the edit and gets the banner", async () => {
    const b = backend();
    let d = ws.openDoc(await b.loadService(tiny.id));
    const entry = b.simulateOutsideSave(tiny.id);
    expect(ws.headSeen(d, entry).action).toBe("reload");
    d = withEdit(d);
    d = ws.reloaded(d, await b.loadService(tiny.id), false);
    expect(d).toMatchObject({ state: "conflict", outside: entry.head });
  });

  it("follows renames made elsewhere: a rename is a revision, so a clean doc reloads it", async () => {
    const b = backend();
    const d = ws.openDoc(await b.loadService(tiny.id));
    const renamed = await b.renameService(tiny.id, "shop front");
    expect(ws.headSeen(d, renamed)).toMatchObject({ action: "reload", doc: { name: "shop front" } });
    const after = ws.reloaded(d, await b.loadService(tiny.id), false);
    expect(after.history.present.name).toBe("shop front");
    expect(after.state).toBe("saved");
  });
});
