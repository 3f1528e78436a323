//! A finding is a threat as a report shows it: what the analysis found, joined with the triage
//! decision taken about it (status, justification, owner, severity override, mitigation status).

use std::collections::HashMap;
use std::sync::Arc;

use uuid::Uuid;

use crate::analysis::{Analysis, TargetKind};
use crate::catalog::Catalog;
use crate::model::{
    ElementKind, MitigationStatus, ServiceModel, Severity, Stride, ThreatKey, TriageDecision,
    TriageStatus,
};

/// What a threat is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SubjectKind {
    Element(ElementKind),
    Flow,
    /// A trust boundary (hand-written threats only).
    Boundary,
    /// The whole model (hand-written threats only).
    Model,
}

impl SubjectKind {
    /// Words for people: "process", "data flow".
    pub fn label(&self) -> &'static str {
        match self {
            SubjectKind::Element(kind) => kind.label(),
            SubjectKind::Flow => "data flow",
            SubjectKind::Boundary => "trust boundary",
            SubjectKind::Model => "model",
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            SubjectKind::Element(kind) => kind.as_str(),
            SubjectKind::Flow => "flow",
            SubjectKind::Boundary => "boundary",
            SubjectKind::Model => "model",
        }
    }
}

/// The element or flow a threat is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub kind: SubjectKind,
    /// The element's or the flow's id (a `Uuid`, whichever it is).
    pub id: Uuid,
    /// Its name; for flows, `name (source → target)`.
    pub name: String,
    /// The element or flow is marked out of scope.
    pub out_of_scope: bool,
}

/// A document quote that a rule or mitigation comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceQuote {
    pub section: String,
    pub quote: String,
}

/// A mitigation of one finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingMitigation {
    pub id: Arc<str>,
    pub title: Arc<str>,
    /// What to do. Shared: thousands of threats name the same mitigation.
    pub action: Arc<str>,
    pub status: MitigationStatus,
    pub source: Option<Arc<SourceQuote>>,
}

/// One threat, ready to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The stable key; triage, SARIF fingerprints and anchors use it.
    pub key: ThreatKey,
    pub rule: String,
    pub stride: Stride,
    pub title: String,
    pub description: String,
    /// The severity in force: the triage override when there is one, else the computed one.
    pub severity: Severity,
    pub status: TriageStatus,
    pub justification: String,
    pub owner: String,
    pub ticket: String,
    pub due_sprint: String,
    pub decided_by: String,
    pub subject: Subject,
    pub mitigations: Vec<FindingMitigation>,
    /// The document quote the rule comes from (shared by every threat of the rule).
    pub source: Option<Arc<SourceQuote>>,
    pub cwe: Vec<u32>,
    /// Application-level threats: the paths of element names an attacker can take.
    pub attack_paths: Vec<Vec<String>>,
    /// Its key in the consolidated application when several services of the report show it
    /// on a resource they share (set by [`mark_shared`](super::mark_shared)); `None` otherwise.
    /// The report's counts, the CSV, SARIF and the gate count such copies once.
    pub application_key: Option<ThreatKey>,
    /// For such a threat: the services that show it, with their severities and statuses when
    /// they differ; empty otherwise.
    pub shared_note: String,
}

impl Finding {
    /// A finding with no decision yet (status `open`) about `subject`.
    pub fn new(
        key: ThreatKey,
        stride: Stride,
        title: impl Into<String>,
        severity: Severity,
        subject: Subject,
    ) -> Self {
        Finding {
            rule: key.rule().to_string(),
            key,
            stride,
            title: title.into(),
            description: String::new(),
            severity,
            status: TriageStatus::Open,
            justification: String::new(),
            owner: String::new(),
            ticket: String::new(),
            due_sprint: String::new(),
            decided_by: String::new(),
            subject,
            mitigations: Vec::new(),
            source: None,
            cwe: Vec::new(),
            attack_paths: Vec::new(),
            application_key: None,
            shared_note: String::new(),
        }
    }

