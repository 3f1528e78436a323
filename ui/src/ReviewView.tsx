// Sprint review mode for one application: the open review's agenda grouped by reason, the
// selected item's details and decision form, progress, closing and the review report; with no
// open review, the past reviews and a form to start one. The backend does the work (the same
// sessions as `stridewise review`); the pure logic is in review.ts.

import { readableTime } from "./time";
import { useCallback, useEffect, useMemo, useRef, useState, type JSX, type KeyboardEvent } from "react";
import { errorMessage, isApiError, type Backend } from "./api";
import type { Ask } from "./Dialog";
import { STATUSES, STRIDE, draftProblem, type TriageDraft } from "./analysis";
import { TriageFields } from "./TriageEditor";
import {
  REASONS,
  closeNotes,
  draftOfItem,
  groupByReason,
  itemId,
  listOrder,
  nextUndecided,
  openReview,
  parseParticipants,
  percent,
  progressText,
  reasonLabel,
  reportFileName,
  reviewChange,
  step,
  suggestSprint,
  type Review,
  type ReviewItem,
  type ReviewSummary,
} from "./review";
import "./threats.css";
import "./review.css";

export interface ReviewViewProps {
  backend: Backend;
  application: string;
  ask: Ask;
  /** A message for the status bar. */
  say: (text: string, error?: boolean) => void;
  /** Saves the editor's unsaved edits: a review analyses the saved services. */
  flush?: () => Promise<void>;
}

const kB = (bytes: number) => `${Math.max(1, Math.round(bytes / 1024))} kB`;

const when = readableTime;

const statusLabel = (id: string) => STATUSES.find((s) => s.id === id)?.label ?? id;

