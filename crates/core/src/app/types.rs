//! The values the use cases of the desktop app take and return, as they cross its IPC: each
//! derives `ts_rs::TS` with the `ts` feature and is generated into `ui/src/bindings/` (see
//! `src-tauri/tests/bindings.rs`). Plain data with conversions from the store's records.

use std::collections::BTreeMap;

use crate::analysis::{Analysis, Target};
use crate::consolidate::ConsolidationDiagnostic;
use crate::consolidate::paths::ThreatPaths;
use crate::model::{
    MergeConflict, MitigationStatus, ModelId, ServiceModel, Severity, Stride, ThreatKey,
    TriageDecision, TriageStatus,
};
use crate::review::{AgendaReason, ItemDecision, ReviewState};
use crate::store::{ModelSummary, RevisionInfo, TriageUpdate};
use serde::{Deserialize, Serialize};

/// The open workspace, as the sidebar shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WorkspaceInfo {
    /// The workspace file.
    pub path: String,
    /// Its file name, for the title bar.
    pub name: String,
    /// By name; each with its services by name.
    pub applications: Vec<ApplicationEntry>,
    /// Workspaces opened before, most recent first (this one included), at most ten.
    pub recent: Vec<String>,
    /// Whether this is the bundled sample workspace the app made on first run.
    pub sample: bool,
}

/// An application of the workspace.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ApplicationEntry {
    pub name: String,
    pub services: Vec<ServiceEntry>,
    /// The head revision of the consolidated application model, once it has been made.
    pub application_model: Option<RevisionRef>,
}

/// A service model of the workspace.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ServiceEntry {
    pub id: ModelId,
    pub name: String,
    pub application: String,
    /// The head revision: what an edit must be based on.
    pub head: Option<RevisionRef>,
    pub revisions: u32,
}

/// One saved revision, without its document.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RevisionRef {
    pub id: String,
    /// 1, 2, 3... per model.
    pub seq: u32,
    pub author: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub message: String,
}

/// A service's head revision, ready to edit: save it back with `service.head.id` as the base.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LoadedService {
    pub service: ServiceEntry,
    pub model: ServiceModel,
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SavedService {
    /// The service with its new head.
    pub service: ServiceEntry,
    /// False when the model equalled the head and no revision was written.
    pub changed: bool,
}

/// The result of merging the editor's model with a head that moved underneath it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MergedService {
    /// The service with its new head (a revision with two parents).
    pub service: ServiceEntry,
    /// The merged model, now the head: load it into the editor.
    pub model: ServiceModel,
    /// Clashes the merge could not settle; they are also recorded in `model.conflicts`.
    pub conflicts: Vec<MergeConflict>,
}

/// The threats of a model with the workspace's decisions about them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ServiceAnalysis {
    /// Each threat's `status` and `severity` already reflect its decision.
    pub analysis: Analysis,
    /// The decisions about the threats found, by threat key (threats without one are open).
    pub decisions: BTreeMap<ThreatKey, TriageDecision>,
}

/// What a triage decision belongs to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TriageScope {
    /// A threat of a service's model.
    Service { id: ModelId },
    /// A threat of an application's consolidated model.
    Application { name: String },
}

/// A change to a decision: fields left out stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct TriageChange {
    #[cfg_attr(feature = "ts", ts(optional))]
    pub status: Option<TriageStatus>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub justification: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub owner: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub ticket: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub due_sprint: Option<String>,
    /// Statuses to set, by mitigation id; others are kept.
    #[cfg_attr(
        feature = "ts",
        ts(optional, as = "Option<BTreeMap<String, MitigationStatus>>")
    )]
    pub mitigations: BTreeMap<String, MitigationStatus>,
}

impl TriageChange {
    /// The store's update: the same fields, no severity override (the app does not set one).
    pub fn to_update(&self) -> TriageUpdate {
        TriageUpdate {
            status: self.status,
            justification: self.justification.clone(),
            owner: self.owner.clone(),
            ticket: self.ticket.clone(),
            severity_override: None,
            due_sprint: self.due_sprint.clone(),
            mitigations: self.mitigations.clone(),
        }
    }
}

/// The consolidated application model, for the read-only application view.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ApplicationView {
    pub application: String,
    /// Every element, flow and boundary carries `origins`: the services it came from.
    pub model: ServiceModel,
    /// Every threat of the application model (`app_level` marks those only visible here),
    /// with the application's triage applied.
    pub analysis: Analysis,
    pub decisions: BTreeMap<ThreatKey, TriageDecision>,
    /// For high and critical threats on assets: how an attacker gets there.
    pub attack_paths: Vec<ThreatPaths>,
    /// What consolidation found (services disagreeing about a shared element, ...).
    pub diagnostics: Vec<ConsolidationDiagnostic>,
    /// The services consolidated, by name.
    pub services: Vec<String>,
    /// The application model's revision this view was saved as.
    pub revision: RevisionRef,
}

