//! The labelled quality benchmark (`bench/quality/`) and its scorer.
//!
//! A benchmark is a folder of pairs. Each pair is a weak and a hardened variant of one small
//! architecture (`weak.stride.json` and `hardened.stride.json`, or `weak/` and `hardened/`
//! folders of service models that are consolidated into one application model) with an
//! `expected.json` written by a person from the source document ([`expect`]). An optional
//! `always.json` holds precision expectations for every model.
//!
//! [`load`] reads a benchmark (IO); [`score`] is pure: models, catalog and expectations in,
//! recall, precision violations, hardening violations, repeats, threats per flow and criticals
//! out ([`score`] module documentation has the definitions). [`check`] finds problems with the
//! benchmark itself, such as hardening steps that do not give the hardened model.
//! `stridewise catalog score` prints the scorecard; `tests/quality.rs` holds the targets.

pub mod expect;
pub mod hardening;
pub mod score;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::model::{self, ServiceModel};

pub use expect::{
    Always, Ceiling, Edit, EditOp, Expected, MustNot, Step, ThreatExpectation, Variant,
};
pub use hardening::{EditError, apply_steps};
pub use score::{Scorecard, score};

/// A benchmark: its pairs in folder-name order, and the expectations that hold everywhere.
#[derive(Clone, Debug)]
pub struct Bench {
    pub dir: PathBuf,
    pub pairs: Vec<Pair>,
    pub always: Vec<MustNot>,
}

/// One weak/hardened pair.
#[derive(Clone, Debug)]
pub struct Pair {
    /// The folder's name.
    pub name: String,
    pub dir: PathBuf,
    pub expected: Expected,
    /// One model, or the services of an application (in file-name order).
    pub weak: Vec<ServiceModel>,
    pub hardened: Vec<ServiceModel>,
}

impl Pair {
    pub fn models(&self, variant: Variant) -> &[ServiceModel] {
        match variant {
            Variant::Weak => &self.weak,
            Variant::Hardened => &self.hardened,
        }
    }

    /// The name of the application a pair of several services is consolidated into.
    pub fn application(&self) -> String {
        (self.expected.application.clone()).unwrap_or_else(|| self.name.clone())
    }
}

