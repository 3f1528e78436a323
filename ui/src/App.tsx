// The editor window: sidebar (open models, samples, palette), the diagram, and the inspector
// and threats on the right. The open document lives in one undo history; React Flow's state
// is re-derived from it after every edit.

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
import { errorMessage } from "./api";
import type { Analysis } from "./analysis";
import { threatsByTarget } from "./analysis";
import type { Diagnostic } from "./bindings/Diagnostic";
import type { OpenedModel } from "./bindings/OpenedModel";
import type { SampleInfo } from "./bindings/SampleInfo";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { StencilSet } from "./bindings/StencilSet";
import { absoluteFromNodes, diagnosticsByObject, toEdges, toNodes, type DiagramNode } from "./diagram";
import * as edit from "./edits";
import { freeSpot, hasFullLayout } from "./geometry";
import * as hist from "./history";
import { HelpOverlay } from "./HelpOverlay";
import { Inspector } from "./Inspector";
import { autoLayout } from "./layout";
import { EditorContext, nodeTypes } from "./nodes";
import { DND_TYPE, Palette, type PaletteItem } from "./Palette";
import { ThreatsPanel } from "./ThreatsPanel";

interface Doc {
  key: string;
  path: string | null;
  sample: string | null;
  history: hist.History<ServiceModel>;
  /** The history version last saved (or opened). */
  savedVersion: number;
}

let docCounter = 0;

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
}

