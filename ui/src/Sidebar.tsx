// The sidebar: the workspace (its file, Open…/New…/Sample, recent workspaces), its
// applications with their services, and the palette below when a service is being edited.
// It only shows and asks; the session and serviceActions.tsx do the work (dialogs, backend calls).

import { useState, type MouseEvent as ReactMouseEvent, type ReactNode } from "react";
import type { ApplicationEntry } from "./bindings/ApplicationEntry";
import type { ServiceEntry } from "./bindings/ServiceEntry";
import type { WorkspaceInfo } from "./bindings/WorkspaceInfo";
import { readableTimeAgo } from "./time";

export interface SidebarProps {
  workspace: WorkspaceInfo | null;
  /** What the main area shows. */
  active: { kind: "service"; id: string } | { kind: "application"; name: string } | null;
  /** Services open in the editor, with whether they have unsaved changes. */
  open: ReadonlyMap<string, { dirty: boolean }>;
  onOpenWorkspace: () => void;
  onNewWorkspace: () => void;
  onOpenServer: () => void;
  onSampleWorkspace: () => void;
  onRecent: (path: string) => void;
  onService: (s: ServiceEntry) => void;
  onRename: (s: ServiceEntry) => void;
  onDuplicate: (s: ServiceEntry) => void;
  onDelete: (s: ServiceEntry) => void;
  onExport: (s: ServiceEntry) => void;
  onNewService: (application: string) => void;
  onImport: (application: string) => void;
  onApplicationView: (application: string) => void;
  /** Sprint review mode for the application. */
  onReview: (application: string) => void;
  onExportReport: (application: string) => void;
  onNewApplication: () => void;
  /** Right-click on a service row: the app's context menu for it. */
  onServiceMenu?: (s: ServiceEntry, e: ReactMouseEvent) => void;
  /** Right-click on an application's head. */
  onApplicationMenu?: (application: string, e: ReactMouseEvent) => void;
  /** The palette, shown under the tree. */
  children?: ReactNode;
}

const fileName = (path: string) => path.split(/[\\/]/).pop() ?? path;

/** Line icons drawn here: the system fonts of the Linux webview lack most symbol glyphs. */
const ICONS = {
  view: "M1.5 8s2.5-4.5 6.5-4.5S14.5 8 14.5 8 12 12.5 8 12.5 1.5 8 1.5 8z M8 6a2 2 0 1 0 0 4 2 2 0 0 0 0-4z",
  review: "M2 4.2l1.4 1.4L6 3 M2 9.7l1.4 1.4L6 8.5 M8.5 4.5h5.5 M8.5 10h5.5 M2.5 13.8h11.5",
  plus: "M8 3v10 M3 8h10",
  import: "M8 2v8 M4.5 6.5 8 10l3.5-3.5 M2.5 11v2.5h11V11",
  report: "M4 1.5h5.5L12.5 4.5V14.5H4z M9.5 1.5v3h3 M6 8h4.5 M6 10.5h4.5",
  rename: "M10.5 2.5l3 3L6 13H3v-3z",
  duplicate: "M5.5 5.5h8v8h-8z M10.5 5.5v-3h-8v8h3",
  export: "M8 10V2 M4.5 5.5 8 2l3.5 3.5 M2.5 11v2.5h11V11",
  delete: "M2.5 4h11 M6 4V2.5h4V4 M4 4l.8 9.5h6.4L12 4 M6.8 6.5v5 M9.2 6.5v5",
} as const;

function Icon({ name }: { name: keyof typeof ICONS }) {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={ICONS[name]} />
    </svg>
  );
}

