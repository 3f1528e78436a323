//! Importers and exporters of other threat-modeling tools' formats.
//!
//! Teams arrive with models drawn in OWASP Threat Dragon, the Microsoft Threat Modeling Tool or
//! Threagile. Each importer turns one source file into native [`ServiceModel`]s (one per
//! diagram) plus an [`ImportReport`] that says what was taken in and what could not be mapped,
//! and why. Ids are derived deterministically from the source ids (UUID v5, or the source's own
//! UUIDs when it has them), so importing the same file twice gives the same bytes.
//!
//! Hostile input fails fast with bounded memory: files above [`MAX_IMPORT_BYTES`] are refused
//! before they are read, text must be UTF-8, XML with a DTD is refused (no entity expansion),
//! and the JSON and YAML parsers stop at a nesting depth of 128. The mapping tables are in
//! `docs/import.md`.

pub mod otm;
pub mod pytm;
pub mod terraform;
pub mod threagile;
pub mod threat_dragon;
pub mod tmt;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use uuid::Uuid;

use crate::layout::geometry::{flow_paths, polylines_cross};
use crate::model::{Point, ServiceModel, StencilSet, ThreatKey};

/// Source files larger than this are refused before they are read. The largest real model
/// seen (a Threat Modeling Tool file that embeds its whole knowledge base) is about 1.3 MB.
pub const MAX_IMPORT_BYTES: u64 = 32 * 1024 * 1024;

/// Diagrams with more drawn objects than this are refused: geometry (box containment, line
/// crossings) is quadratic in them, and real models have a few hundred.
pub const MAX_OBJECTS_PER_DIAGRAM: usize = 10_000;

/// The namespace of every id an importer derives (UUID v5).
pub const IMPORT_NAMESPACE: Uuid = Uuid::from_u128(0x5d0c_7a3e_2b41_4c5e_9a7d_1f3b_6e2c_9a10);

/// A format other tools write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    /// OWASP Threat Dragon v2 JSON.
    ThreatDragon,
    /// Microsoft Threat Modeling Tool `.tm7`.
    Tmt,
    /// Threagile YAML.
    Threagile,
}

impl SourceFormat {
    pub const ALL: [SourceFormat; 3] = [
        SourceFormat::ThreatDragon,
        SourceFormat::Tmt,
        SourceFormat::Threagile,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            SourceFormat::ThreatDragon => "threat-dragon",
            SourceFormat::Tmt => "tmt",
            SourceFormat::Threagile => "threagile",
        }
    }

    /// Words for people.
    pub fn label(&self) -> &'static str {
        match self {
            SourceFormat::ThreatDragon => "Threat Dragon v2 JSON",
            SourceFormat::Tmt => "Microsoft Threat Modeling Tool (.tm7)",
            SourceFormat::Threagile => "Threagile YAML",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Guesses the format from the first bytes of a file and its name: a TMT file starts with
    /// `<ThreatModel`, Threat Dragon is a JSON object, Threagile is YAML (`.yaml`/`.yml`, or a
    /// document with `technical_assets:` or `threagile_version:`).
    pub fn detect(bytes: &[u8], path: &Path) -> Option<Self> {
        let head = &bytes[..bytes.len().min(4096)];
        let head = String::from_utf8_lossy(head);
        let text = head.trim_start_matches('\u{feff}').trim_start();
        if text.starts_with("<ThreatModel") || text.starts_with("<?xml") {
            return Some(SourceFormat::Tmt);
        }
        if text.starts_with('{') {
            return Some(SourceFormat::ThreatDragon);
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("tm7") => Some(SourceFormat::Tmt),
            Some("json") => Some(SourceFormat::ThreatDragon),
            Some("yaml" | "yml") => Some(SourceFormat::Threagile),
            _ if text.contains("threagile_version:") || text.contains("technical_assets:") => {
                Some(SourceFormat::Threagile)
            }
            _ => None,
        }
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a source file could not be imported at all. Problems with single objects inside a
/// readable file are not errors: they go to [`ImportReport::unmapped`].
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be opened or read.
    #[error("cannot read '{path}': {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_IMPORT_BYTES`].
    #[error("'{path}' is {size} bytes; files larger than {max} bytes are refused")]
    TooLarge { path: PathBuf, size: u64, max: u64 },
    /// The bytes are not UTF-8 text.
    #[error("'{origin}' is not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 { origin: String, offset: usize },
    /// The format could not be recognised.
    #[error("'{origin}': cannot tell the format; pass --format threat-dragon, tmt or threagile")]
    UnknownFormat { origin: String },
    /// The text is not well-formed JSON, XML or YAML, or nests too deeply.
    #[error("'{origin}' is not valid {format}: {message}")]
    Syntax {
        origin: String,
        format: &'static str,
        message: String,
    },
    /// The document is well formed but is not a document of the expected format.
    #[error("'{origin}' is not a valid {format} model: {message}")]
    Invalid {
        origin: String,
        format: &'static str,
        message: String,
    },
}

/// What one imported model holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ModelSummary {
    pub name: String,
    /// The source's id of the diagram it came from, if any.
    pub source_id: String,
    pub elements: usize,
    pub flows: usize,
    pub boundaries: usize,
    /// Threats taken in as triage decisions.
    pub threats: usize,
}

