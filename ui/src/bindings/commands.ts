// Generated from the #[tauri::command]s of src-tauri/src/lib.rs by src-tauri/tests/bindings.rs.
// Do not edit: run STRIDEWISE_BLESS=1 cargo test -p stridewise-app --test bindings.
import { invoke } from "@tauri-apps/api/core";
import type { Diagnostic } from "./Diagnostic";
import type { DriftReport } from "./DriftReport";
import type { ImportOutcome } from "./ImportOutcome";
import type { LoadedService } from "./LoadedService";
import type { MergedService } from "./MergedService";
import type { PathPurpose } from "./PathPurpose";
import type { ReportWritten } from "./ReportWritten";
import type { ReviewSummary } from "./ReviewSummary";
import type { ReviewView } from "./ReviewView";
import type { RevisionRef } from "./RevisionRef";
import type { RevisionView } from "./RevisionView";
import type { SavedService } from "./SavedService";
import type { ServiceEntry } from "./ServiceEntry";
import type { ServiceModel } from "./ServiceModel";
import type { Side } from "./Side";
import type { StencilSet } from "./StencilSet";
import type { TerraformService } from "./TerraformService";
import type { ThreatEdit } from "./ThreatEdit";
import type { TriageChange } from "./TriageChange";
import type { TriageDecision } from "./TriageDecision";
import type { TriageScope } from "./TriageScope";
import type { WireApplicationView } from "./WireApplicationView";
import type { WireServiceAnalysis } from "./WireServiceAnalysis";
import type { WorkspaceInfo } from "./WorkspaceInfo";

/** The backend's commands, with the arguments and results of their Rust signatures. */
export const commands = {
  validate: (args: { model: ServiceModel }): Promise<Array<Diagnostic>> => invoke<Array<Diagnostic>>("validate", args),
  stencils: (): Promise<StencilSet> => invoke<StencilSet>("stencils"),
  resolve_conflict: (args: { model: ServiceModel; index: number; side: Side }): Promise<ServiceModel> => invoke<ServiceModel>("resolve_conflict", args),
  edit_threat: (args: { model: ServiceModel; edit: ThreatEdit }): Promise<ServiceModel> => invoke<ServiceModel>("edit_threat", args),
  start: (): Promise<WorkspaceInfo> => invoke<WorkspaceInfo>("start"),
  workspace: (): Promise<WorkspaceInfo> => invoke<WorkspaceInfo>("workspace"),
  open_workspace: (args: { path: string }): Promise<WorkspaceInfo> => invoke<WorkspaceInfo>("open_workspace", args),
  create_workspace: (args: { path: string }): Promise<WorkspaceInfo> => invoke<WorkspaceInfo>("create_workspace", args),
  open_sample_workspace: (): Promise<WorkspaceInfo> => invoke<WorkspaceInfo>("open_sample_workspace"),
  load_service: (args: { id: string }): Promise<LoadedService> => invoke<LoadedService>("load_service", args),
  save_service: (args: { application: string; model: ServiceModel; base: string | null; message: string }): Promise<SavedService> => invoke<SavedService>("save_service", args),
  merge_service: (args: { application: string; model: ServiceModel; base: string }): Promise<MergedService> => invoke<MergedService>("merge_service", args),
  create_service: (args: { application: string; name: string }): Promise<LoadedService> => invoke<LoadedService>("create_service", args),
  rename_service: (args: { id: string; name: string }): Promise<ServiceEntry> => invoke<ServiceEntry>("rename_service", args),
  duplicate_service: (args: { id: string; name: string }): Promise<LoadedService> => invoke<LoadedService>("duplicate_service", args),
  delete_service: (args: { id: string }): Promise<void> => invoke<void>("delete_service", args),
  import_models: (args: { application: string; path: string }): Promise<ImportOutcome> => invoke<ImportOutcome>("import_models", args),
  import_terraform: (args: { application: string; path: string; varFiles: Array<string> }): Promise<Array<TerraformService>> => invoke<Array<TerraformService>>("import_terraform", args),
  terraform_drift: (args: { service: string; path: string; varFiles: Array<string> }): Promise<DriftReport> => invoke<DriftReport>("terraform_drift", args),
  export_service: (args: { id: string; path: string }): Promise<void> => invoke<void>("export_service", args),
  analyze: (args: { model: ServiceModel; service: string | null }): Promise<WireServiceAnalysis> => invoke<WireServiceAnalysis>("analyze", args),
  decide: (args: { scope: TriageScope; key: string; change: TriageChange }): Promise<TriageDecision> => invoke<TriageDecision>("decide", args),
  application_view: (args: { application: string }): Promise<WireApplicationView> => invoke<WireApplicationView>("application_view", args),
  export_report: (args: { application: string; path: string }): Promise<ReportWritten> => invoke<ReportWritten>("export_report", args),
  revisions: (args: { service: string }): Promise<Array<RevisionRef>> => invoke<Array<RevisionRef>>("revisions", args),
  revision: (args: { service: string; revision: string }): Promise<RevisionView> => invoke<RevisionView>("revision", args),
  reviews: (args: { application: string }): Promise<Array<ReviewSummary>> => invoke<Array<ReviewSummary>>("reviews", args),
  start_review: (args: { application: string; sprint: string; participants: Array<string> }): Promise<ReviewView> => invoke<ReviewView>("start_review", args),
  review: (args: { id: string }): Promise<ReviewView> => invoke<ReviewView>("review", args),
  decide_review_item: (args: { reviewId: string; key: string; service: string | null; change: TriageChange }): Promise<ReviewView> => invoke<ReviewView>("decide_review_item", args),
  close_review: (args: { reviewId: string; notes: string }): Promise<ReviewView> => invoke<ReviewView>("close_review", args),
  export_review_report: (args: { reviewId: string; path: string }): Promise<ReportWritten> => invoke<ReportWritten>("export_review_report", args),
  close_window: (): Promise<void> => invoke<void>("close_window"),
  open_external: (args: { path: string }): Promise<void> => invoke<void>("open_external", args),
  pick_path: (args: { purpose: PathPurpose; suggested: string | null }): Promise<string | null> => invoke<string | null>("pick_path", args),
  pick_paths: (args: { purpose: PathPurpose }): Promise<Array<string>> => invoke<Array<string>>("pick_paths", args),
};
