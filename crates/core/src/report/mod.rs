//! Reports and exports of threats: the self-contained HTML report, CSV for trackers, SARIF for
//! code-scanning tools, and the CI gate (`check`).
//!
//! Everything here reads a [`ReportInput`]: the models a report covers, each with its findings
//! (threats joined with their triage decisions), plus the optional application-level section and
//! review history that the workspace, consolidation and review features fill in. The input is
//! plain data assembled by the caller, and the clock is an input too (`generated_at`), so the
//! same input always renders the same bytes. This is the only module that imports askama.

mod counted;
mod csv;
mod diagram;
mod findings;
mod gate;
mod html;
pub mod review;
mod sarif;
mod summary;
mod svg;

pub use counted::{Counted, count_once, mark_shared};
pub use csv::to_csv;
pub use diagram::{DiagramGeometry, DiagramOptions, diagram_geometry, render_diagram};
pub use findings::{
    Finding, FindingMitigation, RuleInfo, SourceQuote, Subject, SubjectKind, element_subject,
    finding_status, findings_from_analysis, flow_subject, mitigation_status_label,
    rules_from_catalog,
};
pub use gate::{GateOutcome, check};
pub use html::render_html;
pub use sarif::{SarifTool, to_sarif};
pub use summary::Summary;
pub use svg::escape_xml;

use crate::model::{ServiceModel, Severity, ThreatKey, TriageDecision};

/// Everything a report is made of. Built by the caller (the CLI, the desktop app, the review
/// feature), never read from a database or the clock here.
#[derive(Clone, Debug)]
pub struct ReportInput {
    /// The report's title, e.g. "Payments platform threat model".
    pub title: String,
    /// When the report was generated, as the caller wants it shown (e.g. `2026-11-29 05:00 UTC`).
    pub generated_at: String,
    /// People who wrote the models; shown on the cover. The owning teams of the models are shown
    /// next to them.
    pub authors: Vec<String>,
    /// People who reviewed the models. When empty, the report names the people who took triage
    /// decisions.
    pub reviewers: Vec<String>,
    /// One section per service model.
    pub models: Vec<ModelSection>,
    /// The consolidated application model and its own threats, when the report covers one.
    pub application: Option<ModelSection>,
    /// Threat-review sessions, most recent last. The history section renders only when present.
    pub reviews: Vec<ReviewEntry>,
    pub options: ReportOptions,
}

/// One model and its findings.
#[derive(Clone, Debug)]
pub struct ModelSection {
    pub model: ServiceModel,
    /// Which revision of the model this is, as people say it: a workspace revision, a git
    /// commit, or the file name.
    pub revision: String,
    /// The model file, relative to where the report is read (SARIF locations point to it).
    /// `None` when the model comes from a workspace.
    pub file: Option<String>,
    pub findings: Vec<Finding>,
}

/// One threat-review session, as shown in the history section.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewEntry {
    /// The sprint label, e.g. `2026.24`.
    pub label: String,
    pub date: String,
    pub scope: String,
    pub participants: Vec<String>,
    /// How many decisions the review took.
    pub decisions: usize,
    /// `open` or `closed`.
    pub state: String,
    pub notes: String,
}

/// What a report leaves out, and how much detail it gives for very large models.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportOptions {
    /// Leave out threats whose status is `mitigated`.
    pub exclude_mitigated: bool,
    /// Leave out threats marked `not_applicable`, and threats on elements or flows marked out of
    /// scope.
    pub exclude_out_of_scope: bool,
    /// Leave out threats below this severity.
    pub min_severity: Option<Severity>,
    /// Models with more elements than this get no diagram (a note says so): a browser stalls on
    /// tens of thousands of SVG nodes, and nobody reads such a drawing.
    pub max_diagram_elements: usize,
    /// At most this many threats are described in full; the rest are counted in the summary and
    /// listed in the CSV export, and a note says so.
    pub max_detailed_threats: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            exclude_mitigated: false,
            exclude_out_of_scope: false,
            min_severity: None,
            max_diagram_elements: 400,
            max_detailed_threats: 1_000,
        }
    }
}

impl ReportOptions {
    /// Whether a finding stays in the report under these options.
    pub fn keeps(&self, finding: &Finding) -> bool {
        use crate::model::TriageStatus;
        if self.exclude_mitigated && finding.status == TriageStatus::Mitigated {
            return false;
        }
        if self.exclude_out_of_scope
            && (finding.status == TriageStatus::NotApplicable || finding.subject.out_of_scope)
        {
            return false;
        }
        if let Some(min) = self.min_severity
            && finding.severity < min
        {
            return false;
        }
        true
    }

