// The editor window: the sidebar (the workspace's applications and services, the palette), the
// diagram of the open service or an application's view, and the inspector and threats on the
// right. Each open service lives in a ServiceDoc (workspace.ts): one undo history plus the
// autosave state machine; React Flow's state is re-derived from the present model after every
// edit. Every backend call that fails says so in the status bar.

import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import {
  Background,
  BackgroundVariant,
  ConnectionMode,
  Controls,
  MiniMap,
  ReactFlow,
  useEdgesState,
  useNodesInitialized,
  useNodesState,
  useReactFlow,
  type Connection,
  type FinalConnectionState,
  type Edge,
  type OnSelectionChangeParams,
} from "@xyflow/react";
import type { Backend } from "./api";
import { errorMessage, isApiError } from "./api";
import { threatsByTarget } from "./analysis";
import { AppView } from "./AppView";
import { ReviewView } from "./ReviewView";
import { Banner } from "./Banner";
import type { ApplicationView } from "./bindings/ApplicationView";
import type { Diagnostic } from "./bindings/Diagnostic";
import type { LoadedService } from "./bindings/LoadedService";
import type { ServiceAnalysis } from "./bindings/ServiceAnalysis";
import type { ServiceEntry } from "./bindings/ServiceEntry";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { StencilSet } from "./bindings/StencilSet";
import type { Threat } from "./bindings/Threat";
import type { TriageChange } from "./bindings/TriageChange";
import type { WorkspaceInfo } from "./bindings/WorkspaceInfo";
import { useDialog } from "./Dialog";
import { absoluteFromNodes, diagnosticsByObject, keepMeasured, toEdges, toNodes, type DiagramNode } from "./diagram";
import * as edit from "./edits";
import { freeSpot, hasFullLayout } from "./geometry";
import * as hist from "./history";
import { HelpOverlay } from "./HelpOverlay";
import { Inspector } from "./Inspector";
import { autoLayout } from "./layout";
import { EditorContext, nodeTypes } from "./nodes";
import { DND_TYPE, Palette, type PaletteItem } from "./Palette";
import { Sidebar } from "./Sidebar";
import { ThreatsPanel } from "./ThreatsPanel";
import * as ws from "./workspace";
import type { ServiceDoc } from "./workspace";

/** How often the workspace is re-read, to notice saves made by the CLI or another window. */
const POLL_MS = 2000;

/** Whether a key press belongs to a field or a list with its own keys (the threats list uses the
 *  arrows and letters), not to the diagram's shortcuts. */
function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  if (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable) return true;
  return typeof el.closest === "function" && !!el.closest("[data-testid=threats-panel], [data-testid=app-view], [data-testid=dialog]");
}

const lastServiceKey = (path: string) => `stridewise.lastService:${path}`;
function remember(path: string, id: string) {
  try { localStorage.setItem(lastServiceKey(path), id); } catch { /* private mode: start on the first service */ }
}
function recalled(path: string): string | null {
  try { return localStorage.getItem(lastServiceKey(path)); } catch { return null; }
}

