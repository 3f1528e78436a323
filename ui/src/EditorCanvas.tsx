// The diagram editor's canvas: the banner about changes made outside the app, and React Flow
// over the nodes and edges that useDiagramEditor derives from the model, with the marks of an
// open drift report (TerraformActions.tsx) and their legend.

import { Background, BackgroundVariant, ConnectionMode, Controls, MiniMap, ReactFlow } from "@xyflow/react";
import type { MouseEvent as ReactMouseEvent } from "react";
import { Banner } from "./Banner";
import { DriftContext } from "./driftMarks";
import { DriftLegend, useDriftMarks } from "./TerraformActions";
import { resolveConflict } from "./conflicts";
import type { MenuTarget } from "./contextMenu";
import { edgeTypes } from "./FlowEdge";
import { EditorContext, nodeTypes } from "./nodes";
import { FIT } from "./useDiagramEditor";
import type { DiagramEditor } from "./useDiagramEditor";
import type { ServiceDoc } from "./workspace";

export function EditorCanvas({ doc, busy, editor, onReload, onMerge, onDismissConflicts, onTakeSide, onMenu }: {
  /** Right-click on the diagram: the app's context menu for what is under the pointer. */
  onMenu: (e: ReactMouseEvent | MouseEvent, target: MenuTarget) => void;
  doc: ServiceDoc;
  /** The banner's reload or merge is running. */
  busy: boolean;
  editor: DiagramEditor;
  onReload: () => void;
  onMerge: () => void;
  onDismissConflicts: () => void;
  /** Resolves the model's merge conflict at `index` by taking a side (the backend's core). */
  onTakeSide: (index: number, side: "ours" | "theirs") => void;
}) {
  const drift = useDriftMarks(doc.serviceId, doc.history.present);
  return (
    <>
      <Banner doc={doc} busy={busy} onReload={onReload} onMerge={onMerge} onDismissConflicts={onDismissConflicts}
        onShow={(id) => editor.select([id])} onResolve={(i) => editor.commit(resolveConflict(doc.history.present, i))} onTake={onTakeSide} />
      <DriftLegend marks={drift} />
      <DriftContext.Provider value={drift}>
      <EditorContext.Provider value={editor.editorContext}>
        <ReactFlow
          nodes={editor.nodes}
          edges={editor.edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodesChange={editor.onNodesChange}
          onEdgesChange={editor.onEdgesChange}
          onSelectionChange={editor.onSelectionChange}
          onNodeDragStart={editor.onNodeDragStart}
          onNodeDragStop={editor.onNodeDragStop}
          onSelectionDragStart={editor.onSelectionDragStart}
          onSelectionDragStop={editor.onSelectionDragStop}
          onConnect={editor.onConnect}
          onConnectEnd={editor.onConnectEnd}
          onPaneContextMenu={(e) => onMenu(e, { kind: "canvas" })}
          onNodeContextMenu={(e, n) => onMenu(e, n.type === "boundary" ? { kind: "boundary", id: n.id } : { kind: "element", id: n.id })}
          onEdgeContextMenu={(e, edge) => onMenu(e, { kind: "flow", id: edge.id })}
          onSelectionContextMenu={(e) => onMenu(e, { kind: "selection" })}
          isValidConnection={(c) => c.source !== c.target}
          connectionMode={ConnectionMode.Loose}
          deleteKeyCode={null}
          selectionKeyCode="Shift"
          multiSelectionKeyCode={["Control", "Meta"]}
          minZoom={0.1}
          maxZoom={2.5}
          fitView
          fitViewOptions={FIT}
          proOptions={{ hideAttribution: true }}
        >
          <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#c5cbd6" />
          <Controls showInteractive={false} />
          <MiniMap style={{ width: 150, height: 100 }} pannable zoomable nodeColor={(n) => (n.type === "boundary" ? "rgba(120,130,150,0.15)" : "#5b6b86")} nodeStrokeColor="#8893a7" />
        </ReactFlow>
      </EditorContext.Provider>
      </DriftContext.Provider>
    </>
  );
}
