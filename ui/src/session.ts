// The workspace session: the open workspace, the services open in the editor (one ServiceDoc
// each: undo history and autosave state, see workspace.ts), which one the editor shows, and what
// fills the main area (a View). It calls the backend, keeps every doc in step with the workspace
// (autosave, saves made outside the app, reload and merge), and says what happened through
// `say`. Plain TypeScript with no React: `useSession` subscribes a component to it and runs its
// timers, and the tests drive it with the memory backend.

import type { Backend } from "./api";
import { errorMessage, isApiError } from "./api";
import type { LoadedService } from "./bindings/LoadedService";
import type { ServiceEntry } from "./bindings/ServiceEntry";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { StencilSet } from "./bindings/StencilSet";
import type { WorkspaceInfo } from "./bindings/WorkspaceInfo";
import type { Ask } from "./Dialog";
import { hasFullLayout } from "./geometry";
import * as hist from "./history";
import { EDITOR, type View } from "./view";
import * as ws from "./workspace";
import type { ServiceDoc } from "./workspace";

/** How often the workspace is re-read, to notice saves made by the CLI or another window. */
export const POLL_MS = 2000;

export type Say = (text: string, error?: boolean) => void;

export interface SessionState {
  stencils: StencilSet | null;
  info: WorkspaceInfo | null;
  /** The services open in the editor, in the order they were opened. */
  docs: readonly ServiceDoc[];
  /** The doc the editor shows; kept while another view fills the main area. */
  activeId: string | null;
  view: View;
  /** Bumped each time a service is shown in the editor and when the workspace changes: the
   *  editor's selection, its fit and the threats start over for it. */
  shown: number;
  /** The banner's reload or merge is running. */
  busy: boolean;
}

export interface SessionDeps {
  backend: Backend;
  say: Say;
  ask: Ask;
  /** Lays out a model that has no positions (elkjs in the app). */
  layout: (model: ServiceModel) => Promise<{ model: ServiceModel; error: string | null }>;
  /** Remembers the last service opened per workspace (localStorage in the app). */
  storage?: Pick<Storage, "getItem" | "setItem"> | null;
  now?: () => number;
}

const lastServiceKey = (path: string) => `stridewise.lastService:${path}`;

/** `f` applied to the doc of `id`; the very same list when `f` changes nothing. */
export function updateDocIn(docs: readonly ServiceDoc[], id: string, f: (d: ServiceDoc) => ServiceDoc): readonly ServiceDoc[] {
  let changed = false;
  const next = docs.map((d) => {
    if (d.serviceId !== id) return d;
    const n = f(d);
    if (n !== d) changed = true;
    return n;
  });
  return changed ? next : docs;
}

/** The service to open on entering a workspace: the one opened last there, else the first. */
export function startService(info: WorkspaceInfo, last: string | null): ServiceEntry | undefined {
  const all = info.applications.flatMap((a) => a.services);
  return all.find((s) => s.id === last) ?? all[0];
}

