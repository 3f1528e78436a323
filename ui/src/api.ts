// The one interface between the UI and the backend. The desktop app talks to the Rust
// commands in src-tauri through `tauriBackend`; tests and the plain web build use
// `memoryBackend`, so the UI's logic runs without a window.

import { commands } from "./bindings/commands";
import { listen } from "@tauri-apps/api/event";
import type { ApiError } from "./bindings/ApiError";
import type { Diagnostic } from "./bindings/Diagnostic";
import type { Analysis } from "./bindings/Analysis";
import type { ApplicationView } from "./bindings/ApplicationView";
import type { ImportOutcome } from "./bindings/ImportOutcome";
import type { PathPurpose } from "./bindings/PathPurpose";
import type { LoadedService } from "./bindings/LoadedService";
import type { MergedService } from "./bindings/MergedService";
import type { ReportWritten } from "./bindings/ReportWritten";
import type { ReviewSummary } from "./bindings/ReviewSummary";
import type { ReviewView } from "./bindings/ReviewView";
import type { RevisionRef } from "./bindings/RevisionRef";
import type { RevisionView } from "./bindings/RevisionView";
import type { SavedService } from "./bindings/SavedService";
import type { ServiceAnalysis } from "./bindings/ServiceAnalysis";
import type { ServiceEntry } from "./bindings/ServiceEntry";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { StencilSet } from "./bindings/StencilSet";
import type { TriageChange } from "./bindings/TriageChange";
import type { TriageDecision } from "./bindings/TriageDecision";
import type { TriageScope } from "./bindings/TriageScope";
import type { WorkspaceInfo } from "./bindings/WorkspaceInfo";
import type { Threat } from "./bindings/Threat";
import type { ThreatEdit } from "./bindings/ThreatEdit";
import type { DriftReport } from "./bindings/DriftReport";
import type { TerraformService } from "./bindings/TerraformService";
import type { WireAnalysis } from "./bindings/WireAnalysis";

export interface Backend {
  /** Where it runs, for the status bar: "desktop" or "web". */
  readonly kind: "desktop" | "web";
  stencils(): Promise<StencilSet>;
  validate(model: ServiceModel): Promise<Diagnostic[]>;
  /** The model's merge conflict at `index` resolved by taking one side's value (the core's
   *  merge::resolve); the conflict leaves the model's list. */
  resolveConflict(model: ServiceModel, index: number, side: "ours" | "theirs"): Promise<ServiceModel>;
  /** The model with a threat written by hand added, changed or removed, by the core's rules
   *  (app::threat): "invalid_input" for an empty title or a target the model lacks. */
  editThreat(model: ServiceModel, edit: ThreatEdit): Promise<ServiceModel>;

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
  /** Imports a Terraform folder (azurerm) into the application, one service per root module, as
   *  `stridewise import DIR --format terraform --workspace W` does (never runs Terraform). */
  importTerraform(application: string, path: string, varFiles: string[]): Promise<TerraformService[]>;
  /** The service's head revision against a Terraform folder, as `stridewise drift` reports it. */
  terraformDrift(service: string, path: string, varFiles: string[]): Promise<DriftReport>;
  /** Writes the head revision as a .stride.json that remembers its revision (so adding it back later merges). */
  exportService(id: string, path: string): Promise<void>;
  /** The service's revisions, newest first (every save, drag and merge is one). */
  revisions(service: string): Promise<RevisionRef[]>;
  /** One revision of the service, read-only, with what the head changes against it (the core's
   *  semantic diff). "invalid_input" for a revision of another service. */
  revision(service: string, revision: string): Promise<RevisionView>;

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

