// The threats panel: the threats of a model (or of the application), searchable and filtered by
// severity, status and STRIDE category, grouped by category or by element. Selecting a threat
// shows what the rule says about it and its triage form; the caller highlights its target.
// Rows are plain and delegated to one click handler, and at most PAGE rows are drawn at a time,
// so a thousand threats stay responsive.

import { memo, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, type JSX, type KeyboardEvent, type MouseEvent, type ReactNode } from "react";
import type { ServiceAnalysis } from "./bindings/ServiceAnalysis";
import type { Severity } from "./bindings/Severity";
import type { Stride } from "./bindings/Stride";
import type { Threat } from "./bindings/Threat";
import type { TriageChange } from "./bindings/TriageChange";
import type { TriageDecision } from "./bindings/TriageDecision";
import type { TriageScope } from "./bindings/TriageScope";
import type { TriageStatus } from "./bindings/TriageStatus";
import {
  STATUSES,
  STRIDE,
  countByStatus,
  filterThreats,
  groupByElement,
  groupByStride,
  statusOf,
  type ThreatFilter,
} from "./analysis";
import { TriageEditor } from "./TriageEditor";
import { isManual } from "./threatEditing";
import "./threats.css";

export interface ThreatsPanelProps {
  analysis: ServiceAnalysis | null;
  error: string | null;
  /** null: the model is not in a workspace yet, triage is read-only */
  scope: TriageScope | null;
  selectedKey: string | null;
  onSelect: (threat: Threat | null) => void;
  onDecide: (key: string, change: TriageChange) => Promise<void>;
  /** Shown while analysis runs, e.g. "analysing…" */
  busy?: boolean;
  /** Threats written by hand: offered when the model can be edited here (ThreatForm.tsx). */
  manual?: ManualThreatActions;
}

/** What the panel offers on threats written by hand. */
export interface ManualThreatActions {
  add: () => void;
  edit: (t: Threat) => void;
  remove: (t: Threat) => void;
}

/** What the application view adds to the panel. */
export interface ThreatsPanelViewProps extends ThreatsPanelProps {
  /** Offer the "application-level only" toggle (on at first). */
  appLevelToggle?: boolean;
  /** More details for the selected threat (the application view lists its attack paths). */
  details?: (threat: Threat) => ReactNode;
}

/** Rows drawn at first and added by each "show more". */
export const PAGE = 300;

type GroupMode = "category" | "element";

// The filter selects: each option stands for a set (empty: everything).
const SEVERITY_OPTIONS: { value: string; label: string; set: Severity[] }[] = [
  { value: "", label: "Any severity", set: [] },
  { value: "critical", label: "Critical", set: ["critical"] },
  { value: "high+", label: "High or worse", set: ["critical", "high"] },
  { value: "high", label: "High", set: ["high"] },
  { value: "medium", label: "Medium", set: ["medium"] },
  { value: "low", label: "Low", set: ["low"] },
];
const STATUS_OPTIONS: { value: string; label: string; set: TriageStatus[] }[] = [
  { value: "", label: "Any status", set: [] },
  { value: "unresolved", label: "Unresolved", set: ["open", "needs_investigation"] },
  ...STATUSES.map((s) => ({ value: s.id, label: s.label, set: [s.id] })),
];
const CATEGORY_OPTIONS: { value: string; label: string; set: Stride[] }[] = [
  { value: "", label: "Any category", set: [] },
  ...STRIDE.map((s) => ({ value: s.id, label: s.label, set: [s.id] })),
];
const setOf = <T,>(options: { value: string; set: T[] }[], value: string): ReadonlySet<T> =>
  new Set(options.find((o) => o.value === value)?.set ?? []);

const STATUS_LABEL = Object.fromEntries(STATUSES.map((s) => [s.id, s.label])) as Record<TriageStatus, string>;
const STRIDE_META = Object.fromEntries(STRIDE.map((s) => [s.id, s])) as Record<Stride, (typeof STRIDE)[number]>;

export function ThreatsPanel(props: ThreatsPanelProps): JSX.Element {
  return <ThreatsPanelView {...props} />;
}