    /// Applies a triage decision: status, people, severity override and mitigation status.
    pub fn apply_decision(&mut self, decision: &TriageDecision) {
        self.status = decision.status;
        self.justification = decision.justification.clone();
        self.owner = decision.owner.clone();
        self.ticket = decision.ticket.clone();
        self.due_sprint = decision.due_sprint.clone();
        self.decided_by = decision.decided_by.clone();
        if let Some(severity) = decision.severity_override {
            self.severity = severity;
        }
        for m in &mut self.mitigations {
            if let Some(status) = decision.mitigations.get(&*m.id) {
                m.status = *status;
            }
        }
    }

    /// Applies the decision the model carries for this finding's key, if any.
    pub fn apply_model_triage(&mut self, model: &ServiceModel) {
        if let Some(decision) = model.triage.get(&self.key) {
            self.apply_decision(decision);
        }
    }

    /// An anchor id unique within a report (`section` tells models apart).
    pub fn anchor(&self, section: usize) -> String {
        format!("t{section}-{}", anchor_safe(self.key.as_str()))
    }
}

/// The subject of an element of `model`.
pub fn element_subject(model: &ServiceModel, id: crate::model::ElementId) -> Option<Subject> {
    model.element(id).map(|e| Subject {
        kind: SubjectKind::Element(e.kind),
        id: e.id.0,
        name: e.name.clone(),
        out_of_scope: e.out_of_scope,
    })
}

/// The subject of a flow of `model`, named `flow (source → target)`.
pub fn flow_subject(model: &ServiceModel, id: crate::model::FlowId) -> Option<Subject> {
    model.flow(id).map(|f| {
        let name_of = |e| model.element(e).map_or("?", |e| e.name.as_str());
        Subject {
            kind: SubjectKind::Flow,
            id: f.id.0,
            name: format!("{} ({} → {})", f.name, name_of(f.source), name_of(f.target)),
            out_of_scope: f.out_of_scope,
        }
    })
}

/// Words for a triage status: "needs investigation".
pub fn finding_status(status: TriageStatus) -> &'static str {
    match status {
        TriageStatus::Open => "open",
        TriageStatus::NeedsInvestigation => "needs investigation",
        TriageStatus::Mitigated => "mitigated",
        TriageStatus::Accepted => "accepted",
        TriageStatus::NotApplicable => "not applicable",
        TriageStatus::Transferred => "transferred",
    }
}

/// Words for a mitigation status: "in progress".
pub fn mitigation_status_label(status: MitigationStatus) -> &'static str {
    match status {
        MitigationStatus::Proposed => "proposed",
        MitigationStatus::InProgress => "in progress",
        MitigationStatus::Implemented => "implemented",
        MitigationStatus::WillNotImplement => "will not implement",
    }
}

/// A catalog rule as SARIF describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: String,
    pub title: String,
    pub description: String,
    pub stride: Stride,
    pub cwe: Vec<u32>,
    pub capec: Vec<u32>,
    pub source: Option<SourceQuote>,
}

