//! `stridewise drift MODEL --terraform DIR`: how a model and its Terraform differ.

use std::path::PathBuf;

use anyhow::{Context, Result};
use stridewise_core::app::terraform::drift_dir;
use stridewise_core::catalog::Catalog;
use stridewise_core::interop::terraform::Options;
use stridewise_core::model;

use super::{CLEAN, FOUND};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DriftFormat {
    #[default]
    Text,
    Json,
    Sarif,
}

/// Compare a model with the Terraform it describes: resources the model lacks, objects whose
/// Terraform address no longer exists, and properties that differ, with the threats each
/// difference opens or closes.
///
/// Exits 0 without drift, 1 with drift, 2 on error.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise drift app.stride.json --terraform infra/ --var-file prod.tfvars
  stridewise drift app.stride.json --terraform infra/ --format sarif > drift.sarif")]
pub struct Args {
    /// The model to check.
    #[arg(value_name = "MODEL")]
    model: PathBuf,
    /// The Terraform folder it describes.
    #[arg(long, value_name = "DIR")]
    terraform: PathBuf,
    /// A Terraform variable file; repeat for several.
    #[arg(long = "var-file", value_name = "F")]
    var_files: Vec<PathBuf>,
    /// The root module to compare with, when the folder holds several (default: the one named
    /// like the model).
    #[arg(long, value_name = "NAME")]
    service: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    format: DriftFormat,
}

pub fn run(args: Args) -> Result<u8> {
    let model = model::load(&args.model)
        .with_context(|| format!("cannot read '{}'", args.model.display()))?;
    let options = Options {
        var_files: args.var_files,
        service: args.service,
        ..Options::default()
    };
    let drift = drift_dir(&model, &args.terraform, &options, Catalog::builtin())
        .with_context(|| format!("cannot import '{}'", args.terraform.display()))?;
    match args.format {
        DriftFormat::Text => super::print(&drift.to_text())?,
        DriftFormat::Json => super::write_json(&drift)?,
        DriftFormat::Sarif => super::print(
            &drift.to_sarif(&args.model.display().to_string(), env!("CARGO_PKG_VERSION")),
        )?,
    }
    Ok(if drift.is_empty() { CLEAN } else { FOUND })
}
