// The panel right of the editor: the selection's properties, the service's threats, or its
// revisions (HistoryPanel).

import type { ReactNode } from "react";
import type { Diagnostic } from "./bindings/Diagnostic";
import type { ServiceAnalysis } from "./bindings/ServiceAnalysis";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { StencilSet } from "./bindings/StencilSet";
import type { Threat } from "./bindings/Threat";
import type { TriageChange } from "./bindings/TriageChange";
import { Inspector } from "./Inspector";
import { ThreatsPanel, type ManualThreatActions } from "./ThreatsPanel";

export type SideTab = "inspector" | "threats" | "history";

export function SidePanel(p: {
  tab: SideTab;
  onTab: (tab: SideTab) => void;
  /** The model in the editor; null when none is open. */
  model: ServiceModel | null;
  /** The service in the editor: the threats' triage scope. */
  service: string | null;
  selected: ReadonlySet<string>;
  onSelect: (id: string) => void;
  stencils: StencilSet | null;
  diagnostics: Diagnostic[];
  commit: (next: ServiceModel, coalesce?: string) => void;
  analysis: ServiceAnalysis | null;
  analysisError: string | null;
  selectedKey: string | null;
  onSelectThreat: (t: Threat | null) => void;
  onDecide: (key: string, change: TriageChange) => Promise<void>;
  /** Adding, editing and removing threats written by hand. */
  manual?: ManualThreatActions;
  /** The History tab's content (the revision browser). */
  history: ReactNode;
}) {
  return (
    <aside className="sw-panel">
      <nav className="sw-tabs">
        <button className={p.tab === "inspector" ? "sw-tab sw-tab--active" : "sw-tab"} onClick={() => p.onTab("inspector")} data-testid="inspector-tab">Properties</button>
        <button className={p.tab === "threats" ? "sw-tab sw-tab--active" : "sw-tab"} onClick={() => p.onTab("threats")} data-testid="threats-tab">
          Threats{p.analysis ? <span className="sw-count" data-testid="threats-tab-count">{p.analysis.analysis.threats.length}</span> : null}
        </button>
        <button className={p.tab === "history" ? "sw-tab sw-tab--active" : "sw-tab"} onClick={() => p.onTab("history")} data-testid="history-tab">History</button>
      </nav>
      <div className="sw-panel__body">
        {p.model && p.tab === "inspector" && (
          <Inspector model={p.model} selected={p.selected} stencils={p.stencils} diagnostics={p.diagnostics} commit={p.commit} onSelect={p.onSelect} onAddThreat={p.manual?.add} />
        )}
        {p.model && p.tab === "threats" && (
          <ThreatsPanel
            analysis={p.analysis}
            error={p.analysisError}
            scope={p.service ? { kind: "service", id: p.service } : null}
            selectedKey={p.selectedKey}
            onSelect={p.onSelectThreat}
            onDecide={p.onDecide}
            manual={p.manual}
          />
        )}
        {p.model && p.tab === "history" && p.history}
      </div>
    </aside>
  );
}