  // Sprint reviews (as `stridewise review`). The web preview has none: each fails with "invalid_input".
  /** The application's reviews, newest first, with progress. */
  reviews(application: string): Promise<ReviewSummary[]>;
  /** Starts a review of the application's saved services: the agenda is built from what changed
   *  since its last closed review. "review_open" while another review of it is open. */
  startReview(application: string, sprint: string, participants: string[]): Promise<ReviewView>;
  review(id: string): Promise<ReviewView>;
  /** Records the decision about an agenda item (of `service`, by name, when the key is on the
   *  agenda for several); it updates the threat's triage too. "review_closed" once closed. */
  decideReviewItem(reviewId: string, key: string, change: TriageChange, service?: string): Promise<ReviewView>;
  /** Closes the review with its notes; it is frozen from then on. */
  closeReview(reviewId: string, notes: string): Promise<ReviewView>;
  /** Writes the review report (HTML). */
  exportReviewReport(reviewId: string, path: string): Promise<ReportWritten>;

  /** Registers what to do before the window closes (save unsaved edits); the window closes when
   *  it resolves (or after a few seconds if it hangs). Returns the unregister function. */
  onCloseRequested(save: () => Promise<void>): () => void;
  /** A teammate changed the workspace on its server (a save, a triage, a review's close):
   *  `heard` gets who changed what, in a sentence; returns the unsubscribe. */
  onWorkspaceChanged(heard: (text: string) => void): () => void;

  /** Native dialogs; `null` when cancelled or when the backend has none. The desktop backend
   *  opens them itself and accepts in the calls above only paths chosen there (or recent
   *  workspaces): any other path fails with "path_not_chosen". */
  pickOpenPath(purpose: "workspace" | "import"): Promise<string | null>;
  pickSavePath(purpose: "workspace" | "model" | "report", suggested: string): Promise<string | null>;
  /** A folder (a Terraform root module or a folder of them); `null` when cancelled. */
  pickFolder(purpose: "terraform_folder"): Promise<string | null>;
  /** Terraform variable files (.tfvars), several at once; empty when cancelled. */
  pickVarFiles(): Promise<string[]>;
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
  // What each dialog is for, as the backend's `pick_path` names it (it holds the filters).
  const openPurpose: Record<"workspace" | "import", PathPurpose> = { workspace: "open_workspace", import: "import" };
  const savePurpose: Record<"workspace" | "model" | "report", PathPurpose> = {
    workspace: "new_workspace",
    model: "export_model",
    report: "report",
  };
  // Each call goes through the wrappers generated from src-tauri/src/lib.rs
  // (bindings/commands.ts): a renamed or retyped argument fails `tsc` here.
  const c = commands;
  return {
    kind: "desktop",
    stencils: () => c.stencils(),
    validate: (model) => c.validate({ model }),
    resolveConflict: (model, index, side) => c.resolve_conflict({ model, index, side }),
    editThreat: (model, edit) => c.edit_threat({ model, edit }),
    start: () => c.start(),
    workspace: () => c.workspace(),
    openWorkspace: (path) => c.open_workspace({ path }),
    createWorkspace: (path) => c.create_workspace({ path }),
    openSampleWorkspace: () => c.open_sample_workspace(),
    loadService: (id) => c.load_service({ id }),
    saveService: (application, model, base, message) => c.save_service({ application, model, base, message }),
    mergeService: (application, model, base) => c.merge_service({ application, model, base }),
    createService: (application, name) => c.create_service({ application, name }),
    renameService: (id, name) => c.rename_service({ id, name }),
    duplicateService: (id, name) => c.duplicate_service({ id, name }),
    deleteService: (id) => c.delete_service({ id }),
    importModels: (application, path) => c.import_models({ application, path }),
    exportService: (id, path) => c.export_service({ id, path }),
    importTerraform: (application, path, varFiles) => c.import_terraform({ application, path, varFiles }),
    terraformDrift: (service, path, varFiles) => c.terraform_drift({ service, path, varFiles }),
    revisions: (service) => c.revisions({ service }),
    revision: (service, revision) => c.revision({ service, revision }),
    analyze: async (model, service) => {
      const wire = await c.analyze({ model, service });
      return { analysis: expandAnalysis(wire.analysis), decisions: wire.decisions };
    },
    decide: (scope, key, change) => c.decide({ scope, key, change }),
    applicationView: async (application) => {
      const wire = await c.application_view({ application });
      return { ...wire, analysis: expandAnalysis(wire.analysis) };
    },
    exportReport: (application, path) => c.export_report({ application, path }),
    openExternal: (path) => c.open_external({ path }),
    reviews: (application) => c.reviews({ application }),
    startReview: (application, sprint, participants) => c.start_review({ application, sprint, participants }),
    review: (id) => c.review({ id }),
    decideReviewItem: (reviewId, key, change, service) => c.decide_review_item({ reviewId, key, service: service ?? null, change }),
    closeReview: (reviewId, notes) => c.close_review({ reviewId, notes }),
    exportReviewReport: (reviewId, path) => c.export_review_report({ reviewId, path }),
    onCloseRequested: (save) => {
      const pending = listen("stridewise://close-requested", async () => {
        try {
          await save();
        } finally {
          await c.close_window();
        }
      });
      return () => void pending.then((unlisten) => unlisten());
    },
    onWorkspaceChanged: (heard) => {
      const pending = listen<string>("stridewise://workspace-changed", (e) => heard(e.payload));
      return () => void pending.then((unlisten) => unlisten());
    },
    pickOpenPath: (purpose) => c.pick_path({ purpose: openPurpose[purpose], suggested: null }),
    pickSavePath: (purpose, suggested) => c.pick_path({ purpose: savePurpose[purpose], suggested }),
    pickFolder: (purpose) => c.pick_path({ purpose, suggested: null }),
    pickVarFiles: () => c.pick_paths({ purpose: "terraform_vars" }),
  };
}

