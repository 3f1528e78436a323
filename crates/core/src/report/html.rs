//! The HTML report: view models prepared here, laid out by the askama templates in the
//! repository's `templates/` folder (`report.html`, `report.css`).
//!
//! The page is one self-contained file: inline CSS and inline SVG, no script, no font, image
//! or link that loads anything. Askama escapes every variable of an `.html` template; the only
//! values marked safe are the SVG drawings, which [`super::svg::escape_xml`] escapes as they
//! are built.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use askama::Template;

use super::diagram::{DiagramOptions, render_diagram};
use super::findings::{Finding, SourceQuote, SubjectKind, finding_status, mitigation_status_label};
use super::summary::Summary;
use super::svg::bar_chart;
use super::{ModelSection, ReportInput, ReviewEntry};
use crate::model::{MitigationStatus, Severity, Stride, TriageStatus};

/// How many threats the mitigation checklist links per mitigation before it says "and N more".
const MAX_LINKS_PER_MITIGATION: usize = 40;
/// How many unresolved threats the summary lists as top risks.
const TOP_RISKS: usize = 10;

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    title: &'a str,
    generated_at: &'a str,
    filters: String,
    teams: Vec<String>,
    authors: Vec<String>,
    reviewers: Vec<String>,
    revisions: Vec<RevisionRow>,
    summary: SummaryView,
    top_risks: Vec<ThreatView>,
    models: Vec<ModelView>,
    application: Option<ModelView>,
    mitigations: Vec<MitigationView>,
    reviews: &'a [ReviewEntry],
    detail_note: Option<String>,
}

struct RevisionRow {
    name: String,
    kind: &'static str,
    revision: String,
    team: String,
    elements: usize,
    flows: usize,
    boundaries: usize,
}

struct CountRow {
    label: String,
    class: String,
    count: usize,
}

struct SummaryView {
    total: usize,
    unresolved: usize,
    critical_open: usize,
    high_open: usize,
    mitigated: usize,
    /// ", of which 2 critical and 5 high", naming only what is there.
    urgent: String,
    by_stride: Vec<CountRow>,
    by_severity: Vec<CountRow>,
    by_status: Vec<CountRow>,
    stride_chart: String,
    severity_chart: String,
    status_chart: String,
}

struct MitigationRef {
    anchor: String,
    title: String,
    status: &'static str,
}

struct ThreatView {
    anchor: String,
    title: String,
    description: String,
    severity: &'static str,
    stride: &'static str,
    stride_letter: char,
    stride_class: &'static str,
    status: &'static str,
    status_class: &'static str,
    justification: String,
    owner: String,
    ticket: String,
    due_sprint: String,
    key: String,
    subject: String,
    subject_anchor: String,
    mitigations: Vec<MitigationRef>,
    source: Option<Arc<SourceQuote>>,
    cwe: String,
    attack_paths: Vec<String>,
    /// For a threat on a resource several services share: which, and how it is counted.
    shared: String,
}

struct SubjectGroup {
    anchor: String,
    name: String,
    kind: &'static str,
    /// The highest severity among its threats, for the heading's marker.
    severity: &'static str,
    threats: Vec<ThreatView>,
}

struct ModelView {
    anchor: String,
    name: String,
    team: String,
    description: String,
    revision: String,
    diagram: Option<String>,
    diagram_note: Option<String>,
    summary_line: String,
    groups: Vec<SubjectGroup>,
    out_of_scope: Vec<(String, String)>,
    boundaries: Vec<(String, &'static str)>,
    /// The merge conflicts recorded in the model that nobody has decided: (kind, message).
    conflicts: Vec<(String, String)>,
}

struct ThreatLink {
    anchor: String,
    title: String,
    severity: &'static str,
    status: &'static str,
    status_class: &'static str,
}

struct MitigationView {
    anchor: String,
    id: String,
    title: String,
    action: String,
    source: Option<Arc<SourceQuote>>,
    status: &'static str,
    done: bool,
    threats: Vec<ThreatLink>,
    more: usize,
}

fn stride_class(s: Stride) -> &'static str {
    match s {
        Stride::Spoofing => "stride-s",
        Stride::Tampering => "stride-t",
        Stride::Repudiation => "stride-r",
        Stride::InformationDisclosure => "stride-i",
        Stride::DenialOfService => "stride-d",
        Stride::ElevationOfPrivilege => "stride-e",
    }
}

