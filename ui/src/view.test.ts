import { describe, expect, it } from "vitest";
import type { LoadedService } from "./bindings/LoadedService";
import type { ServiceModel } from "./bindings/ServiceModel";
import tinyJson from "../../src-tauri/tests/fixtures/tiny.stride.json";
import * as edit from "./edits";
import * as hist from "./history";
import { findingsOf, type Findings } from "./useAnalysis";
import { EDITOR, isWide, sidebarActive, viewTitle } from "./view";
import * as ws from "./workspace";

const tiny = tinyJson as unknown as ServiceModel;
const loaded: LoadedService = {
  service: { id: tiny.id, name: "tiny", application: "shop", head: { id: "r1", seq: 1, author: "me", created_at: "2026-01-01T00:00:00Z", message: "" }, revisions: 1 },
  model: tiny,
};

describe("what fills the main area", () => {
  it("titles the toolbar after the view, marking unsaved edits in the editor", () => {
    const doc = ws.openDoc(loaded);
    expect(viewTitle(EDITOR, doc)).toBe("shop / tiny");
    const edited = ws.edited(doc, hist.commit(doc.history, edit.emptyModel("x")), 1);
    expect(viewTitle(EDITOR, edited)).toBe("shop / tiny •");
    expect(viewTitle(EDITOR, null)).toBe("");
    expect(viewTitle({ kind: "application", application: "shop" }, doc)).toBe("shop · application view");
    expect(viewTitle({ kind: "review", application: "shop" }, doc)).toBe("shop · sprint review");
  });

  it("lights the application shown in the sidebar, else the service in the editor", () => {
    expect(sidebarActive({ kind: "review", application: "shop" }, tiny.id)).toEqual({ kind: "application", name: "shop" });
    expect(sidebarActive({ kind: "application", application: "shop" }, null)).toEqual({ kind: "application", name: "shop" });
    expect(sidebarActive(EDITOR, tiny.id)).toEqual({ kind: "service", id: tiny.id });
    expect(sidebarActive(EDITOR, null)).toBeNull();
  });

  it("gives the side panel to the editor only", () => {
    expect([EDITOR, { kind: "application", application: "a" } as const, { kind: "review", application: "a" } as const].map(isWide)).toEqual([false, true, true]);
  });
});

describe("findings of a showing", () => {
  it("belong to the showing they were made for; another showing starts with none, always the same empty list", () => {
    const found: Findings = { shown: 3, diagnostics: [{ level: "error", code: "empty-name", message: "m", pointer: "", object: null }], analysis: null, error: "e" };
    expect(findingsOf(found, 3)).toBe(found);
    const next = findingsOf(found, 4);
    expect(next).toEqual({ shown: 4, diagnostics: [], analysis: null, error: null });
    // The same array each time: a fresh one per render would rebuild the diagram at each render.
    expect(findingsOf(found, 5).diagnostics).toBe(next.diagnostics);
  });
});
