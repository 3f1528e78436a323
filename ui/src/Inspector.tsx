// The property inspector: typed fields from the stencil's schema for the one selected
// object, or the model's own fields when nothing is selected.

import type { ReactNode } from "react";
import type { BoundaryKind } from "./bindings/BoundaryKind";
import type { Diagnostic } from "./bindings/Diagnostic";
import type { PropertyDef } from "./bindings/PropertyDef";
import type { PropertyValue } from "./bindings/PropertyValue";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { StencilSet } from "./bindings/StencilSet";
import * as edit from "./edits";
import "./inspector.css";

export const BOUNDARY_KINDS: BoundaryKind[] = [
  "internet", "on_premises", "azure_global", "azure_region_stamp", "subscription", "virtual_network",
  "subnet", "ci_cd", "management", "third_party", "generic",
];

export const words = (s: string) => s.replace(/_/g, " ");

type Commit = (next: ServiceModel, coalesce?: string) => void;

function Field({ label, children, hint }: { label: string; children: ReactNode; hint?: string }) {
  return (
    <label className="sw-field" title={hint}>
      <span className="sw-field__label">{label}</span>
      {children}
    </label>
  );
}

function Check({ label, checked, onChange, hint }: { label: string; checked: boolean; onChange: (v: boolean) => void; hint?: string }) {
  return (
    <label className="sw-check" title={hint}>
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <span>{label}</span>
    </label>
  );
}

/**
 * The element's data flows, and a keyboard-friendly way to draw a new one (the same as dragging
 * from the element's handle to another element).
 */
function FlowsOf({ model, elementId, commit, onSelect }: {
  model: ServiceModel;
  elementId: string;
  commit: Commit;
  onSelect: (id: string) => void;
}) {
  const name = (id: string) => model.elements.find((e) => e.id === id)?.name || "unnamed";
  const flows = model.flows.filter((f) => f.source === elementId || f.target === elementId);
  const others = model.elements.filter((e) => e.id !== elementId).sort((a, b) => a.name.localeCompare(b.name));
  return (
    <>
      <h3>Data flows <span className="sw-muted">· {flows.length}</span></h3>
      <ul className="sw-flow-list" data-testid="element-flows">
        {flows.map((f) => (
          <li key={f.id}>
            <button className="sw-link" onClick={() => onSelect(f.id)}>
              {f.source === elementId ? `→ ${name(f.target)}` : `← ${name(f.source)}`}
            </button>
            <span className="sw-muted"> {f.name}{f.protocol ? ` · ${f.protocol}` : ""}</span>
          </li>
        ))}
      </ul>
      {others.length > 0 && (
        <Field label="New data flow to">
          <select data-testid="new-flow-to" value="" onChange={(e) => {
            const r = edit.connect(model, elementId, e.target.value);
            if (r.id) {
              commit(r.model);
              onSelect(r.id);
            }
          }}>
            <option value="">Choose an element…</option>
            {others.map((o) => <option key={o.id} value={o.id}>{o.name || "unnamed"} ({edit.KIND_LABEL[o.kind].toLowerCase()})</option>)}
          </select>
        </Field>
      )}
    </>
  );
}

function PropertyField({ name, def, value, onChange }: {
  name: string;
  def: PropertyDef;
  value: PropertyValue | undefined;
  onChange: (v: PropertyValue | undefined) => void;
}) {
  const effective = value ?? def.default ?? undefined;
  const isSet = value !== undefined;
  const reset = isSet ? (
    <button className="sw-link" title="Use the stencil's default" onClick={() => onChange(undefined)}>default</button>
  ) : null;
  const label = words(name);
  switch (def.type) {
    case "bool":
      return (
        <div className={`sw-prop ${isSet ? "sw-prop--set" : ""}`}>
          <Check label={label} checked={effective === true} onChange={onChange} hint={def.description} />
          {reset}
        </div>
      );
    case "enum":
      return (
        <div className={`sw-prop ${isSet ? "sw-prop--set" : ""}`}>
          <Field label={label} hint={def.description}>
            <select value={String(effective ?? "")} onChange={(e) => onChange(e.target.value)}>
              {effective === undefined && <option value="">—</option>}
              {def.values.map((v) => <option key={v} value={v}>{words(v)}</option>)}
            </select>
          </Field>
          {reset}
        </div>
      );
    case "number":
      return (
        <div className={`sw-prop ${isSet ? "sw-prop--set" : ""}`}>
          <Field label={label} hint={def.description}>
            <input type="number" value={effective === undefined ? "" : String(effective)}
              onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))} />
          </Field>
          {reset}
        </div>
      );
    default:
      return (
        <div className={`sw-prop ${isSet ? "sw-prop--set" : ""}`}>
          <Field label={label} hint={def.description}>
            <input type="text" value={String(effective ?? "")} onChange={(e) => onChange(e.target.value)} />
          </Field>
          {reset}
        </div>
      );
  }
}