/// Something in the source that the native model cannot hold, or holds only in part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unmapped {
    /// The diagram (or file) it belongs to.
    pub diagram: String,
    /// What it is, named as the source names it.
    pub item: String,
    pub reason: String,
}

impl fmt::Display for Unmapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.diagram, self.item, self.reason)
    }
}

/// What an import took in and what it left out.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ImportReport {
    pub format: Option<SourceFormat>,
    pub models: Vec<ModelSummary>,
    /// Objects not taken in, or taken in with a loss, with the reason.
    pub unmapped: Vec<Unmapped>,
    /// Mapping decisions worth knowing (e.g. which flows cross a boundary drawn as a line).
    pub notes: Vec<String>,
}

impl ImportReport {
    pub(crate) fn new(format: SourceFormat) -> Self {
        ImportReport {
            format: Some(format),
            ..Default::default()
        }
    }

    pub(crate) fn unmapped(
        &mut self,
        diagram: &str,
        item: impl Into<String>,
        reason: impl Into<String>,
    ) {
        self.unmapped.push(Unmapped {
            diagram: diagram.to_string(),
            item: item.into(),
            reason: reason.into(),
        });
    }

    pub(crate) fn summarize(&mut self, model: &ServiceModel, source_id: &str) {
        self.models.push(ModelSummary {
            name: model.name.clone(),
            source_id: source_id.to_string(),
            elements: model.elements.len(),
            flows: model.flows.len(),
            boundaries: model.boundaries.len(),
            threats: model.triage.len(),
        });
    }
}

/// Reads a source file, refusing it before reading when it is too large.
pub fn read_source(path: &Path) -> Result<Vec<u8>, ImportError> {
    let io = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge {
            path: path.to_path_buf(),
            size,
            max: MAX_IMPORT_BYTES,
        });
    }
    use std::io::Read;
    let mut bytes = Vec::with_capacity(size as usize);
    // `take` bounds memory even if the file grows between the check and the read.
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_IMPORT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(io)?;
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            max: MAX_IMPORT_BYTES,
        });
    }
    Ok(bytes)
}

/// The bytes as text, or a clear error naming the first bad byte. A UTF-8 byte-order mark is
/// skipped.
pub fn as_text<'a>(bytes: &'a [u8], origin: &str) -> Result<&'a str, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ImportError::NotUtf8 {
        origin: origin.to_string(),
        offset: e.valid_up_to(),
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Imports a file: reads it (size-limited), detects the format unless given, and runs the
/// importer. Threagile `includes:` are resolved relative to the file. Importers that map
/// stencils map them to `stencils` (the catalog in use).
pub fn import_file(
    path: &Path,
    format: Option<SourceFormat>,
    stencils: &StencilSet,
) -> Result<(Vec<ServiceModel>, ImportReport), ImportError> {
    let bytes = read_source(path)?;
    let origin = path.display().to_string();
    let format = match format {
        Some(f) => f,
        None => SourceFormat::detect(&bytes, path).ok_or_else(|| ImportError::UnknownFormat {
            origin: origin.clone(),
        })?,
    };
    match format {
        SourceFormat::ThreatDragon => threat_dragon::import(&bytes, &origin),
        SourceFormat::Tmt => tmt::import(&bytes, &origin, stencils),
        SourceFormat::Threagile => threagile::import_file(path),
    }
}