/// A written HTML report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportWritten {
    pub path: String,
    pub bytes: u32,
    pub threats: u32,
}

/// What an import added to the workspace.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportOutcome {
    /// The services added (or updated, for a Stridewise model already in the workspace).
    pub services: Vec<ServiceEntry>,
    /// The source format, for people: "Threat Dragon v2 JSON", "Stridewise model", ...
    pub format: String,
    /// What could not be mapped, one sentence each.
    pub notes: Vec<String>,
}

impl From<&RevisionInfo> for RevisionRef {
    fn from(r: &RevisionInfo) -> Self {
        RevisionRef {
            id: r.id.to_string(),
            seq: u32::try_from(r.seq).unwrap_or(u32::MAX),
            author: r.author.clone(),
            created_at: r.created_at.clone(),
            message: r.message.clone(),
        }
    }
}

impl From<&ModelSummary> for ServiceEntry {
    fn from(m: &ModelSummary) -> Self {
        ServiceEntry {
            id: m.id,
            name: m.name.clone(),
            application: m.application.clone(),
            head: m.head.as_ref().map(RevisionRef::from),
            revisions: u32::try_from(m.revisions).unwrap_or(u32::MAX),
        }
    }
}

/// An analysis as it crosses IPC: what every threat of a rule shares (its mitigations, source,
/// CWE and CAPEC: 41% of the JSON of the samples' threats) is sent once per rule, and
/// `ui/src/api.ts` puts it back on each threat. A 200-element service's 1,964 threats took
/// 1.9 MB as plain JSON, and WebKitGTK delivered responses of that size slowly.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WireAnalysis {
    pub threats: Vec<WireThreat>,
    pub summary: crate::analysis::Summary,
    /// By rule id.
    pub rules: BTreeMap<String, RuleShared>,
}

/// What the threats of one rule share.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RuleShared {
    pub mitigations: Vec<crate::analysis::MitigationRef>,
    pub source: crate::catalog::Source,
    pub cwe: Vec<u32>,
    pub capec: Vec<u32>,
}

/// A threat without what its rule shares (see [`WireAnalysis`]); the fields mean what they
/// mean on `Threat`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WireThreat {
    pub key: ThreatKey,
    pub rule: String,
    pub stride: crate::model::Stride,
    pub title: String,
    pub description: String,
    pub severity: crate::model::Severity,
    pub likelihood: crate::catalog::Rating,
    pub impact: crate::catalog::Rating,
    pub target: crate::analysis::Target,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<crate::analysis::FlowEnds>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TriageStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_override: Option<crate::model::Severity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub app_level: bool,
}

impl From<Analysis> for WireAnalysis {
    fn from(a: Analysis) -> Self {
        let mut rules = BTreeMap::new();
        let threats = a
            .threats
            .into_iter()
            .map(|t| {
                rules
                    .entry(t.rule.to_string())
                    .or_insert_with(|| RuleShared {
                        mitigations: t.mitigations.to_vec(),
                        source: t.source.clone(),
                        cwe: t.cwe.to_vec(),
                        capec: t.capec.to_vec(),
                    });
                WireThreat {
                    key: t.key,
                    rule: t.rule.to_string(),
                    stride: t.stride,
                    title: t.title,
                    description: t.description,
                    severity: t.severity,
                    likelihood: t.likelihood,
                    impact: t.impact,
                    target: t.target,
                    flow: t.flow.map(|f| *f),
                    status: t.status,
                    severity_override: t.severity_override,
                    origins: t.origins,
                    app_level: t.app_level,
                }
            })
            .collect();
        WireAnalysis {
            threats,
            summary: a.summary,
            rules,
        }
    }
}

/// [`ServiceAnalysis`] as the `analyze` command returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WireServiceAnalysis {
    pub analysis: WireAnalysis,
    pub decisions: BTreeMap<ThreatKey, TriageDecision>,
}

impl From<ServiceAnalysis> for WireServiceAnalysis {
    fn from(s: ServiceAnalysis) -> Self {
        WireServiceAnalysis {
            analysis: s.analysis.into(),
            decisions: s.decisions,
        }
    }
}

/// [`ApplicationView`] as the `application_view` command returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WireApplicationView {
    pub application: String,
    pub model: ServiceModel,
    pub analysis: WireAnalysis,
    pub decisions: BTreeMap<ThreatKey, TriageDecision>,
    pub attack_paths: Vec<ThreatPaths>,
    pub diagnostics: Vec<ConsolidationDiagnostic>,
    pub services: Vec<String>,
    pub revision: RevisionRef,
}

impl From<ApplicationView> for WireApplicationView {
    fn from(v: ApplicationView) -> Self {
        WireApplicationView {
            application: v.application,
            model: v.model,
            analysis: v.analysis.into(),
            decisions: v.decisions,
            attack_paths: v.attack_paths,
            diagnostics: v.diagnostics,
            services: v.services,
            revision: v.revision,
        }
    }
}

