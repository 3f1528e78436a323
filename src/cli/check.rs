//! `stridewise check`: the security gate for CI/CD pipelines.

use anyhow::Result;
use stridewise_core::model::Severity;
use stridewise_core::report::{self, finding_status};

use super::report::{Inputs, parse_severity};
use super::{CLEAN, FOUND};

/// Fail a pipeline while threats at or above a severity are still `open` or
/// `needs_investigation`.
///
/// Exits 1 when such a threat exists, 0 when none does, 2 on error. Prints a short summary
/// and the threats that block.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise check models/*.stride.json --fail-on high
  stridewise check payments.stride.json --fail-on critical || echo 'threat review needed'")]
pub struct Args {
    #[command(flatten)]
    inputs: Inputs,
    /// The lowest severity that fails the check: low, medium, high or critical.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Severity,
}

pub fn run(args: Args) -> Result<u8> {
    let catalog = args.inputs.catalog()?;
    let sections = args.inputs.sections(&catalog)?;
    // With `--workspace`, the threats that only the application model shows count too.
    let application = args.inputs.application(&sections, &catalog);
    let findings = sections
        .iter()
        .chain(application.iter())
        .flat_map(|s| s.findings.iter());
    let outcome = report::check(findings, args.fail_on);
    let s = &outcome.summary;
    let mut text = String::new();
    let by_severity: Vec<String> = s
        .unresolved_by_severity
        .iter()
        .map(|(sev, n)| format!("{n} {sev}"))
        .collect();
    text.push_str(&format!(
        "{} model{}: {} threats, {} unresolved ({})\n",
        sections.len(),
        if sections.len() == 1 { "" } else { "s" },
        s.total,
        s.unresolved,
        by_severity.join(", ")
    ));
    for f in &outcome.blocking {
        text.push_str(&format!(
            "  {:<8} {:<20} {} [{}] {}\n",
            f.severity.as_str(),
            finding_status(f.status),
            f.subject.name,
            f.rule,
            f.title
        ));
    }
    let code = if outcome.passed() {
        text.push_str(&format!(
            "passed: no unresolved threat at {} or above\n",
            args.fail_on
        ));
        CLEAN
    } else {
        text.push_str(&format!(
            "failed: {} unresolved threat{} at {} or above\n",
            outcome.blocking.len(),
            if outcome.blocking.len() == 1 { "" } else { "s" },
            args.fail_on
        ));
        FOUND
    };
    super::print(&text)?;
    Ok(code)
}
