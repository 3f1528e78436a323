//! The threat exports of `stridewise export`: CSV for issue trackers and SARIF 2.1.0 for
//! code-scanning dashboards. `export.rs` parses the arguments and dispatches here.

use anyhow::Result;
use stridewise_core::report::{self, ReportInput, SarifTool};

use super::report::{Filters, Inputs};

/// The report input an export works from: the models and the filters, no cover data.
fn input(inputs: &Inputs, filters: &Filters) -> Result<ReportInput> {
    let catalog = inputs.catalog()?;
    // With `--workspace`, the threats that only the application model shows are exported too.
    let parts = inputs.read(&catalog)?;
    Ok(ReportInput {
        title: String::new(),
        generated_at: String::new(),
        authors: Vec::new(),
        reviewers: Vec::new(),
        models: parts.models,
        application: parts.application,
        reviews: Vec::new(),
        options: filters.options(),
    })
}

/// One row per threat: title, description, severity, status, owner, element, stride,
/// mitigations, key.
pub fn csv(inputs: &Inputs, filters: &Filters) -> Result<String> {
    Ok(report::to_csv(&input(inputs, filters)?))
}

/// A SARIF 2.1.0 log: the catalog's rules and one result per threat.
pub fn sarif(inputs: &Inputs, filters: &Filters) -> Result<String> {
    let catalog = inputs.catalog()?;
    let input = input(inputs, filters)?;
    let rules = report::rules_from_catalog(&catalog);
    let tool = SarifTool {
        name: "Stridewise".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    Ok(report::to_sarif(&input, &rules, &tool))
}
