import { describe, expect, it } from "vitest";
import { shortcut, type Command } from "./commands";
import { menuBar, menuForMnemonic, type MenuBarContext } from "./menuBar";

const everything: MenuBarContext = {
  editing: true,
  diagram: true,
  application: "shop",
  hasSelection: true,
  canUndo: true,
  canRedo: true,
  canPaste: true,
  recent: ["/home/me/a.stridewise", "/home/me/models/b.stridewise"],
};

/** The key press a shortcut label such as "Ctrl+Shift+Z" or "Del" stands for. */
function press(keys: string) {
  const parts = keys.split("+");
  const key = parts[parts.length - 1];
  return {
    key: key === "Del" ? "Delete" : key.length === 1 && !parts.includes("Shift") ? key.toLowerCase() : key,
    ctrlKey: parts.includes("Ctrl"),
    shiftKey: parts.includes("Shift"),
    metaKey: false,
    altKey: false,
  };
}

const items = (at: MenuBarContext) => menuBar(at).flatMap((m) => m.groups.flat().map((i) => ({ menu: m.title, ...i })));

describe("the menu bar", () => {
  it("has File, Edit, View and Help, each opened by Alt and its first letter", () => {
    const menus = menuBar(everything);
    expect(menus.map((m) => m.title)).toEqual(["File", "Edit", "View", "Help"]);
    const alt = (key: string) => ({ key, altKey: true, ctrlKey: false, metaKey: false });
    expect(menus.map((m) => menuForMnemonic(menus, alt(m.title[0])))).toEqual([0, 1, 2, 3]);
    expect(menuForMnemonic(menus, { ...alt("f"), altKey: false })).toBeNull();
    expect(menuForMnemonic(menus, alt("x"))).toBeNull();
  });

  it("shows for each command the shortcut that runs it", () => {
    const withKeys = items(everything).filter((i) => i.keys);
    expect(withKeys.length).toBeGreaterThanOrEqual(16);
    for (const item of withKeys) {
      const s = shortcut(press(item.keys!), { typing: false, editing: true, hasSelection: true });
      expect(s?.command, `${item.menu} › ${item.label} (${item.keys})`).toBe(item.command);
    }
  });

  it("offers what a Threat Dragon or TMT user looks for, in the usual menus", () => {
    const where = (c: Command) => items(everything).filter((i) => i.command === c).map((i) => i.menu);
    expect(where("open")).toEqual(["File"]);
    expect(where("newWorkspace")).toEqual(["File"]);
    expect(where("exportSvg")).toEqual(["File"]);
    expect(where("exportPng")).toEqual(["File"]);
    expect(where("exportReport")).toEqual(["File"]);
    expect(where("print")).toEqual(["File"]);
    expect(where("closeService")).toEqual(["File"]);
    expect(where("undo")).toEqual(["Edit"]);
    expect(where("selectAll")).toEqual(["Edit"]);
    expect(where("delete")).toEqual(["Edit"]);
    expect(where("fit")).toEqual(["View"]);
    expect(where("applicationView")).toEqual(["View"]);
    expect(where("review")).toEqual(["View"]);
    expect(where("help")).toEqual(["Help"]);
    expect(where("about")).toEqual(["Help"]);
  });

  it("lists the recent workspaces by file name, each opening its path", () => {
    const recent = items(everything).filter((i) => i.command === "openRecent");
    expect(recent.map((i) => [i.label, i.path])).toEqual([
      ["1  a.stridewise", "/home/me/a.stridewise"],
      ["2  b.stridewise", "/home/me/models/b.stridewise"],
    ]);
    expect(items({ ...everything, recent: [] }).some((i) => i.command === "openRecent")).toBe(false);
    expect(menuBar({ ...everything, recent: [] })[0].groups.every((g) => g.length > 0)).toBe(true);
  });

  it("disables what needs an open diagram, a selection or an application", () => {
    const nothing: MenuBarContext = { editing: false, diagram: false, application: null, hasSelection: false, canUndo: false, canRedo: false, canPaste: false, recent: [] };
    const enabled = items(nothing).filter((i) => !i.disabled).map((i) => i.command);
    expect(enabled.sort()).toEqual(["about", "help", "newApplication", "newWorkspace", "open", "sampleWorkspace"]);
    const noSelection = items({ ...everything, hasSelection: false });
    for (const c of ["cut", "copy", "duplicate", "delete"]) expect(noSelection.find((i) => i.command === c)?.disabled, c).toBe(true);
    const appView = items({ ...everything, editing: false });
    expect(appView.find((i) => i.command === "fit")?.disabled).toBe(false);
    expect(appView.find((i) => i.command === "exportSvg")?.disabled).toBe(false);
    expect(appView.find((i) => i.command === "undo")?.disabled).toBe(true);
  });

  it("prints the diagram shown with Ctrl+P, from the editor and the application view, even while typing", () => {
    const print = items(everything).find((i) => i.command === "print")!;
    expect([print.menu, print.label, print.keys]).toEqual(["File", "Print diagram…", "Ctrl+P"]);
    expect(items({ ...everything, editing: false }).find((i) => i.command === "print")?.disabled).toBe(false);
    expect(items({ ...everything, editing: false, diagram: false }).find((i) => i.command === "print")?.disabled).toBe(true);
    // The webview's own print (of the window with its panels) never runs instead.
    expect(shortcut(press("Ctrl+P"), { typing: true, editing: false, hasSelection: false })).toEqual({ command: "print", preventDefault: true });
  });
});
