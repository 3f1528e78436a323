// Terraform in the window: "Import from Terraform folder…" on an application and "Check drift
// against Terraform…" on a service (File menu, right-click menus). The folder and the variable
// files come from the native dialogs; the import and the drift are the core's (commands
// `import_terraform` and `terraform_drift`). The import's summary is shown in a notice; the
// drift in a panel over the editor whose items select the element or flow they are about, and
// as marks on the diagram's objects (driftMarks.ts) while the panel is open.

import { useCallback, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from "react";
import { errorMessage, type Backend } from "./api";
import type { DriftReport } from "./bindings/DriftReport";
import type { ServiceEntry } from "./bindings/ServiceEntry";
import type { Ask } from "./Dialog";
import { addMenuProvider, type MenuProvider } from "./contextMenu";
import { baselineOf, driftStore, legendOf, marksOn, NO_MARKS, type DriftMarks } from "./driftMarks";
import type { ServiceModel } from "./bindings/ServiceModel";

/** "Import from Terraform folder…" on an application, "Check drift…" on a service. */
export const terraformMenu: MenuProvider = (target) =>
  target.kind === "application"
    ? [[{ command: "importTerraform", label: "Import from Terraform folder…" }]]
    : target.kind === "service"
      ? [[{ command: "checkDrift", label: "Check drift against Terraform…" }]]
      : [];

export interface TerraformActions {
  importInto: (application: string) => Promise<void>;
  checkDrift: (service: ServiceEntry) => Promise<void>;
  /** The drift panel, while a report is open. */
  panel: ReactNode;
}

export function useTerraform(p: {
  backend: Backend;
  ask: Ask;
  say: (text: string, error?: boolean) => void;
  /** Re-reads the workspace (new services). */
  refresh: () => Promise<void>;
  /** Opens the service and selects one of its objects on the diagram. */
  show: (service: ServiceEntry, id: string) => void;
}): TerraformActions {
  const { backend, ask, say, refresh, show } = p;
  const [report, setReport] = useState<{ service: ServiceEntry; drift: DriftReport } | null>(null);
  useEffect(() => addMenuProvider(terraformMenu), []);
  // The diagram marks what the open report names, and nothing once it closes.
  useEffect(() => {
    driftStore.set(report ? { service: report.service.id, drift: report.drift, baseline: null } : null);
    return () => driftStore.set(null);
  }, [report]);

  /** The folder, then optional variable files; null when cancelled. */
  const choose = useCallback(
    async (what: string): Promise<{ path: string; varFiles: string[] } | null> => {
      const path = await backend.pickFolder("terraform_folder");
      if (!path) {
        say(backend.kind === "web" ? `${what} needs the desktop app.` : `${what}: cancelled.`);
        return null;
      }
      const more = await ask({
        title: "Terraform variable files",
        message: <p>Read variable files (.tfvars) besides the folder's own terraform.tfvars and *.auto.tfvars? Later files win.</p>,
        ok: "Choose files…",
      });
      const varFiles = more === null ? [] : await backend.pickVarFiles();
      return { path, varFiles };
    },
    [backend, ask, say],
  );

  const importInto = useCallback(
    async (application: string) => {
      const chosen = await choose("Importing a Terraform folder");
      if (!chosen) return;
      try {
        say("Importing the Terraform folder…");
        const done = await backend.importTerraform(application, chosen.path, chosen.varFiles);
        await refresh();
        say(`Imported ${done.length} service${done.length === 1 ? "" : "s"} from Terraform into ${application}.`);
        await ask({
          title: "Imported from Terraform",
          notice: true,
          message: (
            <div data-testid="terraform-summary">
              {done.map((s) => (
                <section key={s.service.id}>
                  <p><strong>{s.service.name}</strong> ({s.root}): {s.elements} elements, {s.flows} flows, {s.boundaries} boundaries{s.merged ? ", merged into the service" : ""}</p>
                  <ul className="sw-tf__lines">{s.summary.map((l, i) => <li key={i}>{l}</li>)}</ul>
                  {s.conflicts.length > 0 && <p>{s.conflicts.length} conflict(s) to resolve in the service.</p>}
                </section>
              ))}
            </div>
          ),
        });
      } catch (e) {
        say(`could not import the Terraform folder: ${errorMessage(e)}`, true);
      }
    },
    [backend, ask, say, refresh, choose],
  );

  const checkDrift = useCallback(
    async (service: ServiceEntry) => {
      const chosen = await choose("Checking drift");
      if (!chosen) return;
      try {
        const drift = await backend.terraformDrift(service.id, chosen.path, chosen.varFiles);
        setReport({ service, drift });
        say(drift.items.length ? `${drift.items.length} difference(s) between '${service.name}' and its Terraform.` : `'${service.name}' matches its Terraform.`);
      } catch (e) {
        say(`could not check drift: ${errorMessage(e)}`, true);
      }
    },
    [backend, say, choose],
  );

  const panel = report ? (
    <aside className="sw-tf" data-testid="drift-panel" aria-label="Drift against Terraform">
      <header className="sw-tf__head">
        <h2>Drift: {report.drift.service}</h2>
        <button className="sw-link" data-testid="drift-close" onClick={() => setReport(null)}>close</button>
      </header>
      <p className="sw-muted">{report.drift.matched} objects matched by Terraform address; {report.drift.items.length} difference(s).</p>
      <ul className="sw-tf__items">
        {report.drift.items.map((d, i) => (
          <li key={i} className={`sw-tf__item sw-tf__item--${d.kind}`} data-testid="drift-item">
            <span className="sw-tf__kind">{d.label}</span>
            <span>{d.message}</span>
            {d.opens.map((t) => <span key={t} className="sw-tf__threat">opens {t}</span>)}
            {d.closes.map((t) => <span key={t} className="sw-tf__threat">closes {t}</span>)}
            {d.object && <button className="sw-link" onClick={() => show(report.service, d.object!)}>show on the diagram</button>}
          </li>
        ))}
      </ul>
    </aside>
  ) : null;
  return { importInto, checkDrift, panel };
}

/**
 * The drift marks on the diagram of `service` as `model` stands: those of the open drift report
 * of that service that still apply. The first model shown after the check is the baseline.
 */
export function useDriftMarks(service: string, model: ServiceModel): DriftMarks {
  const check = useSyncExternalStore(driftStore.subscribe, driftStore.get);
  const mine = check && check.service === service ? check : null;
  useEffect(() => {
    if (mine && !mine.baseline) driftStore.set({ ...mine, baseline: baselineOf(mine.drift, model) });
  }, [mine, model]);
  return useMemo(() => (mine ? marksOn(mine, model) : NO_MARKS), [mine, model]);
}

/** What the marks on the diagram mean, while there are any. */
export function DriftLegend({ marks }: { marks: DriftMarks }) {
  const kinds = legendOf(marks);
  if (!kinds.length) return null;
  return (
    <div className="sw-drift-legend" data-testid="drift-legend" role="note" aria-label="Drift marks">
      <strong>Drift against Terraform</strong>
      {kinds.map((k) => (
        <span key={k.kind} className="sw-drift-legend__kind">
          <span className={`sw-drift-mark sw-drift-mark--${k.kind}`} aria-hidden="true">Δ</span> {k.label} ({k.count})
        </span>
      ))}
    </div>
  );
}
