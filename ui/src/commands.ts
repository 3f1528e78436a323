// What a person can ask of the window by name: the keyboard shortcuts map keys to these
// commands, and the editing ones are pure functions of the model, the selection and the
// clipboard. The menu bar (menuBar.ts) and the context menus issue the same commands.

import type { ServiceEntry } from "./bindings/ServiceEntry";
import type { ServiceModel } from "./bindings/ServiceModel";
import * as edit from "./edits";
import type { PaletteItem } from "./Palette";

export type Command =
  // Anywhere, even while typing in a field.
  | "save"
  | "open"
  // Anywhere but in a field or a list with its own keys.
  | "help"
  | "escape"
  // In the editor.
  | "undo"
  | "redo"
  | "copy"
  | "cut"
  | "paste"
  | "duplicate"
  | "selectAll"
  | "delete"
  | "addExternalEntity"
  | "addProcess"
  | "addDataStore"
  | "addBoundary"
  | "layout"
  | "fit"
  /** A threat written by hand, about the selected object (or the service). */
  | "addThreat"
  // The diagram shown (the editor's or the application view's), as a picture.
  | "exportSvg"
  | "exportPng"
  | "print"
  // On a service (the command's target).
  | "openService"
  | "renameService"
  | "duplicateService"
  | "exportService"
  | "deleteService"
  /** Compares the service (the target, else the open one) with a Terraform folder. */
  | "checkDrift"
  // On an application (the command's target).
  | "applicationView"
  | "review"
  | "newService"
  | "importModels"
  | "importTerraform"
  | "exportReport"
  // The workspace.
  | "newApplication"
  | "newWorkspace"
  | "sampleWorkspace"
  /** Opens the target's `path`. */
  | "openRecent"
  // The window (from the menu bar).
  | "closeService"
  | "about";

/** What a command from a menu is about, when it is about one service or application. */
export interface CommandTarget {
  service?: ServiceEntry;
  application?: string;
  /** A workspace file ("openRecent"). */
  path?: string;
}

/** What the palette adds for each "add" command (the E, P, D and B keys). */
export const ADD_ITEMS = {
  addExternalEntity: { type: "element", kind: "external_entity", stencil: "generic.external_entity", title: "External entity" },
  addProcess: { type: "element", kind: "process", stencil: "generic.process", title: "Process" },
  addDataStore: { type: "element", kind: "data_store", stencil: "generic.data_store", title: "Data store" },
  addBoundary: { type: "boundary", kind: "generic", title: "Trust boundary" },
} as const satisfies Record<string, PaletteItem>;

export type AddCommand = keyof typeof ADD_ITEMS;
export const isAddCommand = (c: Command): c is AddCommand => c in ADD_ITEMS;

/** The parts of a key press that choose a command. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export interface KeyContext {
  /** The key goes to a field or a list with keys of its own (see `isTyping`). */
  typing: boolean;
  /** A service's diagram is in the editor. */
  editing: boolean;
  /** Something is selected on the diagram. */
  hasSelection: boolean;
}

/** The command for a key press, and whether to keep the key from the webview (Ctrl+S would
 *  save the page, Ctrl+O open a file, Ctrl+A select the page's text). */
export function shortcut(e: KeyPress, at: KeyContext): { command: Command; preventDefault: boolean } | null {
  const mod = e.ctrlKey || e.metaKey;
  const k = e.key.toLowerCase();
  const to = (command: Command, preventDefault = false) => ({ command, preventDefault });
  if (mod && k === "s") return to("save", true);
  if (mod && k === "o") return to("open", true);
  // The webview's own Ctrl+P would print the window as it is, panels and all.
  if (mod && !e.altKey && k === "p") return to("print", true);
  if (at.typing) return null;
  if (e.key === "?") return to("help");
  if (e.key === "Escape") return to("escape");
  if (!at.editing) return null;
  if (mod && k === "z" && !e.shiftKey) return to("undo", true);
  if ((mod && k === "z" && e.shiftKey) || (mod && k === "y")) return to("redo", true);
  if (mod && k === "c") return to("copy");
  if (mod && k === "x") return to("cut");
  if (mod && k === "v") return to("paste");
  if (mod && k === "d") return to("duplicate", true);
  if (mod && k === "a") return to("selectAll", true);
  if (e.key === "Delete" || e.key === "Backspace") return at.hasSelection ? to("delete", true) : null;
  if (mod || e.altKey) return null;
  const plain: Record<string, Command> = { e: "addExternalEntity", p: "addProcess", d: "addDataStore", b: "addBoundary", l: "layout", f: "fit" };
  return k in plain ? to(plain[k]) : null;
}

/** Whether a key press belongs to a field or a list with its own keys (the threats list uses the
 *  arrows and letters), not to the diagram's shortcuts. */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  if (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable) return true;
  return typeof el.closest === "function" && !!el.closest("[data-testid=threats-panel], [data-testid=app-view], [data-testid=dialog]");
}

/** What an editing command does to the diagram. */
export interface EditOutcome {
  /** The next model (one undo step); absent when the model does not change. */
  model?: ServiceModel;
  /** The new selection; absent when it stays. */
  select?: string[];
  /** The new clipboard; absent when it stays. */
  clipboard?: edit.Clipboard;
  /** A message for the status bar. */
  message?: string;
}

export type EditCommand = "copy" | "cut" | "paste" | "duplicate" | "selectAll" | "delete";
export const isEditCommand = (c: Command): c is EditCommand =>
  c === "copy" || c === "cut" || c === "paste" || c === "duplicate" || c === "selectAll" || c === "delete";

/** Copy, cut, paste, duplicate, select all and delete, on the model and the selection. */
export function applyEdit(
  command: EditCommand,
  model: ServiceModel,
  selected: ReadonlySet<string>,
  clipboard: edit.Clipboard | null,
): EditOutcome {
  switch (command) {
    case "copy":
      return { clipboard: edit.copy(model, selected), message: `Copied ${selected.size} object(s)` };
    case "cut":
      return { clipboard: edit.copy(model, selected), model: edit.deleteObjects(model, selected), select: [] };
    case "paste": {
      if (!clipboard) return {};
      const r = edit.paste(model, clipboard);
      return { model: r.model, select: r.ids };
    }
    case "duplicate": {
      const r = edit.paste(model, edit.copy(model, selected));
      return { model: r.model, select: r.ids };
    }
    case "selectAll":
      return { select: [...model.elements, ...model.flows, ...model.boundaries].map((o) => o.id) };
    case "delete":
      return selected.size ? { model: edit.deleteObjects(model, selected), select: [] } : {};
  }
}
