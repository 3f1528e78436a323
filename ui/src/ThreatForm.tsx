// Adding, changing and removing threats written by hand in the editor. `useThreatEditing` gives
// the window its "Add threat" (threats panel, context menu, Edit menu), "Edit…" and "Remove" on a
// hand-written threat, and the form while one is open. Each edit goes through the backend's
// `edit_threat` (the core's rules) and comes back as the next model, committed like any other
// edit: one undo step, saved by autosave.

import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { errorMessage, type Backend } from "./api";
import type { ManualThreat } from "./bindings/ManualThreat";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { Stride } from "./bindings/Stride";
import type { Threat } from "./bindings/Threat";
import type { Rating } from "./bindings/Rating";
import type { ThreatTarget } from "./bindings/ThreatTarget";
import { STRIDE } from "./analysis";
import { addMenuProvider } from "./contextMenu";
import {
  RATINGS,
  editOf,
  fieldsOf,
  knownMitigations,
  manualThreatOf,
  newFields,
  targetChoices,
  targetOfSelection,
  threatMenu,
  type ThreatFields,
} from "./threatEditing";

export interface ThreatEditing {
  /** Opens the form for a new threat about `target` (default: the selection, else the model). */
  add: (target?: ThreatTarget) => void;
  /** Opens the form on a hand-written threat of the analysis. */
  edit: (t: Threat) => void;
  /** Removes a hand-written threat (Undo brings it back). */
  remove: (t: Threat) => void;
  /** The form, while open. */
  form: ReactNode;
}

export function useThreatEditing(p: {
  backend: Backend;
  model: ServiceModel | null;
  selected: ReadonlySet<string>;
  threats: readonly Threat[];
  commit: (next: ServiceModel) => void;
  say: (text: string, error?: boolean) => void;
}): ThreatEditing {
  const { backend, model, selected, threats, commit, say } = p;
  const [open, setOpen] = useState<{ fields: ThreatFields; old: ManualThreat | null } | null>(null);

  // "Add threat…" on every diagram object and the canvas's right-click menu.
  useEffect(() => addMenuProvider(threatMenu), []);

  // A right-click selects what it is on and opens the menu in one go: the menu's command runs
  // with the window's callbacks of that moment, so the selection is read when "Add threat" runs.
  const selection = useRef(selected);
  useEffect(() => {
    selection.current = selected;
  }, [selected]);
  const add = useCallback(
    (target?: ThreatTarget) => {
      if (!model) return;
      setOpen({ fields: newFields(target ?? targetOfSelection(model, selection.current)), old: null });
    },
    [model],
  );
  const edit = useCallback(
    (t: Threat) => {
      const old = model && manualThreatOf(model, t);
      if (old) setOpen({ fields: fieldsOf(old), old });
    },
    [model],
  );
  const remove = useCallback(
    (t: Threat) => {
      const old = model && manualThreatOf(model, t);
      if (!model || !old) return;
      backend.editThreat(model, { action: "remove", threat: old.id }).then(
        (next) => {
          commit(next);
          say(`Removed the threat '${old.title}' (Undo brings it back).`);
        },
        (e) => say(`could not remove the threat: ${errorMessage(e)}`, true),
      );
    },
    [backend, model, commit, say],
  );

  const mitigations = useMemo(() => knownMitigations(threats), [threats]);
  const form =
    open && model ? (
      <ThreatForm
        model={model}
        initial={open.fields}
        isNew={!open.old}
        mitigations={mitigations}
        onCancel={() => setOpen(null)}
        onSubmit={async (fields) => {
          const next = await backend.editThreat(model, editOf(model, fields, open.old));
          commit(next);
          setOpen(null);
          say(open.old ? `Changed the threat '${fields.title.trim()}'.` : `Added the threat '${fields.title.trim()}'.`);
        }}
      />
    ) : null;
  return { add, edit, remove, form };
}

