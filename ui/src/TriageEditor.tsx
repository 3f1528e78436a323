// The triage form of one threat: its status, why, who and by when, and the status of each of
// its mitigations. Saving sends only what changed (a TriageChange leaves other fields alone);
// the caller re-analyses, and the new decision comes back through the props.

import { readableTime } from "./time";
import { useMemo, useState, type KeyboardEvent } from "react";
import type { Threat } from "./bindings/Threat";
import type { TriageChange } from "./bindings/TriageChange";
import type { TriageDecision } from "./bindings/TriageDecision";
import type { MitigationStatus } from "./bindings/MitigationStatus";
import {
  MITIGATION_STATUSES,
  STATUSES,
  changeFrom,
  draftOf,
  draftProblem,
  isEmptyChange,
  needsJustification,
  type TriageDraft,
} from "./analysis";
import "./threats.css";

export interface TriageEditorProps {
  threat: Threat;
  decision: TriageDecision | undefined;
  /** Why the form cannot be used (e.g. the model is not in a workspace yet), or null. */
  readOnly: string | null;
  onDecide: (change: TriageChange) => Promise<void>;
}

function errorText(e: unknown): string {
  if (typeof e === "object" && e !== null && "message" in e) return String((e as { message: unknown }).message);
  return String(e);
}

