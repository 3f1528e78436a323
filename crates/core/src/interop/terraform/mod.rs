//! Service models from Terraform (azurerm), and drift between a model and the Terraform.
//!
//! [`import_dir`] reads a root module and the local modules it calls ([`load`]), evaluates
//! what can be known without running anything ([`eval`], [`funcs`]), and maps the resources to
//! elements, flows and trust boundaries with the data in `catalog/terraform.toml`
//! ([`mapping`], [`build`]). Every imported element, flow and boundary keeps the Terraform
//! address it came from (`iac_address`), so that a later import or a drift check can match it.
//! What cannot be known statically stays symbolic and is listed in the summary, never guessed.
//!
//! Drift (a model against a fresh import, with the threats each difference changes) and
//! re-import (a three-way merge with the previous import as the ancestor) combine the import
//! with the analysis and the merge, so they are use cases of `app::terraform`.
//!
//! Nothing here runs Terraform, a provider or any other program; files are read with the
//! import size limits, and evaluation has a step budget and depth, size and instance limits.

pub mod build;
pub mod eval;
mod funcs;
pub mod load;
pub mod mapping;
pub mod value;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::model::ServiceModel;

pub use build::ServiceSummary;
pub use mapping::{Mapping, builtin_mapping};

/// Bounds on the work one import may do.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Terraform files (`.tf` and variable files) read in all.
    pub max_files: usize,
    /// Their bytes in all; one file is also held to [`crate::interop::MAX_IMPORT_BYTES`].
    pub max_total_bytes: u64,
    /// Module folders.
    pub max_modules: usize,
    /// How deep module calls nest.
    pub max_module_depth: usize,
    /// Resource and module instances in all (`count` and `for_each`).
    pub max_instances: usize,
    /// Evaluation steps.
    pub max_steps: u64,
    /// Nesting of expressions and chains of references (local -> local -> ...).
    pub max_depth: usize,
    /// Elements of one value.
    pub max_value_nodes: usize,
    /// Bytes of one string.
    pub max_string_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_files: 2_000,
            max_total_bytes: crate::interop::MAX_IMPORT_BYTES,
            max_modules: 200,
            max_module_depth: 16,
            max_instances: 10_000,
            max_steps: 20_000_000,
            max_depth: 200,
            max_value_nodes: 1_000_000,
            max_string_bytes: 1 << 20,
        }
    }
}

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Variable files, in order (later files win), read after `terraform.tfvars` and
    /// `*.auto.tfvars` of the root module, as Terraform does.
    pub var_files: Vec<PathBuf>,
    /// Import only the root module with this service name (when the folder holds several), or
    /// name the one model.
    pub service: Option<String>,
    pub limits: Limits,
}

/// Why a Terraform folder could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum TerraformError {
    #[error("cannot read '{}': {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("'{}' is not a folder", .0.display())]
    NotAFolder(PathBuf),
    /// A file could not be read (too large, not UTF-8).
    #[error("{0}")]
    Read(String),
    #[error("'{file}' is not valid HCL: {message}")]
    Syntax { file: String, message: String },
    /// A block the import needs cannot be understood.
    #[error("{loc}: {message}")]
    Module { loc: load::Loc, message: String },
    #[error("the work limit was reached: {0}")]
    Limit(String),
    #[error("reference cycle: {0}")]
    Cycle(String),
    #[error("{0}")]
    Eval(String),
    #[error("'{}' holds no Terraform root module (no .tf files in it or in its sub-folders)", .0.display())]
    NoRootModule(PathBuf),
    #[error("there is no root module for service '{service}'; the folder has: {found}")]
    NoSuchService { service: String, found: String },
    #[error(transparent)]
    Mapping(#[from] crate::catalog::CatalogError),
}

/// What one import gives: a model per root module, with what went in and what did not.
#[derive(Clone, Debug, Serialize)]
pub struct TerraformImport {
    #[serde(skip)]
    pub models: Vec<ServiceModel>,
    pub services: Vec<ServiceSummary>,
}

/// The root modules under `dir`: `dir` itself when it has `.tf` files, otherwise each
/// sub-folder (at any depth, hidden folders and `modules` folders left out) that has `.tf`
/// files and is not called as a local module by another root. Names are the relative paths.
pub fn root_modules(dir: &Path) -> Result<Vec<(String, PathBuf)>, TerraformError> {
    if load::has_tf_files(dir) {
        let name = std::fs::canonicalize(dir)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
            .unwrap_or_else(|| "terraform".into());
        return Ok(vec![(name, dir.to_path_buf())]);
    }
    let mut found = Vec::new();
    let mut queue = vec![(dir.to_path_buf(), 0usize)];
    while let Some((d, depth)) = queue.pop() {
        if depth > 6 || found.len() > 64 {
            break;
        }
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut subs: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        subs.sort();
        for s in subs {
            let name = s
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            if name.starts_with('.') || name == "modules" {
                continue;
            }
            if load::has_tf_files(&s) {
                let rel = s.strip_prefix(dir).unwrap_or(&s).display().to_string();
                found.push((rel, s));
            } else {
                queue.push((s, depth + 1));
            }
        }
    }
    found.sort();
    if found.is_empty() {
        return Err(TerraformError::NoRootModule(dir.to_path_buf()));
    }
    Ok(found)
}

