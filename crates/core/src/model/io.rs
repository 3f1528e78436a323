//! The native file format: `.stride.json`.
//!
//! Writing is canonical: collections sorted by id, two-space indentation, a final newline. So
//! saving the same model twice gives the same bytes, loading then saving a canonical file gives
//! it back unchanged, and git diffs show only what changed. Reading refuses what it cannot
//! understand with a message that says where (line and column) and why, and refuses documents
//! written by a newer Stridewise rather than dropping what it does not know.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{SCHEMA_VERSION, ServiceModel};

/// Larger files are refused before they are read: a model of 10,000 elements is about 5 MB.
pub const MAX_FILE_BYTES: u64 = 128 * 1024 * 1024;

/// Why a model document could not be read at all. Problems inside a readable document are
/// [`super::Diagnostic`]s instead.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be opened or read.
    #[error("cannot read '{path}': {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error("'{path}' is {size} bytes; models larger than {max} bytes are refused")]
    TooLarge { path: PathBuf, size: u64, max: u64 },
    /// The text is not JSON, or not a model document.
    #[error("'{path}' line {line}, column {column}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// The document was written by a newer version of Stridewise.
    #[error(
        "'{path}' uses schema version {found}, but this Stridewise reads versions up to {supported}; upgrade Stridewise to open it"
    )]
    NewerVersion {
        path: PathBuf,
        found: u64,
        supported: u32,
    },
}

/// Reads and parses a model file.
pub fn load(path: &Path) -> Result<ServiceModel, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            path: path.to_path_buf(),
            size,
            max: MAX_FILE_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    from_json(&bytes, path)
}

/// Parses a model document; `origin` names it in error messages.
pub fn from_json(bytes: &[u8], origin: &Path) -> Result<ServiceModel, LoadError> {
    #[derive(Deserialize)]
    struct VersionOnly {
        schema_version: Option<serde_json::Value>,
    }

    let newer = || -> Option<u64> {
        let v: VersionOnly = serde_json::from_slice(bytes).ok()?;
        let found = v.schema_version?.as_u64()?;
        (found > u64::from(SCHEMA_VERSION)).then_some(found)
    };
    match serde_json::from_slice::<ServiceModel>(bytes) {
        Ok(model) if u64::from(model.schema_version) > u64::from(SCHEMA_VERSION) => {
            Err(LoadError::NewerVersion {
                path: origin.to_path_buf(),
                found: model.schema_version.into(),
                supported: SCHEMA_VERSION,
            })
        }
        Ok(model) if model.schema_version == 0 => Err(LoadError::Parse {
            path: origin.to_path_buf(),
            line: 1,
            column: 1,
            message: "schema_version 0 is not a valid version (the first is 1)".into(),
        }),
        Ok(model) => Ok(model),
        Err(err) => {
            if let Some(found) = newer() {
                return Err(LoadError::NewerVersion {
                    path: origin.to_path_buf(),
                    found,
                    supported: SCHEMA_VERSION,
                });
            }
            Err(LoadError::Parse {
                path: origin.to_path_buf(),
                line: err.line(),
                column: err.column(),
                message: describe(&err),
            })
        }
    }
}

fn describe(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    // serde_json appends " at line L column C"; we report those separately.
    let text = err.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    match err.classify() {
        Category::Eof => format!("the document ends too early ({text}); is the file truncated?"),
        Category::Syntax => format!("not valid JSON: {text}"),
        Category::Data => format!("not a valid Stridewise model: {text}"),
        Category::Io => text,
    }
}

/// The canonical text of a model: sorted collections, two-space indentation, final newline.
pub fn to_canonical_json(model: &ServiceModel) -> String {
    let mut canonical = model.clone();
    canonical.canonicalize();
    let mut text = serde_json::to_string_pretty(&canonical)
        .expect("a model always serializes: its maps have string keys");
    text.push('\n');
    text
}

/// Writes a model in canonical form. The file is replaced atomically (write to a temporary
/// file beside it, then rename), so a crash never leaves half a model behind.
pub fn save(model: &ServiceModel, path: &Path) -> std::io::Result<()> {
    crate::file::write_atomic(path, to_canonical_json(model).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DataFlow, Element, ElementKind};

    fn sample() -> ServiceModel {
        let mut m = ServiceModel::new("orders");
        let a = Element::new(ElementKind::ExternalEntity, "Customer");
        let b = Element::new(ElementKind::Process, "Orders API");
        let f = DataFlow::new("Place order", a.id, b.id);
        m.elements = vec![b, a];
        m.flows = vec![f];
        m
    }

    #[test]
    fn canonical_text_round_trips() {
        let text = to_canonical_json(&sample());
        let back = from_json(text.as_bytes(), Path::new("t")).unwrap();
        assert_eq!(to_canonical_json(&back), text);
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn canonical_order_does_not_depend_on_input_order() {
        let m = sample();
        let mut reversed = m.clone();
        reversed.elements.reverse();
        assert_eq!(to_canonical_json(&m), to_canonical_json(&reversed));
    }

    #[test]
    fn truncated_json_reports_line_and_column() {
        let text = to_canonical_json(&sample());
        let cut = &text[..text.len() / 2];
        match from_json(cut.as_bytes(), Path::new("cut.stride.json")) {
            Err(LoadError::Parse {
                line,
                column,
                message,
                ..
            }) => {
                assert!(line > 1, "line {line}");
                assert!(column > 0);
                assert!(message.contains("truncated"), "{message}");
            }
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn newer_schema_version_is_refused_by_name() {
        let text = to_canonical_json(&sample()).replace(
            "\"schema_version\": 1",
            "\"schema_version\": 7, \"future_field\": 1",
        );
        let err = from_json(text.as_bytes(), Path::new("new.stride.json")).unwrap_err();
        assert!(
            matches!(err, LoadError::NewerVersion { found: 7, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("upgrade Stridewise"));
    }

    #[test]
    fn unknown_field_is_a_parse_error_naming_it() {
        let text = to_canonical_json(&sample()).replace("\"name\": \"orders\"", "\"nmae\": \"x\"");
        let err = from_json(text.as_bytes(), Path::new("typo.stride.json")).unwrap_err();
        assert!(err.to_string().contains("nmae"), "{err}");
    }

    #[test]
    fn integers_stay_integers() {
        let mut m = sample();
        m.elements[0].properties.insert("port".into(), 443.into());
        let text = to_canonical_json(&m);
        assert!(
            text.contains("\"port\": 443\n") || text.contains("\"port\": 443,"),
            "{text}"
        );
    }

    #[test]
    fn save_replaces_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.stride.json");
        save(&sample(), &path).unwrap();
        let loaded = load(&path).unwrap();
        assert_eq!(loaded.name, "orders");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }
}