/**
 * An analysis as it came over IPC, with what each rule's threats share (mitigations, source,
 * CWE, CAPEC; sent once per rule, see src-tauri's `WireAnalysis`) put back on every threat.
 * The threats of a rule share the very same arrays and objects.
 */
export function expandAnalysis(wire: WireAnalysis): Analysis {
  const threats: Threat[] = wire.threats.map((t) => {
    const shared = wire.rules[t.rule];
    if (!shared) throw new Error(`the analysis names rule '${t.rule}' but does not describe it`);
    return { ...t, mitigations: shared.mitigations, source: shared.source, cwe: shared.cwe, capec: shared.capec };
  });
  return { threats, summary: wire.summary };
}

/** Whether the page runs inside the Tauri webview. */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

export interface MemorySample {
  id: string;
  model: ServiceModel;
  /** The application the sample's service belongs to in the web preview's workspace. */
  application: string;
}

/** What the memory backend adds for tests and the smoke test. */
export interface MemoryBackend extends Backend {
  /** Saves `model` (default: the head with a changed description) as the service's next
   *  revision as someone else would (the CLI, another window), moving the head under the editor. */
  simulateOutsideSave(id: string, model?: ServiceModel, author?: string): ServiceEntry;
}

interface MemoryRevision {
  ref: RevisionRef;
  model: ServiceModel;
}

interface MemoryService {
  id: string;
  name: string;
  application: string;
  revisions: MemoryRevision[];
  deleted: boolean;
}

const apiError = (code: ApiError["code"], message: string): ApiError => ({ code, message });
const desktopOnly = (what: string): ApiError => apiError("invalid_input", `${what} needs the desktop app`);
const noReviews = (): ApiError => apiError("invalid_input", "reviews need the desktop app");

/** JSON with object keys sorted, so that two equal models compare equal whatever their key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );
}

/** A copy of a model in which the model, its elements, flows and boundaries get fresh ids
 *  (references and layout keys follow); triage, lineage and conflicts belong to the original. */