/// Why a benchmark could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("cannot read '{path}': {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An expectation file is not JSON or does not follow its schema.
    #[error("'{path}' line {line}, column {column}: {message}")]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(transparent)]
    Model(#[from] model::LoadError),
    /// The folder does not have the expected layout.
    #[error("'{path}': {message}")]
    Layout { path: PathBuf, message: String },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> BenchError + '_ {
    move |source| BenchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, BenchError> {
    let text = std::fs::read_to_string(path).map_err(io_error(path))?;
    serde_json::from_str(&text).map_err(|e| BenchError::Json {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, BenchError> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error(dir))? {
        paths.push(entry.map_err(io_error(dir))?.path());
    }
    paths.sort();
    Ok(paths)
}

/// The models of one variant: `<variant>.stride.json`, or every `.stride.json` in `<variant>/`.
fn load_variant(dir: &Path, variant: Variant) -> Result<Vec<ServiceModel>, BenchError> {
    let file = dir.join(format!("{}.stride.json", variant.as_str()));
    let folder = dir.join(variant.as_str());
    match (file.is_file(), folder.is_dir()) {
        (true, false) => Ok(vec![model::load(&file)?]),
        (false, true) => {
            let files: Vec<PathBuf> = (sorted_entries(&folder)?.into_iter())
                .filter(|p| p.to_string_lossy().ends_with(".stride.json"))
                .collect();
            if files.is_empty() {
                return Err(BenchError::Layout {
                    path: folder,
                    message: "holds no .stride.json model".into(),
                });
            }
            files.iter().map(|p| Ok(model::load(p)?)).collect()
        }
        (true, true) => Err(BenchError::Layout {
            path: dir.to_path_buf(),
            message: format!(
                "has both {0}.stride.json and {0}/; keep one",
                variant.as_str()
            ),
        }),
        (false, false) => Err(BenchError::Layout {
            path: dir.to_path_buf(),
            message: format!(
                "has neither {0}.stride.json nor a {0}/ folder of service models",
                variant.as_str()
            ),
        }),
    }
}

/// Reads the benchmark in `dir`: every sub-folder with an `expected.json` is a pair.
pub fn load(dir: &Path) -> Result<Bench, BenchError> {
    let mut pairs = Vec::new();
    for path in sorted_entries(dir)? {
        let expected_path = path.join("expected.json");
        if !path.is_dir() || !expected_path.is_file() {
            continue;
        }
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        pairs.push(Pair {
            expected: read_json(&expected_path)?,
            weak: load_variant(&path, Variant::Weak)?,
            hardened: load_variant(&path, Variant::Hardened)?,
            name,
            dir: path,
        });
    }
    if pairs.is_empty() {
        return Err(BenchError::Layout {
            path: dir.to_path_buf(),
            message: "holds no pair (a folder with an expected.json)".into(),
        });
    }
    let always_path = dir.join("always.json");
    let always = if always_path.is_file() {
        read_json::<Always>(&always_path)?.must_not
    } else {
        Vec::new()
    };
    Ok(Bench {
        dir: dir.to_path_buf(),
        pairs,
        always,
    })
}

/// The first line where two texts differ, for a message.
fn first_difference(a: &str, b: &str) -> String {
    let (mut la, mut lb) = (a.lines(), b.lines());
    for n in 1.. {
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (None, None) => break,
            (x, y) => {
                return format!(
                    "line {n}: steps give {:?}, the file has {:?}",
                    x.unwrap_or("<end>").trim(),
                    y.unwrap_or("<end>").trim()
                );
            }
        }
    }
    "no difference".into()
}

/// Problems with the benchmark itself: invalid models, duplicate ids, hardening steps that
/// fail or do not give the hardened models. Names in expectations are checked by [`score`],
/// against the models as analysed.
pub fn check(bench: &Bench, catalog: &Catalog) -> Vec<String> {
    let mut problems = Vec::new();
    for pair in &bench.pairs {
        let p = &pair.name;
        for v in Variant::BOTH {
            for m in pair.models(v) {
                for d in model::validate(m, &catalog.stencils) {
                    problems.push(format!("{p} ({}): model '{}': {d}", v.as_str(), m.name));
                }
            }
            let names: BTreeSet<&str> = pair.models(v).iter().map(|m| m.name.as_str()).collect();
            if names.len() != pair.models(v).len() {
                problems.push(format!(
                    "{p} ({}): two service models share a name",
                    v.as_str()
                ));
            }
        }
        let mut ids = BTreeSet::new();
        for id in (pair.expected.threats.iter().map(|e| &e.id))
            .chain(pair.expected.must_not.iter().map(|m| &m.id))
            .chain(pair.expected.hardening.iter().map(|s| &s.id))
        {
            if !ids.insert(id) {
                problems.push(format!("{p}: the id '{id}' is used twice in expected.json"));
            }
        }
        for e in &pair.expected.threats {
            if e.variant == Variant::Hardened && e.hardened_at_most.is_some() {
                problems.push(format!(
                    "{p}: '{}' is about the hardened model and cannot have hardened_at_most",
                    e.id
                ));
            }
        }
        let steps: Vec<&Step> = pair.expected.hardening.iter().collect();
        match apply_steps(&pair.weak, &steps) {
            Err(e) => problems.push(format!("{p}: {e}")),
            Ok(applied) => {
                let mut want: Vec<&ServiceModel> = pair.hardened.iter().collect();
                want.sort_by(|a, b| a.name.cmp(&b.name));
                let mut got: Vec<&ServiceModel> = applied.iter().collect();
                got.sort_by(|a, b| a.name.cmp(&b.name));
                if want.len() != got.len() {
                    problems.push(format!(
                        "{p}: the weak variant has {} models, the hardened {}",
                        got.len(),
                        want.len()
                    ));
                }
                for (g, w) in got.iter().zip(&want) {
                    let (g_text, w_text) =
                        (model::to_canonical_json(g), model::to_canonical_json(w));
                    if g_text != w_text {
                        problems.push(format!(
                            "{p}: the hardening steps do not give the hardened model '{}': {}",
                            w.name,
                            first_difference(&g_text, &w_text)
                        ));
                    }
                }
            }
        }
    }
    problems
}

/// Quotes of the benchmark (expectations and steps) that are not verbatim in `document`.
pub fn check_quotes(bench: &Bench, document: &str) -> Vec<String> {
    let normalize = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let doc = normalize(document);
    let mut problems = Vec::new();
    let mut check = |place: String, quote: &str| {
        if !doc.contains(&normalize(quote)) {
            problems.push(format!("{place}: \"{quote}\" is not in the document"));
        }
    };
    for pair in &bench.pairs {
        for e in &pair.expected.threats {
            check(format!("{}/{}", pair.name, e.id), &e.quote);
        }
        for m in &pair.expected.must_not {
            if let Some(q) = &m.quote {
                check(format!("{}/{}", pair.name, m.id), q);
            }
        }
        for s in &pair.expected.hardening {
            if let Some(q) = &s.quote {
                check(format!("{}/{}", pair.name, s.id), q);
            }
        }
    }
    for m in &bench.always {
        if let Some(q) = &m.quote {
            check(format!("always/{}", m.id), q);
        }
    }
    problems
}

#[cfg(test)]
mod tests;
