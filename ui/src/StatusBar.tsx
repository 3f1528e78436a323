// The status bar: the model's size, its problems, the save state, the last message, the backend.

import type { Diagnostic } from "./bindings/Diagnostic";
import type { ServiceModel } from "./bindings/ServiceModel";
import * as ws from "./workspace";
import type { ServiceDoc } from "./workspace";

export interface Status {
  text: string;
  error?: boolean;
}

export function StatusBar({ model, diagnostics, doc, status, backend }: {
  /** The model in the editor, if the editor is shown. */
  model: ServiceModel | null;
  diagnostics: Diagnostic[];
  /** The doc in the editor (kept while another view shows). */
  doc: ServiceDoc | null;
  status: Status | null;
  backend: "desktop" | "web";
}) {
  const errors = diagnostics.filter((d) => d.level === "error").length;
  const warnings = diagnostics.length - errors;
  return (
    <footer className="sw-status">
      <span data-testid="counts">{model ? `${model.elements.length} elements · ${model.flows.length} flows · ${model.boundaries.length} boundaries` : "no model"}</span>
      <span className={errors ? "sw-status__errors" : warnings ? "sw-status__warnings" : "sw-status__ok"} data-testid="diagnostic-count">
        {errors} errors · {warnings} warnings
      </span>
      {doc && (
        <span className={`sw-save-state sw-save-state--${doc.state}`} data-testid="save-state" title={doc.error ?? (doc.base ? `based on revision #${doc.baseSeq}` : "")}>
          {ws.SAVE_STATE_LABEL[doc.state]}
        </span>
      )}
      <span className={status?.error ? "sw-status__message sw-status__message--error" : "sw-status__message"} role="status" data-testid="status">{status?.text ?? ""}</span>
      <span className="sw-status__backend">{backend === "desktop" ? "desktop" : "web preview (in memory; threats are not re-analysed)"}</span>
    </footer>
  );
}
