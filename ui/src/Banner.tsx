// The banner over the diagram when the open service's head moved while it had unsaved edits
// (or a save hit a conflict), and the conflicts a merge left.

import type { ServiceDoc } from "./workspace";
import { describeOutside } from "./workspace";

export function Banner({ doc, busy, onReload, onMerge, onDismissConflicts }: {
  doc: ServiceDoc;
  busy: boolean;
  onReload: () => void;
  onMerge: () => void;
  onDismissConflicts: () => void;
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
