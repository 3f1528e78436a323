// The workspace session in a component: one WorkspaceSession per backend, its state as React
// state, and the timers that drive it: start-up, the poll for saves made outside the app (and
// at once when a server workspace announces a teammate's change),
// autosave 800 ms after the last edit, and a save at once when the window loses focus or closes.

import { useEffect, useMemo, useSyncExternalStore } from "react";
import type { Backend } from "./api";
import type { Ask } from "./Dialog";
import { autoLayout } from "./layout";
import { POLL_MS, WorkspaceSession, type Say, type SessionState } from "./session";
import { serviceActions, type ServiceActions } from "./serviceActions";
import * as ws from "./workspace";

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** elkjs, and the failure where the e2e tests can read it. */
async function layout(model: Parameters<typeof autoLayout>[0]) {
  const laid = await autoLayout(model);
  if (laid.error) document.documentElement.dataset.layoutError = laid.error;
  return laid;
}

export function useSession(backend: Backend, say: Say, ask: Ask): { session: WorkspaceSession; state: SessionState; actions: ServiceActions } {
  const session = useMemo(() => new WorkspaceSession({ backend, say, ask, layout, storage: storage() }), [backend, say, ask]);
  const actions = useMemo(() => serviceActions(session, { backend, ask, say }), [session, backend, ask, say]);
  const state = useSyncExternalStore(session.subscribe, session.snapshot);

  useEffect(() => {
    let cancelled = false;
    void session.start(() => cancelled);
    return () => {
      cancelled = true;
    };
  }, [session]);

  useEffect(() => {
    const t = setInterval(() => void session.poll(), POLL_MS);
    return () => clearInterval(t);
  }, [session]);
  // A server workspace says at once when a teammate changes it: re-read it now, as the poll
  // would, and say who changed what.
  useEffect(
    () =>
      backend.onWorkspaceChanged((text) => {
        say(text);
        void session.poll();
      }),
    [backend, session, say],
  );

  // Autosave: 800 ms after the last edit; at once when the window loses focus or closes.
  const { docs } = state;
  useEffect(() => {
    if (!docs.some((d) => d.state === "dirty")) return;
    const t = setTimeout(() => void session.flush(false), ws.AUTOSAVE_MS);
    return () => clearTimeout(t);
  }, [docs, session]);
  // Closing the desktop window waits for this save (src-tauri's close handshake).
  useEffect(() => backend.onCloseRequested(() => session.flush(true)), [backend, session]);
  useEffect(() => {
    const now = () => void session.flush(true);
    window.addEventListener("blur", now);
    window.addEventListener("beforeunload", now);
    return () => {
      window.removeEventListener("blur", now);
      window.removeEventListener("beforeunload", now);
    };
  }, [session]);

  return { session, state, actions };
}
