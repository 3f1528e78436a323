// The one interface between the UI and the backend. The desktop app talks to the Rust
// commands in src-tauri through `tauriBackend`; tests and the plain web build use
// `memoryBackend`, so the UI's logic runs without a window.

import type { ApiError } from "./bindings/ApiError";
import type { Diagnostic } from "./bindings/Diagnostic";
import type { ApplicationView } from "./bindings/ApplicationView";
import type { ImportOutcome } from "./bindings/ImportOutcome";
import type { LoadedService } from "./bindings/LoadedService";
import type { MergedService } from "./bindings/MergedService";
import type { ReportWritten } from "./bindings/ReportWritten";
import type { SavedService } from "./bindings/SavedService";
import type { ServiceAnalysis } from "./bindings/ServiceAnalysis";
import type { ServiceEntry } from "./bindings/ServiceEntry";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { StencilSet } from "./bindings/StencilSet";
import type { TriageChange } from "./bindings/TriageChange";
import type { TriageDecision } from "./bindings/TriageDecision";
import type { TriageScope } from "./bindings/TriageScope";
import type { WorkspaceInfo } from "./bindings/WorkspaceInfo";

export interface Backend {
  /** Where it runs, for the status bar: "desktop" or "web". */
  readonly kind: "desktop" | "web";
  stencils(): Promise<StencilSet>;
  validate(model: ServiceModel): Promise<Diagnostic[]>;

  // The workspace (a SQLite file). Every call below fails with code "no_workspace" until one is open.
  /** Start-up: the workspace named on the command line (created when missing), else the last one
   *  opened, else the bundled sample workspace (made on first run). */
  start(): Promise<WorkspaceInfo>;
  /** The open workspace, re-read (poll it to notice saves made by the CLI or another window). */
  workspace(): Promise<WorkspaceInfo>;
  openWorkspace(path: string): Promise<WorkspaceInfo>;
  /** Fails with "already_exists" rather than replace a file. */
  createWorkspace(path: string): Promise<WorkspaceInfo>;
  openSampleWorkspace(): Promise<WorkspaceInfo>;

  // Services. Ids are model ids (ModelId).
  loadService(id: string): Promise<LoadedService>;
  /** Saves the editor's model as the service's next revision. `base` is the head revision id the
   *  editor loaded (null for a new model). Fails with "conflict" when the head has moved: nothing
   *  is written; offer reload or mergeService. The application is created when new. */
  saveService(application: string, model: ServiceModel, base: string | null, message: string): Promise<SavedService>;
  /** Three-way merge of the editor's model (edited from `base`) with the current head; saved as a
   *  revision with two parents. Returns the merged model to load and any conflicts left. */
  mergeService(application: string, model: ServiceModel, base: string): Promise<MergedService>;
  /** A new, empty service (its first revision). "name_taken" when the application has one so named. */
  createService(application: string, name: string): Promise<LoadedService>;
  renameService(id: string, name: string): Promise<ServiceEntry>;
  /** A copy with fresh ids under a new name, in the same application. */
  duplicateService(id: string, name: string): Promise<LoadedService>;
  /** Takes the service out of the workspace's lists; its revisions stay in the file. */
  deleteService(id: string): Promise<void>;
  /** Adds the models of a file (.stride.json, Threat Dragon JSON, .tm7, Threagile YAML, pytm JSON)
   *  to the application as services. */
  importModels(application: string, path: string): Promise<ImportOutcome>;
  /** Writes the head revision as a .stride.json that remembers its revision (so adding it back later merges). */
  exportService(id: string, path: string): Promise<void>;

  // Threats and triage.
  /** Threats of the model being edited (saved or not) with the service's decisions (`service`
   *  null for a model outside the workspace). */
  analyze(model: ServiceModel, service: string | null): Promise<ServiceAnalysis>;
  decide(scope: TriageScope, key: string, change: TriageChange): Promise<TriageDecision>;
  /** Consolidates the application's services (saving the application model as a revision) and
   *  analyses it: application-level threats and attack paths. */
  applicationView(application: string): Promise<ApplicationView>;
  /** Writes the HTML report of the application (its services, the consolidated model, reviews). */
  exportReport(application: string, path: string): Promise<ReportWritten>;
  /** Opens a file with the system's default program (the report in the browser). */
  openExternal(path: string): Promise<void>;

  /** Native dialogs; `null` when cancelled or when the backend has none. */
  pickOpenPath(purpose: "workspace" | "import"): Promise<string | null>;
  pickSavePath(purpose: "workspace" | "model" | "report", suggested: string): Promise<string | null>;
}

