// The window: the toolbar, the sidebar (the workspace's applications and services, the palette),
// the main area (what the View says: the diagram editor, an application's view or its sprint
// review), the inspector and threats beside the editor, and the status bar. It only puts the
// pieces together:
// - useSession: the workspace, the open services (undo, autosave, saves made outside the app)
//   and the View (session.ts; serviceActions.tsx for the sidebar's actions);
// - useAnalysis: validation and threats of the model in the editor;
// - useDiagramEditor: React Flow, selection and edits;
// - useApplicationView: the application view's data;
// - useShortcuts: keys to commands (commands.ts).
// Every backend call that fails says so in the status bar.

import { useCallback, useMemo, useState, type CSSProperties } from "react";
import type { Backend } from "./api";
import { AppView } from "./AppView";
import { useDialog } from "./Dialog";
import { EditorCanvas } from "./EditorCanvas";
import { HelpOverlay } from "./HelpOverlay";
import { Palette } from "./Palette";
import { ReviewView } from "./ReviewView";
import { SidePanel, type SideTab } from "./SidePanel";
import { Sidebar } from "./Sidebar";
import { Splitter } from "./Splitter";
import { StatusBar, type Status } from "./StatusBar";
import { Toolbar } from "./Toolbar";
import type { Command } from "./commands";
import { useAnalysis } from "./useAnalysis";
import { useApplicationView } from "./useApplicationView";
import { useDiagramEditor } from "./useDiagramEditor";
import { usePanelSizes } from "./usePanelSizes";
import { useSession } from "./useSession";
import { useShortcuts } from "./useShortcuts";
import { isWide, sidebarActive } from "./view";
import * as ws from "./workspace";

export function App({ backend }: { backend: Backend }) {
  const [dialog, ask] = useDialog();
  const [status, setStatus] = useState<Status | null>(null);
  const say = useCallback((text: string, error = false) => setStatus({ text, error }), []);
  const [tab, setTab] = useState<SideTab>("inspector");
  const [help, setHelp] = useState(false);
  const { sizes, resize } = usePanelSizes();

  const { session, state, actions } = useSession(backend, say, ask);
  const { view, docs, activeId, info, stencils, shown } = state;
  const doc = docs.find((d) => d.serviceId === activeId) ?? null;
  const editing = !!doc && view.kind === "editor";
  const model = editing ? doc.history.present : null;

  const found = useAnalysis(backend, model, activeId, shown, say);
  const showInspector = useCallback(() => setTab("inspector"), []);
  const editor = useDiagramEditor({ session, model, shown, stencils, diagnostics: found.diagnostics, analysis: found.analysis, say, onAdded: showInspector });
  const appView = useApplicationView(backend, session, say);

  const run = (command: Command) => {
    if (command === "save") void session.saveNow();
    else if (command === "open") void session.openWorkspace();
    else if (command === "help") setHelp((h) => !h);
    else if (command === "escape") {
      setHelp(false);
      editor.clear();
    } else editor.perform(command);
  };
  useShortcuts({ editing, hasSelection: editor.selected.size > 0 }, run);

  const openMap = useMemo(() => new Map(docs.map((d) => [d.serviceId, { dirty: ws.isDirty(d) }])), [docs]);

  return (
    <div
      className={isWide(view) ? "sw-app sw-app--wide" : "sw-app"}
      style={{ "--sidebar-w": `${sizes.sidebar}px`, "--panel-w": `${sizes.panel}px`, "--app-side-w": `${sizes.appSide}px` } as CSSProperties}
    >
      <Toolbar
        view={view}
        doc={doc}
        editing={editing}
        onOpen={() => run("open")}
        onSave={() => run("save")}
        onUndo={() => run("undo")}
        onRedo={() => run("redo")}
        onLayout={() => run("layout")}
        onFit={() => run("fit")}
        onHelp={() => setHelp(true)}
      />
      <Sidebar
        workspace={info}
        active={sidebarActive(view, activeId)}
        open={openMap}
        onOpenWorkspace={() => void session.openWorkspace()}
        onNewWorkspace={() => void session.newWorkspace()}
        onSampleWorkspace={() => void session.openSample()}
        onRecent={(path) => void session.openRecent(path)}
        onService={(s) => void session.openService(s.id)}
        onRename={(s) => void actions.rename(s)}
        onDuplicate={(s) => void actions.duplicate(s)}
        onDelete={(s) => void actions.remove(s)}
        onExport={(s) => void actions.exportModel(s)}
        onNewService={(a) => void actions.newService(a)}
        onImport={(a) => void actions.importInto(a)}
        onApplicationView={(a) => void appView.show(a)}
        onReview={(a) => session.show({ kind: "review", application: a })}
        onExportReport={(a) => void actions.exportReport(a)}
        onNewApplication={() => void actions.newApplication()}
      >
        {editing && <Palette stencils={stencils} onAdd={(item) => editor.addItem(item)} />}
      </Sidebar>
      <Splitter label="Sidebar width" testId="sidebar-splitter" className="sw-splitter--sidebar" side="left" width={sizes.sidebar} onResize={(w, done) => resize("sidebar", w, done)} />
      <main className="sw-canvas" onDragOver={editor.onDragOver} onDrop={editor.onDrop}>
        {view.kind === "review" ? (
          <ReviewView backend={backend} application={view.application} ask={ask} say={say} flush={() => session.flush(true)} />
        ) : view.kind === "application" ? (
          <AppView sideWidth={sizes.appSide} onResizeSide={(w, done) => resize("appSide", w, done)} view={appView.view} loading={appView.loading} error={appView.error} onDecide={(key, change) => appView.decide(view.application, key, change)} />
        ) : doc ? (
          <EditorCanvas
            doc={doc}
            busy={state.busy}
            editor={editor}
            onReload={() => void session.reloadTheirs()}
            onMerge={() => void session.mergeMine()}
            onDismissConflicts={() => session.dismissConflicts()}
          />
        ) : (
          <div className="sw-empty sw-canvas__empty" data-testid="no-service">
            <h2>No service open</h2>
            <p>{info ? "Pick a service in the sidebar, or make one with + next to an application (or + New application)." : "Opening the workspace…"}</p>
          </div>
        )}
      </main>
      {view.kind === "editor" && (
        <Splitter label="Side panel width" testId="panel-splitter" className="sw-splitter--panel" side="right" width={sizes.panel} onResize={(w, done) => resize("panel", w, done)} />
      )}
      {view.kind === "editor" && (
        <SidePanel
          tab={tab}
          onTab={setTab}
          model={model}
          service={activeId}
          selected={editor.selected}
          onSelect={(id) => editor.select([id])}
          stencils={stencils}
          diagnostics={found.diagnostics}
          commit={editor.commit}
          analysis={found.analysis}
          analysisError={found.error}
          selectedKey={editor.selectedKey}
          onSelectThreat={editor.onSelectThreat}
          onDecide={found.decide}
        />
      )}
      <StatusBar model={model} diagnostics={found.diagnostics} doc={doc} status={status} backend={backend.kind} />
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
      {dialog}
    </div>
  );
}