/// An id for a source object: the source's own id when it is a UUID (so ids survive a round
/// trip), else a UUID v5 of the namespace and the source id.
pub(crate) fn source_uuid(namespace: Uuid, source_id: &str) -> Uuid {
    Uuid::parse_str(source_id.trim())
        .unwrap_or_else(|_| Uuid::new_v5(&namespace, source_id.as_bytes()))
}

/// A name fit for the model: trimmed, never empty.
pub(crate) fn name_or(name: &str, fallback: impl FnOnce() -> String) -> String {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        fallback()
    } else {
        trimmed.to_string()
    }
}

/// The element or flow a triage key is about: a flow id anywhere in the key wins (flow threats
/// are keyed `RULE@source@flow@target`), else the first element id.
pub(crate) fn triage_object(model: &ServiceModel, key: &ThreatKey) -> Option<Uuid> {
    model.object_of_key(key).map(|o| o.id())
}

/// Crossing checks compare every segment of every boundary line with every segment of every
/// flow; above this many comparisons the check is skipped (and reported) so that a hostile
/// file cannot make an import run for minutes. Real models need a few thousand.
pub const MAX_SEGMENT_PAIRS: usize = 20_000_000;

/// Notes on each flow that crosses one of `lines` (boundaries drawn as open lines, which have
/// no members), and one report note per line listing them.
pub(crate) fn note_line_crossings(
    m: &mut ServiceModel,
    lines: &[(String, Vec<Point>)],
    what: &str,
    report: &mut ImportReport,
) {
    if lines.is_empty() {
        return;
    }
    let diagram = m.name.clone();
    let paths = flow_paths(m);
    let line_segments: usize = lines.iter().map(|(_, l)| l.len()).sum();
    let flow_segments: usize = paths.values().map(Vec::len).sum();
    if line_segments.saturating_mul(flow_segments) > MAX_SEGMENT_PAIRS {
        report.unmapped(
            &diagram,
            format!("{} {what}s", lines.len()),
            "too many line and flow segments to check which flows cross them; no crossings noted",
        );
        return;
    }
    for (line_name, line) in lines {
        let mut crossing = Vec::new();
        for f in &mut m.flows {
            if paths.get(&f.id.0).is_some_and(|p| polylines_cross(p, line)) {
                let note = format!("Crosses the trust boundary line '{line_name}'.");
                f.notes = if f.notes.is_empty() {
                    note
                } else {
                    format!("{}\n{note}", f.notes)
                };
                crossing.push(format!("'{}'", f.name));
            }
        }
        report.notes.push(format!(
            "{diagram}: {what} '{line_name}' has no members; flows crossing it: {}",
            if crossing.is_empty() {
                "none".to_string()
            } else {
                crossing.join(", ")
            }
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats_from_content_before_extension() {
        let p = Path::new("x.bin");
        assert_eq!(
            SourceFormat::detect(b"<ThreatModel xmlns=\"a\">", p),
            Some(SourceFormat::Tmt)
        );
        assert_eq!(
            SourceFormat::detect(b"  {\"version\": \"2.3.0\"}", p),
            Some(SourceFormat::ThreatDragon)
        );
        assert_eq!(
            SourceFormat::detect(b"threagile_version: 1.0.0\n", p),
            Some(SourceFormat::Threagile)
        );
        assert_eq!(
            SourceFormat::detect(b"a: b\n", Path::new("m.yml")),
            Some(SourceFormat::Threagile)
        );
        assert_eq!(SourceFormat::detect(b"hello", p), None);
    }

    #[test]
    fn invalid_utf8_names_the_offset() {
        let err = as_text(b"ab\xffcd", "f.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "'f.json' is not UTF-8 text (invalid byte at offset 2)"
        );
    }

    #[test]
    fn source_uuids_keep_source_uuids_and_derive_the_rest() {
        let ns = IMPORT_NAMESPACE;
        let u = "a25bbb4e-093f-4238-a620-31efdee452dc";
        assert_eq!(source_uuid(ns, u).to_string(), u);
        assert_eq!(source_uuid(ns, "web"), source_uuid(ns, "web"));
        assert_ne!(source_uuid(ns, "web"), source_uuid(ns, "db"));
    }
}
