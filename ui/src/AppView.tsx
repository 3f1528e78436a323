// Placeholder until the application view lands from its own branch (the lead takes that version
// on merge): the consolidated application's threats as a plain list.

import type { ApplicationView } from "./bindings/ApplicationView";
import type { TriageChange } from "./bindings/TriageChange";

export interface AppViewProps {
  view: ApplicationView | null;
  loading: boolean;
  error: string | null;
  onDecide: (key: string, change: TriageChange) => Promise<void>;
}

export function AppView({ view, loading, error }: AppViewProps) {
  return (
    <div className="sw-empty" data-testid="app-view" style={{ padding: 16, overflow: "auto", height: "100%" }}>
      <h2>{view ? `${view.application}: ${view.services.join(", ")}` : "Application view"}</h2>
      {loading && <p>Consolidating…</p>}
      {error && <p className="sw-error">{error}</p>}
      <ul>{view?.analysis.threats.map((t) => <li key={t.key}>{t.severity} · {t.title} ({t.status ?? "open"})</li>)}</ul>
    </div>
  );
}
