//! The CI gate (`stridewise check`): unresolved threats at or above a severity, drift of the
//! models from the Terraform they describe, or both. The threat half is `report::check`; this
//! adds the drift half, which needs a fresh import and the analysis, and the merge conflicts
//! still recorded in the models, which fail the gate unless it is told to allow them.

use std::fmt;
use std::path::Path;

use crate::app::terraform::{Drift, drift_dir};
use crate::catalog::Catalog;
use crate::interop::terraform::{Options, TerraformError};
use crate::model::Severity;
use crate::report::{self, Finding, GateOutcome, ModelSection, Summary};

/// What fails the gate: unresolved threats at or above a severity, drift from the Terraform,
/// or both. Written `high`, `drift` or `high,drift`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailOn {
    pub severity: Option<Severity>,
    pub drift: bool,
}

impl FailOn {
    /// Reads `high`, `drift`, `critical,drift`...: at most one severity, at least one part.
    pub fn parse(s: &str) -> Result<FailOn, String> {
        let mut out = FailOn {
            severity: None,
            drift: false,
        };
        for part in s.split(',').map(str::trim) {
            if part == "drift" {
                out.drift = true;
            } else if let Some(sev) = Severity::parse(part) {
                if let Some(before) = out.severity.replace(sev) {
                    return Err(format!(
                        "'{s}' names two severities ({before} and {sev}); give one"
                    ));
                }
            } else {
                return Err(format!(
                    "'{part}' is not one of low, medium, high, critical, drift"
                ));
            }
        }
        Ok(out)
    }
}

impl fmt::Display for FailOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.severity, self.drift) {
            (Some(s), true) => write!(f, "{s},drift"),
            (Some(s), false) => write!(f, "{s}"),
            (None, _) => f.write_str("drift"),
        }
    }
}

/// What the gate found.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckOutcome {
    pub fail_on: FailOn,
    /// Threats at or above the severity that are `open` or `needs_investigation`, highest
    /// severity first (none when the gate has no severity).
    pub blocking: Vec<Finding>,
    /// Counts over every threat checked.
    pub summary: Summary,
    /// With `drift`: each model's drift from its Terraform, in the order of the models.
    pub drift: Vec<Drift>,
    /// The models (by name) with merge conflicts nobody has decided, and how many each has.
    /// The threats of such a model come from values nobody chose.
    pub conflicts: Vec<(String, usize)>,
    /// Whether unresolved conflicts let the gate pass.
    pub allow_conflicts: bool,
}

impl CheckOutcome {
    pub fn passed(&self) -> bool {
        self.blocking.is_empty()
            && self.drift.iter().all(Drift::is_empty)
            && (self.allow_conflicts || self.conflicts.is_empty())
    }

    /// The models that drifted.
    pub fn drifted(&self) -> impl Iterator<Item = &Drift> {
        self.drift.iter().filter(|d| !d.is_empty())
    }
}

