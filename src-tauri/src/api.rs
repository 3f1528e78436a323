//! Stateless commands: validation, the stencils, the bundled samples, and opening a file with
//! the system's default program. The workspace commands are in `workspace.rs`.

use std::path::Path;

use stridewise_core::catalog;
use stridewise_core::model::{self, Diagnostic, ServiceModel, StencilSet};

use crate::error::{ApiError, ApiErrorCode};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/samples.rs"));
}

/// The bundled sample models: (file name, text), in file-name order.
pub fn embedded_samples() -> &'static [(&'static str, &'static str)] {
    embedded::SAMPLES
}

pub fn validate(model: &ServiceModel) -> Vec<Diagnostic> {
    model::validate(model, catalog::builtin_stencils())
}

pub fn stencils() -> &'static StencilSet {
    catalog::builtin_stencils()
}

/// Opens an existing file (the exported report) with the system's default program. Only
/// files are opened, never URLs, so a crafted path cannot start a download or a handler; the
/// command accepts only reports the app wrote (`ChosenPaths::report`).
pub fn open_external(path: &Path) -> Result<(), ApiError> {
    if !path.is_file() {
        return Err(ApiError::new(
            ApiErrorCode::NotFound,
            format!("'{}' is not a file", path.display()),
        ));
    }
    open::that_detached(path).map_err(|e| {
        ApiError::new(
            ApiErrorCode::Io,
            format!(
                "cannot open '{}' with the default program: {e}",
                path.display()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_sample_parses_and_validates() {
        assert!(embedded_samples().len() >= 4);
        for (name, text) in embedded_samples() {
            let m = model::from_json(text.as_bytes(), Path::new(name)).unwrap();
            let errors: Vec<_> = validate(&m).into_iter().filter(|d| d.is_error()).collect();
            assert!(errors.is_empty(), "{name}: {errors:?}");
        }
    }

    #[test]
    fn validation_finds_problems_with_the_object_they_concern() {
        let (name, text) = embedded_samples()[0];
        let mut model = model::from_json(text.as_bytes(), Path::new(name)).unwrap();
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
    fn only_existing_files_are_opened() {
        let err = open_external(Path::new("https://example.com/")).unwrap_err();
        assert_eq!(err.code, ApiErrorCode::NotFound);
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            open_external(dir.path()).unwrap_err().code,
            ApiErrorCode::NotFound
        );
    }
}