export function TriageEditor({ threat, decision, readOnly, onDecide }: TriageEditorProps) {
  const saved = useMemo(() => draftOf(threat, decision), [threat, decision]);
  const [draft, setDraft] = useState<TriageDraft>(saved);
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  /** Mitigation statuses chosen but not yet back from the backend. */
  const [pendingMitigations, setPendingMitigations] = useState<Record<string, MitigationStatus>>({});

  // Another threat, or a saved decision that differs from the form's start, resets the form, in
  // the same render (React's "adjusting state when a prop changes"). Compared by value:
  // re-analysis hands over new objects with the same content, and that must not throw away what
  // someone is typing.
  const savedSignature = `${threat.key}\n${JSON.stringify(saved)}\n${JSON.stringify(decision?.mitigations ?? {})}`;
  const [formOf, setFormOf] = useState(savedSignature);
  if (formOf !== savedSignature) {
    setFormOf(savedSignature);
    setDraft(saved);
    setProblem(null);
    setFailure(null);
    setPendingMitigations({});
  }

  const change = changeFrom(draft, saved);
  const dirty = !isEmptyChange(change);
  const disabled = readOnly !== null || saving;

  const set = <K extends keyof TriageDraft>(field: K, value: TriageDraft[K]) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setFailure(null);
    // The message goes away as soon as the draft no longer has the problem.
    if (problem) setProblem(draftProblem({ ...draft, [field]: value }));
  };

  const save = async () => {
    if (disabled) return;
    const p = draftProblem(draft);
    setProblem(p);
    if (p || !dirty) return;
    setSaving(true);
    try {
      await onDecide(change);
      setFailure(null);
    } catch (e) {
      setFailure(`could not save the decision: ${errorText(e)}`);
    } finally {
      setSaving(false);
    }
  };

  const cancel = () => {
    setDraft(saved);
    setProblem(null);
    setFailure(null);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      e.stopPropagation();
      void save();
    } else if (e.key === "Escape" && dirty) {
      e.preventDefault();
      e.stopPropagation();
      cancel();
    }
  };

  const setMitigation = async (id: string, status: MitigationStatus) => {
    setSaving(true);
    setPendingMitigations((p) => ({ ...p, [id]: status }));
    try {
      await onDecide({ mitigations: { [id]: status } });
      setFailure(null);
    } catch (e) {
      setPendingMitigations(({ [id]: _, ...rest }) => rest);
      setFailure(`could not save the mitigation's status: ${errorText(e)}`);
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="sw-triage" onKeyDown={onKeyDown} data-testid="triage-editor">
      {threat.mitigations.length > 0 && (
        <section className="sw-triage__mitigations">
          <h4>Mitigations</h4>
          <ul>
            {threat.mitigations.map((m) => (
              <li key={m.id} className="sw-mitigation">
                <span className="sw-mitigation__title" title={m.id}>{m.title}</span>
                <select
                  aria-label={`Status of mitigation ${m.title}`}
                  data-testid="mitigation-status"
                  data-mitigation={m.id}
                  disabled={disabled}
                  value={pendingMitigations[m.id] ?? decision?.mitigations?.[m.id] ?? "proposed"}
                  onChange={(e) => void setMitigation(m.id, e.target.value as MitigationStatus)}
                >
                  {MITIGATION_STATUSES.map((s) => (
                    <option key={s.id} value={s.id}>{s.label}</option>
                  ))}
                </select>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section className="sw-triage__form">
        <h4>Triage</h4>
        {readOnly && <p className="sw-triage__readonly">{readOnly}</p>}
        <TriageFields prefix="triage" draft={draft} onChange={set} problem={problem} disabled={disabled} />
        {failure && <p className="sw-triage__problem" role="alert">{failure}</p>}
        <div className="sw-triage__actions">
          <button className="sw-button sw-button--primary" data-testid="triage-save" disabled={disabled || !dirty} onClick={() => void save()}
            title="Save (Ctrl+Enter)">
            {saving ? "Saving…" : "Save"}
          </button>
          <button className="sw-button" data-testid="triage-cancel" disabled={saving || !dirty} onClick={cancel} title="Discard changes (Esc)">
            Cancel
          </button>
          <span className="sw-muted sw-triage__decided">
            {decision?.decided_by || decision?.decided_at
              ? `Decided${decision.decided_by ? ` by ${decision.decided_by}` : ""}${decision.decided_at ? ` on ${readableTime(decision.decided_at)}` : ""}`
              : "No decision yet"}
          </span>
        </div>
      </section>
    </div>
  );
}

/**
 * The fields of a triage decision (status, owner, justification with its problem, ticket, due
 * sprint), shared by the threats panel's editor and the review's decision form. `prefix` names
 * their test ids and element ids: `triage-status`, `review-decision-status`, ...
 */
export function TriageFields({ prefix, draft, onChange, problem, disabled }: {
  prefix: string;
  draft: TriageDraft;
  onChange: <K extends keyof TriageDraft>(field: K, value: TriageDraft[K]) => void;
  problem: string | null;
  disabled: boolean;
}) {
  const required = needsJustification(draft.status);
  const id = (f: string) => `sw-${prefix}-${f}`;
  const testid = (f: string) => `${prefix}-${f}`;
  return (
    <>
      <div className="sw-triage__row">
        <label className="sw-field" htmlFor={id("status")}>
          <span className="sw-field__label">Status</span>
          <select id={id("status")} data-testid={testid("status")} disabled={disabled} value={draft.status}
            onChange={(e) => onChange("status", e.target.value as TriageDraft["status"])}>
            {STATUSES.map((s) => (
              <option key={s.id} value={s.id}>{s.label}</option>
            ))}
          </select>
        </label>
        <label className="sw-field" htmlFor={id("owner")}>
          <span className="sw-field__label">Owner</span>
          <input id={id("owner")} data-testid={testid("owner")} disabled={disabled} value={draft.owner} placeholder="who acts on it"
            onChange={(e) => onChange("owner", e.target.value)} />
        </label>
      </div>
      <label className="sw-field" htmlFor={id("justification")}>
        <span className="sw-field__label">Justification{required ? " (required)" : ""}</span>
        <textarea
          id={id("justification")}
          data-testid={testid("justification")}
          rows={3}
          disabled={disabled}
          value={draft.justification}
          placeholder={required ? "Why this risk is accepted, does not apply, or is someone else's" : "Notes on the decision"}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? id("problem") : undefined}
          className={problem ? "sw-invalid" : undefined}
          onChange={(e) => onChange("justification", e.target.value)}
        />
      </label>
      {problem && <p className="sw-triage__problem" id={id("problem")} role="alert" data-testid={testid("problem")}>{problem}</p>}
      <div className="sw-triage__row">
        <label className="sw-field" htmlFor={id("ticket")}>
          <span className="sw-field__label">Ticket</span>
          <input id={id("ticket")} data-testid={testid("ticket")} disabled={disabled} value={draft.ticket} placeholder="PAY-1234"
            onChange={(e) => onChange("ticket", e.target.value)} />
        </label>
        <label className="sw-field" htmlFor={id("due")}>
          <span className="sw-field__label">Due sprint</span>
          <input id={id("due")} data-testid={testid("due")} disabled={disabled} value={draft.due_sprint} placeholder="2026.24"
            onChange={(e) => onChange("due_sprint", e.target.value)} />
        </label>
      </div>
    </>
  );
}
