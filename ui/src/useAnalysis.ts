// Validation and threats of the model in the editor, re-run 150 ms after every edit and at once
// after a triage decision, with the service's decisions applied. What was found belongs to one
// showing of one service (`shown`): another service's threats and problems never show while the
// next one is analysed.

import { useCallback, useEffect, useState } from "react";
import type { Backend } from "./api";
import { errorMessage } from "./api";
import type { Diagnostic } from "./bindings/Diagnostic";
import type { ServiceAnalysis } from "./bindings/ServiceAnalysis";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { TriageChange } from "./bindings/TriageChange";
import type { Say } from "./session";

/** Quiet time after an edit before it is validated and analysed. */
export const ANALYSIS_DEBOUNCE_MS = 150;

export interface Findings {
  /** The showing they belong to (the session's `shown`). */
  shown: number;
  diagnostics: Diagnostic[];
  analysis: ServiceAnalysis | null;
  error: string | null;
}

/** One empty list for every showing without findings: a new one at each render would look like
 *  new diagnostics to the diagram and rebuild it at each render. */
const NO_DIAGNOSTICS: Diagnostic[] = [];
const none = (shown: number): Findings => ({ shown, diagnostics: NO_DIAGNOSTICS, analysis: null, error: null });

/** The findings of this showing: `prev` when it belongs to it, else nothing yet. */
export const findingsOf = (prev: Findings, shown: number): Findings => (prev.shown === shown ? prev : none(shown));

export function useAnalysis(
  backend: Backend,
  model: ServiceModel | null,
  service: string | null,
  shown: number,
  say: Say,
): Findings & { decide: (key: string, change: TriageChange) => Promise<void> } {
  const [found, setFound] = useState<Findings>(() => none(shown));
  /** Bumped to re-analyse at once (after a triage decision). */
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!model) return;
    let cancelled = false;
    const update = (f: (x: Findings) => Findings) => setFound((prev) => f(findingsOf(prev, shown)));
    const timer = setTimeout(async () => {
      try {
        const diagnostics = await backend.validate(model);
        if (!cancelled) update((x) => ({ ...x, diagnostics }));
      } catch (e) {
        if (!cancelled) say(`validation failed: ${errorMessage(e)}`, true);
      }
      try {
        const analysis = await backend.analyze(model, service);
        if (cancelled) return;
        update((x) => ({ ...x, analysis, error: null }));
      } catch (e) {
        if (cancelled) return;
        update((x) => ({ ...x, error: errorMessage(e) }));
        say(`threat analysis failed: ${errorMessage(e)}`, true);
      }
    }, ANALYSIS_DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [model, service, shown, tick, backend, say]);

  const decide = useCallback(
    async (key: string, change: TriageChange) => {
      if (!service) return;
      try {
        await backend.decide({ kind: "service", id: service }, key, change);
      } catch (e) {
        say(`could not record the decision on ${key}: ${errorMessage(e)}`, true);
        throw e;
      }
      setTick((t) => t + 1);
    },
    [backend, service, say],
  );

  return { ...findingsOf(found, shown), decide };
}
