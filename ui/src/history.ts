// One undo stack over the model document. Every edit is a pure function from one ServiceModel
// to the next; React Flow's own state is only a view of the present document and never
// enters the stack.

export interface History<T> {
  readonly past: readonly T[];
  readonly present: T;
  readonly future: readonly T[];
  /** Consecutive edits with the same key (typing in one field) make one undo step. */
  readonly coalesceKey: string | null;
  /** Bumped on every change of `present`, so that views can tell a new document apart. */
  readonly version: number;
}

/** Undo depth; older steps are dropped. */
export const MAX_UNDO = 200;

export function start<T>(doc: T): History<T> {
  return { past: [], present: doc, future: [], coalesceKey: null, version: 0 };
}

export function commit<T>(h: History<T>, next: T, coalesce: string | null = null): History<T> {
  if (next === h.present) return h;
  if (coalesce !== null && coalesce === h.coalesceKey && h.past.length > 0) {
    return { ...h, present: next, future: [], version: h.version + 1 };
  }
  const past = [...h.past, h.present];
  if (past.length > MAX_UNDO) past.splice(0, past.length - MAX_UNDO);
  return { past, present: next, future: [], coalesceKey: coalesce, version: h.version + 1 };
}

export function undo<T>(h: History<T>): History<T> {
  if (h.past.length === 0) return h;
  const present = h.past[h.past.length - 1];
  return {
    past: h.past.slice(0, -1),
    present,
    future: [h.present, ...h.future],
    coalesceKey: null,
    version: h.version + 1,
  };
}

export function redo<T>(h: History<T>): History<T> {
  if (h.future.length === 0) return h;
  const [present, ...future] = h.future;
  return {
    past: [...h.past, h.present],
    present,
    future,
    coalesceKey: null,
    version: h.version + 1,
  };
}

export const canUndo = <T>(h: History<T>) => h.past.length > 0;
export const canRedo = <T>(h: History<T>) => h.future.length > 0;
