// The toolbar: the brand, the menu bar, what the main area shows, and the window's main actions.

import type { ReactNode } from "react";
import type { ServiceDoc } from "./workspace";
import * as hist from "./history";
import { viewTitle, type View } from "./view";

export function Toolbar({ view, doc, editing, onOpen, onExport, onSave, onUndo, onRedo, onLayout, onFit, onHelp, menuBar }: {
  view: View;
  /** The doc in the editor (kept while another view shows). */
  doc: ServiceDoc | null;
  /** The editor shows `doc`. */
  editing: boolean;
  onOpen: () => void;
  onExport: (format: "svg" | "png") => void;
  onSave: () => void;
  onUndo: () => void;
  onRedo: () => void;
  onLayout: () => void;
  onFit: () => void;
  onHelp: () => void;
  /** The menu bar, after the brand. */
  menuBar: ReactNode;
}) {
  return (
    <header className="sw-toolbar">
      <div className="sw-brand"><img src="./icon.png" alt="" width={20} height={20} /> Stridewise</div>
      {menuBar}
      <div className="sw-toolbar__title" data-testid="model-title">{viewTitle(view, doc)}</div>
      <div className="sw-toolbar__actions">
        <button className="sw-button" onClick={onOpen} title="Open a workspace file (Ctrl+O)">Open…</button>
        <button className="sw-button" onClick={onSave} disabled={!doc} title="Save now (Ctrl+S); edits are saved automatically">Save</button>
        <span className="sw-sep" />
        <button className="sw-button" onClick={onUndo} disabled={!editing || !doc || !hist.canUndo(doc.history)} title="Undo (Ctrl+Z)">Undo</button>
        <button className="sw-button" onClick={onRedo} disabled={!editing || !doc || !hist.canRedo(doc.history)} title="Redo (Ctrl+Shift+Z)">Redo</button>
        <span className="sw-sep" />
        <button className="sw-button" onClick={onLayout} disabled={!editing} title="Automatic layout (L)">Auto layout</button>
        <button className="sw-button" onClick={onFit} disabled={!editing && view.kind !== "application"} title="Fit (F)">Fit</button>
        <span className="sw-sep" />
        <button className="sw-button" data-testid="export-svg" onClick={() => onExport("svg")} disabled={!editing && view.kind !== "application"} title="Export the diagram as an SVG picture">SVG</button>
        <button className="sw-button" data-testid="export-png" onClick={() => onExport("png")} disabled={!editing && view.kind !== "application"} title="Export the diagram as a PNG picture">PNG</button>
        <button className="sw-button sw-button--icon" onClick={onHelp} title="Keyboard shortcuts (?)">?</button>
      </div>
    </header>
  );
}