    /// The filters in words, for the cover ("none" when nothing is left out).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.exclude_mitigated {
            parts.push("mitigated threats left out".to_string());
        }
        if self.exclude_out_of_scope {
            parts.push("out-of-scope and not-applicable threats left out".to_string());
        }
        if let Some(min) = self.min_severity {
            parts.push(format!("severity {min} and above"));
        }
        if parts.is_empty() {
            "none: every threat is listed".to_string()
        } else {
            parts.join("; ")
        }
    }
}

impl ModelSection {
    /// Analyses `model` with `catalog` and joins the threats with the model's triage.
    pub fn analyzed(
        model: ServiceModel,
        revision: impl Into<String>,
        file: Option<String>,
        catalog: &crate::catalog::Catalog,
    ) -> Self {
        let analysis = crate::analysis::analyze(&model, catalog);
        let findings = findings_from_analysis(&model, analysis, catalog);
        ModelSection {
            model,
            revision: revision.into(),
            file,
            findings,
        }
    }
}

impl ReportInput {
    /// Every section, services first, then the application.
    pub fn sections(&self) -> impl Iterator<Item = &ModelSection> {
        self.models.iter().chain(self.application.iter())
    }

    /// The threats the options keep, each once: the copies of one threat on a resource several
    /// services share (see [`mark_shared`]) are one. What the summary, CSV, SARIF and the gate
    /// count.
    pub fn counted(&self) -> Vec<Counted<'_>> {
        count_once(self.sections(), |f| self.options.keeps(f))
    }

    /// Findings kept by the options, with the section each belongs to.
    pub fn kept_findings(&self) -> impl Iterator<Item = (&ModelSection, &Finding)> {
        self.sections().flat_map(move |s| {
            s.findings
                .iter()
                .filter(|f| self.options.keeps(f))
                .map(move |f| (s, f))
        })
    }
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DD HH:MM UTC`. Pure: the caller reads the
/// clock.
pub fn format_utc(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let secs = unix_seconds.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        secs / 3_600,
        (secs % 3_600) / 60
    )
}

impl ModelSection {
    /// The application section: the consolidated model of `services`, analysed with every
    /// rule (application-level ones too), keeping only the threats that no service shows (the
    /// application-level rules' threats, and threats that only the merged properties or the
    /// joined graph raise), so that a report of the services and their application counts each
    /// threat once. `decisions` are the application's own triage (decisions about its
    /// consolidated model); they come on top of the services'. Each high or critical threat on an asset gets its attack paths from the
    /// untrusted entry points.
    pub fn application(
        name: &str,
        services: &[ServiceModel],
        decisions: std::collections::BTreeMap<ThreatKey, TriageDecision>,
        catalog: &crate::catalog::Catalog,
    ) -> Self {
        let mut app = crate::consolidate::consolidate(name, services, &catalog.stencils).model;
        app.triage.extend(decisions);
        let analysis = crate::analysis::analyze(&app, catalog);
        let paths = crate::consolidate::paths::attack_paths(&app, &analysis, 3);
        let service_keys: Vec<Vec<crate::model::ThreatKey>> = services
            .iter()
            .map(|s| {
                let threats = crate::analysis::analyze(s, catalog).threats;
                threats.into_iter().map(|t| t.key).collect()
            })
            .collect();
        let shown: std::collections::HashSet<crate::model::ThreatKey> =
            crate::consolidate::application_keys(services, &catalog.stencils, &service_keys)
                .into_iter()
                .flatten()
                .collect();
        let mut section = ModelSection::analyzed(
            app,
            format!("consolidated from {} services", services.len()),
            None,
            catalog,
        );
        section.findings.retain(|f| !shown.contains(&f.key));
        let element_names: std::collections::HashMap<_, _> = section
            .model
            .elements
            .iter()
            .map(|e| (e.id, e.name.clone()))
            .collect();
        let by_key: std::collections::HashMap<_, _> = paths
            .iter()
            .map(|tp| {
                let named = tp
                    .paths
                    .iter()
                    .map(|p| {
                        p.elements
                            .iter()
                            .map(|id| element_names.get(id).cloned().unwrap_or_default())
                            .collect::<Vec<_>>()
                    })
                    .collect::<Vec<_>>();
                (tp.key.clone(), named)
            })
            .collect();
        for f in &mut section.findings {
            if let Some(p) = by_key.get(&f.key) {
                f.attack_paths = p.clone();
            }
        }
        section
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_utc_known_dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(format_utc(1_795_923_300), "2026-11-29 03:35 UTC");
    }
}
