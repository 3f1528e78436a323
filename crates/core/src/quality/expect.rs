//! The labelled expectations of a benchmark pair (`expected.json`) and of every model
//! (`always.json`), as Rust types. Their JSON Schemas are generated from these types and
//! committed as `bench/quality/expected.schema.json` and `always.schema.json`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Severity, Stride};

/// One value or several, written in JSON as a single value or an array. A list means "any of".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    pub fn as_slice(&self) -> &[T] {
        match self {
            OneOrMany::One(v) => std::slice::from_ref(v),
            OneOrMany::Many(v) => v,
        }
    }
}

/// Which model of a pair an expectation is about.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    #[default]
    Weak,
    Hardened,
}

impl Variant {
    pub const BOTH: [Variant; 2] = [Variant::Weak, Variant::Hardened];

    pub fn as_str(&self) -> &'static str {
        match self {
            Variant::Weak => "weak",
            Variant::Hardened => "hardened",
        }
    }
}

/// The highest severity a threat may have: `absent` means it must not appear at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Ceiling {
    Absent,
    Low,
    Medium,
    High,
}

impl Ceiling {
    /// Whether a threat of severity `s` stays under the ceiling.
    pub fn allows(&self, s: Severity) -> bool {
        match self {
            Ceiling::Absent => false,
            Ceiling::Low => s <= Severity::Low,
            Ceiling::Medium => s <= Severity::Medium,
            Ceiling::High => s <= Severity::High,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Ceiling::Absent => "absent",
            Ceiling::Low => "low",
            Ceiling::Medium => "medium",
            Ceiling::High => "high",
        }
    }
}

/// `expected.json`: what a security architect expects of one weak/hardened pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// The schema this file follows, for editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub title: String,
    /// The architecture and what is weak about it.
    #[serde(default)]
    pub description: String,
    /// For pairs of several service models (`weak/` and `hardened/` folders): the name of the
    /// application they are consolidated into (default: the pair's folder name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// Threats that must appear (recall) and what the hardening must do to them.
    #[serde(default)]
    pub threats: Vec<ThreatExpectation>,
    /// Threats that must not appear, or not above a severity (precision).
    #[serde(default)]
    pub must_not: Vec<MustNot>,
    /// The hardening, as steps from the weak model: applying them all, in order, gives the
    /// hardened model.
    #[serde(default)]
    pub hardening: Vec<Step>,
}

/// `always.json`: precision expectations that hold for every model of the benchmark.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Always {
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub must_not: Vec<MustNot>,
}

/// A threat that must appear. A threat meets it when it is about one of the `target`s, in one
/// of the `stride` categories, at `min_severity` or above, and one of its mitigations quotes
/// `quote` (whitespace is normalized; the fragment is a substring of the mitigation's quote).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreatExpectation {
    /// Unique within the pair.
    pub id: String,
    /// The name of an element or a flow; a list when the threat may sit on either (a process or
    /// the flow it sends a credential on).
    pub target: OneOrMany<String>,
    /// The STRIDE category; a list when the document's definitions allow either reading.
    pub stride: OneOrMany<Stride>,
    pub min_severity: Severity,
    /// A verbatim fragment of the source document that one of the threat's mitigations quotes.
    pub quote: String,
    /// The model the threat must appear in (default: the weak one).
    #[serde(default)]
    pub variant: Variant,
    /// For a weak-variant threat: the highest severity the same threat (same targets, categories
    /// and quote) may keep in the hardened model; `absent` if the hardening must remove it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardened_at_most: Option<Ceiling>,
    /// Why a reviewer expects it: the reasoning, in a sentence or two.
    pub why: String,
}

/// A threat that must not appear, or not above `at_most`. Every field given must match; an
/// absent field matches everything.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MustNot {
    pub id: String,
    /// Element or flow names (default: every element and flow).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<OneOrMany<String>>,
    /// STRIDE categories (default: all six).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stride: Option<OneOrMany<Stride>>,
    /// A CWE id the threat lists, e.g. 89 for SQL injection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwe: Option<u32>,
    /// A fragment of the document that one of the threat's mitigations quotes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Words of which one must appear in the threat's title or description (case-insensitive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<String>,
    pub at_most: Ceiling,
    /// The model it is about (default: both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<Variant>,
    pub why: String,
}

/// One hardening step: a change a team would make in one go. Each step applies to the weak
/// model on its own, and any subset applies in list order (a step never edits an object that
/// an earlier step removes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: String,
    pub title: String,
    /// The document's recommendation the step follows, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    pub edits: Vec<Edit>,
}

/// One edit of a model. Objects are named, not given by id; new objects are written in the
/// native format with names where the format has ids (`boundary`, `parent`, `source`,
/// `target`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Edit {
    /// In a pair of several service models: the service whose model the edit changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(flatten)]
    pub op: EditOp,
}

/// What an edit does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EditOp {
    /// Sets a property of an element or a flow; `null` removes it (the stencil default applies).
    SetProperty(SetProperty),
    /// Adds an element (native format; `boundary` names a boundary).
    AddElement(serde_json::Value),
    /// Removes an element by name; its flows must be removed first.
    RemoveElement(String),
    /// Adds a flow (native format; `source` and `target` name elements).
    AddFlow(serde_json::Value),
    /// Removes a flow by name.
    RemoveFlow(String),
    /// Moves an element into another boundary (`null`: outside every boundary).
    MoveElement(MoveElement),
    /// Adds a trust boundary (native format; `parent` names a boundary).
    AddBoundary(serde_json::Value),
    /// Changes a flow's protocol.
    SetProtocol(SetProtocol),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetProperty {
    /// The element's name (or give `flow`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<String>,
    /// The flow's name (or give `element`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
    pub property: String,
    /// The new value: a bool, a number or a text; `null` removes the property.
    pub value: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveElement {
    pub element: String,
    pub boundary: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetProtocol {
    pub flow: String,
    pub protocol: String,
}

fn schema_text(schema: schemars::Schema) -> String {
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    text.push('\n');
    text
}

/// The JSON Schema of `expected.json`, committed as `bench/quality/expected.schema.json`.
pub fn expected_schema() -> String {
    schema_text(schemars::schema_for!(Expected))
}

/// The JSON Schema of `always.json`, committed as `bench/quality/always.schema.json`.
pub fn always_schema() -> String {
    schema_text(schemars::schema_for!(Always))
}