export function withFreshIds(model: ServiceModel, name: string): ServiceModel {
  const ids = new Map<string, string>();
  const fresh = (id: string) => {
    if (!ids.has(id)) ids.set(id, crypto.randomUUID());
    return ids.get(id)!;
  };
  const map = (id: string | null | undefined) => (id ? ids.get(id) ?? id : id);
  for (const o of [...model.elements, ...model.flows, ...model.boundaries]) fresh(o.id);
  const rekey = <T,>(r: Record<string, T> | undefined) =>
    r ? Object.fromEntries(Object.entries(r).map(([k, v]) => [map(k)!, structuredClone(v)])) : r;
  const { triage: _t, lineage: _l, conflicts: _c, ...rest } = structuredClone(model);
  return {
    ...rest,
    id: crypto.randomUUID(),
    name,
    boundaries: model.boundaries.map((b) => ({ ...structuredClone(b), id: map(b.id)!, parent: map(b.parent) })),
    elements: model.elements.map((e) => ({ ...structuredClone(e), id: map(e.id)!, boundary: map(e.boundary) })),
    flows: model.flows.map((f) => ({ ...structuredClone(f), id: map(f.id)!, source: map(f.source)!, target: map(f.target)! })),
    layout: model.layout ? { nodes: rekey(model.layout.nodes), edges: rekey(model.layout.edges) } : undefined,
  };
}

/** The analysis with `decisions` applied: each threat's status (open when undecided) and severity override. */
export function applyDecisions(analysis: Analysis, decisions: Record<string, TriageDecision>): ServiceAnalysis {
  const threats = analysis.threats.map((t) => {
    const d = decisions[t.key];
    const override = d?.severity_override ?? null;
    return { ...t, status: d?.status ?? "open", severity: override ?? t.severity, severity_override: override };
  });
  const found = new Set(threats.map((t) => t.key));
  const summary: Analysis["summary"] = { total: threats.length, by_stride: {}, by_severity: {} };
  for (const t of threats) {
    summary.by_stride[t.stride] = (summary.by_stride[t.stride] ?? 0) + 1;
    summary.by_severity[t.severity] = (summary.by_severity[t.severity] ?? 0) + 1;
  }
  return {
    analysis: { threats, summary },
    decisions: Object.fromEntries(Object.entries(decisions).filter(([k]) => found.has(k))),
  };
}

/**
 * A workspace in memory, seeded with the samples (one service each, in their application).
 * Saves follow the desktop's rules: a save based on a head that has moved fails with
 * "conflict" and writes nothing, and saving the head's content again writes no revision.
 *
 * What it does not do like the desktop:
 * - `analyze` does not run the rules: it returns the samples' real analysis, recorded by the
 *   bindings test in `__fixtures__/analysis.json`, for the sample's model id (threats whose
 *   element or flow was deleted dropped), and no threats for any other model.
 * - `mergeService` does no three-way merge: it saves the editor's model over the head and
 *   reports no conflicts.
 * - Validation checks structure only (names, dangling references, self flows, out-of-scope
 *   reasons); the desktop runs the full validation of stridewise-core.
 * - Files, reports, the application view, sprint reviews and other workspaces need the desktop app.
 */