// ---- sprint reviews (see `review.rs`) ----------------------------------------------------

/// A review of an application, as the list of reviews shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewSummary {
    pub id: String,
    pub application: String,
    /// 1, 2, 3... per application.
    pub seq: u32,
    /// The sprint label, e.g. `2026.24`.
    pub sprint: String,
    pub state: ReviewState,
    pub participants: Vec<String>,
    /// Written when it was closed.
    pub notes: String,
    pub opened_by: String,
    /// RFC 3339, UTC.
    pub opened_at: String,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    /// Agenda items with a decision recorded in this review.
    pub decided: u32,
    /// Agenda items.
    pub total: u32,
}

/// A service a review looked at, at the revision it saw.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewedService {
    pub id: ModelId,
    pub name: String,
    /// The revision's number (1, 2, 3...).
    pub revision_seq: u32,
}

/// A threat of an agenda item that groups several (the core groups them: `review::group`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewMember {
    /// Its key in the first of `services`.
    pub key: ThreatKey,
    /// The services that show it: several for a resource they share.
    pub services: Vec<String>,
    pub title: String,
    /// The highest of its services' severities.
    pub severity: Severity,
    /// Why that severity when the services disagree; empty otherwise.
    pub severity_note: String,
    /// Its decision in this review, once every service's copy has one.
    pub decision: Option<ItemDecision>,
}

/// One item of a review's agenda: one threat, or the threats of one rule decided at once.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewItem {
    /// What a decision names: the threat's key, or the rule id of a group.
    pub key: ThreatKey,
    /// The service the threat belongs to (decisions go to its triage); for a group or a shared
    /// resource, the services, comma-separated.
    pub service: String,
    pub service_id: ModelId,
    pub title: String,
    /// As the review saw it (the triage override included).
    pub severity: Severity,
    /// `None` for a threat that no longer fires.
    pub stride: Option<Stride>,
    /// What the rule says about it; empty for a threat that no longer fires.
    pub description: String,
    /// The element or flow it is about; `None` when it is no longer in the model.
    pub target: Option<Target>,
    /// Its triage status when the review started; `None` for an obsolete threat.
    pub status_at_start: Option<TriageStatus>,
    /// Why it is on the agenda, in the core's order.
    pub reasons: Vec<AgendaReason>,
    /// The reasons in words, as the CLI prints them.
    pub why: Vec<String>,
    /// The threat's triage decision as it stands now, if any.
    pub current: Option<TriageDecision>,
    /// The decision recorded in this review, once taken (for a group: once every threat of
    /// it has one).
    pub decision: Option<ItemDecision>,
    /// For an item that groups several rows: its threats, worst first (deciding the item
    /// decides them all); empty for a single threat of one service.
    pub members: Vec<ReviewMember>,
}

/// A review with its agenda, ordered by severity (worst first).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewView {
    pub review: ReviewSummary,
    pub services: Vec<ReviewedService>,
    pub items: Vec<ReviewItem>,
}

// ---- revisions and Terraform --------------------------------------------------------

/// One revision of a service, read-only, and how the head differs from it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RevisionView {
    pub revision: RevisionRef,
    pub model: ServiceModel,
    /// The head it was compared with.
    pub head: RevisionRef,
    /// What going from this revision to the head changes (`stridewise diff` text); empty when
    /// they are the same model.
    pub changes: String,
    /// Only positions differ.
    pub layout_only: bool,
}

/// One service a Terraform import saved.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TerraformService {
    pub service: ServiceEntry,
    /// The root module it came from, relative to the folder.
    pub root: String,
    /// `import`'s summary: counts by type, what is not mapped or not known statically.
    pub summary: Vec<String>,
    pub elements: u32,
    pub flows: u32,
    pub boundaries: u32,
    /// Merged into a service the workspace had (a re-import).
    pub merged: bool,
    /// Conflicts the merge left in the model.
    pub conflicts: Vec<String>,
}

/// One difference between a service and its Terraform.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DriftLine {
    /// `missing_from_model`, `no_longer_in_code` or `property_differs`.
    pub kind: String,
    /// The kind in words: "in the code, not in the model", ...
    pub label: String,
    /// The difference in a sentence, with both values for a property.
    pub message: String,
    pub address: String,
    /// The model's element or flow it is about; none for what the model lacks.
    pub object: Option<String>,
    /// The property that differs (`property_differs` only).
    pub property: Option<String>,
    /// The threats the code's value would open and close: "RULE [severity] title".
    pub opens: Vec<String>,
    pub closes: Vec<String>,
}

/// A service checked against its Terraform.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DriftReport {
    pub service: String,
    /// Objects matched by Terraform address.
    pub matched: u32,
    pub items: Vec<DriftLine>,
}
