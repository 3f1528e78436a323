// The form's logic for threats written by hand, over a real sample model and its real analysis.

import { describe, expect, it } from "vitest";
import type { Analysis } from "./bindings/Analysis";
import type { ServiceModel } from "./bindings/ServiceModel";
import { menuFor } from "./contextMenu";
import {
  editOf,
  fieldsOf,
  isManual,
  knownMitigations,
  manualThreatOf,
  newFields,
  targetChoices,
  targetOfSelection,
  threatMenu,
} from "./threatEditing";
import fixture from "./__fixtures__/analysis.json";
import mcStamp from "../../models/mc-stamp.stride.json";

const stamp = mcStamp as unknown as ServiceModel;
const threats = (fixture as unknown as Record<string, Analysis>)[stamp.id].threats;

describe("threats written by hand", () => {
  it("are about the one selected object, else the whole service", () => {
    const [e] = stamp.elements;
    const [f] = stamp.flows;
    expect(targetOfSelection(stamp, new Set([e.id]))).toEqual({ kind: "element", id: e.id });
    expect(targetOfSelection(stamp, new Set([f.id]))).toEqual({ kind: "flow", id: f.id });
    expect(targetOfSelection(stamp, new Set())).toEqual({ kind: "model" });
    expect(targetOfSelection(stamp, new Set([e.id, f.id]))).toEqual({ kind: "model" });
    const choices = targetChoices(stamp);
    expect(choices[0].target).toEqual({ kind: "model" });
    expect(choices).toHaveLength(1 + stamp.elements.length + stamp.flows.length + stamp.boundaries.length);
  });

  it("turn the form into an add, then an update that keeps what the form does not show", () => {
    const [e] = stamp.elements;
    const fields = { ...newFields({ kind: "element", id: e.id }), title: "  Replayed token ", customMitigations: "Bind tokens\n\n Rotate keys " };
    const add = editOf(stamp, fields, null);
    expect(add.action).toBe("add");
    if (add.action !== "add") return;
    expect(add.threat).toMatchObject({
      title: "Replayed token",
      target: { kind: "element", id: e.id },
      likelihood: "medium",
      custom_mitigations: ["Bind tokens", "Rotate keys"],
    });
    const old = { ...add.threat, author: "ana", created_at: "2026-12-07T10:00:00Z", notes: "from TD" };
    const update = editOf(stamp, { ...fieldsOf(old), impact: "high", target: "model" }, old);
    expect(update).toEqual({
      action: "update",
      threat: { ...old, impact: "high", target: { kind: "model" }, mitigations: [] },
    });
  });

  it("are told from the catalog's threats by their rule, and found in the model", () => {
    expect(threats.some(isManual)).toBe(false);
    const t = { rule: "MANUAL-7b0c6f55-3f4b-4b7e-9f0e-2d5c9a1e0b11" };
    expect(isManual(t)).toBe(true);
    expect(manualThreatOf(stamp, t)).toBeNull();
    const written = { id: "7b0c6f55-3f4b-4b7e-9f0e-2d5c9a1e0b11", title: "x", stride: "spoofing" as const, target: { kind: "model" as const }, likelihood: "low" as const, impact: "low" as const };
    expect(manualThreatOf({ ...stamp, threats: [written] }, t)).toBe(written);
  });

  it("offer the mitigations of the rules that fired, once each", () => {
    const known = knownMitigations(threats);
    expect(known.length).toBeGreaterThan(5);
    expect(new Set(known.map((m) => m.id)).size).toBe(known.length);
  });

  it("are offered on the diagram's right-click menus", () => {
    const at = { canPaste: false, canUndo: false, canRedo: false };
    const commands = (target: Parameters<typeof threatMenu>[0]) => menuFor(target, at, [threatMenu]).flat().map((i) => i.command);
    for (const kind of ["element", "flow", "boundary"] as const) expect(commands({ kind, id: "x" })).toEqual(["addThreat"]);
    expect(commands({ kind: "canvas" })).toEqual(["addThreat"]);
    expect(commands({ kind: "selection" })).toEqual([]);
    expect(commands({ kind: "application", name: "shop" })).toEqual([]);
  });
});

describe("Terraform", () => {
  it("is offered on an application (import) and a service (drift), nowhere else", async () => {
    const { terraformMenu } = await import("./TerraformActions");
    const at = { canPaste: false, canUndo: false, canRedo: false };
    const commands = (target: Parameters<typeof terraformMenu>[0]) => menuFor(target, at, [terraformMenu]).flat().map((i) => i.command);
    expect(commands({ kind: "application", name: "shop" })).toEqual(["importTerraform"]);
    const service = { id: "s", name: "orders", application: "shop", head: null } as unknown as Parameters<typeof terraformMenu>[0] extends { service: infer S } ? S : never;
    expect(commands({ kind: "service", service })).toEqual(["checkDrift"]);
    expect(commands({ kind: "element", id: "x" })).toEqual([]);
  });
});