fn status_class(s: TriageStatus) -> &'static str {
    match s {
        TriageStatus::Open => "st-open",
        TriageStatus::NeedsInvestigation => "st-investigate",
        TriageStatus::Mitigated => "st-mitigated",
        TriageStatus::Accepted => "st-accepted",
        TriageStatus::NotApplicable => "st-na",
        TriageStatus::Transferred => "st-transferred",
    }
}

fn subject_anchor(section: usize, f: &Finding) -> String {
    format!("m{section}-{}", f.subject.id)
}

fn threat_view(section: usize, f: &Finding) -> ThreatView {
    ThreatView {
        anchor: f.anchor(section),
        title: f.title.clone(),
        description: f.description.clone(),
        severity: f.severity.as_str(),
        stride: f.stride.label(),
        stride_letter: f.stride.letter(),
        stride_class: stride_class(f.stride),
        status: finding_status(f.status),
        status_class: status_class(f.status),
        justification: f.justification.clone(),
        owner: f.owner.clone(),
        ticket: f.ticket.clone(),
        due_sprint: f.due_sprint.clone(),
        key: f.key.to_string(),
        subject: f.subject.name.clone(),
        subject_anchor: subject_anchor(section, f),
        mitigations: f
            .mitigations
            .iter()
            .map(|m| MitigationRef {
                anchor: format!("mit-{}", super::findings::anchor_safe(&m.id)),
                title: m.title.to_string(),
                status: mitigation_status_label(m.status),
            })
            .collect(),
        source: f.source.clone(),
        cwe: f
            .cwe
            .iter()
            .map(|c| format!("CWE-{c}"))
            .collect::<Vec<_>>()
            .join(", "),
        attack_paths: f.attack_paths.iter().map(|p| p.join(" → ")).collect(),
        shared: f.shared_note.clone(),
    }
}

/// Highest severity first, then STRIDE order, then key: the order threats are listed in.
fn rank(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    b.severity
        .cmp(&a.severity)
        .then(a.stride.cmp(&b.stride))
        .then(a.key.cmp(&b.key))
}

