//! Counting each threat once. Services that share a resource (a Key Vault, a global database,
//! a Front Door that several services draw) each show its threats: the same threat, two or
//! three times. The review agenda shows it once (`review::group`); the report's counts, the
//! CSV, SARIF and `check` do the same through [`count_once`], after [`mark_shared`] has given
//! the copies their common key in the consolidated application.
//!
//! A threat counted once takes the highest severity of its copies (one resource, so the worst
//! view counts), and it is unresolved while any service leaves it open, so the gate blocks
//! whatever service's copy is open. Its note names the services, and their severities and
//! statuses when they differ.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use super::ModelSection;
use super::findings::{Finding, finding_status};
use crate::model::{ServiceModel, StencilSet, ThreatKey};

/// One threat as the report's counts, the CSV, SARIF and the gate count it.
#[derive(Clone, Debug)]
pub struct Counted<'a> {
    /// Its first copy, at the highest severity of its copies, and unresolved when any copy is.
    pub finding: Cow<'a, Finding>,
    /// Every copy kept, as (section index, finding), in section order: one, unless several
    /// services show the threat on a resource they share.
    pub copies: Vec<(usize, &'a Finding)>,
}

impl Counted<'_> {
    /// The section of its first copy.
    pub fn section(&self) -> usize {
        self.copies[0].0
    }
}

/// The findings of `sections` that `keep` keeps, in section order, with the copies of one
/// threat on a shared resource (findings with the same `application_key`) as one [`Counted`].
pub fn count_once<'a>(
    sections: impl IntoIterator<Item = &'a ModelSection>,
    keep: impl Fn(&Finding) -> bool,
) -> Vec<Counted<'a>> {
    let mut out: Vec<Counted<'a>> = Vec::new();
    let mut first_of: HashMap<&'a ThreatKey, usize> = HashMap::new();
    for (n, s) in sections.into_iter().enumerate() {
        for f in s.findings.iter().filter(|f| keep(f)) {
            if let Some(key) = &f.application_key {
                if let Some(&i) = first_of.get(key) {
                    let c = &mut out[i];
                    c.copies.push((n, f));
                    if f.severity > c.finding.severity {
                        c.finding.to_mut().severity = f.severity;
                    }
                    if f.status.is_unresolved() && !c.finding.status.is_unresolved() {
                        c.finding.to_mut().status = f.status;
                    }
                    continue;
                }
                first_of.insert(key, out.len());
            }
            out.push(Counted {
                finding: Cow::Borrowed(f),
                copies: vec![(n, f)],
            });
        }
    }
    out
}

/// Marks the copies of each threat that several of `sections` show on a resource they share
/// (one element of their consolidated application): each copy gets the threat's key in the
/// application and a note naming the services. Nothing changes with fewer than two sections.
pub fn mark_shared(sections: &mut [ModelSection], stencils: &StencilSet) {
    if sections.len() < 2 {
        return;
    }
    // `application_keys` reads the models as a slice; lend them for the call.
    let models: Vec<ServiceModel> = sections
        .iter_mut()
        .map(|s| std::mem::replace(&mut s.model, ServiceModel::new("")))
        .collect();
    let keys: Vec<Vec<ThreatKey>> = sections
        .iter()
        .map(|s| s.findings.iter().map(|f| f.key.clone()).collect())
        .collect();
    let app_keys = crate::consolidate::application_keys(&models, stencils, &keys);
    for (s, m) in sections.iter_mut().zip(models) {
        s.model = m;
    }
    // application key -> its copies as (section, finding index); a BTreeMap for a fixed order.
    let mut copies: BTreeMap<&ThreatKey, Vec<(usize, usize)>> = BTreeMap::new();
    for (n, ks) in app_keys.iter().enumerate() {
        for (i, k) in ks.iter().enumerate() {
            copies.entry(k).or_default().push((n, i));
        }
    }
    for (key, at) in copies {
        if at.iter().all(|&(n, _)| n == at[0].0) {
            continue;
        }
        let note = shared_note(sections, &at);
        for &(n, i) in &at {
            let f = &mut sections[n].findings[i];
            f.application_key = Some(key.clone());
            f.shared_note = note.clone();
        }
    }
}

/// "Shared by mc-global and mc-stamp: one threat, counted once at the highest severity
/// (critical in mc-stamp, high in mc-global); open in mc-stamp, mitigated in mc-global."
fn shared_note(sections: &[ModelSection], at: &[(usize, usize)]) -> String {
    let copies: Vec<(&str, &Finding)> = at
        .iter()
        .map(|&(n, i)| (sections[n].model.name.as_str(), &sections[n].findings[i]))
        .collect();
    let mut names: Vec<&str> = copies.iter().map(|c| c.0).collect();
    names.dedup();
    let mut note = format!("Shared by {}: one threat, counted once", and_list(&names));
    if copies.iter().any(|c| c.1.severity != copies[0].1.severity) {
        let mut by_severity = copies.clone();
        by_severity.sort_by_key(|c| std::cmp::Reverse(c.1.severity));
        let each: Vec<String> = by_severity
            .iter()
            .map(|(s, f)| format!("{} in {s}", f.severity))
            .collect();
        note.push_str(&format!(" at the highest severity ({})", each.join(", ")));
    }
    if copies.iter().any(|c| c.1.status != copies[0].1.status) {
        let each: Vec<String> = copies
            .iter()
            .map(|(s, f)| format!("{} in {s}", finding_status(f.status)))
            .collect();
        note.push_str(&format!(
            "; {}: unresolved while any service leaves it open",
            each.join(", ")
        ));
    }
    note.push('.');
    note
}