export function ReviewView({ backend, application, ask, say, flush }: ReviewViewProps): JSX.Element {
  const [reviews, setReviews] = useState<ReviewSummary[] | null>(null);
  const [review, setReview] = useState<Review | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  /** Answers from an earlier application are dropped. */
  const generation = useRef(0);

  const load = useCallback(
    /** `pick`: the review to show; left out, the open one; null, none (the list). */
    async (pick?: string | null) => {
      const g = ++generation.current;
      setLoading(true);
      try {
        const list = await backend.reviews(application);
        const id = pick === undefined ? openReview(list)?.id : pick;
        const r = id ? await backend.review(id) : null;
        if (g !== generation.current) return;
        setReviews(list);
        setReview(r);
        setError(null);
      } catch (e) {
        if (g !== generation.current) return;
        setError(errorMessage(e));
      } finally {
        if (g === generation.current) setLoading(false);
      }
    },
    [backend, application],
  );

  useEffect(() => {
    setReviews(null);
    setReview(null);
    setSelected(null);
    setError(null);
    void load();
  }, [load]);

  const groups = useMemo(() => groupByReason(review?.items ?? []), [review]);
  const order = useMemo(() => listOrder(groups), [groups]);
  const item = order.find((i) => itemId(i) === selected) ?? null;

  // A new review (or one without the selected item): the first undecided item, else the first.
  useEffect(() => {
    if (!review) return;
    if (selected && order.some((i) => itemId(i) === selected)) return;
    setSelected(nextUndecided(order, null) ?? (order[0] ? itemId(order[0]) : null));
  }, [review, order, selected]);

  const closed = review?.review.state === "closed";

  // The decision form, reset when another item is selected or its saved decision changes.
  const saved = useMemo(() => (item ? draftOfItem(item) : null), [item]);
  const [draft, setDraft] = useState<TriageDraft | null>(saved);
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  // Compared by value, in the same render: a reload of the review with the same decision keeps
  // what is being typed.
  const signature = item ? `${itemId(item)}\n${JSON.stringify(saved)}` : "";
  const [formOf, setFormOf] = useState(signature);
  if (formOf !== signature) {
    setFormOf(signature);
    setDraft(saved);
    setProblem(null);
  }

  const listRef = useRef<HTMLUListElement>(null);
  const select = useCallback((id: string | null) => {
    setSelected(id);
    if (id) requestAnimationFrame(() => listRef.current?.querySelector(`[data-id="${CSS.escape(id)}"]`)?.scrollIntoView({ block: "nearest" }));
  }, []);

  const save = useCallback(
    async (andNext: boolean) => {
      if (!review || !item || !draft || closed || saving) return;
      const p = draftProblem(draft);
      setProblem(p);
      if (p) return;
      setSaving(true);
      try {
        // A group is decided as a whole: its threats are in several services.
        const next = await backend.decideReviewItem(review.review.id, item.key, reviewChange(draft), item.members.length ? undefined : item.service);
        setReview(next);
        const r = next.review;
        say(`Decided '${item.title}': ${statusLabel(draft.status).toLowerCase()} (${progressText(r)}).`);
        if (andNext) {
          const nextOrder = listOrder(groupByReason(next.items));
          const n = nextUndecided(nextOrder, itemId(item));
          if (n) select(n);
          else say(`All ${r.total} items of review ${r.seq} are decided: close it when the meeting is done.`);
        }
      } catch (e) {
        setProblem(`could not record the decision: ${errorMessage(e)}`);
        if (isApiError(e) && e.code === "review_closed") void load(review.review.id);
      } finally {
        setSaving(false);
      }
    },
    [review, item, draft, closed, saving, backend, say, select, load],
  );

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void save(true);
      return;
    }
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const t = e.target as HTMLElement;
    if (t.closest("input, textarea, select")) return;
    e.preventDefault();
    select(step(order, selected, e.key === "ArrowDown" ? 1 : -1));
  };

  const close = async () => {
    if (!review || closed) return;
    const r = review.review;
    await ask({
      title: `Close review ${r.seq} (sprint ${r.sprint})?`,
      message: (
        <>
          <p>{progressText(r)}. A closed review is frozen: its decisions can no longer change, and the next review compares with it.</p>
          <p>Notes for the record:</p>
        </>
      ),
      input: closeNotes(r),
      ok: "Close review",
      run: async (notes) => {
        const done = await backend.closeReview(r.id, notes);
        setReview(done);
        say(`Closed review ${r.seq} of ${application} (sprint ${r.sprint}) with ${progressText(done.review)}.`);
        void backend.reviews(application).then(setReviews, () => {});
      },
    });
  };

  const exportReport = async () => {
    if (!review) return;
    const r = review.review;
    try {
      const path = await backend.pickSavePath("report", reportFileName(r));
      if (!path) {
        say("Export cancelled: no file was chosen.");
        return;
      }
      const written = await backend.exportReviewReport(r.id, path);
      say(`Review report written to ${written.path} (${kB(written.bytes)}, ${written.threats} items).`);
      try {
        await backend.openExternal(written.path);
      } catch (e) {
        say(`Review report written to ${written.path}, but it could not be opened: ${errorMessage(e)}`, true);
      }
    } catch (e) {
      say(`could not export the review report: ${errorMessage(e)}`, true);
    }
  };

  const start = async (sprint: string, participants: string[]) => {
    await flush?.();
    try {
      const r = await backend.startReview(application, sprint, participants);
      setReview(r);
      setSelected(null);
      say(`Started review ${r.review.seq} of ${application}, sprint ${r.review.sprint}: ${r.review.total} items on the agenda.`);
      void backend.reviews(application).then(setReviews, () => {});
    } catch (e) {
      say(`could not start the review: ${errorMessage(e)}`, true);
      if (isApiError(e) && e.code === "review_open") void load();
      throw e;
    }
  };

  if (error && !review) {
    return (
      <div className="sw-rv sw-rv--empty" data-testid="review-view">
        <div className="sw-empty">
          <h2>Reviews of {application}</h2>
          <p className="sw-error" role="alert">{error}</p>
          <button className="sw-button" onClick={() => void load()}>Try again</button>
        </div>
      </div>
    );
  }

  if (!review) {
    return (
      <div className="sw-rv sw-rv--list" data-testid="review-view">
        <ReviewList application={application} reviews={reviews} loading={loading} onOpen={(id) => void load(id)} onStart={start} />
      </div>
    );
  }

  const r = review.review;
  return (
    <div className="sw-rv" data-testid="review-view" data-state={r.state} onKeyDown={onKeyDown}>
      <header className="sw-rv__head">
        <div className="sw-rv__title">
          <h2>
            {application} · review {r.seq} · sprint <span data-testid="review-sprint-label">{r.sprint}</span>
          </h2>
          <span className={`sw-rv__state sw-rv__state--${r.state}`} data-testid="review-state">{r.state === "open" ? "Open" : "Closed"}</span>
        </div>
        <div className="sw-rv__meta">
          <span>{r.participants.length ? r.participants.join(", ") : "no participants named"}</span>
          <span>opened {when(r.opened_at)} by {r.opened_by}</span>
          {r.closed_at && <span>closed {when(r.closed_at)}{r.closed_by ? ` by ${r.closed_by}` : ""}</span>}
          <span title={review.services.map((s) => `${s.name} at revision #${s.revision_seq}`).join("\n")}>
            {review.services.length} {review.services.length === 1 ? "service" : "services"}
          </span>
        </div>
        <div className="sw-rv__bar">
          <div className="sw-rv__progress" data-testid="review-progress" role="progressbar" aria-valuemin={0} aria-valuemax={r.total} aria-valuenow={r.decided}
            aria-label="Decided items" data-decided={r.decided} data-total={r.total}>
            <div className="sw-rv__progress-fill" style={{ width: `${percent(r)}%` }} />
            <span className="sw-rv__progress-text">{progressText(r)}</span>
          </div>
          <div className="sw-rv__actions">
            <button className="sw-button" onClick={() => void load(null)} title="All reviews of this application">Reviews</button>
            <button className="sw-button" data-testid="review-export" onClick={() => void exportReport()} title="Write the review report (HTML) and open it">Export review report…</button>
            <button className="sw-button sw-button--primary" data-testid="review-close" disabled={closed} onClick={() => void close()}
              title={closed ? "This review is closed" : "Close the review with notes; it is frozen afterwards"}>
              Close review
            </button>
          </div>
        </div>
        {closed && r.notes && <p className="sw-rv__notes"><strong>Notes:</strong> {r.notes}</p>}
      </header>

      <ul className="sw-rv__agenda" ref={listRef} tabIndex={0} aria-label="Agenda (arrow keys to move)" data-testid="review-agenda">
        {groups.length === 0 && <li className="sw-muted sw-rv__none">Nothing on the agenda: no threat is new, changed, open, past due or gone.</li>}
        {groups.map((g) => (
          <li key={g.reason} className="sw-rv__group">
            <div className="sw-rv__group-head" title={REASONS.find((x) => x.id === g.reason)?.hint}>
              <span>{g.label}</span>
              <span className="sw-count">{g.decided}/{g.items.length}</span>
            </div>
            <ul className="sw-rv__items">
              {g.items.map((i) => (
                <AgendaRow key={itemId(i)} item={i} selected={itemId(i) === selected} onSelect={() => { setSelected(itemId(i)); listRef.current?.focus({ preventScroll: true }); }} />
              ))}
            </ul>
          </li>
        ))}
      </ul>

      <section className="sw-rv__detail">
        {item && draft ? (
          <ItemDetail
            item={item}
            draft={draft}
            problem={problem}
            saving={saving}
            closed={closed}
            dirty={JSON.stringify(draft) !== JSON.stringify(saved)}
            onChange={(d) => {
              setDraft(d);
              if (problem) setProblem(draftProblem(d));
            }}
            onSave={() => void save(true)}
          />
        ) : (
          <p className="sw-muted">Select an item of the agenda.</p>
        )}
      </section>
    </div>
  );
}