/// Imports the Terraform under `dir`: one service model per root module.
///
/// Runs on a thread of its own with a large stack, so that the depth limits, not the stack,
/// bound deeply nested input.
pub fn import_dir(dir: &Path, options: &Options) -> Result<TerraformImport, TerraformError> {
    let dir = dir.to_path_buf();
    let options = options.clone();
    std::thread::Builder::new()
        .name("terraform-import".into())
        .stack_size(256 << 20)
        .spawn(move || import_dir_here(&dir, &options))
        .map_err(|source| TerraformError::Io {
            path: PathBuf::from("(thread)"),
            source,
        })?
        .join()
        .unwrap_or_else(|_| {
            Err(TerraformError::Eval(
                "the import failed unexpectedly".into(),
            ))
        })
}

fn import_dir_here(dir: &Path, options: &Options) -> Result<TerraformImport, TerraformError> {
    let mapping = builtin_mapping();
    let mut roots = root_modules(dir)?;
    if roots.len() == 1
        && let Some(s) = &options.service
    {
        roots[0].0 = s.clone();
    } else if let Some(s) = &options.service {
        let names: Vec<String> = roots.iter().map(|(n, _)| n.clone()).collect();
        roots.retain(|(n, _)| n == s || n.rsplit('/').next() == Some(s.as_str()));
        if roots.is_empty() {
            return Err(TerraformError::NoSuchService {
                service: s.clone(),
                found: names.join(", "),
            });
        }
        roots.truncate(1);
        roots[0].0 = s.clone();
    }
    let mut out = TerraformImport {
        models: Vec::new(),
        services: Vec::new(),
    };
    for (name, root) in roots {
        let (model, summary) = import_root(&root, &name, options, mapping)?;
        out.models.push(model);
        out.services.push(summary);
    }
    Ok(out)
}

/// Imports one root module as the service `name`.
pub fn import_root(
    root: &Path,
    name: &str,
    options: &Options,
    mapping: &Mapping,
) -> Result<(ServiceModel, ServiceSummary), TerraformError> {
    let limits = &options.limits;
    let mut config = load::load(root, limits)?;
    // Variable files: terraform.tfvars, *.auto.tfvars, then the ones given, in order.
    let mut var_files: Vec<PathBuf> = Vec::new();
    let auto = root.join("terraform.tfvars");
    if auto.is_file() {
        var_files.push(auto);
    }
    if let Ok(rd) = std::fs::read_dir(root) {
        let mut autos: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with(".auto.tfvars"))
            .collect();
        autos.sort();
        var_files.extend(autos);
    }
    var_files.extend(options.var_files.iter().cloned());
    let mut raw_vars = Vec::new();
    for f in &var_files {
        raw_vars.extend(load::read_var_file(f, limits, &mut config)?);
    }
    let root_shown = root.display().to_string();
    let mut undeclared = Vec::new();
    let root_vars = {
        let mut ev = eval::Evaluator::new(&config, limits, BTreeMap::new(), root_shown.clone());
        let mut vars = BTreeMap::new();
        for (n, e, loc) in &raw_vars {
            if !config.modules[0].variables.contains_key(n) {
                undeclared.push(format!(
                    "{loc}: variable '{n}' is not declared by the root module; ignored"
                ));
                continue;
            }
            let v = match ev.literal(e) {
                Ok(v) => v,
                Err(eval::Fail::Hard(e)) => return Err(e),
                Err(eval::Fail::Soft(m)) => {
                    return Err(TerraformError::Eval(format!("{loc}: variable '{n}': {m}")));
                }
            };
            vars.insert(n.clone(), v);
        }
        vars
    };
    let ev = eval::Evaluator::new(&config, limits, root_vars, root_shown);
    let (resources, findings) = ev.run()?;
    let (model, mut summary) = build::build(name, &resources, mapping);
    summary.root = root.display().to_string();
    summary.var_files = var_files.iter().map(|p| p.display().to_string()).collect();
    summary.symbolic.extend(findings.symbolic);
    summary.problems.extend(findings.problems);
    summary.problems.extend(undeclared);
    summary
        .not_read
        .extend(findings.remote_modules.into_iter().map(|m| {
        format!(
            "{m}: modules from registries or remote sources are not read; their outputs are unknown"
        )
    }));
    for m in &config.modules {
        for (f, why) in &m.skipped {
            summary.not_read.push(format!("{f}: {why}"));
        }
    }
    summary.files = config.files;
    summary.steps = findings.steps;
    Ok((model, summary))
}