export const kB = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} kB`);

const plural = (n: number, one: string, many = `${one}s`) => (n === 1 ? one : many);

export class WorkspaceSession {
  private state: SessionState = { stencils: null, info: null, docs: [], activeId: null, view: EDITOR, shown: 0, busy: false };
  private readonly listeners = new Set<() => void>();
  private readonly saving = new Set<string>();
  private readonly reloading = new Set<string>();
  /** Services being loaded into the editor: opening one again meanwhile (a click on its row
   *  while the start-up opens it) waits for that load instead of starting a second one. */
  private readonly opening = new Map<string, Promise<void>>();
  private polling = false;
  /** Open services no longer listed, already reported. */
  private readonly gone = new Set<string>();
  private lastPollError: string | null = null;
  private readonly now: () => number;

  constructor(private readonly deps: SessionDeps) {
    this.now = deps.now ?? Date.now;
  }

  // ---- State and subscription (the shape useSyncExternalStore wants) -------------------------

  readonly subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };
  readonly snapshot = (): SessionState => this.state;

  private set(patch: Partial<SessionState>) {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  private doc(id: string | null): ServiceDoc | undefined {
    return this.state.docs.find((d) => d.serviceId === id);
  }

  /** The doc the editor shows. */
  get active(): ServiceDoc | null {
    return this.doc(this.state.activeId) ?? null;
  }

  private say(text: string, error = false) {
    this.deps.say(text, error);
  }

  /** Applies `f` to one doc. */
  updateDoc(id: string, f: (d: ServiceDoc) => ServiceDoc) {
    const docs = updateDocIn(this.state.docs, id, f);
    if (docs !== this.state.docs) this.set({ docs });
  }

  // ---- Editing the active doc ----------------------------------------------------------------

  /** An edit of the active doc's model: one undo step (or part of one, with `coalesce`). */
  commit(next: ServiceModel, coalesce?: string) {
    const id = this.state.activeId;
    if (id) this.updateDoc(id, (d) => ws.edited(d, hist.commit(d.history, next, coalesce ?? null), this.now()));
  }

  undo() {
    const id = this.state.activeId;
    if (id) this.updateDoc(id, (d) => ws.edited(d, hist.undo(d.history), this.now()));
  }

  redo() {
    const id = this.state.activeId;
    if (id) this.updateDoc(id, (d) => ws.edited(d, hist.redo(d.history), this.now()));
  }

  dismissConflicts() {
    const id = this.state.activeId;
    if (id) this.updateDoc(id, (d) => ({ ...d, conflicts: [] }));
  }

  // ---- Keeping docs in step with the workspace -----------------------------------------------

  /** Loads the service's head into its doc (`force`: over unsaved edits, which Undo brings back). */
  async reloadDoc(id: string, force: boolean) {
    if (this.reloading.has(id)) return;
    this.reloading.add(id);
    try {
      const loaded = await this.deps.backend.loadService(id);
      const before = this.doc(id);
      this.updateDoc(id, (d) => ws.reloaded(d, loaded, force));
      const h = loaded.service.head;
      const rev = h ? `revision #${h.seq} by ${h.author}` : "its head";
      if (force) this.say(`Reloaded ${rev} of '${loaded.service.name}'; Undo brings your version back.`);
      else if (before && !ws.isDirty(before)) this.say(`'${loaded.service.name}' was changed outside the app (${rev}); reloaded.`);
    } catch (e) {
      this.say(`could not reload '${this.doc(id)?.name ?? id}': ${errorMessage(e)}`, true);
    } finally {
      this.reloading.delete(id);
    }
  }

  /** Re-reads the workspace: the sidebar, and heads moved under open docs. */
  async poll() {
    if (this.polling) return;
    this.polling = true;
    try {
      const next = await this.deps.backend.workspace();
      this.lastPollError = null;
      this.set({ info: next });
      const entries = new Map(next.applications.flatMap((a) => a.services).map((s) => [s.id, s]));
      for (const d of this.state.docs) {
        const entry = entries.get(d.serviceId);
        if (!entry) {
          if (!this.gone.has(d.serviceId))
            this.say(`'${d.name}' is no longer in the workspace (deleted elsewhere); edits to it here cannot be saved.`, true);
          this.gone.add(d.serviceId);
          continue;
        }
        this.gone.delete(d.serviceId);
        const { action } = ws.headSeen(d, entry);
        this.updateDoc(d.serviceId, (x) => ws.headSeen(x, entry).doc);
        if (action === "reload") void this.reloadDoc(d.serviceId, false);
        else if (action === "banner") this.say(`'${entry.name}' was changed outside the app; your unsaved changes are kept (see the banner).`, true);
      }
    } catch (e) {
      const m = `could not re-read the workspace: ${errorMessage(e)}`;
      if (m !== this.lastPollError) this.say(m, true);
      this.lastPollError = m;
    } finally {
      this.polling = false;
    }
  }

  async saveDoc(id: string) {
    const d = this.doc(id);
    if (!d || this.saving.has(id)) return;
    this.saving.add(id);
    const model = d.history.present;
    this.updateDoc(id, (x) => ws.saveStarted(x));
    try {
      const r = await this.deps.backend.saveService(d.application, model, d.base, "edited in Stridewise");
      this.updateDoc(id, (x) => ws.saveSucceeded(x, r, model));
      if (r.changed) void this.poll();
    } catch (e) {
      this.updateDoc(id, (x) => ws.saveFailed(x, e));
      if (isApiError(e) && e.code === "conflict") {
        this.say(`'${d.name}' was changed outside the app; nothing was saved over it (see the banner).`, true);
        void this.poll();
      } else this.say(`could not save '${d.name}': ${errorMessage(e)}`, true);
    } finally {
      this.saving.delete(id);
    }
  }

  /** Saves every doc whose autosave is due (all dirty ones with `force`). */
  readonly flush = async (force: boolean) => {
    // A little slack: a timer may fire a millisecond before the debounce is over.
    const now = this.now() + 20;
    await Promise.all(this.state.docs.filter((d) => ws.autosaveDue(d, now, force)).map((d) => this.saveDoc(d.serviceId)));
  };

  /** Ctrl+S: saves the active doc, or says why not. */
  async saveNow() {
    const doc = this.active;
    if (!doc) return;
    if (doc.state === "conflict") {
      this.say(`'${doc.name}' was changed outside the app: reload theirs or merge yours first (the banner above the diagram).`, true);
      return;
    }
    if (!ws.isDirty(doc)) {
      this.say(`Nothing to save: '${doc.name}' is saved.`);
      return;
    }
    await this.saveDoc(doc.serviceId);
  }

  /** The banner's "Reload theirs": their head over the active doc's unsaved edits. */
  async reloadTheirs() {
    const doc = this.active;
    if (!doc) return;
    this.set({ busy: true });
    await this.reloadDoc(doc.serviceId, true);
    this.set({ busy: false });
  }

  /** The banner's "Merge mine into theirs". */
  async mergeMine() {
    const doc = this.active;
    if (!doc?.base) return;
    const id = doc.serviceId;
    this.set({ busy: true });
    try {
      const r = await this.deps.backend.mergeService(doc.application, doc.history.present, doc.base);
      this.updateDoc(id, (d) => ws.merged(d, r));
      const rev = r.service.head ? `revision #${r.service.head.seq}` : "a new revision";
      const n = r.conflicts.length;
      this.say(n ? `Merged your changes into ${rev}; ${n} ${plural(n, "conflict")} left to decide (listed above the diagram).` : `Merged your changes into ${rev}.`);
      void this.poll();
    } catch (e) {
      this.say(`could not merge '${doc.name}': ${errorMessage(e)}`, true);
    } finally {
      this.set({ busy: false });
    }
  }

  // ---- What the main area shows ---------------------------------------------------------------

  /** Shows an open doc in the editor. */
  showDoc(id: string) {
    this.set({ activeId: id, view: EDITOR, shown: this.state.shown + 1 });
    const path = this.state.info?.path;
    if (path) {
      try {
        this.deps.storage?.setItem(lastServiceKey(path), id);
      } catch {
        /* private mode: start on the first service */
      }
    }
  }

  /** Another view in the main area; the editor keeps its doc. */
  show(view: View) {
    this.set({ view });
  }

  /** Opens a loaded service in a new doc (laid out first when it has no positions). */
  async openLoaded(loaded: LoadedService) {
    let m = loaded.model;
    let layoutError: string | null = null;
    if (!hasFullLayout(m)) ({ model: m, error: layoutError } = await this.deps.layout(m));
    const d = ws.openDoc(loaded, m);
    if (!this.doc(d.serviceId)) this.set({ docs: [...this.state.docs, d] });
    this.showDoc(d.serviceId);
    const h = loaded.service.head;
    this.say(`Opened '${loaded.service.name}'${h ? ` at revision #${h.seq} (${h.author})` : ""}.`);
    if (layoutError) this.say(`automatic layout failed (${layoutError}); laid out on a grid`, true);
  }

  async openService(id: string) {
    const open = this.doc(id);
    if (open) {
      this.showDoc(id);
      this.say(`Editing '${open.name}' (${ws.SAVE_STATE_LABEL[open.state].toLowerCase()}).`);
      return;
    }
    const pending = this.opening.get(id);
    if (pending) return pending;
    const load = (async () => {
      try {
        await this.openLoaded(await this.deps.backend.loadService(id));
      } catch (e) {
        this.say(`could not open the service: ${errorMessage(e)}`, true);
      } finally {
        this.opening.delete(id);
      }
    })();
    this.opening.set(id, load);
    return load;
  }

  /** Takes a service's doc out of the editor (the service was deleted); the editor moves to the
   *  doc opened last, if any. */
  closeDoc(id: string) {
    const rest = this.state.docs.filter((x) => x.serviceId !== id);
    this.set({ docs: rest });
    if (this.state.activeId === id) {
      if (rest.length) this.showDoc(rest[rest.length - 1].serviceId);
      else this.set({ activeId: null });
    }
  }

  // ---- The workspace ---------------------------------------------------------------------------

  /** Start-up: the stencils, then the workspace the backend starts on. `cancelled` tells when the
   *  component that started it is gone. */
  async start(cancelled: () => boolean = () => false) {
    try {
      const stencils = await this.deps.backend.stencils();
      this.set({ stencils });
    } catch (e) {
      this.say(`could not load the stencils: ${errorMessage(e)}`, true);
    }
    try {
      const started = await this.deps.backend.start();
      if (!cancelled()) await this.enterWorkspace(started);
    } catch (e) {
      if (!cancelled()) this.say(`could not open a workspace: ${errorMessage(e)}`, true);
    }
  }

  /** After start-up or a workspace switch: the last service opened there, else the first one. */
  async enterWorkspace(next: WorkspaceInfo) {
    this.set({ info: next, docs: [], activeId: null, view: EDITOR, shown: this.state.shown + 1 });
    let last: string | null = null;
    try {
      last = this.deps.storage?.getItem(lastServiceKey(next.path)) ?? null;
    } catch {
      /* private mode: start on the first service */
    }
    const first = startService(next, last);
    this.say(`Opened ${next.name}${next.sample ? " (the sample workspace)" : ""}.`);
    // Its own messages (a failed layout above all) come after the workspace's.
    if (first) await this.openService(first.id);
  }

  /** Saves what can be saved, asks before leaving unsaved edits behind, then switches workspace. */
  async switchWorkspace(what: string, open: () => Promise<WorkspaceInfo>) {
    await this.flush(true);
    const unsaved = this.state.docs.filter((d) => ws.isDirty(d));
    if (unsaved.length) {
      const ok = await this.deps.ask({
        title: "Leave unsaved changes?",
        message: `${unsaved.map((d) => `'${d.name}'`).join(", ")} could not be saved (changed outside the app or a failed save). Open ${what} anyway and lose those changes?`,
        ok: "Open anyway",
        danger: true,
      });
      if (ok === null) return;
    }
    try {
      await this.enterWorkspace(await open());
    } catch (e) {
      this.say(`could not open ${what}: ${errorMessage(e)}`, true);
    }
  }

  /** A native file dialog gave no path: cancelled, or the web preview has none. */
  noPath(what: string) {
    this.say(this.deps.backend.kind === "web" ? `${what} needs the desktop app.` : `${what}: cancelled.`);
  }

  async openWorkspace() {
    const { backend } = this.deps;
    try {
      const path = await backend.pickOpenPath("workspace");
      if (!path) return this.noPath("Opening a workspace file");
      await this.switchWorkspace(path, () => backend.openWorkspace(path));
    } catch (e) {
      this.say(`could not open a workspace: ${errorMessage(e)}`, true);
    }
  }

  /** Opens a workspace on a PostgreSQL server, named by a URL the person types. */
  async openServer() {
    const { backend } = this.deps;
    const url = await this.deps.ask({
      title: "Open a workspace on a PostgreSQL server",
      message: "A postgres:// URL, e.g. postgres://ana@db.example.com/threats?sslmode=require. Keep the password out of it: PGPASSWORD or the password file (~/.pgpass) give it.",
      input: "postgres://",
      ok: "Open",
    });
    if (url) await this.switchWorkspace(url, () => backend.openWorkspace(url));
  }

  async newWorkspace() {
    const { backend } = this.deps;
    try {
      const path = await backend.pickSavePath("workspace", "threat-models.stridewise");
      if (!path) return this.noPath("Creating a workspace file");
      await this.switchWorkspace(path, () => backend.createWorkspace(path));
    } catch (e) {
      this.say(`could not create the workspace: ${errorMessage(e)}`, true);
    }
  }

  openSample() {
    return this.switchWorkspace("the sample workspace", () => this.deps.backend.openSampleWorkspace());
  }

  openRecent(path: string) {
    return this.switchWorkspace(path, () => this.deps.backend.openWorkspace(path));
  }
}
