// The editor's view of one workspace service: its undo history, the head revision the edits
// are based on, and the autosave state machine. Pure functions only; session.ts calls the backend
// and feeds the results in here, so every transition is unit-tested without a window.
//
//   saved --edit--> dirty --(800 ms quiet, blur, close, Ctrl+S)--> saving --ok--> saved (new base)
//                                                               \--conflict--> conflict
//   an outside save moves the head: clean -> reloaded silently; dirty -> banner (reload theirs
//   or merge mine into theirs). Nothing here ever saves over a head it was not based on.

import { readableTimeAgo } from "./time";
import { errorMessage, isApiError } from "./api";
import type { LoadedService } from "./bindings/LoadedService";
import type { MergeConflict } from "./bindings/MergeConflict";
import type { MergedService } from "./bindings/MergedService";
import type { RevisionRef } from "./bindings/RevisionRef";
import type { SavedService } from "./bindings/SavedService";
import type { ServiceEntry } from "./bindings/ServiceEntry";
import type { ServiceModel } from "./bindings/ServiceModel";
import * as hist from "./history";

/** Quiet time after the last edit before it is saved. */
export const AUTOSAVE_MS = 800;

export type SaveState = "saved" | "dirty" | "saving" | "conflict" | "error";

export interface ServiceDoc {
  serviceId: string;
  application: string;
  /** The service's name in the workspace (the sidebar's, which renames change). */
  name: string;
  /** The head revision the edits are based on: what the next save names as its base. */
  base: string | null;
  /** Its sequence number, to tell a newer head from a stale poll. */
  baseSeq: number;
  history: hist.History<ServiceModel>;
  /** The model that equals the base revision. Compared by identity: undo and redo give back the
   *  very objects they stored, so undoing to the saved model is clean again (history versions only
   *  grow, so they cannot tell that). */
  saved: ServiceModel;
  state: SaveState;
  /** When the last edit was made (ms), for the autosave debounce. */
  lastEditAt: number;
  /** The model being saved, while state is "saving". */
  saving: ServiceModel | null;
  /** A head saved elsewhere while this doc had unsaved edits: the banner offers reload or merge. */
  outside: RevisionRef | null;
  /** Why the last save failed (state "error"). */
  error: string | null;
  /** What the last merge could not settle. */
  conflicts: MergeConflict[];
}

export const SAVE_STATE_LABEL: Record<SaveState, string> = {
  saved: "Saved",
  dirty: "Unsaved changes",
  saving: "Saving…",
  conflict: "Conflict",
  error: "Not saved",
};

/** A doc for a service just loaded; `model` may be the loaded one laid out. */
export function openDoc(loaded: LoadedService, model: ServiceModel = loaded.model): ServiceDoc {
  return {
    serviceId: loaded.service.id,
    application: loaded.service.application,
    name: loaded.service.name,
    base: loaded.service.head?.id ?? null,
    baseSeq: loaded.service.head?.seq ?? 0,
    history: hist.start(model),
    saved: model,
    state: "saved",
    lastEditAt: 0,
    saving: null,
    outside: null,
    error: null,
    conflicts: [],
  };
}

export const isDirty = (d: ServiceDoc) => d.history.present !== d.saved;

/** After an edit, undo or redo: the new history. */
export function edited(d: ServiceDoc, history: hist.History<ServiceModel>, now: number): ServiceDoc {
  if (history === d.history) return d;
  const next = { ...d, history, lastEditAt: now };
  // A save in flight or a pending conflict keeps its state: the save's result (or the
  // conflict's resolution) decides what comes next.
  if (d.state === "saving" || d.state === "conflict") return next;
  return { ...next, state: isDirty(next) ? "dirty" : "saved", error: null };
}