function AgendaRow({ item, selected, onSelect }: { item: ReviewItem; selected: boolean; onSelect: () => void }) {
  const d = item.decision;
  return (
    <li
      className={`sw-rv__item${selected ? " sw-rv__item--selected" : ""}${d ? " sw-rv__item--decided" : ""}`}
      data-testid="review-item"
      data-key={item.key}
      data-service={item.service}
      data-id={itemId(item)}
      aria-selected={selected}
      onClick={onSelect}
    >
      <span className={`sw-sev sw-sev--${item.severity}`}>{item.severity}</span>
      <span className="sw-rv__item-title">{item.title}</span>
      <span className="sw-rv__item-check" aria-label={d ? "decided" : "not decided"}>
        {d ? <span className={`sw-status-badge sw-status-badge--${d.status}`}>{statusLabel(d.status)}</span> : null}
      </span>
      <span className="sw-rv__item-meta">
        {item.target && <span className={`sw-kind-dot sw-kind-dot--${item.target.kind}`} />}
        <span className="sw-rv__item-target">
          {item.members.length > 1 ? `${item.members.length} threats` : item.target?.name ?? "no longer in the model"}
        </span>
        <span>· {item.service}</span>
        {item.reasons.map((x) => (
          <span key={x} className={`sw-rv__reason sw-rv__reason--${x}`}>{reasonLabel(x)}</span>
        ))}
      </span>
    </li>
  );
}

