// The read-only application view: the consolidated model drawn with one group per service,
// flows between services dashed, and beside it the application's threats (application-level
// ones first), what consolidation found, and the attack paths of the selected threat, the
// chosen path lit up on the diagram and the rest dimmed.

import { memo, useCallback, useEffect, useMemo, useRef, useState, type JSX, type MouseEvent as ReactMouseEvent, type RefObject } from "react";
import {
  Background,
  BackgroundVariant,
  ConnectionMode,
  Controls,
  Handle,
  MiniMap,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type NodeProps,
} from "@xyflow/react";
import type { ApplicationView } from "./bindings/ApplicationView";
import type { NodeLayout } from "./bindings/NodeLayout";
import type { ServiceAnalysis } from "./bindings/ServiceAnalysis";
import type { Threat } from "./bindings/Threat";
import { threatCount } from "./analysis";
import type { TriageChange } from "./bindings/TriageChange";
import type { TriageScope } from "./bindings/TriageScope";
import type { AttackPath } from "./bindings/AttackPath";
import { threatsByTarget } from "./analysis";
import {
  appFlowPlacements,
  appPicture,
  layoutApplication,
  layoutSignature,
  pathsOf,
  serviceGroups,
  threatHighlight,
  toAppEdges,
  toAppNodes,
  type AppElementNode,
  type Highlight,
  type ServiceGroupNode,
} from "./appview";
import { Splitter } from "./Splitter";
import { ThreatsPanelView } from "./ThreatsPanel";
import { edgeTypes } from "./FlowEdge";
import { FIT } from "./useDiagramEditor";
import { fitReadable } from "./fit";
import { diagramSvg } from "./picture";
import "./threats.css";

/** What the window asks of the application diagram: its picture (for export) and a fit. */
export interface AppDiagramHandle {
  picture(): { title: string; svg: string } | null;
  fit(): void;
}

export interface AppViewProps {
  /** Set while the view shows. */
  handle?: RefObject<AppDiagramHandle | null>;
  /** Right-click on the diagram. */
  onMenu?: (e: ReactMouseEvent | MouseEvent) => void;
  view: ApplicationView | null;
  loading: boolean;
  error: string | null;
  onDecide: (key: string, change: TriageChange) => Promise<void>;
  /** The threats panel's width, set by dragging its edge. */
  sideWidth: number;
  onResizeSide: (width: number, done: boolean) => void;
}

export function AppView(props: AppViewProps): JSX.Element {
  return (
    <ReactFlowProvider>
      <AppViewInner {...props} />
    </ReactFlowProvider>
  );
}

const SIDES = [Position.Top, Position.Right, Position.Bottom, Position.Left];

const ServiceGroupView = memo(function ServiceGroupView({ data }: NodeProps<ServiceGroupNode>) {
  const g = data.group;
  return (
    <div className={g.shared ? "sw-svc sw-svc--shared" : "sw-svc"} data-group={g.name}>
      <div className="sw-svc__label">
        <span className="sw-svc__kind">{g.shared ? "shared by services" : "service"}</span>
        <span className="sw-svc__name">{g.shared ? "Shared" : g.name}</span>
      </div>
    </div>
  );
});

const AppElementView = memo(function AppElementView({ data }: NodeProps<AppElementNode>) {
  const e = data.element;
  const origins = e.origins ?? [];
  return (
    <div className={`sw-node sw-node--${e.kind}${e.out_of_scope ? " sw-node--out-of-scope" : ""}`} data-kind={e.kind} data-name={e.name}
      title={origins.length ? `${e.name}\nfrom: ${origins.join(", ")}` : e.name}>
      {SIDES.map((p) => (
        <Handle key={p} id={p} type="source" position={p} className="sw-handle" isConnectable={false} />
      ))}
      <div className="sw-node__name">{e.name || <em>unnamed</em>}</div>
      <div className="sw-node__stencil">{data.stencilTitle}</div>
      <div className="sw-node__badges">
        {data.threats > 0 && <span className="sw-badge sw-badge--threats">{threatCount(data.threats)}</span>}
      </div>
      {origins.length > 1 && <span className="sw-node__shared">{origins.length} services</span>}
    </div>
  );
});

const nodeTypes = { service: ServiceGroupView, appElement: AppElementView };

