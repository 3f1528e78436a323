// The banner over the diagram when the open service's head moved while it had unsaved edits
// (or a save hit a conflict), the merge conflicts recorded in the model (conflicts.ts; each
// resolved here, which is a new revision), and the conflicts a merge just left.

import { conflictObject, conflictsOf, conflictValue, sideLabels } from "./conflicts";
import type { ServiceDoc } from "./workspace";
import { describeOutside } from "./workspace";

export function Banner({ doc, busy, onReload, onMerge, onDismissConflicts, onShow, onResolve, onTake }: {
  doc: ServiceDoc;
  busy: boolean;
  onReload: () => void;
  onMerge: () => void;
  onDismissConflicts: () => void;
  /** Selects the object a conflict is about. */
  onShow: (id: string) => void;
  /** Decides the model's conflict at this index as the model has it now. */
  onResolve: (index: number) => void;
  /** Resolves the model's conflict at this index by taking one side's value. */
  onTake: (index: number, side: "ours" | "theirs") => void;
}) {
  if (doc.state === "conflict" || doc.outside) {
    return (
      <div className="sw-banner sw-banner--warning" data-testid="banner" role="alert">
        <span>
          {describeOutside(doc.outside)} Your unsaved changes are kept here and nothing is saved over theirs.
        </span>
        <button className="sw-button" data-testid="banner-reload" disabled={busy} onClick={onReload} title="Load their revision; Undo brings your version back">Reload theirs</button>
        <button className="sw-button sw-button--primary" data-testid="banner-merge" disabled={busy || !doc.base} onClick={onMerge}>Merge mine into theirs</button>
      </div>
    );
  }
  const recorded = conflictsOf(doc.history.present);
  if (recorded.length) {
    return (
      <div className="sw-banner sw-banner--conflicts" data-testid="conflicts" role="status">
        <div className="sw-conflicts">
          <strong data-testid="conflicts-count">{recorded.length} merge conflict{recorded.length === 1 ? "" : "s"} to resolve</strong>
          <span className="sw-muted"> Take a side, or change the value in the properties and keep it.</span>
          <ol>
            {recorded.map((c, i) => {
              const object = conflictObject(c);
              const side = sideLabels(c);
              return (
                <li key={`${c.path}-${i}`} data-testid="conflict" data-path={c.path}>
                  <div>{c.message}</div>
                  <div className="sw-conflicts__sides">
                    <span data-testid="conflict-ours-value"><b>{side.ours}:</b> {conflictValue(c.ours)}</span>
                    <span data-testid="conflict-theirs-value"><b>{side.theirs}:</b> {conflictValue(c.theirs)}</span>
                    {c.base !== undefined && <span className="sw-muted">Before both: {conflictValue(c.base)}</span>}
                  </div>
                  <div className="sw-conflicts__actions">
                    {object && <button className="sw-button" onClick={() => onShow(object)}>Show</button>}
                    <button className="sw-button" data-testid="conflict-ours" disabled={busy} onClick={() => onTake(i, "ours")} title={`Take the value ${side.ours}`}>Take {c.ours_from ? "the first" : "yours"}</button>
                    <button className="sw-button" data-testid="conflict-theirs" disabled={busy} onClick={() => onTake(i, "theirs")} title={`Take the value ${side.theirs}`}>Take {c.theirs_from ? "the second" : "theirs"}</button>
                    <button className="sw-button sw-button--primary" data-testid="conflict-keep" onClick={() => onResolve(i)}>Resolve: keep the model's value</button>
                  </div>
                </li>
              );
            })}
          </ol>
        </div>
      </div>
    );
  }
  if (doc.conflicts.length) {
    return (
      <div className="sw-banner" data-testid="banner" role="status">
        <div>
          <strong>The merge left {doc.conflicts.length} conflict{doc.conflicts.length === 1 ? "" : "s"} to decide:</strong>
          <ul>{doc.conflicts.map((c) => <li key={c.path}>{c.message}</li>)}</ul>
        </div>
        <button className="sw-button" onClick={onDismissConflicts}>Dismiss</button>
      </div>
    );
  }
  return null;
}
