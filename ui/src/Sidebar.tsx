// The sidebar: the workspace (its file, Open…/New…/Sample, recent workspaces), its
// applications with their services, and the palette below when a service is being edited.
// It only shows and asks; App.tsx does the work (dialogs, backend calls).

import { useState, type ReactNode } from "react";
import type { ApplicationEntry } from "./bindings/ApplicationEntry";
import type { ServiceEntry } from "./bindings/ServiceEntry";
import type { WorkspaceInfo } from "./bindings/WorkspaceInfo";

export interface SidebarProps {
  workspace: WorkspaceInfo | null;
  /** What the main area shows. */
  active: { kind: "service"; id: string } | { kind: "application"; name: string } | null;
  /** Services open in the editor, with whether they have unsaved changes. */
  open: ReadonlyMap<string, { dirty: boolean }>;
  onOpenWorkspace: () => void;
  onNewWorkspace: () => void;
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
  onExportReport: (application: string) => void;
  onNewApplication: () => void;
  /** The palette, shown under the tree. */
  children?: ReactNode;
}

const fileName = (path: string) => path.split(/[\\/]/).pop() ?? path;

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
          <button className="sw-link" onClick={p.onSampleWorkspace} title="The bundled sample workspace">Sample</button>
          {others.length > 0 && (
            <button className="sw-link" onClick={() => setRecentOpen((o) => !o)} aria-expanded={recentOpen}>Recent {recentOpen ? "▴" : "▾"}</button>
          )}
        </div>
        {recentOpen && (
          <ul className="sw-list sw-ws__recent" data-testid="recent">
            {others.map((r) => (
              <li key={r} className="sw-list__item" title={r} onClick={() => { setRecentOpen(false); p.onRecent(r); }}>
                <span className="sw-list__name">{fileName(r)}</span>
                <span className="sw-list__meta">{r}</span>
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
      <div className={viewing ? "sw-app-node__head sw-app-node__head--active" : "sw-app-node__head"}>
        <span className="sw-app-node__name" title={app.name}>{app.name}</span>
        <span className="sw-app-node__actions">
          <button className="sw-icon" data-testid="app-view-button" title={`Application view of ${app.name}: consolidated threats and attack paths`} onClick={() => p.onApplicationView(app.name)}>View</button>
          <button className="sw-icon" data-testid="new-service" title={`New service in ${app.name}`} onClick={() => p.onNewService(app.name)}>+</button>
          <button className="sw-icon" data-testid="import" title={`Import models into ${app.name}`} onClick={() => p.onImport(app.name)}>Import…</button>
          <button className="sw-icon" data-testid="export-report" title={`Export the HTML report of ${app.name}`} onClick={() => p.onExportReport(app.name)}>Report…</button>
        </span>
      </div>
      <ul className="sw-list sw-app-node__services">
        {app.services.length === 0 && <li className="sw-muted">No services.</li>}
        {app.services.map((s) => {
          const isActive = active?.kind === "service" && active.id === s.id;
          const doc = open.get(s.id);
          return (
            <li key={s.id} data-testid="service" data-name={s.name} data-id={s.id}
              className={isActive ? "sw-service sw-service--active" : "sw-service"}
              onClick={() => p.onService(s)} title={s.head ? `revision #${s.head.seq} by ${s.head.author}, ${s.head.created_at}` : "no revision"}>
              <span className="sw-service__name">
                {s.name}
                {doc?.dirty && <span className="sw-dirty-dot" title="Unsaved changes" aria-label="unsaved changes">●</span>}
              </span>
              <span className="sw-service__meta">{s.head ? `#${s.head.seq}` : ""}</span>
              <span className="sw-service__actions" onClick={(e) => e.stopPropagation()}>
                <button className="sw-icon" data-testid="rename-service" title={`Rename ${s.name}`} onClick={() => p.onRename(s)}>✎</button>
                <button className="sw-icon" data-testid="duplicate-service" title={`Duplicate ${s.name}`} onClick={() => p.onDuplicate(s)}>⧉</button>
                <button className="sw-icon" data-testid="export-service" title={`Export ${s.name} as a .stride.json file`} onClick={() => p.onExport(s)}>⤓</button>
                <button className="sw-icon sw-icon--danger" data-testid="delete-service" title={`Delete ${s.name}`} onClick={() => p.onDelete(s)}>🗑</button>
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
