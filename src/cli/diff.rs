//! `stridewise diff`: what changed between two model files, by id and field.

use std::path::PathBuf;

use anyhow::{Context, Result};
use stridewise_core::app::models as merge;
use stridewise_core::model;

use super::{CLEAN, FOUND, Format};

/// Show what changed between two models, by id and field.
///
/// Lists elements, flows and trust boundaries added, removed or changed (field by field),
/// elements moved between boundaries, triage changes, and apart from those, layout-only
/// changes.
///
/// Exits 0 when the models are the same, 1 when they differ, 2 on error.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise diff old/orders.stride.json orders.stride.json
  stridewise diff --format json a.stride.json b.stride.json | jq '.elements.changed'")]
pub struct Args {
    /// The old model.
    #[arg(value_name = "A")]
    a: PathBuf,
    /// The new model.
    #[arg(value_name = "B")]
    b: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub fn run(args: Args) -> Result<u8> {
    let a = model::load(&args.a).context("cannot diff")?;
    let b = model::load(&args.b).context("cannot diff")?;
    let d = merge::diff(&a, &b);
    match args.format {
        Format::Text => out!("{}", merge::diff_text(&d)),
        Format::Json => outln!("{}", serde_json::to_string_pretty(&d)?),
    }
    Ok(if d.is_empty() { CLEAN } else { FOUND })
}
