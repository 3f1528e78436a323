// The revision browser (the side panel's History tab): the open service's revisions, newest
// first, with author, time and message; selecting one shows it read-only (its diagram as a
// picture) and what the head changes against it (the core's semantic diff), and restores it as
// the next revision.

import { useEffect, useMemo, useState } from "react";
import { errorMessage, type Backend } from "./api";
import type { RevisionRef } from "./bindings/RevisionRef";
import type { RevisionView } from "./bindings/RevisionView";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { StencilSet } from "./bindings/StencilSet";
import { editorPicture } from "./diagram";
import { revisionLine } from "./revisions";
import { readableTimeAgo } from "./time";

export function HistoryPanel({ backend, service, head, stencils, onRestore }: {
  backend: Backend;
  service: string;
  /** The head revision's id: the list is read again when it moves. */
  head: string | null;
  stencils: StencilSet | null;
  onRestore: (model: ServiceModel, revision: RevisionRef) => void;
}) {
  const [list, setList] = useState<{ service: string; revisions: RevisionRef[] } | null>(null);
  const [open, setOpen] = useState<RevisionView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stale = false;
    backend.revisions(service).then(
      (revisions) => !stale && (setList({ service, revisions }), setError(null)),
      (e) => !stale && setError(`could not read the revisions: ${errorMessage(e)}`),
    );
    return () => {
      stale = true;
    };
  }, [backend, service, head]);
  const show = async (r: RevisionRef) => {
    try {
      setOpen(await backend.revision(service, r.id));
      setError(null);
    } catch (e) {
      setError(`could not open revision #${r.seq}: ${errorMessage(e)}`);
    }
  };
  const picture = useMemo(
    () => (open ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(editorPicture(`Revision #${open.revision.seq}`, open.model, stencils).svg)}` : null),
    [open, stencils],
  );
  const revisions = list?.service === service ? list.revisions : null;
  const shown = open && open.model.id === service ? open : null;
  return (
    <div className="sw-history" data-testid="history">
      {error && <p className="sw-error" role="alert">{error}</p>}
      {!revisions && !error && <p className="sw-muted">Reading the revisions…</p>}
      {revisions && (
        <ol className="sw-history__list" aria-label="Revisions, newest first">
          {revisions.map((r) => (
            <li key={r.id}>
              <button className={shown?.revision.id === r.id ? "sw-history__row sw-history__row--open" : "sw-history__row"} data-testid="revision-row" data-seq={r.seq}
                title={readableTimeAgo(r.created_at)} aria-pressed={shown?.revision.id === r.id} onClick={() => void show(r)}>
                <span className="sw-history__line">{revisionLine(r)}{r.id === head && <span className="sw-ws__tag">head</span>}</span>
                <span className="sw-history__message">{r.message || "(no message)"}</span>
              </button>
            </li>
          ))}
        </ol>
      )}
      {shown && (
        <section className="sw-history__open" data-testid="revision-open" aria-label={`Revision #${shown.revision.seq}`}>
          <h3>Revision #{shown.revision.seq} <span className="sw-muted">(read-only)</span></h3>
          <p className="sw-muted">{shown.revision.author}, {readableTimeAgo(shown.revision.created_at)}: {shown.revision.message || "(no message)"}</p>
          {picture && <img className="sw-history__picture" src={picture} alt={`The diagram at revision #${shown.revision.seq}`} />}
          <h4>Changes from #{shown.revision.seq} to the head (#{shown.head.seq})</h4>
          {shown.changes ? (
            <pre className="sw-history__diff" data-testid="revision-diff">{shown.layout_only ? "Only positions differ.\n" : ""}{shown.changes}</pre>
          ) : (
            <p data-testid="revision-diff">The same model as the head.</p>
          )}
          <button className="sw-button" data-testid="restore-revision" disabled={shown.revision.id === head}
            onClick={() => onRestore(shown.model, shown.revision)}
            title={shown.revision.id === head ? "This is the head" : "Put this revision in the editor and save it as the next revision (Undo takes it back)"}>
            Restore as new revision
          </button>
        </section>
      )}
    </div>
  );
}