export function isApiError(e: unknown): e is ApiError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/** A message for people from anything thrown by a backend call. */
export function errorMessage(e: unknown): string {
  if (isApiError(e)) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

export async function tauriBackend(): Promise<Backend> {
  const { invoke } = await import("@tauri-apps/api/core");
  const dialog = await import("@tauri-apps/plugin-dialog");
  const filters = {
    workspace: [{ name: "Stridewise workspace", extensions: ["stridewise", "sqlite", "db"] }],
    import: [
      { name: "Threat models", extensions: ["json", "tm7", "yaml", "yml"] },
      { name: "All files", extensions: ["*"] },
    ],
    model: [{ name: "Stridewise model", extensions: ["json"] }],
    report: [{ name: "HTML report", extensions: ["html"] }],
  };
  // Command names and argument names are those of src-tauri/src/lib.rs (camelCase here).
  return {
    kind: "desktop",
    stencils: () => invoke("stencils"),
    validate: (model) => invoke("validate", { model }),
    start: () => invoke("start"),
    workspace: () => invoke("workspace"),
    openWorkspace: (path) => invoke("open_workspace", { path }),
    createWorkspace: (path) => invoke("create_workspace", { path }),
    openSampleWorkspace: () => invoke("open_sample_workspace"),
    loadService: (id) => invoke("load_service", { id }),
    saveService: (application, model, base, message) => invoke("save_service", { application, model, base, message }),
    mergeService: (application, model, base) => invoke("merge_service", { application, model, base }),
    createService: (application, name) => invoke("create_service", { application, name }),
    renameService: (id, name) => invoke("rename_service", { id, name }),
    duplicateService: (id, name) => invoke("duplicate_service", { id, name }),
    deleteService: (id) => invoke("delete_service", { id }),
    importModels: (application, path) => invoke("import_models", { application, path }),
    exportService: (id, path) => invoke("export_service", { id, path }),
    analyze: (model, service) => invoke("analyze", { model, service }),
    decide: (scope, key, change) => invoke("decide", { scope, key, change }),
    applicationView: (application) => invoke("application_view", { application }),
    exportReport: (application, path) => invoke("export_report", { application, path }),
    openExternal: (path) => invoke("open_external", { path }),
    pickOpenPath: async (purpose) => {
      const p = await dialog.open({ multiple: false, directory: false, filters: filters[purpose] });
      return typeof p === "string" ? p : null;
    },
    pickSavePath: async (purpose, suggested) =>
      (await dialog.save({ defaultPath: suggested, filters: filters[purpose] })) ?? null,
  };
}

/** Whether the page runs inside the Tauri webview. */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

export interface MemorySample {
  id: string;
  model: ServiceModel;
}

/**
 * A backend in memory: samples and "files" are held in maps. Validation here checks structure
 * only (names, dangling references, self flows, out-of-scope reasons); the desktop backend runs
 * the full validation of stridewise-core.
 */
export function memoryBackend(samples: MemorySample[], stencils: StencilSet): Backend & {
  files: Map<string, string>;
} {
  const files = new Map<string, string>();
  const copy = (m: ServiceModel): ServiceModel => structuredClone(m);
  const notFound = (what: string): ApiError => ({ code: "not_found", message: what });
  return {
    kind: "web",
    files,
    listSamples: async () =>
      samples.map((s) => ({
        id: s.id,
        name: s.model.name,
        description: s.model.description ?? "",
        elements: s.model.elements.length,
        flows: s.model.flows.length,
      })),
    openSample: async (id) => {
      const s = samples.find((x) => x.id === id);
      if (!s) throw notFound(`there is no bundled sample '${id}'`);
      return { model: copy(s.model), path: null, sample: id };
    },
    initialModel: async () =>
      samples.length ? { model: copy(samples[0].model), path: null, sample: samples[0].id } : null,
    openFile: async (path) => {
      const text = files.get(path);
      if (text === undefined) throw notFound(`cannot read '${path}': no such file`);
      return { model: JSON.parse(text) as ServiceModel, path, sample: null };
    },
    saveFile: async (path, model) => {
      if (!path.trim()) throw { code: "invalid_argument", message: "no file name was given" } satisfies ApiError;
      files.set(path, JSON.stringify(model, null, 2) + "\n");
    },
    validate: async (model) => structuralDiagnostics(model),
    stencils: async () => stencils,
    pickOpenPath: async () => null,
    pickSavePath: async () => null,
  };
}

export function structuralDiagnostics(model: ServiceModel): Diagnostic[] {
  const out: Diagnostic[] = [];
  const ids = new Set(model.elements.map((e) => e.id));
  model.elements.forEach((e, i) => {
    if (!e.name.trim())
      out.push({ level: "error", code: "empty-name", message: `${e.kind.replace("_", " ")} ${e.id} has no name`, pointer: `/elements/${i}/name`, object: e.id });
    if (e.out_of_scope && !(e.out_of_scope_reason ?? "").trim())
      out.push({ level: "warning", code: "missing-out-of-scope-reason", message: `'${e.name}' is out of scope but says not why`, pointer: `/elements/${i}/out_of_scope_reason`, object: e.id });
  });
  model.flows.forEach((f, i) => {
    if (!f.name.trim())
      out.push({ level: "error", code: "empty-name", message: `flow ${f.id} has no name`, pointer: `/flows/${i}/name`, object: f.id });
    for (const end of ["source", "target"] as const)
      if (!ids.has(f[end]))
        out.push({ level: "error", code: "unknown-element", message: `flow '${f.name}' has unknown ${end} ${f[end]}`, pointer: `/flows/${i}/${end}`, object: f.id });
    if (f.source === f.target)
      out.push({ level: "error", code: "self-flow", message: `flow '${f.name}' goes from an element to itself`, pointer: `/flows/${i}/target`, object: f.id });
  });
  return out;
}
