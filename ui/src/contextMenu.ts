// The app's own context menu (WebKit's, with Reload and Inspect Element, never shows): what a
// right-click offers on an element, a flow, a boundary, the canvas, a service or an application.
// Every item names a command of commands.ts, the same ones the shortcuts and the toolbar run.
// Other features add their items with `addMenuProvider` (the hand-written threats' "Add threat",
// the Terraform import), each provider's items a group between separators.

import type { ServiceEntry } from "./bindings/ServiceEntry";
import type { Command } from "./commands";

export type MenuTarget =
  | { kind: "element"; id: string }
  | { kind: "flow"; id: string }
  | { kind: "boundary"; id: string }
  /** Several objects selected. */
  | { kind: "selection" }
  | { kind: "canvas" }
  /** The application view's diagram (read-only). */
  | { kind: "appCanvas"; application: string }
  | { kind: "service"; service: ServiceEntry }
  | { kind: "application"; name: string };

export interface MenuContext {
  /** The clipboard holds something to paste. */
  canPaste: boolean;
  canUndo: boolean;
  canRedo: boolean;
}

export interface MenuItem {
  command: Command;
  label: string;
  /** The shortcut, shown beside the label. */
  keys?: string;
  disabled?: boolean;
  /** Drawn in red (deleting). */
  danger?: boolean;
}

export type MenuProvider = (target: MenuTarget, at: MenuContext) => MenuItem[][];

const isDiagramObject = (t: MenuTarget) => t.kind === "element" || t.kind === "flow" || t.kind === "boundary" || t.kind === "selection";

const EXPORT: MenuItem[] = [
  { command: "exportSvg", label: "Export diagram as SVG…" },
  { command: "exportPng", label: "Export diagram as PNG…" },
];

/** The app's own items. */
export const builtinMenu: MenuProvider = (target, at) => {
  if (isDiagramObject(target)) {
    return [
      [
        { command: "copy", label: "Copy", keys: "Ctrl+C" },
        { command: "cut", label: "Cut", keys: "Ctrl+X" },
        { command: "duplicate", label: "Duplicate", keys: "Ctrl+D" },
      ],
      [{ command: "delete", label: "Delete", keys: "Del", danger: true }],
    ];
  }
  switch (target.kind) {
    case "canvas":
      return [
        [
          { command: "addExternalEntity", label: "Add external entity", keys: "E" },
          { command: "addProcess", label: "Add process", keys: "P" },
          { command: "addDataStore", label: "Add data store", keys: "D" },
          { command: "addBoundary", label: "Add trust boundary", keys: "B" },
        ],
        [
          { command: "paste", label: "Paste", keys: "Ctrl+V", disabled: !at.canPaste },
          { command: "selectAll", label: "Select all", keys: "Ctrl+A" },
          { command: "undo", label: "Undo", keys: "Ctrl+Z", disabled: !at.canUndo },
          { command: "redo", label: "Redo", keys: "Ctrl+Shift+Z", disabled: !at.canRedo },
        ],
        [
          { command: "layout", label: "Auto layout", keys: "L" },
          { command: "fit", label: "Fit to window", keys: "F" },
        ],
        EXPORT,
      ];
    case "appCanvas":
      return [[{ command: "fit", label: "Fit to window", keys: "F" }], EXPORT];
    case "service":
      return [
        [{ command: "openService", label: "Open" }],
        [
          { command: "renameService", label: "Rename…" },
          { command: "duplicateService", label: "Duplicate…" },
          { command: "exportService", label: "Export as .stride.json…" },
        ],
        [{ command: "deleteService", label: "Delete…", danger: true }],
      ];
    case "application":
      return [
        [
          { command: "applicationView", label: "Application view" },
          { command: "review", label: "Sprint review" },
        ],
        [
          { command: "newService", label: "New service…" },
          { command: "importModels", label: "Import models…" },
          { command: "exportReport", label: "Export HTML report…" },
        ],
      ];
    default:
      return [];
  }
};

const providers: MenuProvider[] = [builtinMenu];

/** Adds a feature's items to every context menu (after the app's own). Returns the remover. */
export function addMenuProvider(p: MenuProvider): () => void {
  providers.push(p);
  return () => {
    const i = providers.indexOf(p);
    if (i >= 0) providers.splice(i, 1);
  };
}

/** The menu for a target: the groups of every provider, empty groups dropped. */
export function menuFor(target: MenuTarget, at: MenuContext, from: readonly MenuProvider[] = providers): MenuItem[][] {
  return from.flatMap((p) => p(target, at)).filter((g) => g.length > 0);
}