fn model_view(
    section: usize,
    s: &ModelSection,
    input: &ReportInput,
    detailed: &HashSet<(usize, &str)>,
) -> ModelView {
    let kept: Vec<&Finding> = s
        .findings
        .iter()
        .filter(|f| input.options.keeps(f))
        .collect();
    let summary = Summary::of(kept.iter().copied());
    let prefix = format!("m{section}");

    let (diagram, diagram_note) = if s.model.elements.is_empty() {
        (None, Some("The model has no elements yet.".to_string()))
    } else if s.model.elements.len() > input.options.max_diagram_elements {
        (
            None,
            Some(format!(
                "The diagram is left out: the model has {} elements, more than the {} a readable drawing can hold. Open the model in Stridewise to browse it.",
                s.model.elements.len(),
                input.options.max_diagram_elements
            )),
        )
    } else {
        let mut badges: HashMap<uuid::Uuid, (usize, Severity)> = HashMap::new();
        for f in &kept {
            let e = badges.entry(f.subject.id).or_insert((0, f.severity));
            e.0 += 1;
            e.1 = e.1.max(f.severity);
        }
        let linked = kept
            .iter()
            .filter(|f| detailed.contains(&(section, f.key.as_str())))
            .map(|f| f.subject.id)
            .collect();
        let options = DiagramOptions {
            prefix: prefix.clone(),
            badges,
            linked,
        };
        let unplaced = s
            .model
            .elements
            .iter()
            .filter(|e| !s.model.layout.nodes.contains_key(&e.id.0))
            .count();
        let note = if unplaced == s.model.elements.len() {
            Some("Drawn with a generated layout: the model has no stored diagram layout.".into())
        } else if unplaced > 0 {
            Some(format!(
                "{unplaced} element{s} without a stored position {were} placed in a free spot; the rest are where the model puts them.",
                s = if unplaced == 1 { "" } else { "s" },
                were = if unplaced == 1 { "was" } else { "were" },
            ))
        } else {
            None
        };
        (Some(render_diagram(&s.model, &options)), note)
    };

    // Threats grouped by what they are about: elements in model order, then flows.
    let mut groups: BTreeMap<(u8, String, uuid::Uuid), Vec<&Finding>> = BTreeMap::new();
    for f in &kept {
        if !detailed.contains(&(section, f.key.as_str())) {
            continue;
        }
        let order = match f.subject.kind {
            SubjectKind::Element(k) => k as u8,
            SubjectKind::Flow => 9,
            SubjectKind::Boundary => 10,
            SubjectKind::Model => 11,
        };
        groups
            .entry((order, f.subject.name.to_lowercase(), f.subject.id))
            .or_default()
            .push(f);
    }
    let groups = groups
        .into_values()
        .map(|mut fs| {
            fs.sort_by(|a, b| rank(a, b));
            let first = fs[0];
            SubjectGroup {
                anchor: subject_anchor(section, first),
                name: first.subject.name.clone(),
                kind: first.subject.kind.label(),
                severity: first.severity.as_str(),
                threats: fs.iter().map(|f| threat_view(section, f)).collect(),
            }
        })
        .collect();

    let mut out_of_scope: Vec<(String, String)> = s
        .model
        .elements
        .iter()
        .filter(|e| e.out_of_scope)
        .map(|e| (e.name.clone(), e.out_of_scope_reason.clone()))
        .chain(
            s.model
                .flows
                .iter()
                .filter(|f| f.out_of_scope)
                .map(|f| (f.name.clone(), f.out_of_scope_reason.clone())),
        )
        .collect();
    out_of_scope.sort();

    ModelView {
        anchor: format!("model-{section}"),
        name: s.model.name.clone(),
        team: s.model.team.clone(),
        description: s.model.description.clone(),
        revision: s.revision.clone(),
        diagram,
        diagram_note,
        summary_line: format!(
            "{} elements, {} flows, {} trust boundaries; {} threats, {} unresolved",
            s.model.elements.len(),
            s.model.flows.len(),
            s.model.boundaries.len(),
            summary.total,
            summary.unresolved
        ),
        groups,
        out_of_scope,
        boundaries: s
            .model
            .boundaries
            .iter()
            .map(|b| (b.name.clone(), b.kind.label()))
            .collect(),
        conflicts: s
            .model
            .conflicts
            .iter()
            .map(|c| (c.kind.clone(), c.message.clone()))
            .collect(),
    }
}

/// The status of a mitigation across the threats it addresses: implemented only when it is
/// implemented for all of them.
fn combined_status(statuses: &[MitigationStatus]) -> MitigationStatus {
    if statuses.is_empty() {
        return MitigationStatus::Proposed;
    }
    if statuses.iter().all(|s| *s == MitigationStatus::Implemented) {
        MitigationStatus::Implemented
    } else if statuses
        .iter()
        .all(|s| *s == MitigationStatus::WillNotImplement)
    {
        MitigationStatus::WillNotImplement
    } else if statuses.iter().any(|s| {
        matches!(
            s,
            MitigationStatus::InProgress | MitigationStatus::Implemented
        )
    }) {
        MitigationStatus::InProgress
    } else {
        MitigationStatus::Proposed
    }
}