/** Whether to save now: 800 ms after the last edit, or at once when `flush` (blur, close, Ctrl+S). */
export function autosaveDue(d: ServiceDoc, now: number, flush = false): boolean {
  if (d.state !== "dirty" && !(flush && d.state === "error")) return false;
  if (d.outside || !isDirty(d)) return false;
  return flush || now - d.lastEditAt >= AUTOSAVE_MS;
}

/** A save of the present model begins. */
export function saveStarted(d: ServiceDoc): ServiceDoc {
  return { ...d, state: "saving", saving: d.history.present, error: null };
}

/** The save of `model` succeeded: its head is the new base. */
export function saveSucceeded(d: ServiceDoc, saved: SavedService, model: ServiceModel): ServiceDoc {
  const h = saved.service.head;
  const next = {
    ...d,
    name: saved.service.name,
    base: h?.id ?? d.base,
    baseSeq: h?.seq ?? d.baseSeq,
    saved: model,
    saving: null,
  };
  return { ...next, state: isDirty(next) ? "dirty" : "saved" };
}

/** The save failed: a "conflict" stops autosave until reload or merge; anything else is an error
 *  that the next edit or Ctrl+S retries. */
export function saveFailed(d: ServiceDoc, e: unknown): ServiceDoc {
  const conflict = isApiError(e) && e.code === "conflict";
  return { ...d, saving: null, state: conflict ? "conflict" : "error", error: conflict ? null : errorMessage(e) };
}

export type OutsideAction = "none" | "reload" | "banner";

/**
 * A poll of the workspace shows `entry` for this doc's service. A head newer than the base
 * was saved elsewhere: a clean doc should reload it ("reload"); a doc with unsaved edits gets
 * the banner ("banner") and stops autosaving. Older or equal heads (a poll that started before
 * our own save) and polls during a save change nothing.
 */
export function headSeen(d: ServiceDoc, entry: ServiceEntry): { doc: ServiceDoc; action: OutsideAction } {
  const named = entry.name !== d.name ? { ...d, name: entry.name } : d;
  const h = entry.head;
  if (!h || h.id === d.base || h.seq <= d.baseSeq || d.state === "saving") return { doc: named, action: "none" };
  if (d.outside?.id === h.id) return { doc: named, action: "none" };
  if (!isDirty(d) && d.state !== "conflict") return { doc: named, action: "reload" };
  return { doc: { ...named, outside: h, state: "conflict" }, action: "banner" };
}

/**
 * Their head, loaded: it becomes the present (one undo step, so Undo brings the editor's
 * version back as an edit on top of theirs) and the new base. With `force` false (the silent
 * reload of a clean doc) a doc edited meanwhile is not replaced but gets the banner.
 */
export function reloaded(d: ServiceDoc, loaded: LoadedService, force: boolean): ServiceDoc {
  const h = loaded.service.head;
  if (!force && isDirty(d)) return h ? { ...d, outside: h, state: "conflict" } : d;
  const history = hist.commit(d.history, loaded.model);
  return {
    ...d,
    name: loaded.service.name,
    base: h?.id ?? null,
    baseSeq: h?.seq ?? 0,
    history,
    saved: history.present,
    state: "saved",
    outside: null,
    error: null,
    conflicts: [],
  };
}

/** The merge of the editor's model into their head, saved: its model is the present and its head the base. */
export function merged(d: ServiceDoc, m: MergedService): ServiceDoc {
  const history = hist.commit(d.history, m.model);
  const h = m.service.head;
  return {
    ...d,
    name: m.service.name,
    base: h?.id ?? d.base,
    baseSeq: h?.seq ?? d.baseSeq,
    history,
    saved: history.present,
    state: "saved",
    outside: null,
    error: null,
    conflicts: m.conflicts,
  };
}

/** The banner's sentence about a head saved elsewhere. */
export function describeOutside(h: RevisionRef | null): string {
  if (!h) return "This service was changed outside the app.";
  const when = readableTimeAgo(h.created_at);
  return `This service was changed outside the app (revision #${h.seq} by ${h.author || "someone"} at ${when}).`;
}
