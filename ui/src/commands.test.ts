import { describe, expect, it } from "vitest";
import type { ServiceModel } from "./bindings/ServiceModel";
import tinyJson from "../../src-tauri/tests/fixtures/tiny.stride.json";
import { applyEdit, isTyping, shortcut, type KeyContext, type KeyPress } from "./commands";
import * as edit from "./edits";

const tiny = tinyJson as unknown as ServiceModel;

/** A key press written as people write shortcuts: "Ctrl+Shift+z", "Delete", "?". */
function press(spec: string): KeyPress {
  const parts = spec.split("+");
  const key = parts.length > 1 && parts[parts.length - 1] === "" ? "+" : parts[parts.length - 1];
  const mods = new Set(parts.slice(0, -1));
  return { key, ctrlKey: mods.has("Ctrl"), metaKey: mods.has("Meta"), shiftKey: mods.has("Shift"), altKey: mods.has("Alt") };
}

const editing: KeyContext = { typing: false, editing: true, hasSelection: true };
const commandOf = (spec: string, at: KeyContext = editing) => shortcut(press(spec), at)?.command ?? null;

describe("keyboard shortcuts", () => {
  it("map the keys of the help overlay to commands", () => {
    const table: [string, string][] = [
      ["Ctrl+s", "save"],
      ["Meta+s", "save"],
      ["Ctrl+o", "open"],
      ["Ctrl+p", "print"],
      ["?", "help"],
      ["Escape", "escape"],
      ["Ctrl+z", "undo"],
      ["Ctrl+Shift+Z", "redo"],
      ["Ctrl+y", "redo"],
      ["Ctrl+c", "copy"],
      ["Ctrl+x", "cut"],
      ["Ctrl+v", "paste"],
      ["Ctrl+d", "duplicate"],
      ["Ctrl+a", "selectAll"],
      ["Delete", "delete"],
      ["Backspace", "delete"],
      ["e", "addExternalEntity"],
      ["p", "addProcess"],
      ["d", "addDataStore"],
      ["B", "addBoundary"],
      ["l", "layout"],
      ["f", "fit"],
    ];
    expect(table.map(([k]) => [k, commandOf(k)])).toEqual(table);
  });

  it("keep Ctrl+S, Ctrl+O, undo and the selection keys from the webview, not copy and paste", () => {
    const prevented = (spec: string) => shortcut(press(spec), editing)?.preventDefault;
    expect(["Ctrl+s", "Ctrl+o", "Ctrl+z", "Ctrl+y", "Ctrl+d", "Ctrl+a", "Delete"].map(prevented)).toEqual([true, true, true, true, true, true, true]);
    expect(["Ctrl+c", "Ctrl+x", "Ctrl+v", "e", "?"].map(prevented)).toEqual([false, false, false, false, false]);
  });

  it("leave keys to a field being typed in, except save and open", () => {
    const typing = { ...editing, typing: true };
    expect(["Ctrl+s", "Ctrl+o"].map((k) => commandOf(k, typing))).toEqual(["save", "open"]);
    expect(["?", "Escape", "Ctrl+z", "Delete", "e", "f"].map((k) => commandOf(k, typing))).toEqual([null, null, null, null, null, null]);
  });

  it("edit nothing outside the editor, and delete only a selection", () => {
    const elsewhere = { typing: false, editing: false, hasSelection: false };
    expect(["Ctrl+s", "?", "Escape", "Ctrl+z", "Ctrl+a", "e", "f"].map((k) => commandOf(k, elsewhere))).toEqual(["save", "help", "escape", null, null, null, null]);
    expect(commandOf("Delete", { ...editing, hasSelection: false })).toBeNull();
  });

  it("ignore letters with Alt or an unknown modifier chord, and keys without a command", () => {
    expect(["Alt+e", "Ctrl+e", "Ctrl+Alt+p", "q", "ArrowUp", "Enter"].map((k) => commandOf(k))).toEqual([null, null, null, null, null, null]);
  });

  it("know a field or a list with its own keys from the diagram", () => {
    const element = (tagName: string, inside: string | null = null, isContentEditable = false) =>
      ({ tagName, isContentEditable, closest: (sel: string) => (inside && sel.includes(inside) ? {} : null) }) as unknown as EventTarget;
    expect(isTyping(element("INPUT"))).toBe(true);
    expect(isTyping(element("TEXTAREA"))).toBe(true);
    expect(isTyping(element("SELECT"))).toBe(true);
    expect(isTyping(element("DIV", null, true))).toBe(true);
    expect(isTyping(element("LI", "threats-panel"))).toBe(true);
    expect(isTyping(element("DIV", "dialog"))).toBe(true);
    expect(isTyping(element("DIV"))).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});

describe("editing commands", () => {
  const [customer, api] = tiny.elements;
  const flowIds = tiny.flows.map((f) => f.id);

  it("copy fills the clipboard and says how much; paste adds copies and selects them", () => {
    const copied = applyEdit("copy", tiny, new Set([customer.id]), null);
    expect(copied).toMatchObject({ message: "Copied 1 object(s)" });
    expect(copied.model).toBeUndefined();
    const pasted = applyEdit("paste", tiny, new Set(), copied.clipboard!);
    expect(pasted.model!.elements).toHaveLength(tiny.elements.length + 1);
    expect(pasted.select).toHaveLength(1);
    expect(pasted.select![0]).not.toBe(customer.id);
    expect(applyEdit("paste", tiny, new Set(), null)).toEqual({});
  });

  it("cut copies then deletes, with the element's flows", () => {
    const r = applyEdit("cut", tiny, new Set([api.id]), null);
    expect(r.clipboard!.elements.map((e) => e.id)).toEqual([api.id]);
    expect(r.model!.elements.map((e) => e.id)).not.toContain(api.id);
    expect(r.model!.flows).toEqual(edit.deleteObjects(tiny, [api.id]).flows);
    expect(r.select).toEqual([]);
  });

  it("duplicate pastes a copy of the selection without touching the clipboard", () => {
    const r = applyEdit("duplicate", tiny, new Set([customer.id]), null);
    expect(r.model!.elements).toHaveLength(tiny.elements.length + 1);
    expect(r.clipboard).toBeUndefined();
  });

  it("select all takes elements, flows and boundaries; delete needs a selection", () => {
    expect(applyEdit("selectAll", tiny, new Set(), null).select).toEqual([...tiny.elements.map((e) => e.id), ...flowIds, ...tiny.boundaries.map((b) => b.id)]);
    expect(applyEdit("delete", tiny, new Set(), null)).toEqual({});
    expect(applyEdit("delete", tiny, new Set([flowIds[0]]), null).model!.flows.map((f) => f.id)).toEqual(flowIds.slice(1));
  });
});
