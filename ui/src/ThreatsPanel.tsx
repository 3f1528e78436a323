// The threats panel: threats grouped by STRIDE category; selecting one highlights what it
// concerns on the diagram.

import { useMemo, useState } from "react";
import { STRIDE, groupByStride } from "./analysis";
import type { ServiceAnalysis } from "./bindings/ServiceAnalysis";
import type { Threat } from "./bindings/Threat";
import type { TriageChange } from "./bindings/TriageChange";
import type { TriageScope } from "./bindings/TriageScope";

// Props of the triage-aware panel from the threats branch; this body is the old read-only one.
export interface ThreatsPanelProps {
  analysis: ServiceAnalysis | null; error: string | null;
  scope: TriageScope | null;
  selectedKey: string | null;
  onSelect: (threat: Threat | null) => void;
  onDecide: (key: string, change: TriageChange) => Promise<void>;
  busy?: boolean;
}

export function ThreatsPanel({ analysis: sa, error, selectedKey, onSelect }: ThreatsPanelProps) {
  const analysis = sa?.analysis ?? null;
  const available = true;
  const [query, setQuery] = useState("");
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const threats = (analysis?.threats ?? []).filter(
      (t) => !q || t.title.toLowerCase().includes(q) || t.target.name.toLowerCase().includes(q) || t.rule.toLowerCase().includes(q),
    );
    return groupByStride(threats);
  }, [analysis, query]);

  if (!available) {
    return (
      <div className="sw-empty" data-testid="threats-unavailable">
        <h2>Threats</h2>
        <p>Threat analysis is not part of this build yet.</p>
        <p className="sw-muted">The STRIDE engine (catalog rules and graph facts) lands in stridewise-core separately; this panel lists its threats by category as soon as the backend offers <code>analyze</code>.</p>
      </div>
    );
  }
  return (
    <div className="sw-threats">
      <input className="sw-search" type="search" placeholder="Filter threats" value={query} onChange={(e) => setQuery(e.target.value)} />
      {error && <p className="sw-error">{error}</p>}
      {groups.length === 0 && <p className="sw-muted">No threats.</p>}
      {groups.map((g) => {
        const meta = STRIDE.find((s) => s.id === g.category)!;
        return (
          <section key={g.category} className="sw-threat-group">
            <h3><span className={`sw-stride sw-stride--${g.category}`}>{meta.letter}</span>{meta.label}<span className="sw-count">{g.threats.length}</span></h3>
            <ul>
              {g.threats.map((t) => (
                <li key={t.key} className={`sw-threat ${selectedKey === t.key ? "sw-threat--active" : ""}`}
                  onClick={() => onSelect(selectedKey === t.key ? null : (t as Threat))}>
                  <span className={`sw-severity sw-severity--${t.severity}`}>{t.severity}</span>
                  <span className="sw-threat__title">{t.title}</span>
                  <span className="sw-threat__target">{t.target.name} · {t.rule}</span>
                  {t.mitigations.length > 0 && <span className="sw-threat__mitigations">Mitigations: {t.mitigations.map((m) => m.title).join("; ")}</span>}
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