fn checklist(input: &ReportInput) -> Vec<MitigationView> {
    struct Acc<'a> {
        title: &'a str,
        action: &'a str,
        source: Option<&'a Arc<SourceQuote>>,
        statuses: Vec<MitigationStatus>,
        threats: Vec<(usize, &'a Finding)>,
    }
    let mut by_id: BTreeMap<&str, Acc> = BTreeMap::new();
    for (section, s) in input.sections().enumerate() {
        for f in s.findings.iter().filter(|f| input.options.keeps(f)) {
            for m in &f.mitigations {
                let acc = by_id.entry(&*m.id).or_insert(Acc {
                    title: &m.title,
                    action: &m.action,
                    source: m.source.as_ref(),
                    statuses: Vec::new(),
                    threats: Vec::new(),
                });
                acc.statuses.push(m.status);
                acc.threats.push((section, f));
            }
        }
    }
    let mut views: Vec<(Severity, usize, MitigationView)> = by_id
        .into_iter()
        .map(|(id, mut acc)| {
            acc.threats.sort_by(|a, b| rank(a.1, b.1));
            let status = combined_status(&acc.statuses);
            let top = acc.threats.first().map_or(Severity::Low, |t| t.1.severity);
            let count = acc.threats.len();
            let more = count.saturating_sub(MAX_LINKS_PER_MITIGATION);
            let view = MitigationView {
                anchor: format!("mit-{}", super::findings::anchor_safe(id)),
                id: id.to_string(),
                title: acc.title.to_string(),
                action: acc.action.to_string(),
                source: acc.source.cloned(),
                status: mitigation_status_label(status),
                done: status == MitigationStatus::Implemented,
                threats: acc
                    .threats
                    .iter()
                    .take(MAX_LINKS_PER_MITIGATION)
                    .map(|(section, f)| ThreatLink {
                        anchor: f.anchor(*section),
                        // Titles name their element or flow already.
                        title: f.title.clone(),
                        severity: f.severity.as_str(),
                        status: finding_status(f.status),
                        status_class: status_class(f.status),
                    })
                    .collect(),
                more,
            };
            (top, count, view)
        })
        .collect();
    // What to do first: mitigations of the most severe threats, then of the most threats.
    views.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.id.cmp(&b.2.id)));
    views.into_iter().map(|v| v.2).collect()
}

fn count_rows<T: Copy>(
    rows: &[(T, usize)],
    label: impl Fn(T) -> String,
    class: impl Fn(T) -> String,
) -> Vec<CountRow> {
    rows.iter()
        .map(|&(t, count)| CountRow {
            label: label(t),
            class: class(t),
            count,
        })
        .collect()
}

fn distinct(values: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    values
        .into_iter()
        .filter(|v| !v.trim().is_empty() && seen.insert(v.clone()))
        .collect()
}

