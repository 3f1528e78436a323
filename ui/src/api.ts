// The one interface between the UI and the backend. The desktop app talks to the Rust
// commands in src-tauri through `tauriBackend`; tests and the plain web build use
// `memoryBackend`, so the UI's logic runs without a window.

import type { ApiError } from "./bindings/ApiError";
import type { Diagnostic } from "./bindings/Diagnostic";
import type { OpenedModel } from "./bindings/OpenedModel";
import type { SampleInfo } from "./bindings/SampleInfo";
import type { ServiceModel } from "./bindings/ServiceModel";
import type { StencilSet } from "./bindings/StencilSet";
import type { Analysis } from "./analysis";

export interface Backend {
  /** Where it runs, for the status bar: "desktop" or "web". */
  readonly kind: "desktop" | "web";
  listSamples(): Promise<SampleInfo[]>;
  openSample(id: string): Promise<OpenedModel>;
  /** The model to show first (a file given on the command line, else the first sample). */
  initialModel(): Promise<OpenedModel | null>;
  openFile(path: string): Promise<OpenedModel>;
  saveFile(path: string, model: ServiceModel): Promise<void>;
  validate(model: ServiceModel): Promise<Diagnostic[]>;
  stencils(): Promise<StencilSet>;
  /** Native dialogs; `null` when cancelled or when the backend has none. */
  pickOpenPath(): Promise<string | null>;
  pickSavePath(suggested: string): Promise<string | null>;
  /** Threat analysis; absent until the analysis engine is part of the backend. */
  analyze?: (model: ServiceModel) => Promise<Analysis>;
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
  const filters = [{ name: "Stridewise model", extensions: ["json"] }];
  return {
    kind: "desktop",
    listSamples: () => invoke("list_samples"),
    openSample: (id) => invoke("open_sample", { id }),
    initialModel: () => invoke("initial_model"),
    openFile: (path) => invoke("open_file", { path }),
    saveFile: (path, model) => invoke("save_file", { path, model }),
    validate: (model) => invoke("validate", { model }),
    stencils: () => invoke("stencils"),
    pickOpenPath: async () => {
      const p = await dialog.open({ multiple: false, directory: false, filters });
      return typeof p === "string" ? p : null;
    },
    pickSavePath: async (suggested) => (await dialog.save({ defaultPath: suggested, filters })) ?? null,
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
