// The application view's data: consolidated from the saved heads (so unsaved edits are saved
// first), reloaded after each decision on an application-level threat.

import { useCallback, useState } from "react";
import type { Backend } from "./api";
import { errorMessage } from "./api";
import type { ApplicationView } from "./bindings/ApplicationView";
import type { TriageChange } from "./bindings/TriageChange";
import type { Say, WorkspaceSession } from "./session";

export interface ApplicationViewState {
  view: ApplicationView | null;
  loading: boolean;
  error: string | null;
}

export function useApplicationView(backend: Backend, session: WorkspaceSession, say: Say) {
  const [state, setState] = useState<ApplicationViewState>({ view: null, loading: false, error: null });

  const load = useCallback(
    async (application: string) => {
      setState((v) => ({ view: v.view?.application === application ? v.view : null, loading: true, error: null }));
      try {
        const view = await backend.applicationView(application);
        setState({ view, loading: false, error: null });
      } catch (e) {
        const m = errorMessage(e);
        setState({ view: null, loading: false, error: m });
        say(`could not make the application view of ${application}: ${m}`, true);
      }
    },
    [backend, say],
  );

  /** Shows the application's view in the main area. */
  const show = useCallback(
    async (application: string) => {
      session.show({ kind: "application", application });
      // The view consolidates the saved heads: save first.
      await session.flush(true);
      await load(application);
    },
    [session, load],
  );

  const decide = useCallback(
    async (application: string, key: string, change: TriageChange) => {
      try {
        await backend.decide({ kind: "application", name: application }, key, change);
      } catch (e) {
        say(`could not record the decision on ${key}: ${errorMessage(e)}`, true);
        throw e;
      }
      await load(application);
    },
    [backend, load, say],
  );

  return { ...state, show, decide };
}