/// Runs the gate over `sections`. With `fail_on.drift`, each model is compared with the
/// Terraform under `terraform` (the root module named like the model when the folder holds
/// several); failing on drift without a folder is an error. A model with unresolved merge
/// conflicts fails the gate unless `allow_conflicts`.
pub fn check(
    sections: &[ModelSection],
    application: Option<&ModelSection>,
    fail_on: FailOn,
    allow_conflicts: bool,
    terraform: Option<(&Path, &Options)>,
    catalog: &Catalog,
) -> Result<CheckOutcome, TerraformError> {
    // The threats that only the application model shows count too, and a threat that several
    // services show on a resource they share counts once (as in the report and the agenda);
    // drift is per service.
    let counted = report::count_once(sections.iter().chain(application), |_| true);
    let findings = counted.iter().map(|c| &*c.finding);
    let (blocking, summary) = match fail_on.severity {
        Some(sev) => {
            let GateOutcome {
                blocking, summary, ..
            } = report::check(findings, sev);
            (blocking, summary)
        }
        None => (Vec::new(), Summary::of(findings)),
    };
    let mut drift = Vec::new();
    if fail_on.drift {
        let Some((dir, options)) = terraform else {
            return Err(TerraformError::Eval(
                "failing on drift needs the Terraform folder the models describe".into(),
            ));
        };
        for s in sections {
            drift.push(drift_dir(&s.model, dir, options, catalog)?);
        }
    }
    let conflicts = sections
        .iter()
        .chain(application)
        .filter(|s| !s.model.conflicts.is_empty())
        .map(|s| (s.model.name.clone(), s.model.conflicts.len()))
        .collect();
    Ok(CheckOutcome {
        fail_on,
        blocking,
        summary,
        drift,
        conflicts,
        allow_conflicts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_reads_a_severity_drift_or_both_and_names_what_it_cannot_read() {
        let high = FailOn::parse("high").unwrap();
        assert_eq!((high.severity, high.drift), (Some(Severity::High), false));
        let drift = FailOn::parse("drift").unwrap();
        assert_eq!((drift.severity, drift.drift), (None, true));
        let both = FailOn::parse("critical, drift").unwrap();
        assert_eq!(
            (both.severity, both.drift),
            (Some(Severity::Critical), true)
        );
        assert_eq!(both.to_string(), "critical,drift");
        let e = FailOn::parse("high,sever").unwrap_err();
        assert!(e.contains("'sever' is not one of"), "{e}");
        let e = FailOn::parse("high,low").unwrap_err();
        assert!(e.contains("two severities"), "{e}");
        assert!(FailOn::parse("").is_err());
    }

    #[test]
    fn failing_on_drift_without_a_terraform_folder_is_an_error() {
        let e = check(
            &[],
            None,
            FailOn::parse("drift").unwrap(),
            false,
            None,
            Catalog::builtin(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("needs the Terraform folder"), "{e}");
    }

    #[test]
    fn a_model_that_lacks_a_resource_of_its_terraform_fails_on_drift_only() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/terraform/app");
        let options = Options {
            var_files: vec![dir.join("prod.tfvars")],
            ..Options::default()
        };
        let mut import = crate::interop::terraform::import_dir(&dir, &options).unwrap();
        let section = |model| ModelSection {
            model,
            revision: "test".into(),
            file: None,
            findings: Vec::new(),
        };
        let model = import.models.remove(0);
        let tf = Some((dir.as_path(), &options));
        let catalog = Catalog::builtin();
        let same = check(
            &[section(model.clone())],
            None,
            FailOn::parse("high,drift").unwrap(),
            false,
            tf,
            catalog,
        )
        .unwrap();
        assert!(same.passed(), "{:?}", same.drift);
        assert_eq!(same.drift.len(), 1);

        let mut lacking = model.clone();
        let gone = lacking.elements.pop().unwrap();
        lacking
            .flows
            .retain(|f| f.source != gone.id && f.target != gone.id);
        let sections = [section(lacking)];
        let drifted = check(
            &sections,
            None,
            FailOn::parse("drift").unwrap(),
            false,
            tf,
            catalog,
        )
        .unwrap();
        assert!(!drifted.passed());
        let d = drifted.drifted().next().unwrap();
        assert!(
            d.items
                .iter()
                .any(|i| i.address == gone.iac_address.clone().unwrap()),
            "{}",
            d.to_text()
        );
        // Without drift in the gate, the same model passes: drift is only checked when asked.
        let threats_only = check(
            &sections,
            None,
            FailOn::parse("high").unwrap(),
            false,
            None,
            catalog,
        )
        .unwrap();
        assert!(threats_only.passed() && threats_only.drift.is_empty());
    }

    #[test]
    fn a_model_with_unresolved_merge_conflicts_fails_the_gate_unless_allowed() {
        let mut model = crate::model::ServiceModel::new("orders");
        model.conflicts.push(crate::model::MergeConflict {
            path: "/name".into(),
            kind: "edit/edit".into(),
            message: "name: yours 'orders', theirs 'checkout'".into(),
            base: None,
            ours: Some("orders".into()),
            theirs: Some("checkout".into()),
            ours_from: None,
            theirs_from: None,
        });
        let sections = [ModelSection {
            model,
            revision: "test".into(),
            file: None,
            findings: Vec::new(),
        }];
        let high = FailOn::parse("high").unwrap();
        let strict = check(&sections, None, high, false, None, Catalog::builtin()).unwrap();
        assert_eq!(strict.conflicts, vec![("orders".to_string(), 1)]);
        assert!(!strict.passed());
        let allowed = check(&sections, None, high, true, None, Catalog::builtin()).unwrap();
        assert!(allowed.passed());
    }
}
