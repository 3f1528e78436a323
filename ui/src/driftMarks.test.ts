import { describe, expect, it } from "vitest";
import type { DriftLine } from "./bindings/DriftLine";
import type { DriftReport } from "./bindings/DriftReport";
import type { ServiceModel } from "./bindings/ServiceModel";
import tinyJson from "../../src-tauri/tests/fixtures/tiny.stride.json";
import { baselineOf, driftStore, legendOf, markTitle, marksOn, NO_MARKS, type DriftCheck } from "./driftMarks";

const tiny = tinyJson as unknown as ServiceModel;
const API = "00000000-0000-4000-8000-0000000000e2";
const DB = "00000000-0000-4000-8000-0000000000e3";
const FLOW = "00000000-0000-4000-8000-0000000000f2";

const line = (kind: string, object: string | null, property: string | null = null): DriftLine => ({
  kind,
  label: kind === "property_differs" ? "property differs" : kind === "no_longer_in_code" ? "in the model, no longer in the code" : "in the code, not in the model",
  message: `${kind} on ${object ?? "nothing"}`,
  address: `azurerm_thing.${object ?? "new"}`,
  object,
  property,
  opens: [],
  closes: [],
});

const report: DriftReport = {
  service: "Orders",
  matched: 3,
  items: [
    line("property_differs", API, "authenticates_callers"),
    line("property_differs", DB, "encrypted_at_rest"),
    line("no_longer_in_code", FLOW),
    line("missing_from_model", null),
  ],
};

function checked(model: ServiceModel): DriftCheck {
  return { service: model.id, drift: report, baseline: baselineOf(report, model) };
}

describe("drift marks", () => {
  it("mark each object the report names, none for what the model lacks", () => {
    const marks = marksOn(checked(tiny), tiny);
    expect([...marks.keys()].sort()).toEqual([API, DB, FLOW].sort());
    expect(marks.get(API)!.map((l) => l.kind)).toEqual(["property_differs"]);
    expect(markTitle(marks.get(FLOW)!)).toBe(`Drift (in the model, no longer in the code): no_longer_in_code on ${FLOW}`);
    expect(legendOf(marks)).toEqual([
      { kind: "no_longer_in_code", label: "in the model, no longer in the code", count: 1 },
      { kind: "property_differs", label: "property differs", count: 2 },
    ]);
  });

  it("drop a property's mark once the property is edited, and an object's once it is deleted", () => {
    const check = checked(tiny);
    const edited: ServiceModel = {
      ...tiny,
      elements: tiny.elements.map((e) => (e.id === API ? { ...e, properties: { ...e.properties, authenticates_callers: false } } : e)),
      flows: tiny.flows.filter((f) => f.id !== FLOW),
    };
    const marks = marksOn(check, edited);
    expect([...marks.keys()]).toEqual([DB]);
    // Edited back to the value that was checked: the check applies again.
    expect(marksOn(check, tiny).has(API)).toBe(true);
    // An unrelated edit (a rename) keeps the marks.
    const renamed = { ...tiny, elements: tiny.elements.map((e) => (e.id === DB ? { ...e, name: "Orders store" } : e)) };
    expect(marksOn(check, renamed).size).toBe(3);
  });

  it("show nothing without differences on the model's objects", () => {
    const none: DriftCheck = { service: tiny.id, drift: { ...report, items: [line("missing_from_model", null)] }, baseline: null };
    expect(marksOn(none, tiny)).toBe(NO_MARKS);
    expect(legendOf(NO_MARKS)).toEqual([]);
  });

  it("tell the canvas when the check is set and cleared", () => {
    const seen: (DriftCheck | null)[] = [];
    const stop = driftStore.subscribe(() => seen.push(driftStore.get()));
    const check = checked(tiny);
    driftStore.set(check);
    driftStore.set(null);
    stop();
    driftStore.set(check);
    driftStore.set(null);
    expect(seen).toEqual([check, null]);
  });
});