function Diagnostics({ list, onSelect }: { list: Diagnostic[]; onSelect?: (id: string) => void }) {
  if (!list.length) return null;
  return (
    <ul className="sw-diagnostics">
      {list.map((d, i) => (
        <li key={i} className={`sw-diagnostic sw-diagnostic--${d.level}`}
          onClick={() => d.object && onSelect?.(d.object)}>
          <span className="sw-diagnostic__code">{d.code}</span> {d.message}
        </li>
      ))}
    </ul>
  );
}

/** "Add threat…" for the object the inspector shows (or the service): the same form as the
 *  threats panel's and the right-click menu's, aimed at the selection. */
function AddThreat({ onAdd }: { onAdd?: () => void }) {
  if (!onAdd) return null;
  return (
    <p>
      <button className="sw-button" data-testid="inspector-add-threat" title="Write a threat of your own about this object"
        onClick={() => onAdd()}>Add threat…</button>
    </p>
  );
}

export function Inspector({ model, selected, stencils, diagnostics, commit, onSelect, onAddThreat }: {
  model: ServiceModel;
  selected: ReadonlySet<string>;
  stencils: StencilSet | null;
  diagnostics: Diagnostic[];
  commit: Commit;
  onSelect: (id: string) => void;
  /** Opens the hand-written threat form on the selection; absent where threats are not written. */
  onAddThreat?: () => void;
}) {
  const ids = [...selected];
  if (ids.length > 1) {
    return <div className="sw-inspector"><h2>{ids.length} objects selected</h2><p className="sw-muted">Select one object to edit its properties.</p></div>;
  }
  const id = ids[0];
  const mine = diagnostics.filter((d) => d.object === id);
  const element = id ? model.elements.find((e) => e.id === id) : undefined;
  const flow = id ? model.flows.find((f) => f.id === id) : undefined;
  const boundary = id ? model.boundaries.find((b) => b.id === id) : undefined;

  if (element) {
    const stencil = stencils?.stencils[element.stencil];
    const choices = Object.values(stencils?.stencils ?? {}).filter((s) => s.kind === element.kind);
    const key = (f: string) => `${element.id}:${f}`;
    return (
      <div className="sw-inspector" data-testid="inspector">
        <h2><span className={`sw-kind-dot sw-kind-dot--${element.kind}`} />{edit.KIND_LABEL[element.kind]}</h2>
        <Diagnostics list={mine} />
        <AddThreat onAdd={onAddThreat} />
        <Field label="Name"><input type="text" value={element.name} onChange={(e) => commit(edit.updateElement(model, element.id, { name: e.target.value }), key("name"))} /></Field>
        <Field label="Stencil">
          <select value={element.stencil} onChange={(e) => commit(edit.setStencil(model, element.id, e.target.value))}>
            {!stencil && <option value={element.stencil}>{element.stencil} (unknown)</option>}
            {choices.map((s) => <option key={s.id} value={s.id}>{s.title}</option>)}
          </select>
        </Field>
        <Field label="Description"><textarea rows={3} value={element.description ?? ""} onChange={(e) => commit(edit.updateElement(model, element.id, { description: e.target.value }), key("description"))} /></Field>
        <p className="sw-muted">In trust boundary: {model.boundaries.find((b) => b.id === element.boundary)?.name ?? "none"} <span title="Drag the element into or out of a boundary to change it">(drag to change)</span></p>
        <Check label="Out of scope" checked={!!element.out_of_scope} onChange={(v) => commit(edit.updateElement(model, element.id, { out_of_scope: v }))} />
        {element.out_of_scope && (
          <Field label="Reason"><input type="text" value={element.out_of_scope_reason ?? ""} placeholder="Why is it out of scope?" onChange={(e) => commit(edit.updateElement(model, element.id, { out_of_scope_reason: e.target.value }), key("oos"))} /></Field>
        )}
        <FlowsOf model={model} elementId={element.id} commit={commit} onSelect={onSelect} />
        {stencil && (
          <>
            <h3>Properties <span className="sw-muted">· {stencil.title}</span></h3>
            {Object.entries(stencil.properties).map(([name, def]) => (
              <PropertyField key={name} name={name} def={def} value={element.properties?.[name]}
                onChange={(v) => commit(edit.setElementProperty(model, element.id, name, v), def.type === "text" || def.type === "number" ? key(`p:${name}`) : undefined)} />
            ))}
          </>
        )}
      </div>
    );
  }
  if (flow) {
    const key = (f: string) => `${flow.id}:${f}`;
    const src = model.elements.find((e) => e.id === flow.source)?.name ?? "?";
    const dst = model.elements.find((e) => e.id === flow.target)?.name ?? "?";
    return (
      <div className="sw-inspector" data-testid="inspector">
        <h2><span className="sw-kind-dot sw-kind-dot--flow" />Data flow</h2>
        <p className="sw-muted">{src} → {dst}</p>
        <Diagnostics list={mine} />
        <AddThreat onAdd={onAddThreat} />
        <Field label="Name"><input type="text" value={flow.name} onChange={(e) => commit(edit.updateFlow(model, flow.id, { name: e.target.value }), key("name"))} /></Field>
        <Field label="Protocol"><input type="text" value={flow.protocol ?? ""} placeholder="HTTPS, AMQP, SQL…" onChange={(e) => commit(edit.updateFlow(model, flow.id, { protocol: e.target.value }), key("protocol"))} /></Field>
        <Check label="Bidirectional" checked={!!flow.bidirectional} onChange={(v) => commit(edit.updateFlow(model, flow.id, { bidirectional: v }))} />
        <Field label="Description"><textarea rows={3} value={flow.description ?? ""} onChange={(e) => commit(edit.updateFlow(model, flow.id, { description: e.target.value }), key("description"))} /></Field>
        <Check label="Out of scope" checked={!!flow.out_of_scope} onChange={(v) => commit(edit.updateFlow(model, flow.id, { out_of_scope: v }))} />
        {flow.out_of_scope && (
          <Field label="Reason"><input type="text" value={flow.out_of_scope_reason ?? ""} onChange={(e) => commit(edit.updateFlow(model, flow.id, { out_of_scope_reason: e.target.value }), key("oos"))} /></Field>
        )}
        <h3>Properties</h3>
        {Object.entries(stencils?.flow_properties ?? {}).map(([name, def]) => (
          <PropertyField key={name} name={name} def={def} value={flow.properties?.[name]}
            onChange={(v) => commit(edit.setFlowProperty(model, flow.id, name, v), def.type === "text" || def.type === "number" ? key(`p:${name}`) : undefined)} />
        ))}
      </div>
    );
  }
  if (boundary) {
    const key = (f: string) => `${boundary.id}:${f}`;
    return (
      <div className="sw-inspector" data-testid="inspector">
        <h2><span className="sw-kind-dot sw-kind-dot--boundary" />Trust boundary</h2>
        <Diagnostics list={mine} />
        <AddThreat onAdd={onAddThreat} />
        <Field label="Name"><input type="text" value={boundary.name} onChange={(e) => commit(edit.updateBoundary(model, boundary.id, { name: e.target.value }), key("name"))} /></Field>
        <Field label="Kind">
          <select value={boundary.kind} onChange={(e) => commit(edit.updateBoundary(model, boundary.id, { kind: e.target.value as BoundaryKind }))}>
            {BOUNDARY_KINDS.map((k) => <option key={k} value={k}>{words(k)}</option>)}
          </select>
        </Field>
        <Field label="Description"><textarea rows={3} value={boundary.description ?? ""} onChange={(e) => commit(edit.updateBoundary(model, boundary.id, { description: e.target.value }), key("description"))} /></Field>
        <p className="sw-muted">Nested in: {model.boundaries.find((b) => b.id === boundary.parent)?.name ?? "nothing (top level)"}</p>
      </div>
    );
  }
  return (
    <div className="sw-inspector" data-testid="inspector">
      <h2>Service model</h2>
      <Field label="Name"><input type="text" value={model.name} onChange={(e) => commit({ ...model, name: e.target.value }, "model:name")} /></Field>
      <Field label="Team"><input type="text" value={model.team ?? ""} onChange={(e) => commit({ ...model, team: e.target.value }, "model:team")} /></Field>
      <Field label="Description"><textarea rows={4} value={model.description ?? ""} onChange={(e) => commit({ ...model, description: e.target.value }, "model:description")} /></Field>
      <p className="sw-muted">{model.elements.length} elements · {model.flows.length} flows · {model.boundaries.length} trust boundaries</p>
      <AddThreat onAdd={onAddThreat} />
      <h3>Diagnostics</h3>
      {diagnostics.length ? <Diagnostics list={diagnostics} onSelect={onSelect} /> : <p className="sw-muted">No problems found.</p>}
    </div>
  );
}