interface ItemDetailProps {
  item: ReviewItem;
  draft: TriageDraft;
  problem: string | null;
  saving: boolean;
  closed: boolean;
  dirty: boolean;
  onChange: (d: TriageDraft) => void;
  onSave: () => void;
}

function ItemDetail({ item, draft, problem, saving, closed, dirty, onChange, onSave }: ItemDetailProps) {
  const set = <K extends keyof TriageDraft>(k: K, v: TriageDraft[K]) => onChange({ ...draft, [k]: v });
  const disabled = closed || saving;
  const stride = STRIDE.find((s) => s.id === item.stride);
  const c = item.current;
  const d = item.decision;
  return (
    <div className="sw-rv__item-detail" data-testid="review-detail">
      <div className="sw-rv__detail-head">
        <span className={`sw-sev sw-sev--${item.severity}`}>{item.severity}</span>
        <h3>{item.title}</h3>
      </div>
      <dl className="sw-rv__facts">
        <dt>About</dt>
        {item.members.length > 0 ? (
          <dd>
            {item.members.length} {item.members.length === 1 ? "threat" : "threats"} of one rule, decided together (a threat decided on its own keeps its decision):
            <ul className="sw-rv__why" data-testid="review-members">
              {item.members.map((m) => (
                <li key={m.key} title={m.severity_note || undefined}>
                  <span className={`sw-sev sw-sev--${m.severity}`}>{m.severity}</span> {m.title} · {m.services.join(", ")}
                  {m.decision ? ` · ${statusLabel(m.decision.status).toLowerCase()}` : ""}
                </li>
              ))}
            </ul>
          </dd>
        ) : (
          <dd>{item.target ? <><span className={`sw-kind-dot sw-kind-dot--${item.target.kind}`} />{item.target.name}</> : "no longer in the model"} · {item.service}</dd>
        )}
        {stride && <><dt>Category</dt><dd>{stride.label}</dd></>}
        <dt>Why now</dt>
        <dd><ul className="sw-rv__why">{item.why.map((w) => <li key={w}>{w}</li>)}</ul></dd>
        <dt>Triage now</dt>
        <dd>
          <span className={`sw-status-badge sw-status-badge--${c?.status ?? "open"}`}>{statusLabel(c?.status ?? "open")}</span>
          {c?.owner ? ` · ${c.owner}` : ""}{c?.due_sprint ? ` · due ${c.due_sprint}` : ""}
        </dd>
        <dt>Key</dt>
        <dd className="sw-rv__key">{item.key}</dd>
      </dl>
      {item.description && <p className="sw-rv__desc">{item.description}</p>}

      <form className="sw-triage sw-rv__form" onSubmit={(e) => { e.preventDefault(); onSave(); }}>
        <h4>Decision{d ? <span className="sw-muted"> · recorded by {d.decided_by} {when(d.decided_at)}</span> : null}</h4>
        {closed && <p className="sw-triage__readonly">This review is closed: its record is frozen. Start a new review to revisit this threat.</p>}
        <TriageFields prefix="review-decision" draft={draft} onChange={set} problem={problem} disabled={disabled} />
        <div className="sw-triage__actions">
          <button type="submit" className="sw-button sw-button--primary" data-testid="review-decision-save" disabled={disabled}
            title="Save and go to the next undecided item (Ctrl+Enter)">
            {saving ? "Saving…" : d && !dirty ? "Save again" : "Save"}
          </button>
          <span className="sw-muted">Ctrl+Enter saves and moves on · ↑/↓ move through the agenda</span>
        </div>
      </form>
    </div>
  );
}

