//! Reading a Terraform configuration: the root module's `.tf` files, the local modules it
//! calls (`source = "./..."`), and variable files, parsed with hcl-rs (through hcl-edit, which
//! keeps the byte spans that give line numbers and refuses nesting deeper than 64 levels).
//!
//! Only reading happens here; nothing is evaluated. Limits bound the work on hostile input:
//! file sizes, the number of files and module folders, and how deep modules nest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hcl::edit::Span;
use hcl::{Body, Expression, Structure};

use super::{Limits, TerraformError};
use crate::interop::{as_text, read_source};

/// Where something is written: a file (as shown to people) and a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    pub file: Arc<str>,
    pub line: usize,
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// `resource` or `data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    Managed,
    Data,
}

/// A `resource` or `data` block.
#[derive(Clone, Debug)]
pub struct ResourceDecl {
    pub mode: Mode,
    pub ty: String,
    pub name: String,
    pub body: Body,
    pub loc: Loc,
}

impl ResourceDecl {
    /// `azurerm_key_vault.main` or `data.azurerm_key_vault.main`.
    pub fn local_address(&self) -> String {
        match self.mode {
            Mode::Managed => format!("{}.{}", self.ty, self.name),
            Mode::Data => format!("data.{}.{}", self.ty, self.name),
        }
    }
}

/// A `module` block.
#[derive(Clone, Debug)]
pub struct ModuleCall {
    pub name: String,
    pub source: String,
    pub body: Body,
    pub loc: Loc,
    /// The loaded module, for local sources.
    pub child: Option<usize>,
}

/// A `variable` block.
#[derive(Clone, Debug)]
pub struct VariableDecl {
    pub default: Option<Expression>,
    pub loc: Loc,
}

/// One module folder, parsed.
#[derive(Clone, Debug, Default)]
pub struct Module {
    /// The folder as shown to people (relative to the imported folder when inside it).
    pub shown: String,
    pub variables: BTreeMap<String, VariableDecl>,
    pub locals: BTreeMap<String, (Expression, Loc)>,
    pub resources: Vec<ResourceDecl>,
    pub calls: Vec<ModuleCall>,
    pub outputs: BTreeMap<String, (Expression, Loc)>,
    /// Files found but not read, with the reason.
    pub skipped: Vec<(String, String)>,
}

/// The root module and every local module it calls, transitively. Index 0 is the root.
#[derive(Debug, Default)]
pub struct Config {
    pub modules: Vec<Module>,
    pub bytes: u64,
    pub files: usize,
}

/// Whether a folder holds Terraform files.
pub fn has_tf_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|rd| {
        rd.flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "tf") && e.path().is_file())
    })
}

/// Reads the root module in `dir` and the local modules it calls.
pub fn load(dir: &Path, limits: &Limits) -> Result<Config, TerraformError> {
    let mut config = Config::default();
    let mut by_path: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let root = canonical(dir)?;
    let mut queue: Vec<(PathBuf, usize)> = vec![(root.clone(), 0)];
    by_path.insert(root.clone(), 0);
    config.modules.push(Module::default());
    while let Some((path, index)) = queue.pop() {
        let mut module = read_module(&path, &root, limits, &mut config)?;
        for call in &mut module.calls {
            if !is_local(&call.source) {
                continue;
            }
            let target = path.join(&call.source);
            let target = canonical(&target).map_err(|_| TerraformError::Module {
                loc: call.loc.clone(),
                message: format!(
                    "module '{}': local source '{}' is not a folder",
                    call.name, call.source
                ),
            })?;
            let child = match by_path.get(&target) {
                Some(i) => *i,
                None => {
                    if config.modules.len() >= limits.max_modules {
                        return Err(TerraformError::Limit(format!(
                            "more than {} module folders",
                            limits.max_modules
                        )));
                    }
                    let i = config.modules.len();
                    config.modules.push(Module::default());
                    by_path.insert(target.clone(), i);
                    queue.push((target, i));
                    i
                }
            };
            call.child = Some(child);
        }
        config.modules[index] = module;
    }
    Ok(config)
}

fn is_local(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../")
}

fn canonical(dir: &Path) -> Result<PathBuf, TerraformError> {
    let path = std::fs::canonicalize(dir).map_err(|source| TerraformError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    if !path.is_dir() {
        return Err(TerraformError::NotAFolder(dir.to_path_buf()));
    }
    Ok(path)
}

fn shown(path: &Path, root: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".into(),
        Ok(rel) => rel.display().to_string(),
        Err(_) => path.display().to_string(),
    }
}

fn read_module(
    dir: &Path,
    root: &Path,
    limits: &Limits,
    config: &mut Config,
) -> Result<Module, TerraformError> {
    let mut module = Module {
        shown: shown(dir, root),
        ..Module::default()
    };
    let io = |source| TerraformError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    files.sort();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if !path.is_file() {
            continue;
        }
        if name.ends_with(".tf.json") {
            module.skipped.push((
                shown(&path, root),
                "JSON configuration files are not read".into(),
            ));
            continue;
        }
        if !name.ends_with(".tf") {
            continue;
        }
        if name == "override.tf" || name.ends_with("_override.tf") {
            module.skipped.push((
                shown(&path, root),
                "override files are not merged; the resources are read without them".into(),
            ));
            continue;
        }
        let shown_file: Arc<str> = shown(&path, root).into();
        let body = read_hcl(&path, &shown_file, limits, config)?;
        collect(&mut module, body, &shown_file)?;
    }
    Ok(module)
}