const kB = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} kB`);

export function App({ backend }: { backend: Backend }) {
  const rf = useReactFlow();
  const [dialog, ask] = useDialog();
  const [stencils, setStencils] = useState<StencilSet | null>(null);
  const [info, setInfo] = useState<WorkspaceInfo | null>(null);
  const [docs, setDocs] = useState<ServiceDoc[]>([]);
  const [activeId, setActiveId] = useState<string | null>(null);
  /** The application whose view fills the main area instead of the editor. */
  const [appViewOf, setAppViewOf] = useState<string | null>(null);
  /** The application whose sprint review fills the main area (instead of the editor or the application view). */
  const [reviewOf, setReviewOf] = useState<string | null>(null);
  const [appView, setAppView] = useState<{ view: ApplicationView | null; loading: boolean; error: string | null }>({ view: null, loading: false, error: null });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [diagnostics, setDiagnostics] = useState<Diagnostic[]>([]);
  const [analysis, setAnalysis] = useState<ServiceAnalysis | null>(null);
  const [analysisError, setAnalysisError] = useState<string | null>(null);
  /** Bumped to re-analyse at once (after a triage decision). */
  const [analysisTick, setAnalysisTick] = useState(0);
  const [highlighted, setHighlighted] = useState<string | null>(null);
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [tab, setTab] = useState<"inspector" | "threats">("inspector");
  const [help, setHelp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ text: string; error?: boolean } | null>(null);
  const clipboard = useRef<edit.Clipboard | null>(null);
  /** Fit the view once the next document's nodes are on the canvas. */
  const pendingFit = useRef(false);
  const docsRef = useRef(docs);
  docsRef.current = docs;
  const infoRef = useRef(info);
  infoRef.current = info;
  const savingIds = useRef(new Set<string>());
  const reloadingIds = useRef(new Set<string>());

  const doc = docs.find((d) => d.serviceId === activeId) ?? null;
  const editing = !!doc && appViewOf === null && reviewOf === null;
  const model = editing ? doc.history.present : null;

  const say = useCallback((text: string, error = false) => setStatus({ text, error }), []);

  /** Applies `f` to one doc; leaves the list as it is when `f` changes nothing. */
  const updateDoc = useCallback((id: string, f: (d: ServiceDoc) => ServiceDoc) => {
    setDocs((ds) => {
      let changed = false;
      const next = ds.map((d) => {
        if (d.serviceId !== id) return d;
        const n = f(d);
        if (n !== d) changed = true;
        return n;
      });
      if (!changed) return ds;
      docsRef.current = next;
      return next;
    });
  }, []);

  const commit = useCallback(
    (next: ServiceModel, coalesce?: string) => {
      if (!activeId) return;
      updateDoc(activeId, (d) => ws.edited(d, hist.commit(d.history, next, coalesce ?? null), Date.now()));
    },
    [activeId, updateDoc],
  );

  // ---- The workspace ------------------------------------------------------------------------

  const reloadDoc = useCallback(
    async (id: string, force: boolean) => {
      if (reloadingIds.current.has(id)) return;
      reloadingIds.current.add(id);
      try {
        const loaded = await backend.loadService(id);
        const before = docsRef.current.find((d) => d.serviceId === id);
        updateDoc(id, (d) => ws.reloaded(d, loaded, force));
        const h = loaded.service.head;
        const rev = h ? `revision #${h.seq} by ${h.author}` : "its head";
        if (force) say(`Reloaded ${rev} of '${loaded.service.name}'; Undo brings your version back.`);
        else if (before && !ws.isDirty(before)) say(`'${loaded.service.name}' was changed outside the app (${rev}); reloaded.`);
      } catch (e) {
        say(`could not reload '${docsRef.current.find((d) => d.serviceId === id)?.name ?? id}': ${errorMessage(e)}`, true);
      } finally {
        reloadingIds.current.delete(id);
      }
    },
    [backend, updateDoc, say],
  );

  const pollBusy = useRef(false);
  /** Open services no longer listed, already reported. */
  const goneIds = useRef(new Set<string>());
  const lastPollError = useRef<string | null>(null);
  /** Re-reads the workspace: the sidebar, and heads moved under open docs. */
  const poll = useCallback(async () => {
    if (pollBusy.current) return;
    pollBusy.current = true;
    try {
      const next = await backend.workspace();
      lastPollError.current = null;
      setInfo(next);
      const entries = new Map(next.applications.flatMap((a) => a.services).map((s) => [s.id, s]));
      for (const d of docsRef.current) {
        const entry = entries.get(d.serviceId);
        if (!entry) {
          if (!goneIds.current.has(d.serviceId))
            say(`'${d.name}' is no longer in the workspace (deleted elsewhere); edits to it here cannot be saved.`, true);
          goneIds.current.add(d.serviceId);
          continue;
        }
        goneIds.current.delete(d.serviceId);
        const { action } = ws.headSeen(d, entry);
        updateDoc(d.serviceId, (x) => ws.headSeen(x, entry).doc);
        if (action === "reload") void reloadDoc(d.serviceId, false);
        else if (action === "banner") say(`'${entry.name}' was changed outside the app; your unsaved changes are kept (see the banner).`, true);
      }
    } catch (e) {
      const m = `could not re-read the workspace: ${errorMessage(e)}`;
      if (m !== lastPollError.current) say(m, true);
      lastPollError.current = m;
    } finally {
      pollBusy.current = false;
    }
  }, [backend, updateDoc, reloadDoc, say]);

  useEffect(() => {
    const t = setInterval(() => void poll(), POLL_MS);
    return () => clearInterval(t);
  }, [poll]);

  const saveDoc = useCallback(
    async (id: string) => {
      const d = docsRef.current.find((x) => x.serviceId === id);
      if (!d || savingIds.current.has(id)) return;
      savingIds.current.add(id);
      const model = d.history.present;
      updateDoc(id, (x) => ws.saveStarted(x));
      try {
        const r = await backend.saveService(d.application, model, d.base, "edited in Stridewise");
        updateDoc(id, (x) => ws.saveSucceeded(x, r, model));
        if (r.changed) void poll();
      } catch (e) {
        updateDoc(id, (x) => ws.saveFailed(x, e));
        if (isApiError(e) && e.code === "conflict") {
          say(`'${d.name}' was changed outside the app; nothing was saved over it (see the banner).`, true);
          void poll();
        } else say(`could not save '${d.name}': ${errorMessage(e)}`, true);
      } finally {
        savingIds.current.delete(id);
      }
    },
    [backend, updateDoc, poll, say],
  );

  /** Saves every doc whose autosave is due (all dirty ones with `force`). */
  const flush = useCallback(
    async (force: boolean) => {
      // A little slack: a timer may fire a millisecond before the debounce is over.
      const now = Date.now() + 20;
      await Promise.all(docsRef.current.filter((d) => ws.autosaveDue(d, now, force)).map((d) => saveDoc(d.serviceId)));
    },
    [saveDoc],
  );

  // Autosave: 800 ms after the last edit; at once when the window loses focus or closes.
  useEffect(() => {
    if (!docs.some((d) => d.state === "dirty")) return;
    const t = setTimeout(() => void flush(false), ws.AUTOSAVE_MS);
    return () => clearTimeout(t);
  }, [docs, flush]);
  // Closing the desktop window waits for this save (src-tauri's close handshake).
  useEffect(() => backend.onCloseRequested(() => flush(true)), [backend, flush]);

  useEffect(() => {
    const now = () => void flush(true);
    window.addEventListener("blur", now);
    window.addEventListener("beforeunload", now);
    return () => {
      window.removeEventListener("blur", now);
      window.removeEventListener("beforeunload", now);
    };
  }, [flush]);

  const saveNow = useCallback(async () => {
    if (!doc) return;
    if (doc.state === "conflict") {
      say(`'${doc.name}' was changed outside the app: reload theirs or merge yours first (the banner above the diagram).`, true);
      return;
    }
    if (!ws.isDirty(doc)) {
      say(`Nothing to save: '${doc.name}' is saved.`);
      return;
    }
    await saveDoc(doc.serviceId);
  }, [doc, saveDoc, say]);

  const showDoc = useCallback((id: string) => {
    pendingFit.current = true;
    setActiveId(id);
    setAppViewOf(null);
    setReviewOf(null);
    setSelected(new Set());
    setHighlighted(null);
    setSelectedKey(null);
    // Another service's threats and problems must not show while this one is analysed (the
    // tick re-analyses even when the service shown does not change).
    setAnalysis(null);
    setDiagnostics([]);
    setAnalysisTick((t) => t + 1);
    const path = infoRef.current?.path;
    if (path) remember(path, id);
  }, []);

  /** Opens a loaded service in a new doc (laid out first when it has no positions). */
  const openLoaded = useCallback(
    async (loaded: LoadedService) => {
      let m = loaded.model;
      let layoutError: string | null = null;
      if (!hasFullLayout(m)) ({ model: m, error: layoutError } = await autoLayout(m));
      const d = ws.openDoc(loaded, m);
      setDocs((ds) => {
        const next = ds.some((x) => x.serviceId === d.serviceId) ? ds : [...ds, d];
        docsRef.current = next;
        return next;
      });
      showDoc(d.serviceId);
      const h = loaded.service.head;
      say(`Opened '${loaded.service.name}'${h ? ` at revision #${h.seq} (${h.author})` : ""}.`);
      if (layoutError) {
        document.documentElement.dataset.layoutError = layoutError;
        say(`automatic layout failed (${layoutError}); laid out on a grid`, true);
      }
    },
    [showDoc, say],
  );

  const openService = useCallback(
    async (id: string) => {
      const open = docsRef.current.find((d) => d.serviceId === id);
      if (open) {
        showDoc(id);
        say(`Editing '${open.name}' (${ws.SAVE_STATE_LABEL[open.state].toLowerCase()}).`);
        return;
      }
      try {
        await openLoaded(await backend.loadService(id));
      } catch (e) {
        say(`could not open the service: ${errorMessage(e)}`, true);
      }
    },
    [backend, openLoaded, showDoc, say],
  );

  /** After start-up or a workspace switch: the last service opened there, else the first one. */
  const enterWorkspace = useCallback(
    async (next: WorkspaceInfo) => {
      setInfo(next);
      infoRef.current = next;
      setDocs([]);
      docsRef.current = [];
      setActiveId(null);
      setAppViewOf(null);
      setReviewOf(null);
      setAnalysis(null);
      const all = next.applications.flatMap((a) => a.services);
      const last = recalled(next.path);
      const first = all.find((s) => s.id === last) ?? all[0];
      say(`Opened ${next.name}${next.sample ? " (the sample workspace)" : ""}.`);
      // Its own messages (a failed layout above all) come after the workspace's.
      if (first) await openService(first.id);
    },
    [openService, say],
  );

  // Start-up: stencils and the workspace.
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        setStencils(await backend.stencils());
      } catch (e) {
        say(`could not load the stencils: ${errorMessage(e)}`, true);
      }
      try {
        const started = await backend.start();
        if (!cancelled) await enterWorkspace(started);
      } catch (e) {
        if (!cancelled) say(`could not open a workspace: ${errorMessage(e)}`, true);
      }
    })();
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [backend]);

  /** Saves what can be saved, asks before leaving unsaved edits behind, then switches workspace. */
  const switchWorkspace = useCallback(
    async (what: string, open: () => Promise<WorkspaceInfo>) => {
      await flush(true);
      const unsaved = docsRef.current.filter((d) => ws.isDirty(d));
      if (unsaved.length) {
        const ok = await ask({
          title: "Leave unsaved changes?",
          message: `${unsaved.map((d) => `'${d.name}'`).join(", ")} could not be saved (changed outside the app or a failed save). Open ${what} anyway and lose those changes?`,
          ok: "Open anyway",
          danger: true,
        });
        if (ok === null) return;
      }
      try {
        await enterWorkspace(await open());
      } catch (e) {
        say(`could not open ${what}: ${errorMessage(e)}`, true);
      }
    },
    [flush, ask, enterWorkspace, say],
  );

  const noPath = useCallback(
    (what: string) => say(backend.kind === "web" ? `${what} needs the desktop app.` : `${what}: cancelled.`),
    [backend, say],
  );

  const openWorkspace = useCallback(async () => {
    try {
      const path = await backend.pickOpenPath("workspace");
      if (!path) return noPath("Opening a workspace file");
      await switchWorkspace(path, () => backend.openWorkspace(path));
    } catch (e) {
      say(`could not open a workspace: ${errorMessage(e)}`, true);
    }
  }, [backend, switchWorkspace, noPath, say]);

  const newWorkspace = useCallback(async () => {
    try {
      const path = await backend.pickSavePath("workspace", "threat-models.stridewise");
      if (!path) return noPath("Creating a workspace file");
      await switchWorkspace(path, () => backend.createWorkspace(path));
    } catch (e) {
      say(`could not create the workspace: ${errorMessage(e)}`, true);
    }
  }, [backend, switchWorkspace, noPath, say]);

  // ---- Services and applications ------------------------------------------------------------

  const renameService = useCallback(
    async (s: ServiceEntry) => {
      const name = await ask({
        title: `Rename '${s.name}'`,
        message: `A new name for the service in ${s.application}.`,
        input: s.name,
        ok: "Rename",
        run: async (name) => {
          if (name === s.name) return;
          try {
            // The rename is a revision of the model (its name is part of it): save what the
            // editor has first, then load the renamed head, so autosave cannot put the old
            // name back. Undo in the editor then undoes the rename like any other edit.
            await flush(true);
            await backend.renameService(s.id, name);
            if (docsRef.current.some((d) => d.serviceId === s.id)) await reloadDoc(s.id, false);
          } catch (e) {
            say(`could not rename '${s.name}': ${errorMessage(e)}`, true);
            throw e;
          }
        },
      });
      if (!name || name === s.name) return;
      say(`Renamed '${s.name}' to '${name}'.`);
      await poll();
    },
    [ask, backend, flush, reloadDoc, poll, say],
  );

  const duplicateService = useCallback(
    async (s: ServiceEntry) => {
      await flush(true);
      let loaded: LoadedService | null = null;
      await ask({
        title: `Duplicate '${s.name}'`,
        message: "The copy gets fresh ids; its name:",
        input: `${s.name} copy`,
        ok: "Duplicate",
        run: async (name) => {
          try {
            loaded = await backend.duplicateService(s.id, name);
          } catch (e) {
            say(`could not duplicate '${s.name}': ${errorMessage(e)}`, true);
            throw e;
          }
        },
      });
      if (!loaded) return;
      const copy: LoadedService = loaded;
      await poll();
      await openLoaded(copy);
      say(`Duplicated '${s.name}' as '${copy.service.name}'.`);
    },
    [flush, ask, backend, poll, openLoaded, say],
  );

  const deleteService = useCallback(
    async (s: ServiceEntry) => {
      const d = docsRef.current.find((x) => x.serviceId === s.id);
      const ok = await ask({
        title: `Delete '${s.name}'?`,
        message: `'${s.name}' leaves the services of ${s.application}. ${s.revisions === 1 ? "Its revision stays" : `Its ${s.revisions} revisions stay`} in the workspace file.${d && ws.isDirty(d) ? " Its unsaved changes are lost." : ""}`,
        ok: "Delete",
        danger: true,
      });
      if (ok === null) return;
      try {
        await backend.deleteService(s.id);
        const rest = docsRef.current.filter((x) => x.serviceId !== s.id);
        setDocs(rest);
        docsRef.current = rest;
        if (activeId === s.id) {
          if (rest.length) showDoc(rest[rest.length - 1].serviceId);
          else setActiveId(null);
        }
        say(`Deleted '${s.name}' (its revisions stay in the file).`);
        await poll();
      } catch (e) {
        say(`could not delete '${s.name}': ${errorMessage(e)}`, true);
      }
    },
    [ask, backend, activeId, showDoc, poll, say],
  );

  const exportService = useCallback(
    async (s: ServiceEntry) => {
      await flush(true);
      try {
        const path = await backend.pickSavePath("model", `${s.name}.stride.json`);
        if (!path) return noPath("Exporting a model file");
        await backend.exportService(s.id, path);
        say(`Exported '${s.name}' to ${path}.`);
      } catch (e) {
        say(`could not export '${s.name}': ${errorMessage(e)}`, true);
      }
    },
    [flush, backend, noPath, say],
  );

  /** Asks for a name and creates the service (the dialog stays open on "name_taken"), then opens it. */
  const askForService = useCallback(
    async (title: string, application: string): Promise<LoadedService | null> => {
      let loaded: LoadedService | null = null;
      await ask({
        title,
        input: "New service",
        ok: "Create",
        run: async (name) => {
          try {
            loaded = await backend.createService(application, name);
          } catch (e) {
            say(`could not create '${name}' in ${application}: ${errorMessage(e)}`, true);
            throw e;
          }
        },
      });
      if (!loaded) return null;
      const created: LoadedService = loaded;
      await poll();
      await openLoaded(created);
      return created;
    },
    [ask, backend, poll, openLoaded, say],
  );

  const newService = useCallback(
    async (application: string) => {
      const loaded = await askForService(`New service in ${application}`, application);
      if (loaded) say(`Created '${loaded.service.name}' in ${application}.`);
    },
    [askForService, say],
  );

  const newApplication = useCallback(async () => {
    const application = await ask({ title: "New application", message: "The application's name (its first service comes next).", input: "New application", ok: "Next" });
    if (!application) return;
    if (infoRef.current?.applications.some((a) => a.name === application)) {
      say(`there is already an application named '${application}'; add a service to it with its + button`, true);
      return;
    }
    const loaded = await askForService(`First service of ${application}`, application);
    if (loaded) say(`Created the application ${application} with '${loaded.service.name}'.`);
  }, [ask, askForService, say]);

  const importInto = useCallback(
    async (application: string) => {
      try {
        const path = await backend.pickOpenPath("import");
        if (!path) return noPath("Importing models");
        const outcome = await backend.importModels(application, path);
        await poll();
        const names = outcome.services.map((s) => `'${s.name}'`).join(", ");
        say(`Imported ${outcome.services.length} service${outcome.services.length === 1 ? "" : "s"} (${outcome.format}) into ${application}: ${names}.`);
        if (outcome.notes.length)
          await ask({
            title: `Imported from ${outcome.format}`,
            message: <><p>What could not be mapped:</p><ul>{outcome.notes.map((n, i) => <li key={i}>{n}</li>)}</ul></>,
            notice: true,
          });
      } catch (e) {
        say(`could not import into ${application}: ${errorMessage(e)}`, true);
      }
    },
    [backend, noPath, poll, say, ask],
  );

  const loadAppView = useCallback(
    async (application: string) => {
      setAppView((v) => ({ view: v.view?.application === application ? v.view : null, loading: true, error: null }));
      try {
        const view = await backend.applicationView(application);
        setAppView({ view, loading: false, error: null });
      } catch (e) {
        const m = errorMessage(e);
        setAppView({ view: null, loading: false, error: m });
        say(`could not make the application view of ${application}: ${m}`, true);
      }
    },
    [backend, say],
  );

  const showApplication = useCallback(
    async (application: string) => {
      setAppViewOf(application);
      setReviewOf(null);
      // The view consolidates the saved heads: save first.
      await flush(true);
      await loadAppView(application);
    },
    [flush, loadAppView],
  );

  const decideForApplication = useCallback(
    async (key: string, change: TriageChange) => {
      if (!appViewOf) return;
      try {
        await backend.decide({ kind: "application", name: appViewOf }, key, change);
      } catch (e) {
        say(`could not record the decision on ${key}: ${errorMessage(e)}`, true);
        throw e;
      }
      await loadAppView(appViewOf);
    },
    [backend, appViewOf, loadAppView, say],
  );

  const exportReport = useCallback(
    async (application: string) => {
      await flush(true);
      try {
        const path = await backend.pickSavePath("report", `${application}-report.html`);
        if (!path) return noPath("Exporting a report");
        const written = await backend.exportReport(application, path);
        say(`Report of ${application} written to ${written.path} (${kB(written.bytes)}, ${written.threats} threats).`);
        try {
          await backend.openExternal(written.path);
        } catch (e) {
          say(`Report written to ${written.path} (${kB(written.bytes)}), but it could not be opened: ${errorMessage(e)}`, true);
        }
      } catch (e) {
        say(`could not export the report of ${application}: ${errorMessage(e)}`, true);
      }
    },
    [flush, backend, noPath, say],
  );

  const reloadTheirs = useCallback(async () => {
    if (!doc) return;
    setBusy(true);
    await reloadDoc(doc.serviceId, true);
    setBusy(false);
  }, [doc, reloadDoc]);

  const mergeMine = useCallback(async () => {
    if (!doc?.base) return;
    const id = doc.serviceId;
    setBusy(true);
    try {
      const r = await backend.mergeService(doc.application, doc.history.present, doc.base);
      updateDoc(id, (d) => ws.merged(d, r));
      const rev = r.service.head ? `revision #${r.service.head.seq}` : "a new revision";
      say(r.conflicts.length
        ? `Merged your changes into ${rev}; ${r.conflicts.length} conflict${r.conflicts.length === 1 ? "" : "s"} left to decide (listed above the diagram).`
        : `Merged your changes into ${rev}.`);
      void poll();
    } catch (e) {
      say(`could not merge '${doc.name}': ${errorMessage(e)}`, true);
    } finally {
      setBusy(false);
    }
  }, [doc, backend, updateDoc, poll, say]);

  // ---- Validation and threats ---------------------------------------------------------------

  // After every edit, debounced: validation, and the threats with the service's decisions.
  useEffect(() => {
    if (!model) return;
    const service = activeId;
    let cancelled = false;
    const timer = setTimeout(async () => {
      try {
        const d = await backend.validate(model);
        if (!cancelled) setDiagnostics(d);
      } catch (e) {
        if (!cancelled) say(`validation failed: ${errorMessage(e)}`, true);
      }
      try {
        const a = await backend.analyze(model, service);
        if (cancelled) return;
        setAnalysis(a);
        setAnalysisError(null);
      } catch (e) {
        if (cancelled) return;
        setAnalysisError(errorMessage(e));
        say(`threat analysis failed: ${errorMessage(e)}`, true);
      }
    }, 150);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [model, activeId, analysisTick, backend, say]);

  const decideForService = useCallback(
    async (key: string, change: TriageChange) => {
      if (!activeId) return;
      try {
        await backend.decide({ kind: "service", id: activeId }, key, change);
      } catch (e) {
        say(`could not record the decision on ${key}: ${errorMessage(e)}`, true);
        throw e;
      }
      setAnalysisTick((t) => t + 1);
    },
    [backend, activeId, say],
  );

  // ---- The diagram -------------------------------------------------------------------------

  const stencilTitle = useCallback((id: string) => stencils?.stencils[id]?.title ?? id, [stencils]);
  const diagByObject = useMemo(() => diagnosticsByObject(diagnostics), [diagnostics]);
  // Re-analysis after every edit gives a new analysis object; the diagram only shows counts per
  // target, so keep the map (and spare React Flow a rebuild of every node, which could race with
  // a click's selection) while the counts stay the same.
  const lastThreatMap = useRef<{ signature: string; map: ReturnType<typeof threatsByTarget> } | null>(null);
  const threatMap = useMemo(() => {
    const map = threatsByTarget(analysis?.analysis.threats ?? []);
    const signature = [...map].map(([id, ts]) => `${id}:${ts.length}`).join(",");
    if (lastThreatMap.current?.signature === signature) return lastThreatMap.current.map;
    lastThreatMap.current = { signature, map };
    return map;
  }, [analysis]);

  const [nodes, setNodes, onNodesChange] = useNodesState<DiagramNode>([]);
  const [edges, setEdges, onEdgesChange] = useEdgesState<Edge>([]);
  const selectedRef = useRef(selected);
  selectedRef.current = selected;

  useEffect(() => {
    if (!model) {
      setNodes([]);
      setEdges([]);
      return;
    }
    const deco = { selected: selectedRef.current, diagnostics: diagByObject, threats: threatMap, highlighted, stencilTitle };
    // Rebuilt nodes keep React Flow's measurements: a node without `measured` loses its handle
    // bounds until it is measured again, and its edges are not drawn meanwhile. The DOM node's
    // size does not change, so the resize observer need not fire again; in the e2e test that
    // left every edge undrawn about one run in five.
    setNodes((old) => keepMeasured(old, toNodes(model, deco)));
    setEdges(toEdges(model, deco));
  }, [model, diagByObject, threatMap, highlighted, stencilTitle, setNodes, setEdges]);

  // Fit a newly opened (or re-laid-out) document once React Flow has measured its nodes.
  const nodesReady = useNodesInitialized();
  useEffect(() => {
    if (nodesReady && pendingFit.current && nodes.length) {
      pendingFit.current = false;
      void rf.fitView({ padding: 0.12, maxZoom: 1.5 });
    }
  }, [nodesReady, nodes, rf]);

  const onSelectionChange = useCallback(({ nodes: n, edges: e }: OnSelectionChangeParams) => {
    const ids = new Set([...n.map((x) => x.id), ...e.map((x) => x.id)]);
    // At once, not at the next render: a rebuild of the nodes in between must keep this selection.
    selectedRef.current = ids;
    setSelected((old) => (old.size === ids.size && [...ids].every((i) => old.has(i)) ? old : ids));
  }, []);

  const select = useCallback(
    (ids: string[]) => {
      const set = new Set(ids);
      setSelected(set);
      setNodes((ns) => ns.map((n) => ({ ...n, selected: set.has(n.id) })));
      setEdges((es) => es.map((e) => ({ ...e, selected: set.has(e.id) })));
    },
    [setNodes, setEdges],
  );

  const onNodeDragStop = useCallback(
    (_: unknown, _node: unknown, dragged: DiagramNode[]) => {
      if (!model) return;
      const abs = absoluteFromNodes(rf.getNodes());
      commit(edit.moveNodes(model, abs, dragged.map((n) => n.id)));
    },
    [model, rf, commit],
  );

  const onBoundaryResized = useCallback(
    (id: string, rect: { x: number; y: number; width: number; height: number }) => {
      if (!model) return;
      const node = rf.getNode(id);
      const parentAbs = node?.parentId ? absoluteFromNodes(rf.getNodes())[node.parentId] : { x: 0, y: 0 };
      commit(edit.resizeBoundary(model, id, { x: rect.x + parentAbs.x, y: rect.y + parentAbs.y, width: Math.round(rect.width), height: Math.round(rect.height) }));
    },
    [model, rf, commit],
  );
  const editorContext = useMemo(() => ({ onBoundaryResized }), [onBoundaryResized]);

  const onConnect = useCallback(
    (c: Connection) => {
      if (!model) return;
      const r = edit.connect(model, c.source, c.target);
      if (r.id) {
        commit(r.model);
        select([r.id]);
      }
    },
    [model, commit, select],
  );

  // Dropping a connection anywhere on an element (not only on a handle) connects to it.
  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (!model || state.isValid || !state.fromNode) return;
      const point = "changedTouches" in event ? event.changedTouches[0] : event;
      const target = document
        .elementFromPoint(point.clientX, point.clientY)
        ?.closest(".react-flow__node-element")
        ?.getAttribute("data-id");
      if (!target || target === state.fromNode.id) return;
      onConnect({ source: state.fromNode.id, target, sourceHandle: null, targetHandle: null });
    },
    [model, onConnect],
  );

  const viewCenter = useCallback(() => {
    const pane = document.querySelector(".react-flow")?.getBoundingClientRect();
    if (!pane) return { x: 200, y: 200 };
    return rf.screenToFlowPosition({ x: pane.left + pane.width / 2, y: pane.top + pane.height / 2 });
  }, [rf]);

  const addItem = useCallback(
    (item: PaletteItem, at?: { x: number; y: number }) => {
      if (!model) return;
      const p = at ?? freeSpot(model, viewCenter());
      const r =
        item.type === "element"
          ? edit.addElement(model, item.kind, item.stencil, p, item.stencil.startsWith("generic.") ? undefined : item.title)
          : edit.addBoundary(model, item.kind, { x: p.x - 180, y: p.y - 120 });
      commit(r.model);
      select([r.id]);
      setTab("inspector");
    },
    [model, commit, select, viewCenter],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      const raw = e.dataTransfer.getData(DND_TYPE);
      if (!raw) return;
      e.preventDefault();
      addItem(JSON.parse(raw) as PaletteItem, rf.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
    },
    [addItem, rf],
  );

  const onSelectThreat = useCallback(
    (t: Threat | null) => {
      setSelectedKey(t?.key ?? null);
      setHighlighted(t?.target.id ?? null);
      if (t && model && [...model.elements, ...model.flows, ...model.boundaries].some((o) => o.id === t.target.id)) select([t.target.id]);
    },
    [model, select],
  );

  const undo = useCallback(() => activeId && updateDoc(activeId, (d) => ws.edited(d, hist.undo(d.history), Date.now())), [activeId, updateDoc]);
  const redo = useCallback(() => activeId && updateDoc(activeId, (d) => ws.edited(d, hist.redo(d.history), Date.now())), [activeId, updateDoc]);

  const relayout = useCallback(async () => {
    if (!model) return;
    pendingFit.current = true;
    const { model: laid, error } = await autoLayout(model);
    commit(laid);
    if (error) say(`automatic layout failed (${error}); laid out on a grid`, true);
  }, [model, commit, say]);

  // Keyboard shortcuts.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      if (mod && k === "s") {
        e.preventDefault();
        void saveNow();
        return;
      }
      if (mod && k === "o") {
        e.preventDefault();
        void openWorkspace();
        return;
      }
      if (isTyping(e.target)) return;
      if (e.key === "?") { setHelp((h) => !h); return; }
      if (e.key === "Escape") { setHelp(false); if (model) select([]); setHighlighted(null); setSelectedKey(null); return; }
      if (!model) return;
      if (mod && k === "z" && !e.shiftKey) { e.preventDefault(); undo(); }
      else if ((mod && k === "z" && e.shiftKey) || (mod && k === "y")) { e.preventDefault(); redo(); }
      else if (mod && k === "c") { clipboard.current = edit.copy(model, selected); say(`Copied ${selected.size} object(s)`); }
      else if (mod && k === "x") { clipboard.current = edit.copy(model, selected); commit(edit.deleteObjects(model, selected)); select([]); }
      else if (mod && k === "v") {
        if (clipboard.current) { const r = edit.paste(model, clipboard.current); commit(r.model); select(r.ids); }
      }
      else if (mod && k === "d") { e.preventDefault(); const r = edit.paste(model, edit.copy(model, selected)); commit(r.model); select(r.ids); }
      else if (mod && k === "a") { e.preventDefault(); select([...model.elements, ...model.flows, ...model.boundaries].map((o) => o.id)); }
      else if (e.key === "Delete" || e.key === "Backspace") { if (selected.size) { e.preventDefault(); commit(edit.deleteObjects(model, selected)); select([]); } }
      else if (mod || e.altKey) return;
      else if (k === "e") addItem({ type: "element", kind: "external_entity", stencil: "generic.external_entity", title: "External entity" });
      else if (k === "p") addItem({ type: "element", kind: "process", stencil: "generic.process", title: "Process" });
      else if (k === "d") addItem({ type: "element", kind: "data_store", stencil: "generic.data_store", title: "Data store" });
      else if (k === "b") addItem({ type: "boundary", kind: "generic", title: "Trust boundary" });
      else if (k === "l") void relayout();
      else if (k === "f") rf.fitView({ padding: 0.12 });
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [model, selected, undo, redo, commit, select, addItem, relayout, saveNow, openWorkspace, rf, say]);

  const errors = diagnostics.filter((d) => d.level === "error").length;
  const warnings = diagnostics.length - errors;
  const openMap = useMemo(() => new Map(docs.map((d) => [d.serviceId, { dirty: ws.isDirty(d) }])), [docs]);
  const threatCount = analysis?.analysis.threats.length ?? 0;

  return (
    <div className={appViewOf !== null || reviewOf !== null ? "sw-app sw-app--wide" : "sw-app"}>
      <header className="sw-toolbar">
        <div className="sw-brand"><img src="./icon.png" alt="" width={20} height={20} /> Stridewise</div>
        <div className="sw-toolbar__title" data-testid="model-title">
          {reviewOf !== null ? `${reviewOf} · sprint review` : appViewOf !== null ? `${appViewOf} · application view` : doc ? `${doc.application} / ${doc.name}${ws.isDirty(doc) ? " •" : ""}` : ""}
        </div>
        <div className="sw-toolbar__actions">
          <button className="sw-button" onClick={() => void openWorkspace()} title="Open a workspace file (Ctrl+O)">Open…</button>
          <button className="sw-button" onClick={() => void saveNow()} disabled={!doc} title="Save now (Ctrl+S); edits are saved automatically">Save</button>
          <span className="sw-sep" />
          <button className="sw-button" onClick={undo} disabled={!editing || !hist.canUndo(doc.history)} title="Undo (Ctrl+Z)">Undo</button>
          <button className="sw-button" onClick={redo} disabled={!editing || !hist.canRedo(doc.history)} title="Redo (Ctrl+Shift+Z)">Redo</button>
          <span className="sw-sep" />
          <button className="sw-button" onClick={() => void relayout()} disabled={!editing} title="Automatic layout (L)">Auto layout</button>
          <button className="sw-button" onClick={() => rf.fitView({ padding: 0.12 })} disabled={!editing} title="Fit (F)">Fit</button>
          <button className="sw-button sw-button--icon" onClick={() => setHelp(true)} title="Keyboard shortcuts (?)">?</button>
        </div>
      </header>
      <Sidebar
        workspace={info}
        active={(appViewOf ?? reviewOf) !== null ? { kind: "application", name: (appViewOf ?? reviewOf)! } : activeId ? { kind: "service", id: activeId } : null}
        open={openMap}
        onOpenWorkspace={() => void openWorkspace()}
        onNewWorkspace={() => void newWorkspace()}
        onSampleWorkspace={() => void switchWorkspace("the sample workspace", () => backend.openSampleWorkspace())}
        onRecent={(path) => void switchWorkspace(path, () => backend.openWorkspace(path))}
        onService={(s) => void openService(s.id)}
        onRename={(s) => void renameService(s)}
        onDuplicate={(s) => void duplicateService(s)}
        onDelete={(s) => void deleteService(s)}
        onExport={(s) => void exportService(s)}
        onNewService={(a) => void newService(a)}
        onImport={(a) => void importInto(a)}
        onApplicationView={(a) => void showApplication(a)}
        onReview={(a) => { setAppViewOf(null); setReviewOf(a); }}
        onExportReport={(a) => void exportReport(a)}
        onNewApplication={() => void newApplication()}
      >
        {editing && <Palette stencils={stencils} onAdd={(item) => addItem(item)} />}
      </Sidebar>
      <main className="sw-canvas" onDragOver={(e) => { if (editing && e.dataTransfer.types.includes(DND_TYPE)) { e.preventDefault(); e.dataTransfer.dropEffect = "copy"; } }} onDrop={onDrop}>
        {reviewOf !== null ? (
          <ReviewView backend={backend} application={reviewOf} ask={ask} say={say} flush={() => flush(true)} />
        ) : appViewOf !== null ? (
          <AppView view={appView.view} loading={appView.loading} error={appView.error} onDecide={decideForApplication} />
        ) : doc ? (
          <>
            <Banner doc={doc} busy={busy} onReload={() => void reloadTheirs()} onMerge={() => void mergeMine()}
              onDismissConflicts={() => updateDoc(doc.serviceId, (d) => ({ ...d, conflicts: [] }))} />
            <EditorContext.Provider value={editorContext}>
              <ReactFlow
                nodes={nodes}
                edges={edges}
                nodeTypes={nodeTypes}
                onNodesChange={onNodesChange}
                onEdgesChange={onEdgesChange}
                onSelectionChange={onSelectionChange}
                onNodeDragStop={onNodeDragStop}
                onConnect={onConnect}
                onConnectEnd={onConnectEnd}
                isValidConnection={(c) => c.source !== c.target}
                connectionMode={ConnectionMode.Loose}
                deleteKeyCode={null}
                selectionKeyCode="Shift"
                multiSelectionKeyCode={["Control", "Meta"]}
                minZoom={0.1}
                maxZoom={2.5}
                fitView
                proOptions={{ hideAttribution: true }}
              >
                <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#c5cbd6" />
                <Controls showInteractive={false} />
                <MiniMap pannable zoomable nodeColor={(n) => (n.type === "boundary" ? "rgba(120,130,150,0.15)" : "#5b6b86")} nodeStrokeColor="#8893a7" />
              </ReactFlow>
            </EditorContext.Provider>
          </>
        ) : (
          <div className="sw-empty sw-canvas__empty" data-testid="no-service">
            <h2>No service open</h2>
            <p>{info ? "Pick a service in the sidebar, or make one with + next to an application (or + New application)." : "Opening the workspace…"}</p>
          </div>
        )}
      </main>
      {appViewOf === null && reviewOf === null && (
        <aside className="sw-panel">
          <nav className="sw-tabs">
            <button className={tab === "inspector" ? "sw-tab sw-tab--active" : "sw-tab"} onClick={() => setTab("inspector")} data-testid="inspector-tab">Properties</button>
            <button className={tab === "threats" ? "sw-tab sw-tab--active" : "sw-tab"} onClick={() => setTab("threats")} data-testid="threats-tab">
              Threats{analysis ? <span className="sw-count" data-testid="threats-tab-count">{threatCount}</span> : null}
            </button>
          </nav>
          <div className="sw-panel__body">
            {model && tab === "inspector" && (
              <Inspector model={model} selected={selected} stencils={stencils} diagnostics={diagnostics} commit={commit} onSelect={(id) => select([id])} />
            )}
            {model && tab === "threats" && (
              <ThreatsPanel
                analysis={analysis}
                error={analysisError}
                scope={activeId ? { kind: "service", id: activeId } : null}
                selectedKey={selectedKey}
                onSelect={onSelectThreat}
                onDecide={decideForService}
              />
            )}
          </div>
        </aside>
      )}
      <footer className="sw-status">
        <span data-testid="counts">{model ? `${model.elements.length} elements · ${model.flows.length} flows · ${model.boundaries.length} boundaries` : "no model"}</span>
        <span className={errors ? "sw-status__errors" : warnings ? "sw-status__warnings" : "sw-status__ok"} data-testid="diagnostic-count">
          {errors} errors · {warnings} warnings
        </span>
        {doc && (
          <span className={`sw-save-state sw-save-state--${doc.state}`} data-testid="save-state" title={doc.error ?? (doc.base ? `based on revision #${doc.baseSeq}` : "")}>
            {ws.SAVE_STATE_LABEL[doc.state]}
          </span>
        )}
        <span className={status?.error ? "sw-status__message sw-status__message--error" : "sw-status__message"} role="status" data-testid="status">{status?.text ?? ""}</span>
        <span className="sw-status__backend">{backend.kind === "desktop" ? "desktop" : "web preview (in memory; threats are not re-analysed)"}</span>
      </footer>
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
      {dialog}
    </div>
  );
}