export function ThreatsPanelView({
  analysis,
  error,
  scope,
  selectedKey,
  onSelect,
  onDecide,
  busy = false,
  appLevelToggle = false,
  details,
  manual,
}: ThreatsPanelViewProps): JSX.Element {
  const [query, setQuery] = useState("");
  const [severity, setSeverity] = useState("");
  const [status, setStatus] = useState("");
  const [category, setCategory] = useState("");
  const [appLevelOnly, setAppLevelOnly] = useState(appLevelToggle);
  const [mode, setMode] = useState<GroupMode>("category");
  const [limit, setLimit] = useState(PAGE);
  const listRef = useRef<HTMLUListElement>(null);
  const deferredQuery = useDeferredValue(query);

  const threats = analysis?.analysis.threats;
  const decisions = analysis?.decisions;
  const all = useMemo(() => threats ?? [], [threats]);
  const byKey = useMemo(() => new Map(all.map((t) => [t.key, t])), [all]);

  const filter = useMemo<ThreatFilter>(
    () => ({
      query: deferredQuery,
      severities: setOf(SEVERITY_OPTIONS, severity),
      statuses: setOf(STATUS_OPTIONS, status),
      categories: setOf(CATEGORY_OPTIONS, category),
      appLevelOnly: appLevelToggle && appLevelOnly,
    }),
    [deferredQuery, severity, status, category, appLevelToggle, appLevelOnly],
  );
  const filtered = useMemo(() => filterThreats(all, decisions ?? {}, filter), [all, decisions, filter]);
  const counts = useMemo(() => countByStatus(all, decisions ?? {}), [all, decisions]);
  const appLevelCount = useMemo(() => all.filter((t) => t.app_level).length, [all]);

  const groups = useMemo(
    () =>
      mode === "category"
        ? groupByStride(filtered).map((g) => ({ id: g.category, category: g.category, element: null, threats: g.threats }))
        : groupByElement(filtered).map((g) => ({ id: g.id, category: null, element: g, threats: g.threats })),
    [filtered, mode],
  );
  /** Every threat passing the filters, in the order drawn. */
  const order = useMemo(() => groups.flatMap((g) => g.threats), [groups]);

  // A new filter starts again from the first page.
  useEffect(() => setLimit(PAGE), [filter, mode]);

  // The selected threat is always drawn, even past the current page.
  const selectedIndex = selectedKey ? order.findIndex((t) => t.key === selectedKey) : -1;
  const shown = Math.min(order.length, Math.max(limit, selectedIndex + 1));

  useEffect(() => {
    if (!selectedKey || !listRef.current) return;
    const row = listRef.current.querySelector(`[data-key="${CSS.escape(selectedKey)}"] > .sw-tr__head`);
    row?.scrollIntoView?.({ block: "nearest" });
  }, [selectedKey]);

  const onListClick = useCallback(
    (e: MouseEvent) => {
      const head = (e.target as HTMLElement).closest(".sw-tr__head");
      const key = head?.closest<HTMLElement>("[data-key]")?.dataset.key;
      if (!key) return;
      onSelect(key === selectedKey ? null : (byKey.get(key) ?? null));
    },
    [byKey, selectedKey, onSelect],
  );

  const onListKeyDown = useCallback(
    (e: KeyboardEvent) => {
      const tag = (e.target as HTMLElement).tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || tag === "BUTTON") return;
      if (e.key === "Escape" && selectedKey) {
        e.preventDefault();
        onSelect(null);
        return;
      }
      if (!order.length) return;
      let next: number | null = null;
      if (e.key === "ArrowDown") next = selectedIndex < 0 ? 0 : Math.min(selectedIndex + 1, shown - 1);
      else if (e.key === "ArrowUp") next = selectedIndex < 0 ? 0 : Math.max(selectedIndex - 1, 0);
      else if (e.key === "Home") next = 0;
      else if (e.key === "End") next = shown - 1;
      else if (e.key === "Enter" && selectedIndex < 0) next = 0;
      if (next === null) return;
      e.preventDefault();
      if (next !== selectedIndex) onSelect(order[next]);
    },
    [order, selectedIndex, selectedKey, shown, onSelect],
  );

  const filtering = !!(query.trim() || severity || status || category);
  const clearFilters = () => {
    setQuery("");
    setSeverity("");
    setStatus("");
    setCategory("");
  };

  const readOnly = scope ? null : "Save the model to a workspace to triage its threats.";

  // Rows of the visible groups, up to `shown` in all.
  let budget = shown;
  const sections: ReactNode[] = [];
  for (const g of groups) {
    if (budget <= 0) break;
    const rows = g.threats.slice(0, budget);
    budget -= rows.length;
    sections.push(
      <li key={g.id} className="sw-tgroup">
        <div className="sw-tgroup__head">
          {g.category ? (
            <>
              <span className={`sw-stride sw-stride--${g.category}`}>{STRIDE_META[g.category].letter}</span>
              <span className="sw-tgroup__name">{STRIDE_META[g.category].label}</span>
            </>
          ) : (
            <>
              <span className={`sw-kind-dot sw-kind-dot--${g.element!.kind}`} />
              <span className="sw-tgroup__name" title={g.element!.name}>{g.element!.name}</span>
              <span className={`sw-sev-dot sw-sev-dot--${g.element!.worst}`} title={`worst: ${g.element!.worst}`} />
            </>
          )}
          <span className="sw-count">{g.threats.length}</span>
        </div>
        <ul className="sw-tgroup__rows">
          {rows.map((t) => {
            const decision = decisions?.[t.key];
            const selected = t.key === selectedKey;
            return (
              <li key={t.key} data-testid="threat-row" data-key={t.key} className={selected ? "sw-tr sw-tr--selected" : "sw-tr"}
                aria-current={selected || undefined}>
                <ThreatRowHead threat={t} status={statusOf(t, decision)} byCategory={mode === "category"} />
                {selected && (
                  <ThreatDetails threat={t} decision={decision} readOnly={readOnly} onDecide={onDecide} extra={details?.(t)} manual={manual} />
                )}
              </li>
            );
          })}
        </ul>
      </li>,
    );
  }

  return (
    <div className="sw-tp" data-testid="threats-panel" aria-busy={busy}>
      <div className="sw-tp__controls">
        <input
          className="sw-search"
          type="search"
          placeholder="Search title, element, rule, owner"
          aria-label="Search threats"
          data-testid="threat-search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape" && query) {
              e.stopPropagation();
              setQuery("");
            } else if (e.key === "ArrowDown") {
              e.preventDefault();
              listRef.current?.focus();
              if (!selectedKey && order.length) onSelect(order[0]);
            }
          }}
        />
        <div className="sw-tp__filters">
          <select aria-label="Severity" data-testid="threat-filter-severity" value={severity} onChange={(e) => setSeverity(e.target.value)}
            className={severity ? "sw-tp__filter--on" : undefined}>
            {SEVERITY_OPTIONS.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
          </select>
          <select aria-label="Status" data-testid="threat-filter-status" value={status} onChange={(e) => setStatus(e.target.value)}
            className={status ? "sw-tp__filter--on" : undefined}>
            {STATUS_OPTIONS.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
          </select>
          <select aria-label="STRIDE category" data-testid="threat-filter-category" value={category} onChange={(e) => setCategory(e.target.value)}
            className={category ? "sw-tp__filter--on" : undefined}>
            {CATEGORY_OPTIONS.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
          </select>
        </div>
        <div className="sw-tp__bar">
          <div className="sw-seg" role="group" aria-label="Group threats">
            <button className={mode === "category" ? "sw-seg__b sw-seg__b--on" : "sw-seg__b"} aria-pressed={mode === "category"}
              data-testid="threat-group-category" onClick={() => setMode("category")}>By category</button>
            <button className={mode === "element" ? "sw-seg__b sw-seg__b--on" : "sw-seg__b"} aria-pressed={mode === "element"}
              data-testid="threat-group-element" onClick={() => setMode("element")}>By element</button>
          </div>
          {appLevelToggle && (
            <label className="sw-check sw-tp__applevel" title="Threats found only by application-level rules (across services)">
              <input type="checkbox" data-testid="threat-app-level" checked={appLevelOnly} onChange={(e) => setAppLevelOnly(e.target.checked)} />
              <span>Application-level only</span>
            </label>
          )}
          {manual && (
            <button className="sw-button sw-tp__add" data-testid="threat-add" title="Write a threat of your own about the selected object (or the service)"
              onClick={() => manual.add()}>+ Add threat</button>
          )}
        </div>
        <div className="sw-tp__summary">
          <span data-testid="threat-count" className="sw-tp__count">
            {analysis ? (filtered.length === all.length ? `${all.length} threats` : `${filtered.length} of ${all.length} threats`) : ""}
          </span>
          {busy && <span className="sw-tp__busy" role="status">analysing…</span>}
          {filtering && <button className="sw-link" onClick={clearFilters}>clear filters</button>}
        </div>
        {analysis && all.length > 0 && (
          <div className="sw-tp__statuses" aria-label="Threats by status">
            {STATUSES.filter((s) => counts[s.id] > 0).map((s) => (
              <button key={s.id} className={`sw-status-chip sw-status-chip--${s.id}${status === s.id ? " sw-status-chip--on" : ""}`}
                title={`Show only ${s.label.toLowerCase()} threats`} onClick={() => setStatus(status === s.id ? "" : s.id)}>
                {counts[s.id]} {s.label.toLowerCase()}
              </button>
            ))}
          </div>
        )}
      </div>

      {error && <p className="sw-error sw-tp__error" role="alert">{error}</p>}

      {!analysis ? (
        <div className="sw-tp__empty">
          {busy ? <p>Analysing the model…</p> : !error && <p>No analysis yet. Threats appear here once the model has been analysed.</p>}
        </div>
      ) : all.length === 0 ? (
        <div className="sw-tp__empty">
          <p>No threats found.</p>
          <p className="sw-muted">The STRIDE rules run on every change: add elements and the flows between them, and mark trust boundaries, to see what could go wrong.</p>
        </div>
      ) : order.length === 0 ? (
        <div className="sw-tp__empty" data-testid="threats-none-match">
          {appLevelToggle && appLevelOnly && appLevelCount === 0 && !filtering ? (
            <p>No application-level threats: no rule found anything that only shows across services. Turn off “application-level only” to see all {all.length} threats.</p>
          ) : (
            <p>No threats match {filtering ? "these filters" : "this view"}.</p>
          )}
          {filtering && <button className="sw-button" onClick={clearFilters}>Clear filters</button>}
        </div>
      ) : (
        <ul className="sw-tp__list" ref={listRef} tabIndex={0} aria-label="Threats (arrow keys move the selection)"
          onClick={onListClick} onKeyDown={onListKeyDown}>
          {sections}
          {shown < order.length && (
            <li className="sw-tp__more">
              <button className="sw-button" data-testid="threat-show-more" onClick={() => setLimit(shown + PAGE)}>
                Show {Math.min(PAGE, order.length - shown)} more ({order.length - shown} not shown)
              </button>
            </li>
          )}
        </ul>
      )}
    </div>
  );
}

const ThreatRowHead = memo(function ThreatRowHead({ threat: t, status, byCategory }: { threat: Threat; status: TriageStatus; byCategory: boolean }) {
  const overridden = t.severity_override != null;
  return (
    <div className="sw-tr__head">
      <span className={`sw-sev sw-sev--${t.severity}`} title={overridden ? `Severity set by triage (${t.severity})` : `Severity: ${t.severity}`}>
        {t.severity}{overridden && <span className="sw-sev__override" aria-label="overridden">*</span>}
      </span>
      <span className="sw-tr__title">{t.title}</span>
      <span className={`sw-status-badge sw-status-badge--${status}`}>{STATUS_LABEL[status]}</span>
      <span className="sw-tr__meta">
        {!byCategory && <span className={`sw-stride sw-stride--${t.stride} sw-stride--small`} title={STRIDE_META[t.stride].label}>{STRIDE_META[t.stride].letter}</span>}
        <span className="sw-tr__target">{t.target.name}</span>
        {/* A hand-written threat's "rule" is its long id: the tag says what it is instead. */}
        {!isManual(t) && <span className="sw-tr__rule">{t.rule}</span>}
        {t.app_level && <span className="sw-tag" title="Found by an application-level rule">app</span>}
        {isManual(t) && <span className="sw-tag" data-testid="threat-by-hand" title="Written by hand (or taken from another tool's model), not found by a rule">by hand</span>}
      </span>
    </div>
  );
});

function ThreatDetails({ threat: t, decision, readOnly, onDecide, extra, manual }: {
  threat: Threat;
  decision: TriageDecision | undefined;
  readOnly: string | null;
  onDecide: (key: string, change: TriageChange) => Promise<void>;
  extra: ReactNode;
  manual?: ManualThreatActions;
}) {
  const decide = useCallback((change: TriageChange) => onDecide(t.key, change), [onDecide, t.key]);
  return (
    <div className="sw-td" data-testid="threat-details">
      {manual && isManual(t) && (
        <div className="sw-td__manual">
          <button className="sw-button" data-testid="threat-edit" onClick={() => manual.edit(t)}>Edit…</button>
          <button className="sw-button sw-button--danger" data-testid="threat-remove" onClick={() => manual.remove(t)}>Remove</button>
        </div>
      )}
      <p className="sw-td__description">{t.description}</p>
      <dl className="sw-td__facts">
        <dt>Likelihood</dt><dd>{t.likelihood}</dd>
        <dt>Impact</dt><dd>{t.impact}</dd>
        <dt>Category</dt><dd>{STRIDE_META[t.stride].label}</dd>
        {t.flow && (<><dt>Flow</dt><dd>{t.flow.source.name} → {t.flow.target.name}</dd></>)}
        {t.origins && t.origins.length > 0 && (<><dt>Services</dt><dd>{t.origins.join(", ")}</dd></>)}
        {(t.cwe?.length ?? 0) > 0 && (<><dt>CWE</dt><dd>{t.cwe!.map((n) => `CWE-${n}`).join(", ")}</dd></>)}
        {(t.capec?.length ?? 0) > 0 && (<><dt>CAPEC</dt><dd>{t.capec!.map((n) => `CAPEC-${n}`).join(", ")}</dd></>)}
        <dt>Key</dt><dd className="sw-td__key">{t.key}</dd>
      </dl>
      <figure className="sw-td__source">
        {t.source.quote && <blockquote>{t.source.quote}</blockquote>}
        <figcaption>{t.source.section}</figcaption>
      </figure>
      {extra}
      <TriageEditor threat={t} decision={decision} readOnly={readOnly} onDecide={decide} />
    </div>
  );
}