export function memoryBackend(
  samples: MemorySample[],
  stencils: StencilSet,
  analyses: () => Promise<Record<string, Analysis>> = async () =>
    (await import("./__fixtures__/analysis.json")).default as unknown as Record<string, Analysis>,
): MemoryBackend {
  const path = "memory:sample.stridewise";
  const services = new Map<string, MemoryService>();
  const applications = new Set<string>();
  /** Decisions by scope ("service:<id>" or "application:<name>"), then by threat key. */
  const decisions = new Map<string, Record<string, TriageDecision>>();
  const copy = (m: ServiceModel): ServiceModel => structuredClone(m);

  const addRevision = (s: MemoryService, model: ServiceModel, author: string, message: string): RevisionRef => {
    const ref: RevisionRef = {
      id: crypto.randomUUID(),
      seq: s.revisions.length + 1,
      author,
      created_at: new Date().toISOString(),
      message,
    };
    s.revisions.push({ ref, model: copy(model) });
    return ref;
  };
  const head = (s: MemoryService) => s.revisions[s.revisions.length - 1] ?? null;
  const entry = (s: MemoryService): ServiceEntry => ({
    id: s.id,
    name: s.name,
    application: s.application,
    head: head(s)?.ref ?? null,
    revisions: s.revisions.length,
  });
  const live = (id: string): MemoryService => {
    const s = services.get(id);
    if (!s || s.deleted) throw apiError("not_found", `there is no service '${id}' in the workspace`);
    return s;
  };
  const loaded = (s: MemoryService): LoadedService => ({ service: entry(s), model: copy(head(s)!.model) });
  const checkName = (application: string, name: string, except?: string) => {
    if (!name.trim()) throw apiError("invalid_input", "a service needs a name");
    for (const s of services.values())
      if (!s.deleted && s.application === application && s.name === name && s.id !== except)
        throw apiError("name_taken", `the application '${application}' already has a service named '${name}'`);
  };
  const newService = (application: string, model: ServiceModel, author: string, message: string): MemoryService => {
    const s: MemoryService = { id: model.id, name: model.name, application, revisions: [], deleted: false };
    addRevision(s, model, author, message);
    services.set(s.id, s);
    applications.add(application);
    return s;
  };
  const info = (): WorkspaceInfo => ({
    path,
    name: "sample.stridewise",
    applications: [...applications].sort((a, b) => a.localeCompare(b)).map((name) => ({
      name,
      services: [...services.values()]
        .filter((s) => !s.deleted && s.application === name)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map(entry),
      application_model: null,
    })),
    recent: [path],
    sample: true,
  });

  for (const sample of samples) newService(sample.application, sample.model, "stridewise", `bundled sample ${sample.id}`);

  return {
    kind: "web",
    stencils: async () => stencils,
    validate: async (model) => structuralDiagnostics(model),
    resolveConflict: async () => { throw desktopOnly("taking a side of a merge conflict"); },
    editThreat: async () => { throw desktopOnly("writing threats by hand"); },

    start: async () => info(),
    workspace: async () => info(),
    openWorkspace: async () => { throw desktopOnly("opening a workspace file"); },
    createWorkspace: async () => { throw desktopOnly("creating a workspace file"); },
    openSampleWorkspace: async () => info(),

    loadService: async (id) => loaded(live(id)),
    saveService: async (application, model, base, message) => {
      const s = services.get(model.id);
      if (!s || s.deleted) {
        if (base !== null) throw apiError("not_found", `there is no service '${model.id}' in the workspace`);
        checkName(application, model.name);
        return { service: entry(newService(application, model, "you", message)), changed: true };
      }
      const h = head(s);
      if ((h?.ref.id ?? null) !== base)
        throw apiError("conflict", `'${s.name}' was saved elsewhere since the revision you edited (now at #${h?.ref.seq})`);
      if (h && canonical(h.model) === canonical(model)) return { service: entry(s), changed: false };
      // As in the workspace, the service's name is its model's name.
      checkName(s.application, model.name, s.id);
      s.name = model.name;
      addRevision(s, model, "you", message);
      return { service: entry(s), changed: true };
    },
    mergeService: async (_application, model, base) => {
      const s = live(model.id);
      if (!s.revisions.some((r) => r.ref.id === base))
        throw apiError("not_found", `'${s.name}' has no revision '${base}'`);
      // Not a three-way merge: the editor's model wins, and no conflicts are reported.
      addRevision(s, model, "you", "merged with changes made elsewhere (web preview: the editor's model kept)");
      return { service: entry(s), model: copy(model), conflicts: [] };
    },
    createService: async (application, name) => {
      checkName(application, name);
      const model: ServiceModel = { schema_version: 1, id: crypto.randomUUID(), name, boundaries: [], elements: [], flows: [] };
      return loaded(newService(application, model, "you", "created"));
    },
    renameService: async (id, name) => {
      const s = live(id);
      checkName(s.application, name, id);
      // A revision, as in the workspace: the name is part of the model.
      addRevision(s, { ...head(s)!.model, name }, "you", `renamed from '${s.name}'`);
      s.name = name;
      return entry(s);
    },
    duplicateService: async (id, name) => {
      const s = live(id);
      checkName(s.application, name);
      return loaded(newService(s.application, withFreshIds(head(s)!.model, name), "you", `duplicated from '${s.name}'`));
    },
    deleteService: async (id) => {
      live(id).deleted = true;
    },
    revisions: async (id) => live(id).revisions.map((r) => r.ref).reverse(),
    revision: async (id, revision) => {
      const s = live(id);
      const r = s.revisions.find((x) => x.ref.id === revision);
      if (!r) throw apiError("invalid_input", `revision ${revision} is not a revision of service ${id}`);
      const h = head(s)!;
      const same = canonical(r.model) === canonical(h.model);
      // The semantic diff is the core's; the web preview only says whether they differ.
      return { revision: r.ref, model: copy(r.model), head: h.ref, changes: same ? "" : "differs from the head (the web preview does not list the changes)", layout_only: false };
    },
    importModels: async () => { throw desktopOnly("importing models from files"); },
    exportService: async () => { throw desktopOnly("exporting a model to a file"); },
    importTerraform: async () => { throw desktopOnly("importing a Terraform folder"); },
    terraformDrift: async () => { throw desktopOnly("checking drift against Terraform"); },

    analyze: async (model, service) => {
      if (service !== null) live(service);
      const recorded = (await analyses())[model.id];
      const present = new Set([...model.elements, ...model.flows, ...model.boundaries].map((o) => o.id));
      const threats = (recorded?.threats ?? []).filter((t) => present.has(t.target.id));
      const empty = { total: 0, by_stride: {}, by_severity: {} };
      return applyDecisions({ threats: structuredClone(threats), summary: empty }, service ? decisions.get(`service:${service}`) ?? {} : {});
    },
    decide: async (scope, key, change) => {
      const scopeKey = scope.kind === "service" ? `service:${live(scope.id).id}` : `application:${scope.name}`;
      if (scope.kind === "application" && !applications.has(scope.name))
        throw apiError("not_found", `there is no application '${scope.name}' in the workspace`);
      const all = decisions.get(scopeKey) ?? {};
      const old = all[key] ?? { status: "open" };
      const { mitigations, ...fields } = change;
      const decision: TriageDecision = {
        ...old,
        ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
        mitigations: mitigations ? { ...(old.mitigations ?? {}), ...mitigations } : old.mitigations,
        decided_by: "you",
        decided_at: new Date().toISOString(),
      };
      decisions.set(scopeKey, { ...all, [key]: decision });
      return decision;
    },
    applicationView: async () => { throw desktopOnly("the application view"); },
    exportReport: async () => { throw desktopOnly("exporting a report"); },
    openExternal: async () => { throw desktopOnly("opening files"); },
    reviews: async () => { throw noReviews(); },
    startReview: async () => { throw noReviews(); },
    review: async () => { throw noReviews(); },
    decideReviewItem: async () => { throw noReviews(); },
    closeReview: async () => { throw noReviews(); },
    exportReviewReport: async () => { throw noReviews(); },

    // A web page cannot hold its tab open; `beforeunload` in App flushes what it can.
    onCloseRequested: () => () => {},
    onWorkspaceChanged: () => () => {},
    pickOpenPath: async () => null,
    pickSavePath: async () => null,
    pickFolder: async () => null,
    pickVarFiles: async () => [],

    simulateOutsideSave: (id, model, author = "a colleague") => {
      const s = live(id);
      const next = model ?? { ...head(s)!.model, description: `${head(s)!.model.description ?? ""} (edited elsewhere)`.trim() };
      addRevision(s, next, author, "saved outside the app");
      return entry(s);
    },
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