interface ReviewListProps {
  application: string;
  reviews: ReviewSummary[] | null;
  loading: boolean;
  onOpen: (id: string) => void;
  onStart: (sprint: string, participants: string[]) => Promise<void>;
}

function ReviewList({ application, reviews, loading, onOpen, onStart }: ReviewListProps) {
  const open = reviews ? openReview(reviews) : null;
  const [sprint, setSprint] = useState("");
  const [participants, setParticipants] = useState("");
  const [starting, setStarting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const suggested = useMemo(() => suggestSprint(reviews ?? []), [reviews]);
  useEffect(() => setSprint((s) => s || suggested), [suggested]);

  const submit = async () => {
    if (!sprint.trim() || starting) return;
    setStarting(true);
    setFailure(null);
    try {
      await onStart(sprint.trim(), parseParticipants(participants));
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setStarting(false);
    }
  };

  return (
    <div className="sw-rv__home">
      <h2>Sprint reviews of {application}</h2>
      {open ? (
        <p>
          Review {open.seq} (sprint {open.sprint}) is open: {progressText(open)}.{" "}
          <button className="sw-link sw-rv__inline" onClick={() => onOpen(open.id)}>Continue it</button>
        </p>
      ) : (
        <form className="sw-rv__start" data-testid="review-start-form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
          <p className="sw-muted">
            The agenda lists what is new or changed since the last closed review, what is still open or past due, and what is no longer detected, worst first.
            Services are reviewed as saved.
          </p>
          <div className="sw-rv__start-row">
            <label className="sw-field">
              <span className="sw-field__label">Sprint</span>
              <input data-testid="review-sprint" value={sprint} placeholder="2026.24" onChange={(e) => setSprint(e.target.value)} />
            </label>
            <label className="sw-field sw-rv__grow">
              <span className="sw-field__label">Participants (comma-separated)</span>
              <input data-testid="review-participants" value={participants} placeholder="ana, bo, chen" onChange={(e) => setParticipants(e.target.value)} />
            </label>
            <button type="submit" className="sw-button sw-button--primary" data-testid="review-start" disabled={!sprint.trim() || starting}>
              {starting ? "Starting…" : "Start review"}
            </button>
          </div>
          {failure && <p className="sw-error" role="alert">{failure}</p>}
        </form>
      )}
      <h3>All reviews</h3>
      {loading && !reviews && <p className="sw-muted">Loading…</p>}
      {reviews && reviews.length === 0 && <p className="sw-muted">No reviews yet.</p>}
      {reviews && reviews.length > 0 && (
        <ul className="sw-rv__past" data-testid="review-list">
          {reviews.map((r) => (
            <li key={r.id} className="sw-rv__past-item" data-testid="review-summary" onClick={() => onOpen(r.id)}>
              <span className="sw-rv__past-name">Review {r.seq} · sprint {r.sprint}</span>
              <span className={`sw-rv__state sw-rv__state--${r.state}`}>{r.state}</span>
              <span className="sw-rv__past-progress">
                <span className="sw-rv__mini"><span style={{ width: `${percent(r)}%` }} /></span>
                {progressText(r)}
              </span>
              <span className="sw-muted">
                {when(r.opened_at)}{r.closed_at ? ` – ${when(r.closed_at)}` : ""}{r.participants.length ? ` · ${r.participants.join(", ")}` : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