export function Sidebar(p: SidebarProps) {
  const [recentOpen, setRecentOpen] = useState(false);
  const ws = p.workspace;
  const others = (ws?.recent ?? []).filter((r) => r !== ws?.path);
  return (
    <aside className="sw-sidebar" data-testid="sidebar">
      <div className="sw-ws">
        <div className="sw-ws__name" data-testid="workspace-name" title={ws?.path ?? ""}>
          {ws ? ws.name : "No workspace"}
          {ws?.sample && <span className="sw-ws__tag">sample</span>}
        </div>
        <div className="sw-ws__actions">
          <button className="sw-link" onClick={p.onOpenWorkspace} title="Open a workspace file (Ctrl+O)">Open…</button>
          <button className="sw-link" onClick={p.onNewWorkspace} title="Create a new workspace file">New…</button>
          <button className="sw-link" onClick={p.onOpenServer} title="Open a workspace on a PostgreSQL server (a postgres:// URL)">Server…</button>
          <button className="sw-link" onClick={p.onSampleWorkspace} title="The bundled sample workspace">Sample</button>
          {others.length > 0 && (
            <button className="sw-link" onClick={() => setRecentOpen((o) => !o)} aria-expanded={recentOpen}>Recent {recentOpen ? "▴" : "▾"}</button>
          )}
        </div>
        {recentOpen && (
          <ul className="sw-list sw-ws__recent" data-testid="recent">
            {others.map((r) => (
              <li key={r}>
                <button className="sw-list__item sw-list__button" title={r} onClick={() => { setRecentOpen(false); p.onRecent(r); }}>
                  <span className="sw-list__name">{fileName(r)}</span>
                  <span className="sw-list__meta">{r}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <h3>Applications</h3>
      <div className="sw-tree" data-testid="applications">
        {ws && ws.applications.length === 0 && <p className="sw-muted">No applications yet.</p>}
        {ws?.applications.map((a) => <Application key={a.name} app={a} {...p} />)}
        <button className="sw-link sw-tree__new-app" data-testid="new-application" onClick={p.onNewApplication}>+ New application</button>
      </div>
      {p.children}
    </aside>
  );
}

function Application({ app, active, open, ...p }: { app: ApplicationEntry } & SidebarProps) {
  const viewing = active?.kind === "application" && active.name === app.name;
  return (
    <section className="sw-app-node" data-testid="application" data-name={app.name}>
      <div className={viewing ? "sw-app-node__head sw-app-node__head--active" : "sw-app-node__head"} onContextMenu={(e) => p.onApplicationMenu?.(app.name, e)}>
        <span className="sw-app-node__name" title={app.name}>{app.name}</span>
        <span className="sw-app-node__actions">
          <button className="sw-icon" data-testid="app-view-button" title={`Application view of ${app.name}: consolidated threats and attack paths`} onClick={() => p.onApplicationView(app.name)}><Icon name="view" /></button>
          <button className="sw-icon" data-testid="review-button" title={`Sprint review of ${app.name}: walk the agenda and decide`} onClick={() => p.onReview(app.name)}><Icon name="review" /></button>
          <button className="sw-icon" data-testid="new-service" title={`New service in ${app.name}`} onClick={() => p.onNewService(app.name)}><Icon name="plus" /></button>
          <button className="sw-icon" data-testid="import" title={`Import models into ${app.name}…`} onClick={() => p.onImport(app.name)}><Icon name="import" /></button>
          <button className="sw-icon" data-testid="export-report" title={`Export the HTML report of ${app.name}…`} onClick={() => p.onExportReport(app.name)}><Icon name="report" /></button>
        </span>
      </div>
      <ul className="sw-list sw-app-node__services">
        {app.services.length === 0 && <li className="sw-muted">No services.</li>}
        {app.services.map((s) => {
          const isActive = active?.kind === "service" && active.id === s.id;
          const doc = open.get(s.id);
          return (
            // The row opens the service on a click anywhere; its name is a button, so Tab reaches
            // it and Enter or Space opens it (no interactive element inside another).
            <li key={s.id} data-testid="service" data-name={s.name} data-id={s.id}
              className={isActive ? "sw-service sw-service--active" : "sw-service"}
              onClick={() => p.onService(s)} onContextMenu={(e) => p.onServiceMenu?.(s, e)}
              title={s.head ? `revision #${s.head.seq} by ${s.head.author || "someone"}, ${readableTimeAgo(s.head.created_at)}` : "no revision"}>
              <button className="sw-service__name" data-testid="open-service" aria-current={isActive ? "true" : undefined}
                onClick={(e) => { e.stopPropagation(); p.onService(s); }}>
                {s.name}
                {doc?.dirty && <span className="sw-dirty-dot" title="Unsaved changes" aria-label="unsaved changes">●</span>}
              </button>
              <span className="sw-service__meta">{s.head ? `#${s.head.seq}` : ""}</span>
              <span className="sw-service__actions" onClick={(e) => e.stopPropagation()}>
                <button className="sw-icon" data-testid="rename-service" title={`Rename ${s.name}`} onClick={() => p.onRename(s)}><Icon name="rename" /></button>
                <button className="sw-icon" data-testid="duplicate-service" title={`Duplicate ${s.name}`} onClick={() => p.onDuplicate(s)}><Icon name="duplicate" /></button>
                <button className="sw-icon" data-testid="export-service" title={`Export ${s.name} as a .stride.json file…`} onClick={() => p.onExport(s)}><Icon name="export" /></button>
                <button className="sw-icon sw-icon--danger" data-testid="delete-service" title={`Delete ${s.name}`} onClick={() => p.onDelete(s)}><Icon name="delete" /></button>
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
