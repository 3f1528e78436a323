// The window's menu bar (File, Edit, View, Help): every command of the app with its shortcut, in
// the places a Threat Dragon or Microsoft TMT user looks for them. It is drawn by the UI (MenuBar)
// rather than by the native menu API, so the same menus work in the browser build and the shell
// stays small. Items name commands of commands.ts; the shortcuts shown are the ones `shortcut`
// maps (a test checks each against it).

import type { MenuItem } from "./contextMenu";

export interface MenuBarContext {
  /** A service's diagram is in the editor. */
  editing: boolean;
  /** A diagram is shown (the editor's or the application view's). */
  diagram: boolean;
  /** The application the window is about (the open service's, or the view's), if any. */
  application: string | null;
  hasSelection: boolean;
  canUndo: boolean;
  canRedo: boolean;
  canPaste: boolean;
  /** Workspaces opened before, most recent first, without the open one. */
  recent: readonly string[];
}

/** One item of a menu; `path` is the workspace a "openRecent" item opens. */
export interface BarItem extends MenuItem {
  path?: string;
}

export interface Menu {
  /** The menu's title in the bar. */
  title: string;
  /** The letter that opens it with Alt (underlined in the title). */
  mnemonic: string;
  groups: BarItem[][];
}

const fileName = (path: string) => path.split(/[\\/]/).pop() || path;

export function menuBar(at: MenuBarContext): Menu[] {
  const noApp = !at.application;
  const noDiagram = !at.diagram;
  const noEdit = !at.editing;
  const menus: Menu[] = [
    {
      title: "File",
      mnemonic: "f",
      groups: [
        [
          { command: "newWorkspace", label: "New workspace…" },
          { command: "open", label: "Open workspace…", keys: "Ctrl+O" },
          { command: "sampleWorkspace", label: "Open the sample workspace" },
        ],
        at.recent.slice(0, 9).map((path, i): BarItem => ({ command: "openRecent", label: `${i + 1}  ${fileName(path)}`, path })),
        [
          { command: "newApplication", label: "New application…" },
          { command: "newService", label: "New service…", disabled: noApp },
          { command: "importModels", label: "Import models…", disabled: noApp },
          { command: "importTerraform", label: "Import from Terraform folder…", disabled: noApp },
          { command: "checkDrift", label: "Check drift against Terraform…", disabled: noEdit },
        ],
        [
          { command: "save", label: "Save", keys: "Ctrl+S", disabled: noEdit },
          { command: "exportSvg", label: "Export diagram as SVG…", disabled: noDiagram },
          { command: "exportPng", label: "Export diagram as PNG…", disabled: noDiagram },
          { command: "exportReport", label: "Export HTML report…", disabled: noApp },
        ],
        [{ command: "print", label: "Print diagram…", keys: "Ctrl+P", disabled: noDiagram }],
        [{ command: "closeService", label: "Close service", disabled: noEdit }],
      ],
    },
    {
      title: "Edit",
      mnemonic: "e",
      groups: [
        [
          { command: "undo", label: "Undo", keys: "Ctrl+Z", disabled: noEdit || !at.canUndo },
          { command: "redo", label: "Redo", keys: "Ctrl+Shift+Z", disabled: noEdit || !at.canRedo },
        ],
        [
          { command: "cut", label: "Cut", keys: "Ctrl+X", disabled: noEdit || !at.hasSelection },
          { command: "copy", label: "Copy", keys: "Ctrl+C", disabled: noEdit || !at.hasSelection },
          { command: "paste", label: "Paste", keys: "Ctrl+V", disabled: noEdit || !at.canPaste },
          { command: "duplicate", label: "Duplicate", keys: "Ctrl+D", disabled: noEdit || !at.hasSelection },
        ],
        [
          { command: "selectAll", label: "Select all", keys: "Ctrl+A", disabled: noEdit },
          { command: "delete", label: "Delete", keys: "Del", disabled: noEdit || !at.hasSelection, danger: true },
        ],
        [
          { command: "addExternalEntity", label: "Add external entity", keys: "E", disabled: noEdit },
          { command: "addProcess", label: "Add process", keys: "P", disabled: noEdit },
          { command: "addDataStore", label: "Add data store", keys: "D", disabled: noEdit },
          { command: "addBoundary", label: "Add trust boundary", keys: "B", disabled: noEdit },
        ],
        [{ command: "addThreat", label: "Add threat…", disabled: noEdit }],
      ],
    },
    {
      title: "View",
      mnemonic: "v",
      groups: [
        [
          { command: "fit", label: "Fit to window", keys: "F", disabled: noDiagram },
          { command: "layout", label: "Auto layout", keys: "L", disabled: noEdit },
        ],
        [
          { command: "applicationView", label: "Application view", disabled: noApp },
          { command: "review", label: "Sprint review", disabled: noApp },
        ],
      ],
    },
    {
      title: "Help",
      mnemonic: "h",
      groups: [
        [
          { command: "help", label: "Keyboard shortcuts", keys: "?" },
          { command: "about", label: "About Stridewise" },
        ],
      ],
    },
  ];
  return menus.map((m) => ({ ...m, groups: m.groups.filter((g) => g.length > 0) }));
}

/** The menu Alt+letter opens, if any. */
export function menuForMnemonic(menus: readonly Menu[], e: { key: string; altKey: boolean; ctrlKey: boolean; metaKey: boolean }): number | null {
  if (!e.altKey || e.ctrlKey || e.metaKey) return null;
  const i = menus.findIndex((m) => m.mnemonic === e.key.toLowerCase());
  return i >= 0 ? i : null;
}