/// Keeps letters, digits, `-` and `_`; anything else becomes `-`, so that keys (which hold `@`)
/// make valid, readable fragment ids.
pub(crate) fn anchor_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The findings of an analysis of `model`: each threat joined with the model's triage decision
/// and with the catalog's details of its mitigations (what to do, the quote it comes from).
/// Takes the analysis by value and moves its text, which matters at 70,000 threats.
pub fn findings_from_analysis(
    model: &ServiceModel,
    analysis: Analysis,
    catalog: &Catalog,
) -> Vec<Finding> {
    // Out-of-scope marks by id: a model may hold tens of thousands of elements.
    let out_of_scope: HashMap<Uuid, bool> = model
        .elements
        .iter()
        .map(|e| (e.id.0, e.out_of_scope))
        .chain(model.flows.iter().map(|f| (f.id.0, f.out_of_scope)))
        .collect();
    let out_of_scope = |id: &Uuid| out_of_scope.get(id).copied().unwrap_or(false);
    // One shared copy of each mitigation's details and of each rule's quote.
    let mitigations: HashMap<&str, (Arc<str>, Arc<SourceQuote>)> = catalog
        .mitigations
        .values()
        .map(|m| {
            (
                m.id.as_str(),
                (
                    Arc::from(m.action.as_str()),
                    Arc::new(SourceQuote {
                        section: m.source.section.to_string(),
                        quote: m.source.quote.to_string(),
                    }),
                ),
            )
        })
        .collect();
    let mut rule_sources: HashMap<Arc<str>, Arc<SourceQuote>> = HashMap::new();
    analysis
        .threats
        .into_iter()
        .map(|t| {
            let subject = match (&t.flow, t.target.kind) {
                (Some(ends), _) => Subject {
                    kind: SubjectKind::Flow,
                    id: t.target.id,
                    name: format!(
                        "{} ({} → {})",
                        t.target.name, ends.source.name, ends.target.name
                    ),
                    out_of_scope: out_of_scope(&t.target.id),
                },
                (None, kind) => Subject {
                    kind: match kind {
                        TargetKind::ExternalEntity => {
                            SubjectKind::Element(ElementKind::ExternalEntity)
                        }
                        TargetKind::Process => SubjectKind::Element(ElementKind::Process),
                        TargetKind::DataStore => SubjectKind::Element(ElementKind::DataStore),
                        TargetKind::Flow => SubjectKind::Flow,
                        TargetKind::Boundary => SubjectKind::Boundary,
                        TargetKind::Model => SubjectKind::Model,
                    },
                    id: t.target.id,
                    name: t.target.name.to_string(),
                    out_of_scope: out_of_scope(&t.target.id),
                },
            };
            let source = rule_sources
                .entry(t.rule.clone())
                .or_insert_with(|| {
                    Arc::new(SourceQuote {
                        section: t.source.section.to_string(),
                        quote: t.source.quote.to_string(),
                    })
                })
                .clone();
            let mut f = Finding {
                key: t.key,
                rule: t.rule.to_string(),
                stride: t.stride,
                title: t.title,
                description: t.description,
                severity: t.severity,
                status: TriageStatus::Open,
                justification: String::new(),
                owner: String::new(),
                ticket: String::new(),
                due_sprint: String::new(),
                decided_by: String::new(),
                subject,
                mitigations: t
                    .mitigations
                    .iter()
                    .map(|m| {
                        let known = mitigations.get(&*m.id);
                        FindingMitigation {
                            action: known.map_or_else(|| Arc::from(""), |k| k.0.clone()),
                            source: known.map(|k| k.1.clone()),
                            id: m.id.clone(),
                            title: m.title.clone(),
                            status: MitigationStatus::Proposed,
                        }
                    })
                    .collect(),
                source: Some(source),
                cwe: t.cwe.to_vec(),
                attack_paths: Vec::new(),
                application_key: None,
                shared_note: String::new(),
            };
            f.apply_model_triage(model);
            f
        })
        .collect()
}

/// The catalog's rules as SARIF describes them. Title templates name no element here:
/// `{target}` reads "the target", and so on.
pub fn rules_from_catalog(catalog: &Catalog) -> Vec<RuleInfo> {
    catalog
        .rules
        .iter()
        .map(|r| RuleInfo {
            id: r.id.clone(),
            title: generic_text(&r.title.text),
            description: generic_text(&r.description.text),
            stride: r.stride,
            cwe: r.cwe.to_vec(),
            capec: r.capec.to_vec(),
            source: Some(SourceQuote {
                section: r.source.section.to_string(),
                quote: r.source.quote.to_string(),
            }),
        })
        .collect()
}

fn generic_text(template: &str) -> String {
    let text = template
        .replace("{element}", "the element")
        .replace("{flow}", "the flow")
        .replace("{source}", "the source")
        .replace("{target}", "the target");
    let mut cs = text.chars();
    cs.next()
        .map(|c| c.to_uppercase().collect::<String>() + cs.as_str())
        .unwrap_or_default()
}
