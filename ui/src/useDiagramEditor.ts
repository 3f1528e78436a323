// The diagram editor's state over React Flow: the nodes and edges re-derived from the model after
// every edit (decorated with selection, diagnostics, threat counts and the threat highlighted),
// the selection, the clipboard, the fit when a service is shown, and the edits made by mouse
// (drag, resize, connect, drop from the palette) or by command. Every edit goes to the session
// as one undo step of the model; React Flow's own state never enters the history.

import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import {
  useEdgesState,
  useNodesInitialized,
  useNodesState,
  useReactFlow,
  useUpdateNodeInternals,
  type Connection,
  type Edge,
  type FinalConnectionState,
  type NodeChange,
  type OnSelectionChangeParams,
} from "@xyflow/react";
import { threatsByTarget } from "./analysis";
import type { Diagnostic } from "./bindings/Diagnostic";
import type { ServiceAnalysis } from "./bindings/ServiceAnalysis";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { StencilSet } from "./bindings/StencilSet";
import type { Threat } from "./bindings/Threat";
import { ADD_ITEMS, applyEdit, isAddCommand, isEditCommand, type Command } from "./commands";
import { absoluteFromNodes, diagnosticsByObject, keepMeasured, toEdges, toNodes, type DiagramNode } from "./diagram";
import * as edit from "./edits";
import { MAX_FIT_ZOOM, MIN_FIT_ZOOM } from "./flowGeometry";
import { fitReadable } from "./fit";
import { freeSpot } from "./geometry";
import { autoLayout } from "./layout";
import { DND_TYPE, type PaletteItem } from "./Palette";
import type { Say, WorkspaceSession } from "./session";

const NO_SELECTION: ReadonlySet<string> = new Set();
/** React Flow's own fit (its first render), within the readable zooms; fitReadable does the rest. */
export const FIT = { padding: 0.08, minZoom: MIN_FIT_ZOOM, maxZoom: MAX_FIT_ZOOM };
const editorPane = () => document.querySelector<HTMLElement>(".sw-canvas > .react-flow");

/** Threat counts per target, as a string: equal strings, equal badges. */
export function countsSignature(map: ReadonlyMap<string, readonly unknown[]>): string {
  return [...map].map(([id, ts]) => `${id}:${ts.length}`).join(",");
}

export interface EditorInputs {
  session: WorkspaceSession;
  /** The model in the editor; null when the main area shows something else. */
  model: ServiceModel | null;
  /** The session's `shown`: selection and fit start over when it changes. */
  shown: number;
  stencils: StencilSet | null;
  diagnostics: Diagnostic[];
  analysis: ServiceAnalysis | null;
  say: Say;
  /** After an element or boundary is added: show its properties. */
  onAdded: () => void;
}