function ThreatForm(p: {
  model: ServiceModel;
  initial: ThreatFields;
  isNew: boolean;
  mitigations: { id: string; title: string }[];
  onCancel: () => void;
  /** Throws to keep the form open with the reason shown. */
  onSubmit: (fields: ThreatFields) => Promise<void>;
}) {
  const [f, setF] = useState(p.initial);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [search, setSearch] = useState("");
  const title = useRef<HTMLInputElement>(null);
  // As in the app's dialogs: the title is focused and selected, so typing replaces it.
  useEffect(() => {
    title.current?.focus();
    title.current?.select();
  }, []);
  const set = <K extends keyof ThreatFields>(k: K, v: ThreatFields[K]) => {
    setF((old) => ({ ...old, [k]: v }));
    setError(null);
  };
  const choices = useMemo(() => targetChoices(p.model), [p.model]);
  const titleOf = useMemo(() => new Map(p.mitigations.map((m) => [m.id, m.title])), [p.mitigations]);
  const submit = async () => {
    if (running) return;
    setRunning(true);
    try {
      await p.onSubmit(f);
    } catch (e) {
      setError(errorMessage(e));
      setRunning(false);
    }
  };
  const addMitigation = (text: string) => {
    const m = p.mitigations.find((x) => x.id === text || x.title === text);
    if (m && !f.mitigations.includes(m.id)) set("mitigations", [...f.mitigations, m.id]);
    setSearch("");
  };
  const heading = p.isNew ? "Add a threat" : "Edit the threat";
  return (
    <div className="sw-overlay" onMouseDown={p.onCancel}>
      <div
        className="sw-dialog sw-threat-form"
        role="dialog"
        aria-modal="true"
        aria-label={heading}
        data-testid="threat-form"
        onMouseDown={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === "Escape") p.onCancel();
        }}
      >
        <h2>{heading}</h2>
        <p className="sw-muted sw-threat-form__note">Written by hand: it shows with the catalog's threats and is triaged like them.</p>
        <label className="sw-field">
          <span>Title</span>
          <input ref={title} data-testid="threat-form-title" value={f.title} onChange={(e) => set("title", e.target.value)}
            onKeyDown={(e) => { if (e.key === "Enter") { e.preventDefault(); void submit(); } }} />
        </label>
        <div className="sw-threat-form__row">
          <label className="sw-field">
            <span>STRIDE category</span>
            <select data-testid="threat-form-stride" value={f.stride} onChange={(e) => set("stride", e.target.value as Stride)}>
              {STRIDE.map((s) => <option key={s.id} value={s.id}>{s.label}</option>)}
            </select>
          </label>
          <label className="sw-field">
            <span>About</span>
            <select data-testid="threat-form-target" value={f.target} onChange={(e) => set("target", e.target.value)}>
              {choices.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
            </select>
          </label>
        </div>
        <div className="sw-threat-form__row">
          <label className="sw-field">
            <span>Likelihood</span>
            <select data-testid="threat-form-likelihood" value={f.likelihood} onChange={(e) => set("likelihood", e.target.value as Rating)}>
              {RATINGS.map((r) => <option key={r.id} value={r.id}>{r.label}</option>)}
            </select>
          </label>
          <label className="sw-field">
            <span>Impact</span>
            <select data-testid="threat-form-impact" value={f.impact} onChange={(e) => set("impact", e.target.value as Rating)}>
              {RATINGS.map((r) => <option key={r.id} value={r.id}>{r.label}</option>)}
            </select>
          </label>
        </div>
        <p className="sw-muted sw-threat-form__note">The severity follows from likelihood and impact, as for the catalog's threats.</p>
        <label className="sw-field">
          <span>Description</span>
          <textarea data-testid="threat-form-description" rows={3} value={f.description} onChange={(e) => set("description", e.target.value)} />
        </label>
        <div className="sw-field">
          <span>Catalog mitigations</span>
          {f.mitigations.length > 0 && (
            <ul className="sw-threat-form__mitigations">
              {f.mitigations.map((id) => (
                <li key={id}>
                  <span title={id}>{titleOf.get(id) ?? id}</span>
                  <button className="sw-link" aria-label={`Remove mitigation ${id}`} onClick={() => set("mitigations", f.mitigations.filter((m) => m !== id))}>remove</button>
                </li>
              ))}
            </ul>
          )}
          <input list="sw-threat-form-mitigations" placeholder="Search the catalog's mitigations" aria-label="Search the catalog's mitigations"
            data-testid="threat-form-mitigation-search" value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              if (p.mitigations.some((m) => m.title === e.target.value || m.id === e.target.value)) addMitigation(e.target.value);
            }}
            onKeyDown={(e) => { if (e.key === "Enter") { e.preventDefault(); addMitigation(search); } }} />
          <datalist id="sw-threat-form-mitigations">
            {p.mitigations.filter((m) => !f.mitigations.includes(m.id)).map((m) => <option key={m.id} value={m.title}>{m.id}</option>)}
          </datalist>
        </div>
        <label className="sw-field">
          <span>Mitigations in your words (one per line)</span>
          <textarea data-testid="threat-form-mitigation" rows={2} value={f.customMitigations} onChange={(e) => set("customMitigations", e.target.value)} />
        </label>
        {error && <p className="sw-error sw-dialog__error" data-testid="threat-form-error" role="alert">{error}</p>}
        <div className="sw-dialog__buttons">
          <button className="sw-button" data-testid="threat-form-cancel" onClick={p.onCancel}>Cancel</button>
          <button className="sw-button sw-button--primary" data-testid="threat-form-save" disabled={running} onClick={() => void submit()}>
            {p.isNew ? "Add threat" : "Save"}
          </button>
        </div>
      </div>
    </div>
  );
}