fn and_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::model::{ElementKind, Severity, Stride, TriageStatus};
    use crate::report::{ReportInput, ReportOptions, Subject, SubjectKind};

    fn finding(
        key: &str,
        app_key: Option<&str>,
        severity: Severity,
        status: TriageStatus,
    ) -> Finding {
        let subject = Subject {
            kind: SubjectKind::Element(ElementKind::DataStore),
            id: uuid::Uuid::nil(),
            name: "vault".into(),
            out_of_scope: false,
        };
        let mut f = Finding::new(key.into(), Stride::Tampering, key, severity, subject);
        f.status = status;
        f.application_key = app_key.map(ThreatKey::from);
        f
    }

    fn section(name: &str, findings: Vec<Finding>) -> ModelSection {
        ModelSection {
            model: ServiceModel::new(name),
            revision: "test".into(),
            file: None,
            findings,
        }
    }

    #[test]
    fn copies_on_a_shared_resource_count_once_at_the_highest_severity_and_open_if_any_is() {
        use Severity::*;
        use TriageStatus::*;
        let sections = [
            section(
                "a",
                vec![
                    finding("KV@a1", Some("KV@v"), High, Mitigated),
                    finding("X@a2", None, Low, Open),
                ],
            ),
            section(
                "b",
                vec![
                    finding("KV@b1", Some("KV@v"), Critical, Accepted),
                    finding("X@b2", None, Low, Open),
                ],
            ),
            section("c", vec![finding("KV@c1", Some("KV@v"), Medium, Open)]),
        ];
        let counted = count_once(&sections, |_| true);
        let keys: Vec<&str> = counted.iter().map(|c| c.finding.key.as_str()).collect();
        assert_eq!(keys, ["KV@a1", "X@a2", "X@b2"]);
        let vault = &counted[0];
        assert_eq!(vault.finding.severity, Critical);
        assert_eq!(vault.finding.status, Open);
        assert_eq!(
            vault.copies.iter().map(|c| c.0).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        // The copies themselves are untouched: each service's section shows its own.
        assert_eq!(sections[0].findings[0].severity, High);
        // Leaving out the open copy leaves a threat every service decided.
        let decided = count_once(&sections, |f| f.status != Open);
        assert_eq!(decided.len(), 1);
        assert_eq!(
            (decided[0].finding.severity, decided[0].finding.status),
            (Critical, Mitigated)
        );
    }

    #[test]
    fn the_sample_services_count_each_shared_threat_once_in_counts_csv_sarif_and_the_gate() {
        let catalog = Catalog::builtin();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
        let mut sections: Vec<ModelSection> = ["mc-global", "mc-operations", "mc-stamp"]
            .iter()
            .map(|name| {
                let model = crate::model::load(&dir.join(format!("{name}.stride.json"))).unwrap();
                ModelSection::analyzed(model, "test", None, catalog)
            })
            .collect();
        let rows: usize = sections.iter().map(|s| s.findings.len()).sum();
        mark_shared(&mut sections, &catalog.stencils);
        // What the review agenda counts: distinct keys in the application.
        let models: Vec<ServiceModel> = sections.iter().map(|s| s.model.clone()).collect();
        let keys: Vec<Vec<ThreatKey>> = sections
            .iter()
            .map(|s| s.findings.iter().map(|f| f.key.clone()).collect())
            .collect();
        let distinct: std::collections::HashSet<ThreatKey> =
            crate::consolidate::application_keys(&models, &catalog.stencils, &keys)
                .into_iter()
                .flatten()
                .collect();
        assert!(distinct.len() < rows, "the sample shares resources");
        let input = ReportInput {
            title: String::new(),
            generated_at: String::new(),
            authors: Vec::new(),
            reviewers: Vec::new(),
            models: sections,
            application: None,
            reviews: Vec::new(),
            options: ReportOptions::default(),
        };
        let counted = input.counted();
        assert_eq!(counted.len(), distinct.len());
        // Each shared threat at the highest severity of its copies, with a note.
        for c in counted.iter().filter(|c| c.copies.len() > 1) {
            let worst = c.copies.iter().map(|(_, f)| f.severity).max().unwrap();
            assert_eq!(c.finding.severity, worst);
            assert!(
                c.finding.shared_note.starts_with("Shared by "),
                "{}",
                c.finding.shared_note
            );
        }
        // Records end with CRLF outside quotes; the header is one.
        let csv = crate::report::to_csv(&input);
        let mut quoted = false;
        let mut records = 0;
        for (i, c) in csv.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '\r' if !quoted && csv[i..].starts_with("\r\n") => records += 1,
                _ => {}
            }
        }
        assert_eq!(records - 1, distinct.len());
        let sarif: serde_json::Value = serde_json::from_str(&crate::report::to_sarif(
            &input,
            &crate::report::rules_from_catalog(catalog),
            &crate::report::SarifTool {
                name: "t".into(),
                version: "0".into(),
            },
        ))
        .unwrap();
        assert_eq!(
            sarif["runs"][0]["results"].as_array().unwrap().len(),
            distinct.len()
        );
        let gate = crate::app::gate::check(
            &input.models,
            None,
            crate::app::gate::FailOn::parse("critical").unwrap(),
            false,
            None,
            catalog,
        )
        .unwrap();
        assert_eq!(gate.summary.total, distinct.len());
        let critical = counted
            .iter()
            .filter(|c| {
                c.finding.severity == Severity::Critical && c.finding.status.is_unresolved()
            })
            .count();
        assert_eq!(gate.blocking.len(), critical);
    }
}
