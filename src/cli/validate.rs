//! `stridewise validate` and `stridewise schema`.

use std::path::PathBuf;

use anyhow::Result;
use serde_json::json;
use stridewise_core::catalog;
use stridewise_core::model::{self, Level};

use super::{CLEAN, ERROR, FOUND, Format};

/// Check model files and print every problem found.
///
/// Exits 0 when no file has an error (warnings are allowed), 2 when one does or cannot be
/// read.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise validate models/*.stride.json
  stridewise validate --format json orders.stride.json | jq '.[].diagnostics'")]
pub struct Args {
    /// Model files (`.stride.json`).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Rewrite model files in canonical form (sorted by id, two-space indentation), so that diffs
/// between versions stay small. Files with errors are left untouched.
#[derive(clap::Args)]
pub struct FmtArgs {
    /// Model files (`.stride.json`).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Only report files that are not canonical; exit 1 if any.
    #[arg(long)]
    check: bool,
}

/// Print the JSON Schema of the `.stride.json` format.
#[derive(clap::Args)]
pub struct SchemaArgs {}

pub fn run(args: Args) -> Result<u8> {
    let stencils = catalog::builtin_stencils();
    let mut failed = false;
    let mut reports = Vec::new();
    for path in &args.files {
        match model::load(path) {
            Ok(m) => {
                let diagnostics = model::validate(&m, stencils);
                failed |= diagnostics.iter().any(|d| d.level == Level::Error);
                match args.format {
                    Format::Text => {
                        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
                        let warnings = diagnostics.len() - errors;
                        outln!(
                            "{}: {} ({} elements, {} flows, {} boundaries; {errors} errors, {warnings} warnings)",
                            path.display(),
                            if errors == 0 { "ok" } else { "invalid" },
                            m.elements.len(),
                            m.flows.len(),
                            m.boundaries.len(),
                        );
                        for d in &diagnostics {
                            outln!("  {d}");
                        }
                    }
                    Format::Json => reports.push(json!({
                        "file": path,
                        "valid": !diagnostics.iter().any(|d| d.is_error()),
                        "diagnostics": diagnostics,
                    })),
                }
            }
            Err(err) => {
                failed = true;
                match args.format {
                    Format::Text => outln!("{}: error: {err}", path.display()),
                    Format::Json => reports.push(json!({
                        "file": path,
                        "valid": false,
                        "error": err.to_string(),
                    })),
                }
            }
        }
    }
    if args.format == Format::Json {
        outln!("{}", serde_json::to_string_pretty(&reports)?);
    }
    Ok(if failed { ERROR } else { CLEAN })
}

pub fn schema(_args: SchemaArgs) -> Result<u8> {
    out!("{}", model::json_schema());
    Ok(CLEAN)
}

pub fn fmt(args: FmtArgs) -> Result<u8> {
    let mut code = CLEAN;
    for path in &args.files {
        let original = match stridewise_core::input::read_limited(path, model::MAX_FILE_BYTES) {
            Ok(bytes) => bytes,
            Err(err) => {
                errln!("error: {err}");
                code = ERROR;
                continue;
            }
        };
        let m = match model::from_json(&original, path) {
            Ok(m) => m,
            Err(err) => {
                errln!("{}: error: {err}", path.display());
                code = ERROR;
                continue;
            }
        };
        let canonical = model::to_canonical_json(&m);
        if canonical.as_bytes() == original.as_slice() {
            continue;
        }
        if args.check {
            outln!("{}: not canonical", path.display());
            code = code.max(FOUND);
        } else {
            model::save(&m, path)?;
            outln!("{}: rewritten", path.display());
        }
    }
    Ok(code)
}
