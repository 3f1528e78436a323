//! `stridewise check`: the security gate for CI/CD pipelines.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use stridewise_core::app::gate::{self, FailOn};
use stridewise_core::interop::terraform::Options;
use stridewise_core::report::finding_status;

use super::report::Inputs;
use super::{CLEAN, FOUND};

/// Fail a pipeline while threats at or above a severity are still `open` or
/// `needs_investigation`, or while the models have drifted from the Terraform they describe.
/// A model with unresolved merge conflicts fails it too (its threats come from values nobody
/// chose; decide them with `stridewise resolve`), unless `--allow-conflicts` is given.
///
/// Exits 1 when the gate fails, 0 when it passes, 2 on error. Prints a short summary, the
/// threats that block and the drift.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise check models/*.stride.json --fail-on high
  stridewise check payments.stride.json --fail-on critical || echo 'threat review needed'
  stridewise check app.stride.json --fail-on high,drift --terraform infra/ --var-file prod.tfvars")]
pub struct Args {
    #[command(flatten)]
    inputs: Inputs,
    /// What fails the check: a severity (low, medium, high, critical: unresolved threats at or
    /// above it), `drift` (the models differ from the Terraform given with --terraform), or
    /// both, e.g. `high,drift`.
    #[arg(long, value_name = "WHAT", value_parser = FailOn::parse)]
    fail_on: FailOn,
    /// The Terraform folder the models describe, for `--fail-on drift` (each model is compared
    /// with the root module named like it when the folder holds several).
    #[arg(long, value_name = "DIR")]
    terraform: Option<PathBuf>,
    /// A Terraform variable file; repeat for several.
    #[arg(long = "var-file", value_name = "F", requires = "terraform")]
    var_files: Vec<PathBuf>,
    /// Let the check pass while models have unresolved merge conflicts (they are still listed).
    #[arg(long)]
    allow_conflicts: bool,
}

pub fn run(args: Args) -> Result<u8> {
    match (&args.terraform, args.fail_on.drift) {
        (None, true) => bail!("--fail-on drift needs --terraform DIR"),
        (Some(_), false) => bail!("--terraform is only read with --fail-on ...,drift"),
        _ => {}
    }
    let catalog = args.inputs.catalog()?;
    // With `--workspace`, the threats that only the application model shows count too.
    let parts = args.inputs.read(&catalog)?;
    let (sections, application) = (parts.models, parts.application);
    let options = Options {
        var_files: args.var_files.clone(),
        ..Options::default()
    };
    let terraform = args.terraform.as_deref().map(|d| (d, &options));
    let outcome = gate::check(
        &sections,
        application.as_ref(),
        args.fail_on,
        args.allow_conflicts,
        terraform,
        &catalog,
    )
    .context("cannot compare the models with the Terraform")?;
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
    for d in outcome.drifted() {
        text.push_str(&d.to_text());
    }
    for (name, n) in &outcome.conflicts {
        text.push_str(&format!(
            "  conflicts: '{name}' has {n} unresolved merge conflict{} (stridewise resolve)\n",
            if *n == 1 { "" } else { "s" }
        ));
    }
    let drifted = outcome.drifted().count();
    let mut verdict = Vec::new();
    if let Some(sev) = args.fail_on.severity {
        verdict.push(match outcome.blocking.len() {
            0 => format!("no unresolved threat at {sev} or above"),
            1 => format!("1 unresolved threat at {sev} or above"),
            n => format!("{n} unresolved threats at {sev} or above"),
        });
    }
    if args.fail_on.drift {
        verdict.push(match drifted {
            0 => "no drift from the Terraform".to_string(),
            n => format!(
                "{n} of {} models drifted from the Terraform",
                sections.len()
            ),
        });
    }
    if !outcome.conflicts.is_empty() {
        let n: usize = outcome.conflicts.iter().map(|(_, n)| n).sum();
        verdict.push(format!(
            "{n} unresolved merge conflict{}{}",
            if n == 1 { "" } else { "s" },
            if args.allow_conflicts {
                " (allowed)"
            } else {
                ""
            }
        ));
    }
    let passed = outcome.passed();
    text.push_str(&format!(
        "{}: {}\n",
        if passed { "passed" } else { "failed" },
        verdict.join("; ")
    ));
    let code = if passed { CLEAN } else { FOUND };
    super::print(&text)?;
    Ok(code)
}