/// Renders the report as one self-contained HTML document.
pub fn render_html(input: &ReportInput) -> Result<String, askama::Error> {
    let all: Vec<(usize, &Finding)> = input
        .sections()
        .enumerate()
        .flat_map(|(i, s)| {
            s.findings
                .iter()
                .filter(|f| input.options.keeps(f))
                .map(move |f| (i, f))
        })
        .collect();
    // Counted once: a threat that several services show on a resource they share is one threat
    // in the summary and the top risks (each service's section still shows its copy).
    let counted = input.counted();
    let summary = Summary::of(counted.iter().map(|c| &*c.finding));

    // Which threats are described in full: all of them, or the most severe when there are
    // more than the cap.
    let mut ordered = all.clone();
    ordered.sort_by(|a, b| rank(a.1, b.1).then(a.0.cmp(&b.0)));
    let cap = input.options.max_detailed_threats;
    let detailed: HashSet<(usize, &str)> = ordered
        .iter()
        .take(cap)
        .map(|(i, f)| (*i, f.key.as_str()))
        .collect();
    let detail_note = (all.len() > cap).then(|| {
        format!(
            "{} of {} threats are described in full below (the most severe first); every threat is counted in the summary, and `stridewise export --format csv` lists them all.",
            cap,
            all.len()
        )
    });

    let mut risks: Vec<(usize, &Finding)> = counted
        .iter()
        .filter(|c| c.finding.status.is_unresolved())
        .map(|c| (c.section(), &*c.finding))
        .collect();
    risks.sort_by(|a, b| rank(a.1, b.1).then(a.0.cmp(&b.0)));
    let top_risks = risks
        .iter()
        .take(TOP_RISKS)
        .map(|(i, f)| threat_view(*i, f))
        .collect();

    let service_count = input.models.len();
    let models: Vec<ModelView> = input
        .models
        .iter()
        .enumerate()
        .map(|(i, s)| model_view(i, s, input, &detailed))
        .collect();
    let application = input
        .application
        .as_ref()
        .map(|s| model_view(service_count, s, input, &detailed));

    let revisions = input
        .sections()
        .map(|s| RevisionRow {
            name: s.model.name.clone(),
            kind: match s.model.kind {
                crate::model::ModelKind::Service => "service",
                crate::model::ModelKind::Application => "application",
            },
            revision: s.revision.clone(),
            team: s.model.team.clone(),
            elements: s.model.elements.len(),
            flows: s.model.flows.len(),
            boundaries: s.model.boundaries.len(),
        })
        .collect();

    let reviewers = if input.reviewers.is_empty() {
        distinct(all.iter().map(|(_, f)| f.decided_by.clone()))
    } else {
        input.reviewers.clone()
    };

    let stride_rows = count_rows(
        &summary.by_stride,
        |s| s.label().to_string(),
        |s| stride_class(s).to_string(),
    );
    let severity_rows = count_rows(
        &summary.by_severity,
        |s| s.as_str().to_string(),
        |s| format!("sev-{}", s.as_str()),
    );
    let status_rows = count_rows(
        &summary.by_status,
        |s| finding_status(s).to_string(),
        |s| status_class(s).to_string(),
    );
    let chart = |title: &str, rows: &[CountRow]| {
        let data: Vec<(String, usize, String)> = rows
            .iter()
            .map(|r| (r.label.clone(), r.count, r.class.clone()))
            .collect();
        bar_chart(title, &data)
    };
    let unresolved_at = |sev: Severity| {
        summary
            .unresolved_by_severity
            .iter()
            .find(|(s, _)| *s == sev)
            .map_or(0, |x| x.1)
    };
    let urgent_parts: Vec<String> = [Severity::Critical, Severity::High]
        .into_iter()
        .map(|s| (s, unresolved_at(s)))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let urgent = if urgent_parts.is_empty() {
        String::new()
    } else {
        format!(", of which {}", urgent_parts.join(" and "))
    };
    let summary_view = SummaryView {
        urgent,
        total: summary.total,
        unresolved: summary.unresolved,
        critical_open: summary
            .unresolved_by_severity
            .iter()
            .find(|(s, _)| *s == Severity::Critical)
            .map_or(0, |x| x.1),
        high_open: summary
            .unresolved_by_severity
            .iter()
            .find(|(s, _)| *s == Severity::High)
            .map_or(0, |x| x.1),
        mitigated: summary
            .by_status
            .iter()
            .find(|(s, _)| *s == TriageStatus::Mitigated)
            .map_or(0, |x| x.1),
        stride_chart: chart("Threats by STRIDE category", &stride_rows),
        severity_chart: chart("Threats by severity", &severity_rows),
        status_chart: chart("Threats by status", &status_rows),
        by_stride: stride_rows,
        by_severity: severity_rows,
        by_status: status_rows,
    };

    let page = ReportPage {
        title: &input.title,
        generated_at: &input.generated_at,
        filters: input.options.describe(),
        teams: distinct(input.sections().map(|s| s.model.team.clone())),
        authors: distinct(input.authors.iter().cloned()),
        reviewers,
        revisions,
        summary: summary_view,
        top_risks,
        models,
        application,
        mitigations: checklist(input),
        reviews: &input.reviews,
        detail_note,
    };
    page.render()
}
