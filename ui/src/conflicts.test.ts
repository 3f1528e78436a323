import { describe, expect, it } from "vitest";
import type { MergeConflict } from "./bindings/MergeConflict";
import type { ServiceModel } from "./bindings/ServiceModel";
import tinyJson from "../../src-tauri/tests/fixtures/tiny.stride.json";
import { conflictObject, conflictsOf, conflictValue, resolveConflict, sideLabels } from "./conflicts";

const tiny = tinyJson as unknown as ServiceModel;
const onName: MergeConflict = { path: "/elements/e1/name", kind: "edit/edit", message: "name changed on both sides; kept ours", base: "API", ours: "Orders API", theirs: "Payments API" };
const onModel: MergeConflict = { path: "/description", kind: "edit/edit", message: "description changed on both sides", ours: "a", theirs: "b" };
const deleted: MergeConflict = { path: "/flows/f9", kind: "delete/edit", message: "deleted by theirs", ours: { name: "orders" } };

describe("merge conflicts recorded in a model", () => {
  it("name the object they are about, when they are about one", () => {
    expect(conflictObject(onName)).toBe("e1");
    expect(conflictObject(deleted)).toBe("f9");
    expect(conflictObject(onModel)).toBeNull();
  });

  it("show both sides as people read them, a deleted side as absent", () => {
    expect(conflictValue(onName.ours)).toBe("'Orders API'");
    expect(conflictValue(deleted.theirs)).toBe("(absent)");
    expect(conflictValue(deleted.ours)).toBe("'orders' (the whole object)");
    expect(conflictValue(true)).toBe("true");
  });

  it("say where each side came from when the merge recorded it", () => {
    expect(sideLabels(onName)).toEqual({ ours: "Yours", theirs: "Theirs" });
    const named = { ...onName, ours_from: "revision #2 by bob", theirs_from: "file alice.stride.json (added by alice)" };
    expect(sideLabels(named)).toEqual({ ours: "From revision #2 by bob", theirs: "From file alice.stride.json (added by alice)" });
  });

  it("are resolved one at a time, the model kept as it is, the list gone with the last", () => {
    const m: ServiceModel = { ...structuredClone(tiny), conflicts: [onName, onModel] };
    const one = resolveConflict(m, 0);
    expect(conflictsOf(one)).toEqual([onModel]);
    expect({ ...one, conflicts: undefined }).toEqual({ ...m, conflicts: undefined });
    const none = resolveConflict(one, 0);
    expect("conflicts" in none).toBe(false);
    expect(conflictsOf(m)).toHaveLength(2);
    expect(() => resolveConflict(none, 0)).toThrow(/no conflict 1 in '.*' \(it has 0\)/);
  });
});
