// The custom React Flow nodes: DFD elements (drawn by kind) and trust boundaries (resizable
// group nodes).

import { createContext, memo, useContext } from "react";
import { Handle, NodeResizer, Position, type NodeProps } from "@xyflow/react";
import type { BoundaryNode, ElementNode } from "./diagram";
import type { Diagnostic } from "./bindings/Diagnostic";
import { threatCount } from "./analysis";
import { DriftContext, markTitle } from "./driftMarks";
import type { DriftLine } from "./bindings/DriftLine";

/** What nodes need from the editor: committing a boundary's new size. */
export const EditorContext = createContext<{
  onBoundaryResized: (id: string, rect: { x: number; y: number; width: number; height: number }) => void;
}>({ onBoundaryResized: () => {} });

function DiagnosticBadge({ diagnostics }: { diagnostics: Diagnostic[] }) {
  if (!diagnostics.length) return null;
  const error = diagnostics.some((d) => d.level === "error");
  return (
    <span
      className={`sw-badge ${error ? "sw-badge--error" : "sw-badge--warning"}`}
      title={diagnostics.map((d) => d.message).join("\n")}
      data-testid="diagnostic-badge"
    >
      {error ? "!" : "?"} {diagnostics.length}
    </span>
  );
}

/** The drift mark of an object a drift report names (its tooltip lists the differences). */
export function DriftMark({ lines }: { lines: readonly DriftLine[] | undefined }) {
  if (!lines?.length) return null;
  const kind = lines.some((l) => l.kind === "no_longer_in_code") ? "no_longer_in_code" : lines[0].kind;
  return (
    <span className={`sw-drift-mark sw-drift-mark--${kind}`} title={markTitle(lines)} data-testid="drift-mark" aria-label={`drift: ${lines.map((l) => l.label).join(", ")}`}>
      Δ{lines.length > 1 ? ` ${lines.length}` : ""}
    </span>
  );
}

const SIDES = [Position.Top, Position.Right, Position.Bottom, Position.Left];

export const ElementNodeView = memo(function ElementNodeView({ id, data, selected }: NodeProps<ElementNode>) {
  const e = data.element;
  const drift = useContext(DriftContext).get(id);
  const classes = [
    "sw-node",
    `sw-node--${e.kind}`,
    selected ? "sw-node--selected" : "",
    data.highlighted ? "sw-node--highlighted" : "",
    e.out_of_scope ? "sw-node--out-of-scope" : "",
    data.diagnostics.some((d) => d.level === "error") ? "sw-node--error" : "",
    drift ? "sw-node--drift" : "",
  ];
  return (
    <div className={classes.join(" ")} data-kind={e.kind} data-name={e.name}>
      {SIDES.map((p) => (
        <Handle key={p} id={p} type="source" position={p} className="sw-handle" />
      ))}
      <div className="sw-node__name">{e.name || <em>unnamed</em>}</div>
      <div className="sw-node__stencil">{data.stencilTitle}</div>
      <div className="sw-node__badges">
        <DriftMark lines={drift} />
        <DiagnosticBadge diagnostics={data.diagnostics} />
        {data.threats > 0 && <span className="sw-badge sw-badge--threats">{threatCount(data.threats)}</span>}
      </div>
    </div>
  );
});

export const BoundaryNodeView = memo(function BoundaryNodeView({ id, data, selected }: NodeProps<BoundaryNode>) {
  const { onBoundaryResized } = useContext(EditorContext);
  const drift = useContext(DriftContext).get(id);
  const b = data.boundary;
  return (
    <div
      className={`sw-boundary sw-boundary--${b.kind} ${selected ? "sw-boundary--selected" : ""} ${data.highlighted ? "sw-boundary--highlighted" : ""}`}
      data-name={b.name}
    >
      <NodeResizer
        isVisible={selected}
        minWidth={160}
        minHeight={100}
        lineClassName="sw-resizer-line"
        handleClassName="sw-resizer-handle"
        onResizeEnd={(_, p) => onBoundaryResized(id, { x: p.x, y: p.y, width: p.width, height: p.height })}
      />
      <div className="sw-boundary__label">
        <span className="sw-boundary__kind">{b.kind.replace(/_/g, " ")}</span>
        <span className="sw-boundary__name">{b.name}</span>
        <DriftMark lines={drift} />
        <DiagnosticBadge diagnostics={data.diagnostics} />
      </div>
    </div>
  );
});

export const nodeTypes = { element: ElementNodeView, boundary: BoundaryNodeView };
