// The window: the toolbar, the sidebar (the workspace's applications and services, the palette),
// the main area (what the View says: the diagram editor, an application's view or its sprint
// review), the inspector and threats beside the editor, and the status bar. It only puts the
// pieces together:
// - useSession: the workspace, the open services (undo, autosave, saves made outside the app)
//   and the View (session.ts; serviceActions.tsx for the sidebar's actions);
// - useAnalysis: validation and threats of the model in the editor;
// - useDiagramEditor: React Flow, selection and edits;
// - useApplicationView: the application view's data;
// - useShortcuts: keys to commands (commands.ts); usePictureExport: the diagram as a file or on paper.
// Every backend call that fails says so in the status bar.

import { useCallback, useMemo, useRef, useState, type CSSProperties, type MouseEvent as ReactMouseEvent } from "react";
import { errorMessage, type Backend } from "./api";
import { AppView, type AppDiagramHandle } from "./AppView";
import { useDialog } from "./Dialog";
import { EditorCanvas } from "./EditorCanvas";
import { HelpOverlay } from "./HelpOverlay";
import { HistoryPanel } from "./HistoryPanel";
import { restoredModel } from "./revisions";
import { Palette } from "./Palette";
import { ReviewView } from "./ReviewView";
import { SidePanel, type SideTab } from "./SidePanel";
import { Sidebar } from "./Sidebar";
import { Splitter } from "./Splitter";
import { StatusBar, type Status } from "./StatusBar";
import { Toolbar } from "./Toolbar";
import { useThreatEditing } from "./ThreatForm";
import { useTerraform } from "./TerraformActions";
import type { Command, CommandTarget } from "./commands";
import { ContextMenu, type OpenMenu } from "./ContextMenu";
import { menuFor, type MenuTarget } from "./contextMenu";
import { MenuBar } from "./MenuBar";
import { NoService } from "./NoService";
import { menuBar } from "./menuBar";
import { version } from "../package.json";
import { editorPicture } from "./diagram";
import * as hist from "./history";
import { useAnalysis } from "./useAnalysis";
import { useApplicationView } from "./useApplicationView";
import { useDiagramEditor } from "./useDiagramEditor";
import { usePanelSizes } from "./usePanelSizes";
import { usePictureExport } from "./usePictureExport";
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
  const terraform = useTerraform({
    backend,
    ask,
    say,
    refresh: () => session.poll(),
    show: (service, id) => void session.openService(service.id).then(() => editor.select([id])),
  });
  const threatEditing = useThreatEditing({ backend, model, selected: editor.selected, threats: found.analysis?.analysis.threats ?? [], commit: editor.commit, say });

  const [menu, setMenu] = useState<OpenMenu | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);
  /** The application view's picture and fit, set by AppView while it shows. */
  const appDiagram = useRef<AppDiagramHandle | null>(null);

  const shownPicture = () => (view.kind === "application" ? appDiagram.current?.picture() : doc && model ? editorPicture(`${doc.application} – ${doc.name}`, model, stencils) : null);
  const picture = usePictureExport(shownPicture, say);

  /** Every named command (commands.ts), from a shortcut, the toolbar, the sidebar or a menu. */
  const run = (command: Command, target: CommandTarget = {}) => {
    const service = target.service;
    const application = target.application;
    switch (command) {
      case "save":
        return void session.saveNow();
      case "open":
        return void session.openWorkspace();
      case "help":
        return setHelp((h) => !h);
      case "escape":
        setHelp(false);
        setMenu(null);
        return editor.clear();
      case "exportSvg":
      case "exportPng":
        return void picture.exportAs(command === "exportSvg" ? "svg" : "png");
      case "print":
        return picture.print();
      case "fit":
        return view.kind === "application" ? appDiagram.current?.fit() : editor.perform(command);
      case "addThreat":
        return editing && threatEditing.add();
      case "importTerraform":
        return application && void terraform.importInto(application);
      case "checkDrift": {
        const s = service ?? info?.applications.flatMap((a) => a.services).find((x) => x.id === activeId);
        return s && void terraform.checkDrift(s);
      }
      case "openService":
        return service && void session.openService(service.id);
      case "renameService":
        return service && void actions.rename(service);
      case "duplicateService":
        return service && void actions.duplicate(service);
      case "exportService":
        return service && void actions.exportModel(service);
      case "deleteService":
        return service && void actions.remove(service);
      case "applicationView":
        return application && void appView.show(application);
      case "review":
        return application && session.show({ kind: "review", application });
      case "newService":
        return application && void actions.newService(application);
      case "importModels":
        return application && void actions.importInto(application);
      case "exportReport":
        return application && void actions.exportReport(application);
      case "newApplication":
        return void actions.newApplication();
      case "newWorkspace":
        return void session.newWorkspace();
      case "sampleWorkspace":
        return void session.openSample();
      case "openRecent":
        return target.path && void session.openRecent(target.path);
      case "closeService":
        return doc && void session.flush(true).then(() => session.closeDoc(doc.serviceId));
      case "about":
        return void ask({
          title: "About Stridewise",
          message: <p>Stridewise {version}: STRIDE threat modeling of services and applications, with live threats, triage and sprint reviews, in a workspace the command line reads too.</p>,
          notice: true,
        });
      default:
        return editor.perform(command);
    }
  };
  useShortcuts({ editing, hasSelection: editor.selected.size > 0 }, run);

  /** Opens the app's context menu for `target` at the pointer; WebKit's never shows. */
  const openMenu = (e: ReactMouseEvent | MouseEvent, target: MenuTarget, label: string, commandTarget: CommandTarget = {}) => {
    e.preventDefault();
    e.stopPropagation();
    const groups = menuFor(target, { canPaste: editor.canPaste(), canUndo: !!doc && hist.canUndo(doc.history), canRedo: !!doc && hist.canRedo(doc.history) });
    if (groups.length) setMenu({ x: e.clientX, y: e.clientY, groups, label, run: (c) => run(c, commandTarget) });
  };
  const onDiagramMenu = (e: ReactMouseEvent | MouseEvent, target: MenuTarget) => {
    if (target.kind === "element" || target.kind === "flow" || target.kind === "boundary") {
      if (!editor.selected.has(target.id)) editor.select([target.id]);
    }
    openMenu(e, target, target.kind === "canvas" ? "Diagram" : target.kind);
  };

  const application = view.kind === "application" || view.kind === "review" ? view.application : doc?.application ?? null;
  const menus = menuBar({
    editing,
    diagram: editing || view.kind === "application",
    application,
    hasSelection: editor.selected.size > 0,
    canUndo: editing && hist.canUndo(doc.history),
    canRedo: editing && hist.canRedo(doc.history),
    canPaste: editor.canPaste(),
    recent: (info?.recent ?? []).filter((r) => r !== info?.path),
  });
  // The menu bar's commands on an application are about the window's application.
  const runFromMenu = (command: Command, target: CommandTarget) => run(command, { application: application ?? undefined, ...target });

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
        onExport={(format) => run(format === "svg" ? "exportSvg" : "exportPng")}
        onSave={() => run("save")}
        onUndo={() => run("undo")}
        onRedo={() => run("redo")}
        onLayout={() => run("layout")}
        onFit={() => run("fit")}
        onHelp={() => setHelp(true)}
        menuBar={<MenuBar menus={menus} run={runFromMenu} />}
      />
      <Sidebar
        workspace={info}
        active={sidebarActive(view, activeId)}
        open={openMap}
        onOpenWorkspace={() => void session.openWorkspace()}
        onNewWorkspace={() => void session.newWorkspace()}
        onOpenServer={() => void session.openServer()}
        onSampleWorkspace={() => void session.openSample()}
        onRecent={(path) => void session.openRecent(path)}
        onService={(s) => run("openService", { service: s })}
        onRename={(s) => run("renameService", { service: s })}
        onDuplicate={(s) => run("duplicateService", { service: s })}
        onDelete={(s) => run("deleteService", { service: s })}
        onExport={(s) => run("exportService", { service: s })}
        onNewService={(a) => run("newService", { application: a })}
        onImport={(a) => run("importModels", { application: a })}
        onApplicationView={(a) => run("applicationView", { application: a })}
        onReview={(a) => run("review", { application: a })}
        onExportReport={(a) => run("exportReport", { application: a })}
        onNewApplication={() => run("newApplication")}
        onServiceMenu={(s, e) => openMenu(e, { kind: "service", service: s }, `service ${s.name}`, { service: s })}
        onApplicationMenu={(a, e) => openMenu(e, { kind: "application", name: a }, `application ${a}`, { application: a })}
      >
        {editing && <Palette stencils={stencils} onAdd={(item) => editor.addItem(item)} />}
      </Sidebar>
      <Splitter label="Sidebar width" testId="sidebar-splitter" className="sw-splitter--sidebar" side="left" width={sizes.sidebar} onResize={(w, done) => resize("sidebar", w, done)} />
      <main className="sw-canvas" onDragOver={editor.onDragOver} onDrop={editor.onDrop}>
        {view.kind === "review" ? (
          <ReviewView backend={backend} application={view.application} ask={ask} say={say} flush={() => session.flush(true)} />
        ) : view.kind === "application" ? (
          <AppView handle={appDiagram} onMenu={(e) => openMenu(e, { kind: "appCanvas", application: view.application }, "Application diagram")} sideWidth={sizes.appSide} onResizeSide={(w, done) => resize("appSide", w, done)} view={appView.view} loading={appView.loading} error={appView.error} onDecide={(key, change) => appView.decide(view.application, key, change)} />
        ) : doc ? (
          <EditorCanvas
            onMenu={onDiagramMenu}
            doc={doc}
            busy={state.busy}
            editor={editor}
            onReload={() => void session.reloadTheirs()}
            onMerge={() => void session.mergeMine()}
            onDismissConflicts={() => session.dismissConflicts()}
            onTakeSide={(index, side) => {
              backend.resolveConflict(doc.history.present, index, side).then(
                (next) => editor.commit(next),
                (e) => say(`could not resolve the conflict: ${errorMessage(e)}`, true),
              );
            }}
          />
        ) : (
          <NoService opening={!info} />
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
          manual={threatEditing}
          history={doc && (
            <HistoryPanel
              backend={backend}
              service={doc.serviceId}
              head={doc.base}
              stencils={stencils}
              onRestore={(old, revision) => {
                editor.commit(restoredModel(old, doc.history.present));
                void session.flush(true).then(() => say(`Restored revision #${revision.seq} as the service's next revision (Undo takes it back).`));
              }}
            />
          )}
        />
      )}
      <StatusBar model={model} diagnostics={found.diagnostics} doc={doc} status={status} backend={backend.kind} />
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
      {menu && <ContextMenu menu={menu} onClose={closeMenu} />}
      {threatEditing.form}
      {terraform.panel}
      {dialog}
    </div>
  );
}