function AppViewInner({ view, loading, error, onDecide, sideWidth, onResizeSide, handle, onMenu }: AppViewProps) {
  const rf = useReactFlow();
  const [positions, setPositions] = useState<Record<string, NodeLayout> | null>(null);
  const [layoutError, setLayoutError] = useState<string | null>(null);
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [pathIndex, setPathIndex] = useState(0);
  /** A consolidation diagnostic's object, highlighted when no threat is selected. */
  const [diagObject, setDiagObject] = useState<string | null>(null);

  const model = view?.model ?? null;
  const services = view?.services;
  const groups = useMemo(() => (model ? serviceGroups(model, services) : []), [model, services]);

  // Lay out anew only when the structure changes: a decision re-consolidates and hands over a
  // new but equal model, and the diagram must not jump then.
  const signature = useMemo(() => (model ? layoutSignature(model, services) : ""), [model, services]);
  const latest = useRef({ model, services });
  latest.current = { model, services };
  useEffect(() => {
    const { model, services } = latest.current;
    if (!signature || !model) {
      setPositions(null);
      return;
    }
    let cancelled = false;
    setPositions(null);
    void layoutApplication(model, services).then(({ positions, error }) => {
      if (cancelled) return;
      setPositions(positions);
      setLayoutError(error);
    });
    return () => {
      cancelled = true;
    };
  }, [signature]);

  // A threat that is gone after re-analysis is no longer selected.
  const threats = view?.analysis.threats;
  const selected = useMemo(() => threats?.find((t) => t.key === selectedKey) ?? null, [threats, selectedKey]);
  const paths = useMemo(() => pathsOf(view?.attack_paths ?? [], selectedKey), [view, selectedKey]);

  const highlight = useMemo<Highlight | null>(() => {
    if (selected) return threatHighlight(selected, paths, pathIndex);
    if (diagObject && model) {
      const flow = model.flows.find((f) => f.id === diagObject);
      return flow
        ? { elements: new Set([flow.source, flow.target]), flows: new Set([flow.id]) }
        : { elements: new Set([diagObject]), flows: new Set() };
    }
    return null;
  }, [selected, paths, pathIndex, diagObject, model]);

  const threatCounts = useMemo(() => threatsByTarget(threats ?? []), [threats]);
  const nodes = useMemo(
    () => (model && positions ? toAppNodes(model, groups, positions, { highlight, threats: threatCounts }) : []),
    [model, groups, positions, highlight, threatCounts],
  );
  const placements = useMemo(() => (model && positions ? appFlowPlacements(model, groups, positions) : null), [model, groups, positions]);
  const edges = useMemo(
    () => (model && positions && placements ? toAppEdges(model, groups, positions, { highlight }, placements) : []),
    [model, groups, positions, highlight, placements],
  );

  // Bring the highlighted path (or target) into view; the whole diagram when it is cleared.
  const pathKey = highlight ? [...highlight.elements].join(",") : "";
  useEffect(() => {
    if (!positions) return;
    const ids = pathKey ? pathKey.split(",").filter((id) => positions[id]) : [];
    const t = setTimeout(() => {
      fitReadable(rf, document.querySelector<HTMLElement>("[data-testid=app-view-diagram] .react-flow"), ids.length ? ids.map((id) => ({ id })) : undefined, 300);
    }, 0);
    return () => clearTimeout(t);
  }, [pathKey, positions, rf]);

  useEffect(() => {
    if (!handle) return;
    handle.current = {
      picture: () => {
        if (!model || !positions || !placements || !view) return null;
        const { nodes, flows } = appPicture(model, groups, positions);
        const title = `${view.application} – application view`;
        return { title, svg: diagramSvg(title, nodes, flows, placements) };
      },
      fit: () => fitReadable(rf, document.querySelector<HTMLElement>("[data-testid=app-view-diagram] .react-flow"), undefined, 200),
    };
    return () => {
      handle.current = null;
    };
  }, [handle, model, positions, placements, view, groups, rf]);

  const onSelect = useCallback((t: Threat | null) => {
    setSelectedKey(t?.key ?? null);
    setPathIndex(0);
    if (t) setDiagObject(null);
  }, []);

  const serviceAnalysis = useMemo<ServiceAnalysis | null>(
    () => (view ? { analysis: view.analysis, decisions: view.decisions } : null),
    [view],
  );
  const scope = useMemo<TriageScope | null>(() => (view ? { kind: "application", name: view.application } : null), [view]);

  const details = useCallback(
    (t: Threat) => {
      const own = t.key === selectedKey ? paths : [];
      if (!own.length) return null;
      return <AttackPaths paths={own} chosen={Math.min(pathIndex, own.length - 1)} onChoose={setPathIndex} />;
    },
    [selectedKey, paths, pathIndex],
  );

  return (
    <div className="sw-av" data-testid="app-view">
      <div className="sw-av__canvas" data-testid="app-view-diagram">
        {!view ? (
          <div className="sw-av__message">
            {loading ? <p>Consolidating the application’s services…</p> : error ? <p className="sw-error">{error}</p> : <p>Choose an application to see its services together.</p>}
          </div>
        ) : (
          <>
            {positions && (
            <ReactFlow
              key={view.application}
              nodes={nodes}
              edges={edges}
              nodeTypes={nodeTypes}
              edgeTypes={edgeTypes}
              nodesDraggable={false}
              nodesConnectable={false}
              elementsSelectable
              connectionMode={ConnectionMode.Loose}
              deleteKeyCode={null}
              minZoom={0.05}
              maxZoom={2.5}
              onlyRenderVisibleElements={nodes.length > 400}
              onPaneContextMenu={onMenu}
              onNodeContextMenu={onMenu}
              onEdgeContextMenu={onMenu}
              fitView
              fitViewOptions={FIT}
              proOptions={{ hideAttribution: true }}
            >
              <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#c5cbd6" />
              <Controls showInteractive={false} />
              <MiniMap style={{ width: 150, height: 100 }} pannable zoomable nodeColor={(n) => (n.type === "service" ? "rgba(120,130,150,0.15)" : "#5b6b86")} nodeStrokeColor="#8893a7" />
            </ReactFlow>
            )}
            <div className="sw-av__legend" aria-hidden>
              <span><i /> flow in a service</span>
              <span><i className="sw-av__legend-cross" /> between services</span>
              {highlight && <span><i className="sw-av__legend-path" /> {selected && paths.length ? "attack path" : "selected"}</span>}
            </div>
            {!positions && <div className="sw-av__message"><p>Laying out {model?.elements.length ?? 0} elements…</p></div>}
          </>
        )}
      </div>
      <Splitter label="Threats panel width" testId="app-side-splitter" className="sw-splitter--app-side" side="right" width={sideWidth} onResize={onResizeSide} />
      <aside className="sw-av__side">
        <header className="sw-av__head">
          <h2>{view?.application ?? "Application"}</h2>
          {view && (
            <p className="sw-muted">
              {view.services.length} services · {view.model.elements.length} elements · {view.model.flows.length} flows
              {loading ? " · updating…" : ""}
            </p>
          )}
          {view && error && <p className="sw-error" role="alert">{error}</p>}
          {layoutError && <p className="sw-error">automatic layout failed ({layoutError}); laid out on a grid</p>}
        </header>
        <div className="sw-av__threats">
          <ThreatsPanelView
            analysis={serviceAnalysis}
            error={null}
            scope={scope}
            selectedKey={selectedKey}
            onSelect={onSelect}
            onDecide={onDecide}
            busy={loading}
            appLevelToggle
            details={details}
          />
        </div>
        {view && (
          <section className="sw-av__diagnostics">
            <h3>Consolidation<span className="sw-count">{view.diagnostics.length}</span></h3>
            <ul className="sw-app-diag" data-testid="app-diagnostics">
              {view.diagnostics.length === 0 && <li className="sw-muted">The services agree: nothing to reconcile.</li>}
              {view.diagnostics.map((d, i) => (
                <li key={i} data-code={d.code}
                  className={[d.object ? "sw-app-diag--object" : "", d.object && d.object === diagObject && !selected ? "sw-app-diag--on" : ""].join(" ")}
                  onClick={() => {
                    if (!d.object) return;
                    setSelectedKey(null);
                    setDiagObject(diagObject === d.object ? null : d.object);
                  }}>
                  <span className="sw-diagnostic__code">{d.code}</span> {d.message}
                  {d.services.length > 0 && <span className="sw-muted"> ({d.services.join(", ")})</span>}
                </li>
              ))}
            </ul>
          </section>
        )}
      </aside>
    </div>
  );
}

function AttackPaths({ paths, chosen, onChoose }: { paths: AttackPath[]; chosen: number; onChoose: (i: number) => void }) {
  return (
    <section className="sw-paths">
      <h4>Attack paths ({paths.length})</h4>
      <ol>
        {paths.map((p, i) => (
          <li key={i}>
            <button data-testid="attack-path" className={i === chosen ? "sw-path-item sw-path-item--on" : "sw-path-item"}
              aria-pressed={i === chosen} onClick={() => onChoose(i)}>
              {p.summary}
              <span className="sw-path-item__meta">{p.elements.length} elements · {p.flows.length} flows</span>
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