export function App({ backend }: { backend: Backend }) {
  const rf = useReactFlow();
  const [stencils, setStencils] = useState<StencilSet | null>(null);
  const [samples, setSamples] = useState<SampleInfo[]>([]);
  const [docs, setDocs] = useState<Doc[]>([]);
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [diagnostics, setDiagnostics] = useState<Diagnostic[]>([]);
  const [analysis, setAnalysis] = useState<Analysis | null>(null);
  const [analysisError, setAnalysisError] = useState<string | null>(null);
  const [highlighted, setHighlighted] = useState<string | null>(null);
  const [tab, setTab] = useState<"inspector" | "threats">("inspector");
  const [help, setHelp] = useState(false);
  const [status, setStatus] = useState<{ text: string; error?: boolean } | null>(null);
  const clipboard = useRef<edit.Clipboard | null>(null);
  /** Fit the view once the next document's nodes are on the canvas. */
  const pendingFit = useRef(false);

  const doc = docs.find((d) => d.key === activeKey) ?? null;
  const model = doc?.history.present ?? null;

  const say = useCallback((text: string, error = false) => setStatus({ text, error }), []);

  const updateDoc = useCallback((key: string, f: (d: Doc) => Doc) => {
    setDocs((ds) => ds.map((d) => (d.key === key ? f(d) : d)));
  }, []);

  const commit = useCallback(
    (next: ServiceModel, coalesce?: string) => {
      if (!activeKey) return;
      updateDoc(activeKey, (d) => ({ ...d, history: hist.commit(d.history, next, coalesce ?? null) }));
    },
    [activeKey, updateDoc],
  );

  const openDoc = useCallback(
    async (opened: OpenedModel) => {
      let m = opened.model;
      let layoutError: string | null = null;
      if (!hasFullLayout(m)) {
        ({ model: m, error: layoutError } = await autoLayout(m));
      }
      const key = `doc-${++docCounter}`;
      setDocs((ds) => [...ds, { key, path: opened.path, sample: opened.sample, history: hist.start(m), savedVersion: 0 }]);
      setActiveKey(key);
      setSelected(new Set());
      setHighlighted(null);
      say(`Opened ${opened.path ?? opened.sample ?? m.name}`);
      if (layoutError) {
        document.documentElement.dataset.layoutError = layoutError;
        say(`automatic layout failed (${layoutError}); laid out on a grid`, true);
      }
      pendingFit.current = true;
    },
    [say],
  );

  // Start-up: stencils, samples, and the first model.
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const [st, sm] = await Promise.all([backend.stencils(), backend.listSamples()]);
        if (cancelled) return;
        setStencils(st);
        setSamples(sm);
        let first: OpenedModel | null = null;
        let problem: string | null = null;
        try {
          first = await backend.initialModel();
        } catch (e) {
          problem = errorMessage(e);
        }
        await openDoc(first ?? { model: edit.emptyModel(), path: null, sample: null });
        if (problem) say(problem, true);
      } catch (e) {
        say(`could not start: ${errorMessage(e)}`, true);
      }
    })();
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [backend]);

  // Validation and analysis after every edit, debounced.
  useEffect(() => {
    if (!model) return;
    const timer = setTimeout(async () => {
      try {
        setDiagnostics(await backend.validate(model));
      } catch (e) {
        say(`validation failed: ${errorMessage(e)}`, true);
      }
      if (backend.analyze) {
        try {
          setAnalysis(await backend.analyze(model));
          setAnalysisError(null);
        } catch (e) {
          setAnalysisError(errorMessage(e));
        }
      }
    }, 150);
    return () => clearTimeout(timer);
  }, [model, backend, say]);

  const stencilTitle = useCallback((id: string) => stencils?.stencils[id]?.title ?? id, [stencils]);
  const diagByObject = useMemo(() => diagnosticsByObject(diagnostics), [diagnostics]);
  const threatMap = useMemo(() => threatsByTarget(analysis?.threats ?? []), [analysis]);

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
    setNodes(toNodes(model, deco));
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

  const undo = useCallback(() => activeKey && updateDoc(activeKey, (d) => ({ ...d, history: hist.undo(d.history) })), [activeKey, updateDoc]);
  const redo = useCallback(() => activeKey && updateDoc(activeKey, (d) => ({ ...d, history: hist.redo(d.history) })), [activeKey, updateDoc]);

  const relayout = useCallback(async () => {
    if (!model) return;
    pendingFit.current = true;
    const { model: laid, error } = await autoLayout(model);
    commit(laid);
    if (error) say(`automatic layout failed (${error}); laid out on a grid`, true);
  }, [model, commit, rf, say]);

  const save = useCallback(async () => {
    if (!doc || !model) return;
    try {
      const path = doc.path ?? (await backend.pickSavePath(`${model.name || "model"}.stride.json`));
      if (!path) {
        say(backend.kind === "web" ? "Saving to a file needs the desktop app." : "Save cancelled.");
        return;
      }
      await backend.saveFile(path, model);
      updateDoc(doc.key, (d) => ({ ...d, path, sample: null, savedVersion: d.history.version }));
      say(`Saved ${path}`);
    } catch (e) {
      say(errorMessage(e), true);
    }
  }, [doc, model, backend, updateDoc, say]);

  const open = useCallback(async () => {
    try {
      const path = await backend.pickOpenPath();
      if (!path) {
        say(backend.kind === "web" ? "Opening files needs the desktop app." : "Open cancelled.");
        return;
      }
      await openDoc(await backend.openFile(path));
    } catch (e) {
      say(errorMessage(e), true);
    }
  }, [backend, openDoc, say]);

  const closeDoc = useCallback(
    (key: string) => {
      const d = docs.find((x) => x.key === key);
      if (!d) return;
      if (d.history.version !== d.savedVersion && !window.confirm(`Close '${d.history.present.name}' and lose its unsaved changes?`)) return;
      const rest = docs.filter((x) => x.key !== key);
      setDocs(rest);
      if (key === activeKey) {
        pendingFit.current = true;
        setActiveKey(rest.length ? rest[rest.length - 1].key : null);
        setSelected(new Set());
      }
    },
    [docs, activeKey],
  );

  const openSample = useCallback(
    async (id: string) => {
      const already = docs.find((d) => d.sample === id);
      if (already) {
        pendingFit.current = true;
        setActiveKey(already.key);
        return;
      }
      try {
        await openDoc(await backend.openSample(id));
      } catch (e) {
        say(errorMessage(e), true);
      }
    },
    [docs, backend, openDoc, say],
  );

  // Keyboard shortcuts.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      if (mod && k === "s") {
        e.preventDefault();
        void save();
        return;
      }
      if (mod && k === "o") {
        e.preventDefault();
        void open();
        return;
      }
      if (isTyping(e.target)) return;
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
      else if (e.key === "Escape") { setHelp(false); select([]); setHighlighted(null); }
      else if (e.key === "?") setHelp((h) => !h);
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
  }, [model, selected, undo, redo, commit, select, addItem, relayout, save, open, rf, say]);

  const errors = diagnostics.filter((d) => d.level === "error").length;
  const warnings = diagnostics.length - errors;
  const dirty = doc ? doc.history.version !== doc.savedVersion : false;

  return (
    <div className="sw-app">
      <header className="sw-toolbar">
        <div className="sw-brand"><img src="./icon.png" alt="" width={20} height={20} /> Stridewise</div>
        <div className="sw-toolbar__title" data-testid="model-title">{model?.name ?? ""}{dirty ? " •" : ""}</div>
        <div className="sw-toolbar__actions">
          <button className="sw-button" onClick={() => void openDoc({ model: edit.emptyModel(), path: null, sample: null })}>New</button>
          <button className="sw-button" onClick={() => void open()}>Open…</button>
          <button className="sw-button" onClick={() => void save()}>Save</button>
          <span className="sw-sep" />
          <button className="sw-button" onClick={undo} disabled={!doc || !hist.canUndo(doc.history)} title="Undo (Ctrl+Z)">Undo</button>
          <button className="sw-button" onClick={redo} disabled={!doc || !hist.canRedo(doc.history)} title="Redo (Ctrl+Shift+Z)">Redo</button>
          <span className="sw-sep" />
          <button className="sw-button" onClick={() => void relayout()} title="Automatic layout (L)">Auto layout</button>
          <button className="sw-button" onClick={() => rf.fitView({ padding: 0.12 })} title="Fit (F)">Fit</button>
          <button className="sw-button sw-button--icon" onClick={() => setHelp(true)} title="Keyboard shortcuts (?)">?</button>
        </div>
      </header>
      <aside className="sw-sidebar">
        <h3>Open models</h3>
        <ul className="sw-list" data-testid="open-models">
          {docs.map((d) => (
            <li key={d.key} className={d.key === activeKey ? "sw-list__item sw-list__item--active" : "sw-list__item"} onClick={() => { pendingFit.current = true; setActiveKey(d.key); }} title={d.path ?? d.sample ?? "unsaved"}>
              <span className="sw-list__name">{d.history.present.name || "unnamed"}{d.history.version !== d.savedVersion ? " •" : ""}</span>
              <span className="sw-list__meta">{d.path ? d.path.split(/[\\/]/).pop() : d.sample ? "sample" : "unsaved"}</span>
              <button className="sw-list__close" title="Close" aria-label={`Close ${d.history.present.name}`}
                onClick={(e) => { e.stopPropagation(); closeDoc(d.key); }}>×</button>
            </li>
          ))}
        </ul>
        <h3>Samples</h3>
        <ul className="sw-list" data-testid="samples">
          {samples.length === 0 && <li className="sw-muted">No bundled samples in this build.</li>}
          {samples.map((s) => (
            <li key={s.id} className="sw-list__item" onClick={() => void openSample(s.id)} title={s.description}>
              <span className="sw-list__name">{s.name}</span>
              <span className="sw-list__meta">{s.elements} elements · {s.flows} flows</span>
            </li>
          ))}
        </ul>
        <Palette stencils={stencils} onAdd={(item) => addItem(item)} />
      </aside>
      <main className="sw-canvas" onDragOver={(e) => { if (e.dataTransfer.types.includes(DND_TYPE)) { e.preventDefault(); e.dataTransfer.dropEffect = "copy"; } }} onDrop={onDrop}>
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
      </main>
      <aside className="sw-panel">
        <nav className="sw-tabs">
          <button className={tab === "inspector" ? "sw-tab sw-tab--active" : "sw-tab"} onClick={() => setTab("inspector")}>Properties</button>
          <button className={tab === "threats" ? "sw-tab sw-tab--active" : "sw-tab"} onClick={() => setTab("threats")}>
            Threats{analysis ? <span className="sw-count">{analysis.threats.length}</span> : null}
          </button>
        </nav>
        <div className="sw-panel__body">
          {model && tab === "inspector" && (
            <Inspector model={model} selected={selected} stencils={stencils} diagnostics={diagnostics} commit={commit} onSelect={(id) => select([id])} />
          )}
          {tab === "threats" && (
            <ThreatsPanel analysis={analysis} available={!!backend.analyze} error={analysisError} highlighted={highlighted} onHighlight={setHighlighted} />
          )}
        </div>
      </aside>
      <footer className="sw-status">
        <span data-testid="counts">{model ? `${model.elements.length} elements · ${model.flows.length} flows · ${model.boundaries.length} boundaries` : "no model"}</span>
        <span className={errors ? "sw-status__errors" : warnings ? "sw-status__warnings" : "sw-status__ok"} data-testid="diagnostic-count">
          {errors} errors · {warnings} warnings
        </span>
        <span className={status?.error ? "sw-status__message sw-status__message--error" : "sw-status__message"} role="status">{status?.text ?? ""}</span>
        <span className="sw-status__backend">{backend.kind === "desktop" ? "desktop" : "web preview (in-memory)"}</span>
      </footer>
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
    </div>
  );
}