/// Reads and parses one HCL file, counting it against the limits. Returns the top-level
/// structures with the line each starts at.
pub fn read_hcl(
    path: &Path,
    shown: &Arc<str>,
    limits: &Limits,
    config: &mut Config,
) -> Result<Vec<(Structure, usize)>, TerraformError> {
    config.files += 1;
    if config.files > limits.max_files {
        return Err(TerraformError::Limit(format!(
            "more than {} Terraform files",
            limits.max_files
        )));
    }
    let bytes = read_source(path).map_err(|e| TerraformError::Read(e.to_string()))?;
    config.bytes += bytes.len() as u64;
    if config.bytes > limits.max_total_bytes {
        return Err(TerraformError::Limit(format!(
            "the files add up to more than {} bytes",
            limits.max_total_bytes
        )));
    }
    let text = as_text(&bytes, shown).map_err(|e| TerraformError::Read(e.to_string()))?;
    parse_hcl(text, shown)
}

/// Parses HCL text into top-level structures with their line numbers.
pub fn parse_hcl(text: &str, shown: &str) -> Result<Vec<(Structure, usize)>, TerraformError> {
    let edit = hcl::edit::parser::parse_body(text).map_err(|e| TerraformError::Syntax {
        file: shown.to_string(),
        message: e.to_string(),
    })?;
    let lines: Vec<usize> = edit
        .iter()
        .map(|s| {
            s.span()
                .map(|r| crate::catalog::line_column(text, r.start).0)
                .unwrap_or(0)
        })
        .collect();
    let body: Body = edit.into();
    Ok(body.into_iter().zip(lines).collect())
}

fn label(block: &hcl::Block, i: usize) -> Option<&str> {
    block.labels.get(i).map(|l| l.as_str())
}

fn collect(
    module: &mut Module,
    body: Vec<(Structure, usize)>,
    file: &Arc<str>,
) -> Result<(), TerraformError> {
    for (structure, line) in body {
        let loc = Loc {
            file: file.clone(),
            line,
        };
        let Structure::Block(block) = structure else {
            continue;
        };
        let bad = |what: &str| TerraformError::Module {
            loc: loc.clone(),
            message: format!("a {what} block needs its labels"),
        };
        match block.identifier.as_str() {
            "variable" => {
                let name = label(&block, 0).ok_or_else(|| bad("variable"))?.to_string();
                let default = block
                    .body
                    .attributes()
                    .find_map(|a| (a.key.as_str() == "default").then(|| a.expr.clone()));
                module.variables.insert(name, VariableDecl { default, loc });
            }
            "locals" => {
                for a in block.body.attributes() {
                    module
                        .locals
                        .insert(a.key.to_string(), (a.expr.clone(), loc.clone()));
                }
            }
            "output" => {
                let name = label(&block, 0).ok_or_else(|| bad("output"))?.to_string();
                if let Some(a) = block.body.attributes().find(|a| a.key.as_str() == "value") {
                    module.outputs.insert(name, (a.expr.clone(), loc));
                }
            }
            kind @ ("resource" | "data") => {
                let (Some(ty), Some(name)) = (label(&block, 0), label(&block, 1)) else {
                    return Err(bad(kind));
                };
                module.resources.push(ResourceDecl {
                    mode: if kind == "data" {
                        Mode::Data
                    } else {
                        Mode::Managed
                    },
                    ty: ty.to_string(),
                    name: name.to_string(),
                    body: block.body.clone(),
                    loc,
                });
            }
            "module" => {
                let name = label(&block, 0).ok_or_else(|| bad("module"))?.to_string();
                let source = block
                    .body
                    .attributes()
                    .find(|a| a.key.as_str() == "source")
                    .and_then(|a| match &a.expr {
                        Expression::String(s) => Some(s.clone()),
                        _ => None,
                    })
                    .ok_or_else(|| TerraformError::Module {
                        loc: loc.clone(),
                        message: format!("module '{name}' has no literal 'source'"),
                    })?;
                module.calls.push(ModuleCall {
                    name,
                    source,
                    body: block.body.clone(),
                    loc,
                    child: None,
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// Reads a variable file: `name = value` lines.
pub fn read_var_file(
    path: &Path,
    limits: &Limits,
    config: &mut Config,
) -> Result<Vec<(String, Expression, Loc)>, TerraformError> {
    let shown: Arc<str> = path.display().to_string().into();
    let body = read_hcl(path, &shown, limits, config)?;
    let mut out = Vec::new();
    for (s, line) in body {
        if let Structure::Attribute(a) = s {
            out.push((
                a.key.to_string(),
                a.expr,
                Loc {
                    file: shown.clone(),
                    line,
                },
            ));
        }
    }
    Ok(out)
}
