//! Importing a file into a workspace's application: what the file holds (a Stridewise model,
//! pytm JSON, or another tool's format, detected from the content), refused whole when one
//! of its models is not valid, and each model added as its service's next revision (merged
//! when it was exported from this workspace).

use std::path::Path;

use crate::catalog::Catalog;
use crate::interop::{self, pytm};
use crate::model::{self, ServiceModel};
use crate::store::Workspace;

use super::error::{AppError, ErrorCode};
use super::workspace::{Added, add_document, record_threats, require_valid};

/// The models of a file, the name of its format, and what the import could not map.
#[derive(Clone, Debug, PartialEq)]
pub struct FileModels {
    pub models: Vec<ServiceModel>,
    pub format: String,
    pub notes: Vec<String>,
}

/// Reads the models of `path`, whatever the format: pytm JSON, a Stridewise model, or one
/// of the importers' formats. A file that is none of them is `import_failed`.
pub fn read_models(path: &Path, catalog: &Catalog) -> Result<FileModels, AppError> {
    let failed = |e: &dyn std::fmt::Display| AppError::new(ErrorCode::ImportFailed, e.to_string());
    let bytes = interop::read_source(path).map_err(|e| failed(&e))?;
    let one = |m, format: &str| FileModels {
        models: vec![m],
        format: format.into(),
        notes: Vec::new(),
    };
    if pytm::looks_like_pytm(&bytes) {
        return Ok(one(
            pytm::from_json(&bytes, path).map_err(|e| failed(&e))?,
            "pytm JSON",
        ));
    }
    if let Ok(m) = model::from_json(&bytes, path) {
        return Ok(one(m, "Stridewise model"));
    }
    let (models, report) =
        interop::import_file(path, None, &catalog.stencils).map_err(|e| failed(&e))?;
    let mut notes = report.notes.clone();
    notes.extend(report.unmapped.iter().map(|u| format!("not mapped: {u}")));
    let format = report
        .format
        .map(|f| f.label().to_string())
        .unwrap_or_else(|| "unknown".into());
    Ok(FileModels {
        models,
        format,
        notes,
    })
}

/// One model of an import, as saved.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    pub added: Added,
    /// The service's head after the import (the merge result when it was merged).
    pub model: ServiceModel,
}

/// Adds `models` to `application`, each as its service's next revision ([`add_document`]:
/// merged three-way on a stale base, the file's side labelled `source`), and records the threats of each. Nothing is stored
/// unless every model is valid: the same check as `workspace add`.
pub fn add_models(
    ws: &Workspace,
    application: &str,
    models: &[ServiceModel],
    catalog: &Catalog,
    source: &str,
    author: &str,
    message: &str,
) -> Result<Vec<Imported>, AppError> {
    for m in models {
        require_valid(m, &catalog.stencils, &m.name)?;
    }
    let mut out = Vec::new();
    for m in models {
        let added = add_document(ws, application, m, source, author, message)?;
        let (_, model) = ws
            .load_head(m.id)?
            .ok_or(crate::store::StoreError::UnknownModel(m.id))?;
        record_threats(ws, &model, catalog, author)?;
        out.push(Imported { added, model });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(rel: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(rel)
    }

    #[test]
    fn the_format_is_found_from_the_content() {
        let native = read_models(&repo("models/mc-stamp.stride.json"), Catalog::builtin()).unwrap();
        assert_eq!(native.format, "Stridewise model");
        assert_eq!(native.models.len(), 1);
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("notes.txt");
        std::fs::write(&junk, "not a model of any kind").unwrap();
        let err = read_models(&junk, Catalog::builtin()).unwrap_err();
        assert_eq!(err.code, ErrorCode::ImportFailed);
    }

    #[test]
    fn an_invalid_model_stops_the_whole_import() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(&dir.path().join("w.stridewise")).unwrap();
        let good = read_models(&repo("models/mc-stamp.stride.json"), Catalog::builtin())
            .unwrap()
            .models
            .remove(0);
        let mut bad = ServiceModel::new("bad".to_string());
        bad.elements = good.elements.clone();
        bad.elements.push(good.elements[0].clone()); // a duplicate id
        let err = add_models(
            &ws,
            "app",
            &[good.clone(), bad],
            Catalog::builtin(),
            "a file",
            "me",
            "import",
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(ws.models().unwrap().is_empty(), "nothing was stored");
        let done = add_models(
            &ws,
            "app",
            std::slice::from_ref(&good),
            Catalog::builtin(),
            "a file",
            "me",
            "import",
        )
        .unwrap();
        assert_eq!(done[0].model.id, good.id);
        assert!(done[0].added.conflicts.is_empty());
    }
}
