//! `stridewise import`: models from other tools, written as native `.stride.json` files.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use stridewise_core::catalog;
use stridewise_core::interop::{self, SourceFormat};
use stridewise_core::model::{self, ServiceModel};

use super::{CLEAN, ERROR};

/// Which importer to use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFormat {
    /// Tell from the file's content and name.
    #[default]
    Auto,
    /// OWASP Threat Dragon v2 JSON.
    ThreatDragon,
    /// Microsoft Threat Modeling Tool `.tm7`.
    Tmt,
    /// Threagile YAML (`includes:` are followed).
    Threagile,
    /// A Terraform (azurerm) folder: one model per root module.
    Terraform,
}

/// Import a threat model from Threat Dragon, the Microsoft Threat Modeling Tool or Threagile.
///
/// Writes one native model per diagram and prints what was taken in and everything that could
/// not be mapped, with the reason. Importing the same file twice gives the same bytes.
///
/// Output names: with one model, `-o` is the file to write (default: the input's name with
/// `.stride.json`, in the current directory). With several, each model gets a suffix from its
/// diagram's name (`OUT-<diagram>.stride.json`); when `-o` is a directory (existing, or ending
/// in `/`), files are named `<diagram>.stride.json` inside it.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
  stridewise import demo.json -o demo.stride.json
  stridewise import model.tm7 -o imported/
  stridewise import --format threagile main.yaml
  stridewise import infra/ --format terraform --var-file prod.tfvars -o models/
  stridewise import infra/ --format terraform --into app.stride.json --base app.import.stride.json
  stridewise import infra/ --format terraform --workspace shop.stridewise --app shop --base infra/app.import.stride.json")]
pub struct Args {
    /// The file to import (a folder with --format terraform).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Where to write the model(s): a file, or a directory.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// The source format.
    #[arg(long, value_enum, default_value_t)]
    format: ImportFormat,
    #[command(flatten)]
    terraform: super::import_terraform::TerraformArgs,
}

pub fn run(args: Args) -> Result<u8> {
    if args.format == ImportFormat::Terraform {
        return super::import_terraform::run(&args.file, args.output.as_deref(), &args.terraform);
    }
    args.terraform.refuse_without_terraform()?;
    let format = match args.format {
        ImportFormat::Auto => None,
        ImportFormat::ThreatDragon => Some(SourceFormat::ThreatDragon),
        ImportFormat::Tmt => Some(SourceFormat::Tmt),
        ImportFormat::Threagile => Some(SourceFormat::Threagile),
        ImportFormat::Terraform => unreachable!("handled above"),
    };
    let (models, report) = interop::import_file(&args.file, format, catalog::builtin_stencils())?;
    if models.is_empty() {
        for u in &report.unmapped {
            eprintln!("  not mapped: {u}");
        }
        bail!(
            "'{}' holds no diagram; nothing was written",
            args.file.display()
        );
    }
    let paths = output_paths(&args.file, args.output.as_deref(), &models);
    let stencils = catalog::builtin_stencils();
    let mut code = CLEAN;
    println!(
        "{}: {}",
        args.file.display(),
        report.format.map(|f| f.label()).unwrap_or("?")
    );
    for ((m, path), summary) in models.iter().zip(&paths).zip(&report.models) {
        let diagnostics = model::validate(m, stencils);
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create directory '{}'", dir.display()))?;
        }
        model::save(m, path).with_context(|| format!("cannot write '{}'", path.display()))?;
        println!(
            "  {} -> {}: {} elements, {} flows, {} boundaries, {} threats{}",
            m.name,
            path.display(),
            summary.elements,
            summary.flows,
            summary.boundaries,
            summary.threats,
            if errors > 0 {
                format!(" ({errors} validation errors)")
            } else {
                String::new()
            }
        );
        for d in diagnostics.iter().filter(|d| d.is_error()) {
            println!("    {d}");
            code = ERROR;
        }
    }
    for note in &report.notes {
        println!("  note: {note}");
    }
    if !report.unmapped.is_empty() {
        println!("  not mapped ({}):", report.unmapped.len());
        for u in &report.unmapped {
            println!("    {u}");
        }
    }
    Ok(code)
}

/// File names for the imported models; see [`Args`].
pub(super) fn output_paths(
    input: &Path,
    output: Option<&Path>,
    models: &[ServiceModel],
) -> Vec<PathBuf> {
    let is_dir =
        output.is_some_and(|o| o.is_dir() || o.as_os_str().to_string_lossy().ends_with('/'));
    let mut used = std::collections::HashSet::new();
    let mut unique = |slug: String| {
        let mut candidate = slug.clone();
        let mut n = 2;
        while !used.insert(candidate.clone()) {
            candidate = format!("{slug}-{n}");
            n += 1;
        }
        candidate
    };
    let input_stem = input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .map(|n| strip_extension(&n))
        .unwrap_or_else(|| "model".into());
    models
        .iter()
        .map(|m| match (output, is_dir, models.len()) {
            (Some(dir), true, _) => dir.join(format!("{}.stride.json", unique(slug(&m.name)))),
            (Some(file), false, 1) => file.to_path_buf(),
            (Some(file), false, _) => {
                let name = file
                    .file_name()
                    .map(|n| strip_extension(&n.to_string_lossy()))
                    .unwrap_or_else(|| input_stem.clone());
                file.with_file_name(format!("{name}-{}.stride.json", unique(slug(&m.name))))
            }
            (None, _, 1) => PathBuf::from(format!("{input_stem}.stride.json")),
            (None, _, _) => PathBuf::from(format!(
                "{input_stem}-{}.stride.json",
                unique(slug(&m.name))
            )),
        })
        .collect()
}

fn strip_extension(name: &str) -> String {
    for ext in [".stride.json", ".json", ".tm7", ".yaml", ".yml"] {
        if let Some(stem) = name.strip_suffix(ext) {
            return stem.to_string();
        }
    }
    name.rsplit_once('.').map_or(name, |(s, _)| s).to_string()
}

/// A file-name-safe form of a name: lower-case letters, digits and dashes.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "model".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_suffixes() {
        assert_eq!(slug("Main Request  Data-Flow!"), "main-request-data-flow");
        assert_eq!(slug("!!"), "model");
        assert_eq!(strip_extension("out.stride.json"), "out");
        let models = vec![ServiceModel::new("A b"), ServiceModel::new("A b")];
        let paths = output_paths(
            Path::new("x.json"),
            Some(Path::new("o/out.stride.json")),
            &models,
        );
        assert_eq!(
            paths,
            vec![
                PathBuf::from("o/out-a-b.stride.json"),
                PathBuf::from("o/out-a-b-2.stride.json")
            ]
        );
        let paths = output_paths(Path::new("x.json"), Some(Path::new("dir/")), &models[..1]);
        assert_eq!(paths, vec![PathBuf::from("dir/a-b.stride.json")]);
    }
}
