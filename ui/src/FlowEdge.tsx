// A data flow on a diagram: the curve of flowGeometry.ts between React Flow's handle points (so
// it follows a node while it is dragged), drawn apart from the other flows between the same two
// elements, with its label where placeFlows found room. A label without room shows only while
// the flow is hovered or selected.

import { memo, useContext, useState } from "react";
import { BaseEdge, EdgeLabelRenderer, Position, type Edge, type EdgeProps } from "@xyflow/react";
import { DriftContext } from "./driftMarks";
import { DriftMark } from "./nodes";
import { curvePath, flowCurve, labelBox, normal, pointAt, type FlowPlacement, type Side } from "./flowGeometry";

export type FlowEdgeData = {
  /** The label's text (the flow's name and protocol). */
  text: string;
  placement?: FlowPlacement;
  /** Classes for the label (the edge's own go on its SVG group). */
  labelClass?: string;
};
export type FlowEdgeType = Edge<FlowEdgeData, "flow">;

const SIDE: Record<Position, Side> = { [Position.Top]: "top", [Position.Bottom]: "bottom", [Position.Left]: "left", [Position.Right]: "right" };

export const FlowEdge = memo(function FlowEdge(p: EdgeProps<FlowEdgeType>) {
  const [hover, setHover] = useState(false);
  const place = p.data?.placement;
  const from = { x: p.sourceX, y: p.sourceY };
  const to = { x: p.targetX, y: p.targetY };
  const n = place?.reversed ? normal(to, from) : normal(from, to);
  const curve = flowCurve(from, SIDE[p.sourcePosition], place?.sourceAlong ?? 0, to, SIDE[p.targetPosition], place?.targetAlong ?? 0, n, place?.bow ?? 0);
  const path = curvePath(curve);
  const text = p.data?.text ?? "";
  const label = place?.label ?? null;
  const show = !!text && (!!label || hover || !!p.selected);
  const at = pointAt(curve, label?.t ?? 0.5);
  const shift = label?.shift ?? 0;
  const lines = label?.lines ?? labelBox(text).lines;
  const drift = useContext(DriftContext).get(p.id);
  const middle = pointAt(curve, 0.5);
  return (
    <>
      <BaseEdge id={p.id} path={path} markerEnd={p.markerEnd} markerStart={p.markerStart} style={drift ? { ...p.style, stroke: "var(--drift)", strokeDasharray: "6 3" } : p.style} interactionWidth={0} />
      <path d={path} fill="none" stroke="transparent" strokeWidth={16} className="react-flow__edge-interaction"
        onMouseEnter={() => setHover(true)} onMouseLeave={() => setHover(false)}>
        <title>{text}</title>
      </path>
      {show && (
        <EdgeLabelRenderer>
          <div
            className={`sw-flow-label${label ? "" : " sw-flow-label--floating"}${p.selected ? " sw-flow-label--selected" : ""} ${p.data?.labelClass ?? ""}`}
            data-flow={p.id}
            style={{ transform: `translate(-50%, -50%) translate(${at.x + n.x * shift}px, ${at.y + n.y * shift}px)`, width: label?.box.width }}
          >
            {lines.map((l, i) => <div key={i}>{l}</div>)}
          </div>
        </EdgeLabelRenderer>
      )}
      {drift && (
        <EdgeLabelRenderer>
          <div className="sw-flow-drift" data-flow={p.id} style={{ transform: `translate(-50%, -50%) translate(${middle.x - n.x * 18}px, ${middle.y - n.y * 18}px)` }}>
            <DriftMark lines={drift} />
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});

export const edgeTypes = { flow: FlowEdge };
