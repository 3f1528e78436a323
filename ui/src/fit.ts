// Fitting a React Flow diagram to its pane the readable way (flowGeometry.readableViewport).

import type { Node, ReactFlowInstance } from "@xyflow/react";
import { readableViewport } from "./flowGeometry";

/** Fits `nodes` (all when absent) in the pane of the React Flow that `rf` drives. */
export function fitReadable(rf: ReactFlowInstance, pane: HTMLElement | null, nodes?: readonly (Node | { id: string })[], duration = 0): void {
  const all = rf.getNodes();
  const wanted = nodes ? new Set(nodes.map((n) => n.id)) : null;
  const chosen = wanted ? all.filter((n) => wanted.has(n.id)) : all;
  if (!chosen.length || !pane) return;
  const box = pane.getBoundingClientRect();
  if (box.width < 10 || box.height < 10) return;
  void rf.setViewport(readableViewport(rf.getNodesBounds(chosen), box.width, box.height), { duration });
}
