import { describe, expect, it } from "vitest";
import { addMenuProvider, builtinMenu, menuFor, type MenuContext } from "./contextMenu";
import { shortcut } from "./commands";

const at: MenuContext = { canPaste: false, canUndo: true, canRedo: false };
const commands = (groups: ReturnType<typeof menuFor>) => groups.flat().map((i) => i.command);

describe("the context menu", () => {
  it("offers the editing commands on a diagram object, with the shortcut's keys", () => {
    const items = menuFor({ kind: "element", id: "e1" }, at, [builtinMenu]).flat();
    expect(items.map((i) => i.command)).toEqual(["copy", "cut", "duplicate", "delete"]);
    // Each item names a command its shortcut runs too.
    for (const item of items) {
      const key = item.keys!.replace("Ctrl+", "").replace("Del", "Delete").toLowerCase();
      const press = { key: key === "delete" ? "Delete" : key, ctrlKey: item.keys!.startsWith("Ctrl+"), metaKey: false, shiftKey: false, altKey: false };
      expect(shortcut(press, { typing: false, editing: true, hasSelection: true })?.command).toBe(item.command);
    }
  });

  it("greys out what cannot be done on the canvas", () => {
    const items = menuFor({ kind: "canvas" }, at, [builtinMenu]).flat();
    expect(items.find((i) => i.command === "paste")?.disabled).toBe(true);
    expect(items.find((i) => i.command === "undo")?.disabled).toBe(false);
    expect(items.find((i) => i.command === "redo")?.disabled).toBe(true);
    expect(commands([items])).toContain("exportSvg");
  });

  it("has the sidebar's actions on services and applications", () => {
    const service = { id: "s", name: "checkout", head: null } as never;
    expect(commands(menuFor({ kind: "service", service }, at, [builtinMenu]))).toEqual(["openService", "renameService", "duplicateService", "exportService", "deleteService"]);
    expect(commands(menuFor({ kind: "application", name: "shop" }, at, [builtinMenu]))).toContain("applicationView");
  });

  it("takes items from other features as groups of their own, until they are removed", () => {
    const remove = addMenuProvider((t) => (t.kind === "element" ? [[{ command: "help", label: "Add threat…" }]] : []));
    const groups = menuFor({ kind: "element", id: "e1" }, at);
    expect(groups.at(-1)?.map((i) => i.label)).toEqual(["Add threat…"]);
    expect(menuFor({ kind: "flow", id: "f1" }, at).flat().some((i) => i.label === "Add threat…")).toBe(false);
    remove();
    expect(menuFor({ kind: "element", id: "e1" }, at).flat().some((i) => i.label === "Add threat…")).toBe(false);
  });
});