export function useDiagramEditor({ session, model, shown, stencils, diagnostics, analysis, say, onAdded }: EditorInputs) {
  const rf = useReactFlow();
  const [selected, setSelected] = useState<ReadonlySet<string>>(NO_SELECTION);
  /** The target of the threat selected in the threats panel, lit up on the diagram. */
  const [highlighted, setHighlighted] = useState<string | null>(null);
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const clipboard = useRef<edit.Clipboard | null>(null);
  /** Fit the view once the next document's nodes are on the canvas. */
  const pendingFit = useRef(false);

  // Another service shown (or the same one again): nothing selected, and fit it once drawn.
  const [shownBefore, setShownBefore] = useState(shown);
  if (shownBefore !== shown) {
    setShownBefore(shown);
    setSelected(NO_SELECTION);
    setHighlighted(null);
    setSelectedKey(null);
  }
  useEffect(() => {
    pendingFit.current = true;
  }, [shown]);

  const commit = useCallback((next: ServiceModel, coalesce?: string) => session.commit(next, coalesce), [session]);

  const stencilTitle = useCallback((id: string) => stencils?.stencils[id]?.title ?? id, [stencils]);
  const diagByObject = useMemo(() => diagnosticsByObject(diagnostics), [diagnostics]);
  // Re-analysis after every edit gives a new analysis object; the diagram only shows counts per
  // target, so keep the map (and spare React Flow a rebuild of every node, which could race with
  // a click's selection) while the counts stay the same.
  const lastThreatMap = useRef<{ signature: string; map: ReturnType<typeof threatsByTarget> } | null>(null);
  const threatMap = useMemo(() => {
    const map = threatsByTarget(analysis?.analysis.threats ?? []);
    const signature = countsSignature(map);
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
  // React Flow draws a flow only between measured handles, and measures a node again only when
  // its size changes. A node rebuilt while a measurement is under way can keep its size and
  // lose its handles (the flows of a reopened service stayed undrawn once, under load): such a
  // node is measured again here instead of staying without flows.
  const updateNodeInternals = useUpdateNodeInternals();
  useEffect(() => {
    if (!nodesReady) return;
    const unmeasured = nodes.filter((n) => !rf.getInternalNode(n.id)?.internals.handleBounds).map((n) => n.id);
    if (unmeasured.length) updateNodeInternals(unmeasured);
  }, [nodesReady, nodes, rf, updateNodeInternals]);
  useEffect(() => {
    if (nodesReady && pendingFit.current && nodes.length) {
      pendingFit.current = false;
      fitReadable(rf, editorPane());
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

  /** A mouse drag is under way: its moves are saved when it ends, not one by one. */
  const dragging = useRef(false);
  const onNodeDragStart = useCallback(() => {
    dragging.current = true;
  }, []);
  const onNodeDragStop = useCallback(
    (_: unknown, _node: unknown, dragged: DiagramNode[]) => {
      dragging.current = false;
      if (!model) return;
      const abs = absoluteFromNodes(rf.getNodes());
      commit(edit.moveNodes(model, abs, dragged.map((n) => n.id)));
    },
    [model, rf, commit],
  );
  const onSelectionDragStop = useCallback(
    (_: unknown, dragged: DiagramNode[]) => onNodeDragStop(null, null, dragged),
    [onNodeDragStop],
  );

  // React Flow moves the selected nodes with the arrow keys (a focused node, Shift for bigger
  // steps) and reports it as position changes outside any drag: those are saved like a drag,
  // the presses in a row on the same nodes as one undo step.
  const modelRef = useRef(model);
  modelRef.current = model;
  const onNodesChangeSaved = useCallback(
    (changes: NodeChange<DiagramNode>[]) => {
      onNodesChange(changes);
      if (dragging.current) return;
      const moved = changes.flatMap((c) => (c.type === "position" && c.position && !c.dragging ? [c.id] : []));
      if (!moved.length) return;
      // After React Flow has applied the move to its nodes.
      setTimeout(() => {
        const current = modelRef.current;
        if (!current) return;
        commit(edit.moveNodes(current, absoluteFromNodes(rf.getNodes()), moved), `keyboard-move:${moved.join(",")}`);
      }, 0);
    },
    [onNodesChange, rf, commit],
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
      onAdded();
    },
    [model, commit, select, viewCenter, onAdded],
  );

  const onDragOver = useCallback(
    (e: DragEvent) => {
      if (model && e.dataTransfer.types.includes(DND_TYPE)) {
        e.preventDefault();
        e.dataTransfer.dropEffect = "copy";
      }
    },
    [model],
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

  const relayout = useCallback(async () => {
    if (!model) return;
    pendingFit.current = true;
    const { model: laid, error } = await autoLayout(model);
    commit(laid);
    if (error) say(`automatic layout failed (${error}); laid out on a grid`, true);
  }, [model, commit, say]);

  const fit = useCallback(() => fitReadable(rf, editorPane(), undefined, 200), [rf]);

  /** Esc: nothing selected, no threat lit up. */
  const clear = useCallback(() => {
    if (model) select([]);
    setHighlighted(null);
    setSelectedKey(null);
  }, [model, select]);

  /** The editor's commands (see commands.ts); the others are the window's. */
  const perform = useCallback(
    (command: Command) => {
      if (!model) return;
      if (command === "undo") session.undo();
      else if (command === "redo") session.redo();
      else if (command === "layout") void relayout();
      else if (command === "fit") fit();
      else if (isAddCommand(command)) addItem(ADD_ITEMS[command]);
      else if (isEditCommand(command)) {
        const r = applyEdit(command, model, selected, clipboard.current);
        if (r.clipboard) clipboard.current = r.clipboard;
        if (r.model) commit(r.model);
        if (r.select) select(r.select);
        if (r.message) say(r.message);
      }
    },
    [model, session, relayout, fit, addItem, selected, commit, select, say],
  );

  return {
    commit,
    nodes,
    edges,
    onNodesChange: onNodesChangeSaved,
    onEdgesChange,
    onSelectionChange,
    onNodeDragStart,
    onNodeDragStop,
    onSelectionDragStart: onNodeDragStart,
    onSelectionDragStop,
    onConnect,
    onConnectEnd,
    onDragOver,
    onDrop,
    editorContext,
    selected,
    select,
    selectedKey,
    onSelectThreat,
    addItem,
    relayout,
    fit,
    clear,
    perform,
    /** Something was copied or cut to paste. */
    canPaste: () => clipboard.current !== null,
  };
}

export type DiagramEditor = ReturnType<typeof useDiagramEditor>;
