//! What the app can do, as plain functions over `stridewise-core` with serializable results.
//! The `#[tauri::command]`s in `lib.rs` only forward here, so everything is testable without a
//! window (see the tests at the bottom).

use std::path::{Path, PathBuf};

use serde::Serialize;
use stridewise_core::catalog;
use stridewise_core::model::{self, Diagnostic, ServiceModel, StencilSet};

use crate::error::{ApiError, ApiErrorCode};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/samples.rs"));
}

/// A bundled sample model, as listed in the sidebar.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SampleInfo {
    /// The sample's file name, e.g. `mc-stamp.stride.json`; pass it to `open_sample`.
    pub id: String,
    /// The model's name.
    pub name: String,
    pub description: String,
    pub elements: u32,
    pub flows: u32,
}

/// A model opened from a sample or a file.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct OpenedModel {
    pub model: ServiceModel,
    /// Where it was read from; `None` for a bundled sample (saving asks for a path).
    pub path: Option<String>,
    /// The sample id when it came from a bundled sample.
    pub sample: Option<String>,
}

/// The bundled samples that parse. A sample that does not is left out of the list (and caught by
/// the repository's tests over `models/`).
pub fn list_samples() -> Vec<SampleInfo> {
    embedded::SAMPLES
        .iter()
        .filter_map(|(id, text)| {
            let m = model::from_json(text.as_bytes(), Path::new(id)).ok()?;
            Some(SampleInfo {
                id: (*id).to_string(),
                name: m.name,
                description: m.description,
                elements: m.elements.len() as u32,
                flows: m.flows.len() as u32,
            })
        })
        .collect()
}

pub fn open_sample(id: &str) -> Result<OpenedModel, ApiError> {
    let (_, text) = embedded::SAMPLES
        .iter()
        .find(|(name, _)| *name == id)
        .ok_or_else(|| {
            ApiError::new(
                ApiErrorCode::NotFound,
                format!("there is no bundled sample '{id}'"),
            )
        })?;
    let model = model::from_json(text.as_bytes(), Path::new(id))?;
    Ok(OpenedModel {
        model,
        path: None,
        sample: Some(id.to_string()),
    })
}

fn non_empty(path: &str) -> Result<PathBuf, ApiError> {
    if path.trim().is_empty() {
        return Err(ApiError::new(
            ApiErrorCode::InvalidArgument,
            "no file name was given",
        ));
    }
    Ok(PathBuf::from(path))
}

pub fn open_file(path: &str) -> Result<OpenedModel, ApiError> {
    let p = non_empty(path)?;
    let model = model::load(&p)?;
    Ok(OpenedModel {
        model,
        path: Some(p.display().to_string()),
        sample: None,
    })
}

/// Saves canonically and atomically (core `model::save`).
pub fn save_file(path: &str, model: &ServiceModel) -> Result<(), ApiError> {
    let p = non_empty(path)?;
    model::save(model, &p).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            ApiErrorCode::NotFound
        } else {
            ApiErrorCode::Io
        };
        ApiError::new(code, format!("cannot save '{}': {e}", p.display()))
    })
}

pub fn validate(model: &ServiceModel) -> Vec<Diagnostic> {
    model::validate(model, catalog::builtin_stencils())
}

pub fn stencils() -> &'static StencilSet {
    catalog::builtin_stencils()
}

/// The model to show first: the file named on the command line, else the first sample, else
/// nothing (the UI then starts an empty model).
pub fn initial_model(arg: Option<&Path>) -> Result<Option<OpenedModel>, ApiError> {
    if let Some(path) = arg {
        return open_file(&path.display().to_string()).map(Some);
    }
    match embedded::SAMPLES.first() {
        Some((id, _)) => open_sample(id).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/tiny.stride.json"
    );

    #[test]
    fn every_embedded_sample_is_listed_and_opens() {
        let listed = list_samples();
        assert_eq!(listed.len(), embedded::SAMPLES.len());
        for s in listed {
            let opened = open_sample(&s.id).unwrap();
            assert_eq!(opened.model.name, s.name);
            assert_eq!(opened.sample.as_deref(), Some(s.id.as_str()));
        }
    }

    #[test]
    fn unknown_sample_is_not_found() {
        let err = open_sample("nope.stride.json").unwrap_err();
        assert_eq!(err.code, ApiErrorCode::NotFound);
        assert!(err.message.contains("nope"), "{err}");
    }

    #[test]
    fn open_then_save_round_trips_canonical_bytes() {
        let opened = open_file(FIXTURE).unwrap();
        assert_eq!(opened.model.name, "tiny");
        assert!(
            validate(&opened.model).is_empty(),
            "{:?}",
            validate(&opened.model)
        );
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("copy.stride.json");
        save_file(out.to_str().unwrap(), &opened.model).unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            std::fs::read_to_string(FIXTURE).unwrap()
        );
    }

    #[test]
    fn bad_files_give_codes_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.stride.json");
        assert_eq!(
            open_file(missing.to_str().unwrap()).unwrap_err().code,
            ApiErrorCode::NotFound
        );
        let broken = dir.path().join("broken.stride.json");
        std::fs::write(&broken, "{\"schema_version\": 1, \"name\": ").unwrap();
        let err = open_file(broken.to_str().unwrap()).unwrap_err();
        assert_eq!(err.code, ApiErrorCode::Parse);
        assert!(err.message.contains("line 1"), "{err}");
        assert_eq!(
            open_file("  ").unwrap_err().code,
            ApiErrorCode::InvalidArgument
        );
        let into_missing_dir = dir.path().join("no/such/dir/m.stride.json");
        let model = open_file(FIXTURE).unwrap().model;
        assert_eq!(
            save_file(into_missing_dir.to_str().unwrap(), &model)
                .unwrap_err()
                .code,
            ApiErrorCode::NotFound
        );
    }

    #[test]
    fn validation_finds_problems_with_the_object_they_concern() {
        let mut model = open_file(FIXTURE).unwrap().model;
        model.elements[0].name.clear();
        let diags = validate(&model);
        assert!(
            diags
                .iter()
                .any(|d| d.object == Some(model.elements[0].id.0) && d.is_error()),
            "{diags:?}"
        );
    }

    #[test]
    fn initial_model_prefers_the_command_line() {
        let opened = initial_model(Some(Path::new(FIXTURE))).unwrap().unwrap();
        assert_eq!(opened.model.name, "tiny");
        assert!(stencils().stencils.contains_key(&"generic.process".into()));
    }
}
