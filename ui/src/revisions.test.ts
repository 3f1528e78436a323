// The revision browser's rules, and the memory backend's revisions as the web preview shows them.

import { describe, expect, it } from "vitest";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { StencilSet } from "./bindings/StencilSet";
import tinyJson from "../../src-tauri/tests/fixtures/tiny.stride.json";
import stencilsJson from "./__fixtures__/stencils.json";
import { memoryBackend } from "./api";
import { restoredModel, revisionLine } from "./revisions";

const tiny = tinyJson as unknown as ServiceModel;
const stencils = stencilsJson as unknown as StencilSet;

describe("the revision browser", () => {
  it("lists a revision by number, author and readable time, not raw ISO text", () => {
    const line = revisionLine({ id: "r", seq: 3, author: "alice", created_at: "2026-12-07T14:08:00Z", message: "m" });
    expect(line).toMatch(/^#3 · alice · /);
    expect(line).not.toContain("2026-12-07T");
    expect(line).toContain("2026");
  });

  it("restores the old drawing but keeps today's triage, lineage and open conflicts", () => {
    const old: ServiceModel = { ...structuredClone(tiny), description: "old", triage: {}, conflicts: [] };
    const decision = { status: "accepted", justification: "behind the VPN" } as never;
    const conflict = { path: "/name", kind: "edit/edit", message: "name set twice" };
    const present: ServiceModel = { ...structuredClone(tiny), elements: [], description: "new", triage: { k: decision }, conflicts: [conflict] };
    const r = restoredModel(old, present);
    expect(r.description).toBe("old");
    expect(r.elements).toEqual(tiny.elements);
    expect(r.triage).toEqual({ k: decision });
    expect(r.conflicts).toEqual([conflict]);
    expect("lineage" in r).toBe(false);
    // The old model is not shared with the editor's next one.
    r.elements[0].name = "changed";
    expect(old.elements[0].name).not.toBe("changed");
  });

  it("memory backend: revisions newest first; one opens with its head, another service's is refused", async () => {
    const b = memoryBackend([{ id: "tiny", model: tiny, application: "shop" }], stencils, async () => ({}));
    const loaded = await b.loadService(tiny.id);
    const first = loaded.service.head!;
    await b.saveService("shop", { ...loaded.model, description: "second" }, first.id, "describe it");
    const list = await b.revisions(tiny.id);
    expect(list.map((r) => [r.seq, r.message])).toEqual([[2, "describe it"], [1, first.message]]);
    const view = await b.revision(tiny.id, first.id);
    expect(view.revision.seq).toBe(1);
    expect(view.head.seq).toBe(2);
    expect(view.model.description).toBe(tiny.description);
    expect(view.changes).not.toBe("");
    expect((await b.revision(tiny.id, list[0].id)).changes).toBe("");
    const other = await b.createService("shop", "billing");
    await expect(b.revision(tiny.id, other.service.head!.id)).rejects.toMatchObject({ code: "invalid_input" });
  });
});
