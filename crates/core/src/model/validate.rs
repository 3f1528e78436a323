//! Validation: every problem in a model, as data.
//!
//! [`validate`] never stops at the first problem and never fails: it returns one
//! [`Diagnostic`] per problem, each with a stable code, a message that names the objects
//! involved, and a JSON pointer into the document (indices as loaded), so an editor can put
//! the message on the element it concerns.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::stencil::{PropertyDef, PropertyType, StencilId, StencilSet};
use super::{BoundaryId, ElementId, Properties, PropertyValue, ServiceModel, TrustBoundary};

/// How serious a diagnostic is. Errors make `validate` fail; warnings are advice.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Warning,
    Error,
}

/// What is wrong, as a stable code that tools and the UI switch on.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosticCode {
    /// A name is empty or only spaces.
    EmptyName,
    /// Two objects share an id.
    DuplicateId,
    /// A flow's source or target is not an element of the model.
    UnknownElement,
    /// A flow goes from an element to itself.
    SelfFlow,
    /// An element or boundary names a boundary the model does not have.
    UnknownBoundary,
    /// Boundary parents form a cycle.
    BoundaryCycle,
    /// A stencil id is not well formed.
    InvalidStencil,
    /// A stencil the catalog does not define.
    UnknownStencil,
    /// The stencil is for another element kind.
    StencilKindMismatch,
    /// A property value has the wrong type.
    PropertyType,
    /// An enum property has a value outside its list.
    UnknownEnumValue,
    /// A property the stencil does not define.
    UnknownProperty,
    /// Out of scope with no reason given.
    MissingOutOfScopeReason,
    /// A cross-service reference names neither an element nor a shared key.
    InvalidReference,
    /// An empty shared key.
    EmptySharedKey,
    /// Two elements share a name, which makes references by name ambiguous.
    DuplicateName,
    /// Layout for an object the model does not have.
    OrphanLayout,
    /// A hand-written threat is about an element, flow or boundary the model does not have.
    UnknownTarget,
    /// A hand-written threat names a mitigation the catalog does not define.
    UnknownMitigation,
    /// An empty infrastructure-as-code address.
    EmptyIacAddress,
    /// Two elements carry the same infrastructure-as-code address, so a re-import or a drift
    /// check cannot tell which one the resource is.
    DuplicateIacAddress,
    /// A name holds control or bidirectional-override characters.
    ControlCharacter,
    /// A merge recorded a conflict in the model that nobody has decided yet.
    UnresolvedConflict,
}

impl DiagnosticCode {
    pub fn as_str(&self) -> &'static str {
        match self {
            DiagnosticCode::EmptyName => "empty-name",
            DiagnosticCode::DuplicateId => "duplicate-id",
            DiagnosticCode::UnknownElement => "unknown-element",
            DiagnosticCode::SelfFlow => "self-flow",
            DiagnosticCode::UnknownBoundary => "unknown-boundary",
            DiagnosticCode::BoundaryCycle => "boundary-cycle",
            DiagnosticCode::InvalidStencil => "invalid-stencil",
            DiagnosticCode::UnknownStencil => "unknown-stencil",
            DiagnosticCode::StencilKindMismatch => "stencil-kind-mismatch",
            DiagnosticCode::PropertyType => "property-type",
            DiagnosticCode::UnknownEnumValue => "unknown-enum-value",
            DiagnosticCode::UnknownProperty => "unknown-property",
            DiagnosticCode::MissingOutOfScopeReason => "missing-out-of-scope-reason",
            DiagnosticCode::InvalidReference => "invalid-reference",
            DiagnosticCode::EmptySharedKey => "empty-shared-key",
            DiagnosticCode::DuplicateName => "duplicate-name",
            DiagnosticCode::OrphanLayout => "orphan-layout",
            DiagnosticCode::UnknownTarget => "unknown-target",
            DiagnosticCode::UnknownMitigation => "unknown-mitigation",
            DiagnosticCode::EmptyIacAddress => "empty-iac-address",
            DiagnosticCode::DuplicateIacAddress => "duplicate-iac-address",
            DiagnosticCode::ControlCharacter => "control-character",
            DiagnosticCode::UnresolvedConflict => "unresolved-conflict",
        }
    }
}

impl fmt::Display for DiagnosticCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem in a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Diagnostic {
    pub level: Level,
    pub code: DiagnosticCode,
    /// A sentence naming the objects involved.
    pub message: String,
    /// A JSON pointer to the offending value, e.g. `/flows/3/target`.
    pub pointer: String,
    /// The id of the element, flow or boundary concerned, when there is one, so that an editor
    /// can show the diagnostic on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<Uuid>,
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        write!(
            f,
            "{level}[{}] {}: {}",
            self.code, self.pointer, self.message
        )
    }
}

struct Sink(Vec<Diagnostic>);

impl Sink {
    fn push(
        &mut self,
        level: Level,
        code: DiagnosticCode,
        pointer: String,
        object: Option<Uuid>,
        message: String,
    ) {
        self.0.push(Diagnostic {
            level,
            code,
            message,
            pointer,
            object,
        });
    }
    fn error(&mut self, code: DiagnosticCode, pointer: String, object: Option<Uuid>, msg: String) {
        self.push(Level::Error, code, pointer, object, msg);
    }
    fn warn(&mut self, code: DiagnosticCode, pointer: String, object: Option<Uuid>, msg: String) {
        self.push(Level::Warning, code, pointer, object, msg);
    }
}

impl DiagnosticCode {
    /// Whether the problem makes the model's graph ill-formed: ids that are not unique, or
    /// references to objects the model does not have. Such a model is never stored, since
    /// everything keyed by id (analysis, triage, merges) would be ambiguous.
    pub fn breaks_structure(&self) -> bool {
        matches!(
            self,
            DiagnosticCode::DuplicateId
                | DiagnosticCode::UnknownElement
                | DiagnosticCode::UnknownBoundary
                | DiagnosticCode::BoundaryCycle
        )
    }
}

/// The problems of [`validate`] that [break the structure](DiagnosticCode::breaks_structure).
pub fn structural_errors(model: &ServiceModel) -> Vec<Diagnostic> {
    validate(model, &StencilSet::default())
        .into_iter()
        .filter(|d| d.level == Level::Error && d.code.breaks_structure())
        .collect()
}

/// Checks a model against itself and against the stencils' property schemas. Pass an empty
/// [`StencilSet`] to check structure only.
pub fn validate(model: &ServiceModel, stencils: &StencilSet) -> Vec<Diagnostic> {
    let mut out = Sink(Vec::new());
    check_names(model, &mut out);
    check_iac_addresses(model, &mut out);
    check_ids(model, &mut out);
    check_boundaries(model, &mut out);
    check_elements(model, stencils, &mut out);
    check_flows(model, stencils, &mut out);
    check_threats(model, &mut out);
    check_layout(model, &mut out);
    check_conflicts(model, &mut out);
    out.0
}

/// Warns about hand-written threats that name mitigations `known` does not accept (the
/// catalog's ids). Separate from [`validate`] because the model knows no catalog; the catalog
/// calls both (`Catalog::validate`).
pub fn check_mitigations(model: &ServiceModel, known: impl Fn(&str) -> bool) -> Vec<Diagnostic> {
    let mut out = Sink(Vec::new());
    for (i, t) in model.threats.iter().enumerate() {
        for (j, m) in t.mitigations.iter().enumerate() {
            if !known(m) {
                out.warn(
                    DiagnosticCode::UnknownMitigation,
                    format!("/threats/{i}/mitigations/{j}"),
                    Some(t.id.0),
                    format!(
                        "threat '{}' names mitigation '{m}', which the catalog does not define",
                        t.title
                    ),
                );
            }
        }
    }
    out.0
}

fn check_iac_addresses(model: &ServiceModel, out: &mut Sink) {
    let objects = (model.elements.iter().enumerate())
        .map(|(i, e)| ("elements", i, e.id.0, e.iac_address.as_deref()))
        .chain(
            (model.flows.iter().enumerate())
                .map(|(i, f)| ("flows", i, f.id.0, f.iac_address.as_deref())),
        )
        .chain(
            (model.boundaries.iter().enumerate())
                .map(|(i, b)| ("boundaries", i, b.id.0, b.iac_address.as_deref())),
        );
    for (list, i, id, address) in objects {
        if address.is_some_and(|a| a.trim().is_empty()) {
            out.error(
                DiagnosticCode::EmptyIacAddress,
                format!("/{list}/{i}/iac_address"),
                Some(id),
                format!("{list} {i} has an empty infrastructure-as-code address"),
            );
        }
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, e) in model.elements.iter().enumerate() {
        let Some(a) = e.iac_address.as_deref().filter(|a| !a.trim().is_empty()) else {
            continue;
        };
        if let Some(first) = seen.insert(a, i) {
            out.warn(
                DiagnosticCode::DuplicateIacAddress,
                format!("/elements/{i}/iac_address"),
                Some(e.id.0),
                format!(
                    "elements {first} and {i} both come from '{a}'; a re-import or a drift check cannot tell them apart"
                ),
            );
        }
    }
}

fn check_names(model: &ServiceModel, out: &mut Sink) {
    use DiagnosticCode::EmptyName;
    if model.name.trim().is_empty() {
        out.error(
            EmptyName,
            "/name".into(),
            None,
            "the model has no name".into(),
        );
    }
    for (i, e) in model.elements.iter().enumerate() {
        if e.name.trim().is_empty() {
            out.error(
                EmptyName,
                format!("/elements/{i}/name"),
                Some(e.id.0),
                format!("{} {} has no name", e.kind.label(), e.id),
            );
        }
    }
    for (i, f) in model.flows.iter().enumerate() {
        if f.name.trim().is_empty() {
            out.error(
                EmptyName,
                format!("/flows/{i}/name"),
                Some(f.id.0),
                format!("flow {} has no name", f.id),
            );
        }
    }
    for (i, b) in model.boundaries.iter().enumerate() {
        if b.name.trim().is_empty() {
            out.error(
                EmptyName,
                format!("/boundaries/{i}/name"),
                Some(b.id.0),
                format!("trust boundary {} has no name", b.id),
            );
        }
    }
    let names = std::iter::once(("/name".to_string(), None, "the model", &model.name))
        .chain(model.elements.iter().enumerate().map(|(i, e)| {
            (
                format!("/elements/{i}/name"),
                Some(e.id.0),
                e.kind.label(),
                &e.name,
            )
        }))
        .chain(
            (model.flows.iter().enumerate())
                .map(|(i, f)| (format!("/flows/{i}/name"), Some(f.id.0), "flow", &f.name)),
        )
        .chain(model.boundaries.iter().enumerate().map(|(i, b)| {
            (
                format!("/boundaries/{i}/name"),
                Some(b.id.0),
                "trust boundary",
                &b.name,
            )
        }));
    for (pointer, object, what, name) in names {
        let hidden = hidden_characters(name);
        if !hidden.is_empty() {
            out.warn(
                DiagnosticCode::ControlCharacter,
                pointer,
                object,
                format!(
                    "the name of {what}{} holds {}, which a terminal, the report or a spreadsheet may act on or hide (text can be disguised or reordered)",
                    object.map(|id| format!(" {id}")).unwrap_or_default(),
                    hidden.join(", ")
                ),
            );
        }
    }
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for (i, e) in model.elements.iter().enumerate() {
        if e.name.trim().is_empty() {
            continue;
        }
        if let Some(first) = by_name.insert(e.name.as_str(), i) {
            out.warn(
                DiagnosticCode::DuplicateName,
                format!("/elements/{i}/name"),
                Some(e.id.0),
                format!(
                    "elements {first} and {i} are both named '{}'; references by name to it are ambiguous",
                    e.name
                ),
            );
        }
    }
}

/// Whether a terminal, a browser or a spreadsheet may act on `c` rather than show it: control
/// characters (escape sequences, carriage return...) and the bidirectional formatting
/// characters that reorder text around them.
pub fn is_hidden_character(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// The [hidden characters](is_hidden_character) of `text`, as `U+XXXX`, once each.
fn hidden_characters(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for c in text.chars().filter(|&c| is_hidden_character(c)) {
        let code = format!("U+{:04X}", c as u32);
        if !found.contains(&code) {
            found.push(code);
        }
    }
    found
}

fn check_ids(model: &ServiceModel, out: &mut Sink) {
    // What holds an id, by collection and position: described only for a duplicate (a large
    // model has tens of thousands of ids and, normally, no duplicate).
    #[derive(Clone, Copy)]
    enum Holder {
        Boundary(usize),
        Element(usize),
        Flow(usize),
        Threat(usize),
    }
    let pointer = |h: Holder| match h {
        Holder::Boundary(i) => format!("/boundaries/{i}/id"),
        Holder::Element(i) => format!("/elements/{i}/id"),
        Holder::Flow(i) => format!("/flows/{i}/id"),
        Holder::Threat(i) => format!("/threats/{i}/id"),
    };
    let what = |h: Holder| match h {
        Holder::Boundary(i) => format!("trust boundary '{}'", model.boundaries[i].name),
        Holder::Element(i) => {
            let e = &model.elements[i];
            format!("{} '{}'", e.kind.label(), e.name)
        }
        Holder::Flow(i) => format!("flow '{}'", model.flows[i].name),
        Holder::Threat(i) => format!("threat '{}'", model.threats[i].title),
    };
    let holders = (model.boundaries.iter().enumerate())
        .map(|(i, b)| (b.id.0, Holder::Boundary(i)))
        .chain((model.elements.iter().enumerate()).map(|(i, e)| (e.id.0, Holder::Element(i))))
        .chain((model.flows.iter().enumerate()).map(|(i, f)| (f.id.0, Holder::Flow(i))))
        .chain((model.threats.iter().enumerate()).map(|(i, t)| (t.id.0, Holder::Threat(i))));
    let mut seen: HashMap<Uuid, Holder> = HashMap::with_capacity(
        model.boundaries.len() + model.elements.len() + model.flows.len() + model.threats.len(),
    );
    for (id, holder) in holders {
        match seen.entry(id) {
            std::collections::hash_map::Entry::Occupied(first) => out.error(
                DiagnosticCode::DuplicateId,
                pointer(holder),
                Some(id),
                format!(
                    "{} has id {id}, which {} already has",
                    what(holder),
                    what(*first.get())
                ),
            ),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(holder);
            }
        }
    }
}

fn check_boundaries(model: &ServiceModel, out: &mut Sink) {
    let parents: HashMap<BoundaryId, Option<BoundaryId>> =
        model.boundaries.iter().map(|b| (b.id, b.parent)).collect();
    for (i, b) in model.boundaries.iter().enumerate() {
        if let Some(p) = b.parent
            && !parents.contains_key(&p)
        {
            out.error(
                DiagnosticCode::UnknownBoundary,
                format!("/boundaries/{i}/parent"),
                Some(b.id.0),
                format!(
                    "trust boundary '{}' is nested in unknown boundary {p}",
                    b.name
                ),
            );
        }
        if let Some(key) = &b.shared_key
            && key.trim().is_empty()
        {
            out.error(
                DiagnosticCode::EmptySharedKey,
                format!("/boundaries/{i}/shared_key"),
                Some(b.id.0),
                format!("trust boundary '{}' has an empty shared key", b.name),
            );
        }
    }
    // A cycle is reported once, on the boundary of the cycle that comes first in the file.
    let mut reported: HashSet<BoundaryId> = HashSet::new();
    for (i, b) in model.boundaries.iter().enumerate() {
        let mut walk = model.boundary_nesting(b.id);
        let path: Vec<&TrustBoundary> = walk.by_ref().collect();
        // A cycle that does not pass through b is reported from one of its members.
        if walk.looped_to() != Some(b.id) || path.iter().any(|x| reported.contains(&x.id)) {
            continue;
        }
        reported.extend(path.iter().map(|x| x.id));
        let names: Vec<String> = path
            .iter()
            .chain(std::iter::once(&b))
            .map(|x| format!("'{}'", x.name))
            .collect();
        out.error(
            DiagnosticCode::BoundaryCycle,
            format!("/boundaries/{i}/parent"),
            Some(b.id.0),
            format!("trust boundaries nest in a cycle: {}", names.join(" in ")),
        );
    }
}

fn check_elements(model: &ServiceModel, stencils: &StencilSet, out: &mut Sink) {
    let boundaries: HashSet<BoundaryId> = model.boundaries.iter().map(|b| b.id).collect();
    for (i, e) in model.elements.iter().enumerate() {
        let what = format!("{} '{}'", e.kind.label(), e.name);
        if let Some(b) = e.boundary
            && !boundaries.contains(&b)
        {
            out.error(
                DiagnosticCode::UnknownBoundary,
                format!("/elements/{i}/boundary"),
                Some(e.id.0),
                format!("{what} sits in unknown trust boundary {b}"),
            );
        }
        if e.out_of_scope && e.out_of_scope_reason.trim().is_empty() {
            out.warn(
                DiagnosticCode::MissingOutOfScopeReason,
                format!("/elements/{i}/out_of_scope_reason"),
                Some(e.id.0),
                format!("{what} is out of scope but says not why"),
            );
        }
        if let Some(key) = &e.shared_key
            && key.trim().is_empty()
        {
            out.error(
                DiagnosticCode::EmptySharedKey,
                format!("/elements/{i}/shared_key"),
                Some(e.id.0),
                format!("{what} has an empty shared key"),
            );
        }
        if let Some(r) = &e.refers_to
            && (r.service.trim().is_empty() || (r.element.is_none() && r.shared_key.is_none()))
        {
            out.error(
                DiagnosticCode::InvalidReference,
                format!("/elements/{i}/refers_to"),
                Some(e.id.0),
                format!(
                    "{what} refers to another service's element but names {}",
                    if r.service.trim().is_empty() {
                        "no service"
                    } else {
                        "neither an element nor a shared key"
                    }
                ),
            );
        }
        if !StencilId::is_well_formed(e.stencil.as_str()) {
            out.error(
                DiagnosticCode::InvalidStencil,
                format!("/elements/{i}/stencil"),
                Some(e.id.0),
                format!(
                    "{what} has stencil '{}', which is not a stencil id (lower-case words joined by dots, e.g. 'azure.key_vault')",
                    e.stencil
                ),
            );
            continue;
        }
        if stencils.stencils.is_empty() {
            continue;
        }
        let Some(stencil) = stencils.get(&e.stencil) else {
            out.error(
                DiagnosticCode::UnknownStencil,
                format!("/elements/{i}/stencil"),
                Some(e.id.0),
                format!(
                    "{what} has stencil '{}', which the catalog does not define",
                    e.stencil
                ),
            );
            continue;
        };
        if stencil.kind != e.kind {
            out.error(
                DiagnosticCode::StencilKindMismatch,
                format!("/elements/{i}/stencil"),
                Some(e.id.0),
                format!(
                    "{what} has stencil '{}', which is a {} stencil",
                    e.stencil,
                    stencil.kind.label()
                ),
            );
        }
        check_properties(
            &e.properties,
            &stencil.properties,
            || format!("/elements/{i}/properties"),
            e.id.0,
            &what,
            || format!("stencil '{}'", e.stencil),
            out,
        );
    }
}

fn check_flows(model: &ServiceModel, stencils: &StencilSet, out: &mut Sink) {
    let elements: HashMap<ElementId, &str> = model
        .elements
        .iter()
        .map(|e| (e.id, e.name.as_str()))
        .collect();
    for (i, f) in model.flows.iter().enumerate() {
        let what = format!("flow '{}'", f.name);
        for (end, id) in [("source", f.source), ("target", f.target)] {
            if !elements.contains_key(&id) {
                out.error(
                    DiagnosticCode::UnknownElement,
                    format!("/flows/{i}/{end}"),
                    Some(f.id.0),
                    format!("{what} points to unknown {end} element {id}"),
                );
            }
        }
        if f.source == f.target {
            let name = elements.get(&f.source).copied().unwrap_or("?");
            out.error(
                DiagnosticCode::SelfFlow,
                format!("/flows/{i}/target"),
                Some(f.id.0),
                format!("{what} goes from '{name}' to itself"),
            );
        }
        if f.out_of_scope && f.out_of_scope_reason.trim().is_empty() {
            out.warn(
                DiagnosticCode::MissingOutOfScopeReason,
                format!("/flows/{i}/out_of_scope_reason"),
                Some(f.id.0),
                format!("{what} is out of scope but says not why"),
            );
        }
        if !stencils.stencils.is_empty() {
            check_properties(
                &f.properties,
                &stencils.flow_properties,
                || format!("/flows/{i}/properties"),
                f.id.0,
                &what,
                || "data flows".to_string(),
                out,
            );
        }
    }
}

/// `pointer` and `schema_name` are made only for a diagnostic (most properties have none).
fn check_properties(
    values: &Properties,
    schema: &BTreeMap<String, PropertyDef>,
    pointer: impl Fn() -> String,
    object: Uuid,
    what: &str,
    schema_name: impl Fn() -> String,
    out: &mut Sink,
) {
    for (name, value) in values {
        let ptr = || format!("{}/{}", pointer(), escape_pointer(name));
        let Some(def) = schema.get(name) else {
            out.warn(
                DiagnosticCode::UnknownProperty,
                ptr(),
                Some(object),
                format!(
                    "{what} sets property '{name}', which {} does not define",
                    schema_name()
                ),
            );
            continue;
        };
        if !def.ty.accepts_type_of(value) {
            out.error(
                DiagnosticCode::PropertyType,
                ptr(),
                Some(object),
                format!(
                    "{what} sets property '{name}' to {value} ({}), but it is a {} property",
                    value.type_name(),
                    def.ty.name()
                ),
            );
            continue;
        }
        if let (PropertyType::Enum { values: allowed }, PropertyValue::Text(v)) = (&def.ty, value)
            && !allowed.iter().any(|a| a == v)
        {
            out.error(
                DiagnosticCode::UnknownEnumValue,
                ptr(),
                Some(object),
                format!(
                    "{what} sets property '{name}' to '{v}', which is not one of: {}",
                    allowed.join(", ")
                ),
            );
        }
    }
}

fn check_threats(model: &ServiceModel, out: &mut Sink) {
    for (i, t) in model.threats.iter().enumerate() {
        if t.title.trim().is_empty() {
            out.error(
                DiagnosticCode::EmptyName,
                format!("/threats/{i}/title"),
                Some(t.id.0),
                format!("threat {} has no title", t.id),
            );
        }
        if !t.target.exists_in(model) {
            out.error(
                DiagnosticCode::UnknownTarget,
                format!("/threats/{i}/target"),
                Some(t.id.0),
                format!(
                    "threat '{}' is about {}, which the model does not have",
                    t.title,
                    t.target.describe(model)
                ),
            );
        }
    }
}

/// A conflict that a merge recorded stays a warning until someone takes a side or gives a
/// value: the merged model holds one side's value meanwhile, which nobody chose.
fn check_conflicts(model: &ServiceModel, out: &mut Sink) {
    let count = model.conflicts.len();
    for (i, c) in model.conflicts.iter().enumerate() {
        // `/elements/<id>/...`: shown on that object.
        let object = c
            .path
            .split('/')
            .nth(2)
            .filter(|_| {
                ["/elements/", "/flows/", "/boundaries/"]
                    .iter()
                    .any(|p| c.path.starts_with(p))
            })
            .and_then(|id| Uuid::parse_str(id).ok());
        out.warn(
            DiagnosticCode::UnresolvedConflict,
            format!("/conflicts/{i}"),
            object,
            format!(
                "merge conflict {} of {count} is unresolved ({} at '{}'): {}",
                i + 1,
                c.kind,
                c.path,
                c.message
            ),
        );
    }
}

fn check_layout(model: &ServiceModel, out: &mut Sink) {
    let nodes: HashSet<Uuid> = model
        .elements
        .iter()
        .map(|e| e.id.0)
        .chain(model.boundaries.iter().map(|b| b.id.0))
        .collect();
    // A boundary drawn as a line (imported from Threat Dragon or the Threat Modeling Tool)
    // keeps its line as an edge layout.
    let edges: HashSet<Uuid> = model
        .flows
        .iter()
        .map(|f| f.id.0)
        .chain(model.boundaries.iter().map(|b| b.id.0))
        .collect();
    for id in model.layout.nodes.keys() {
        if !nodes.contains(id) {
            out.warn(
                DiagnosticCode::OrphanLayout,
                format!("/layout/nodes/{id}"),
                Some(*id),
                format!("the layout places {id}, which is neither an element nor a boundary"),
            );
        }
    }
    for id in model.layout.edges.keys() {
        if !edges.contains(id) {
            out.warn(
                DiagnosticCode::OrphanLayout,
                format!("/layout/edges/{id}"),
                Some(*id),
                format!("the layout routes {id}, which is neither a flow nor a boundary"),
            );
        }
    }
}

/// Escapes a key for use in a JSON pointer (RFC 6901).
fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    //! One small document per diagnostic, in the real format, parsed by the real parser.

    use std::path::Path;

    use expect_test::{Expect, expect};
    use serde_json::{Value, json};

    use super::*;
    use crate::catalog::builtin_stencils;
    use crate::model::from_json;

    const U: &str = "00000000-0000-4000-8000-00000000000"; // + one hex digit

    fn id(n: u8) -> String {
        format!("{U}{n:x}")
    }

    /// A valid model: user (1) -> api (2) -> db (3), api and db in boundary 9 nested in 10.
    fn base() -> Value {
        json!({
            "schema_version": 1,
            "id": id(0),
            "name": "orders",
            "boundaries": [
                { "id": id(9), "name": "Stamp", "kind": "azure_region_stamp", "parent": id(10) },
                { "id": id(10), "name": "Subscription", "kind": "subscription" }
            ],
            "elements": [
                { "id": id(1), "kind": "external_entity", "name": "Customer", "stencil": "generic.external_entity" },
                { "id": id(2), "kind": "process", "name": "Orders API", "stencil": "azure.app_service",
                  "boundary": id(9), "properties": { "authenticates_callers": true } },
                { "id": id(3), "kind": "data_store", "name": "Orders DB", "stencil": "azure.sql_database",
                  "boundary": id(9), "properties": { "data_classification": "confidential" } }
            ],
            "flows": [
                { "id": id(4), "name": "Place order", "source": id(1), "target": id(2), "protocol": "HTTPS",
                  "properties": { "encrypted": true } },
                { "id": id(5), "name": "Store order", "source": id(2), "target": id(3) }
            ]
        })
    }

    fn check(edit: impl FnOnce(&mut Value), expect: Expect) {
        let mut doc = base();
        edit(&mut doc);
        let text = serde_json::to_vec(&doc).unwrap();
        let model = from_json(&text, Path::new("fixture.stride.json")).unwrap();
        let diagnostics = validate(&model, builtin_stencils());
        let rendered: Vec<String> = diagnostics
            .iter()
            .map(|d| d.to_string().replace(U, "#"))
            .collect();
        expect.assert_eq(&rendered.join("\n"));
    }

    #[test]
    fn valid_model_has_no_diagnostics() {
        check(|_| {}, expect![[""]]);
    }

    #[test]
    fn an_unresolved_merge_conflict_is_a_warning_on_its_object() {
        check(
            |d| {
                d["conflicts"] = json!([{
                    "path": format!("/elements/{}/name", id(2)),
                    "kind": "edit/edit",
                    "message": "name of 'Orders API': yours 'Orders API', theirs 'Checkout API'",
                    "ours": "Orders API",
                    "theirs": "Checkout API",
                }]);
            },
            expect![[
                r#"warning[unresolved-conflict] /conflicts/0: merge conflict 1 of 1 is unresolved (edit/edit at '/elements/#2/name'): name of 'Orders API': yours 'Orders API', theirs 'Checkout API'"#
            ]],
        );
        let mut doc = base();
        doc["conflicts"] = json!([{ "path": "/name", "kind": "edit/edit", "message": "name" }]);
        let model = from_json(&serde_json::to_vec(&doc).unwrap(), Path::new("f.json")).unwrap();
        let d = validate(&model, builtin_stencils());
        assert_eq!((d.len(), d[0].object), (1, None));
        let mut doc = base();
        doc["conflicts"] = json!([{ "path": format!("/elements/{}/name", id(2)), "kind": "edit/edit", "message": "name" }]);
        let model = from_json(&serde_json::to_vec(&doc).unwrap(), Path::new("f.json")).unwrap();
        assert_eq!(
            validate(&model, builtin_stencils())[0]
                .object
                .map(|u| u.to_string()),
            Some(id(2))
        );
    }

    fn threat(target: Value) -> Value {
        json!({ "id": id(11), "title": "Order replay", "stride": "spoofing", "target": target,
                "likelihood": "high", "impact": "medium", "mitigations": ["MIT-NOPE", "MIT-TLS"] })
    }

    #[test]
    fn hand_written_threats_on_each_kind_of_target_are_valid() {
        for target in [
            json!({"kind": "model"}),
            json!({"kind": "element", "id": id(2)}),
            json!({"kind": "flow", "id": id(4)}),
            json!({"kind": "boundary", "id": id(9)}),
        ] {
            check(|d| d["threats"] = json!([threat(target)]), expect![[""]]);
        }
    }

    #[test]
    fn hand_written_threat_with_unknown_target_or_empty_title() {
        check(
            |d| {
                let mut t = threat(json!({"kind": "flow", "id": id(2)}));
                t["title"] = json!(" ");
                d["threats"] = json!([t, threat(json!({"kind": "boundary", "id": id(7)}))]);
                d["threats"][1]["id"] = json!(id(12));
            },
            expect![[r#"
                error[empty-name] /threats/0/title: threat #b has no title
                error[unknown-target] /threats/0/target: threat ' ' is about unknown flow #2, which the model does not have
                error[unknown-target] /threats/1/target: threat 'Order replay' is about unknown trust boundary #7, which the model does not have"#]],
        );
    }

    #[test]
    fn unknown_catalog_mitigation_is_a_warning() {
        let mut doc = base();
        doc["threats"] = json!([threat(json!({"kind": "model"}))]);
        let model = from_json(&serde_json::to_vec(&doc).unwrap(), Path::new("t")).unwrap();
        let d = check_mitigations(&model, |m| m == "MIT-TLS");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].level, Level::Warning);
        assert_eq!(
            d[0].to_string().replace(U, "#"),
            "warning[unknown-mitigation] /threats/0/mitigations/0: threat 'Order replay' names mitigation 'MIT-NOPE', which the catalog does not define"
        );
    }

    #[test]
    fn flow_to_unknown_element() {
        check(
            |d| d["flows"][1]["target"] = json!(id(7)),
            expect![[
                "error[unknown-element] /flows/1/target: flow 'Store order' points to unknown target element #7"
            ]],
        );
    }

    // Issue 20, 6: escape sequences and bidi overrides in names were accepted without a word
    // and reached the terminal, the report and the CSV.
    #[test]
    fn issue_20_hidden_characters_in_a_name_are_a_warning() {
        check(
            |d| {
                d["elements"][1]["name"] = json!("API\u{1b}[2J\u{202e}gnp.exe\u{1b}");
                d["flows"][0]["name"] = json!("Place\torder");
            },
            expect![[
                "warning[control-character] /elements/1/name: the name of process #2 holds U+001B, U+202E, which a terminal, the report or a spreadsheet may act on or hide (text can be disguised or reordered)\nwarning[control-character] /flows/0/name: the name of flow #4 holds U+0009, which a terminal, the report or a spreadsheet may act on or hide (text can be disguised or reordered)"
            ]],
        );
    }

    #[test]
    fn duplicate_ids() {
        check(
            |d| d["flows"][1]["id"] = json!(id(3)),
            expect![[
                "error[duplicate-id] /flows/1/id: flow 'Store order' has id #3, which data store 'Orders DB' already has"
            ]],
        );
    }

    #[test]
    fn flow_from_an_element_to_itself() {
        check(
            |d| d["flows"][1]["target"] = json!(id(2)),
            expect![[
                "error[self-flow] /flows/1/target: flow 'Store order' goes from 'Orders API' to itself"
            ]],
        );
    }

    #[test]
    fn boundary_nesting_cycle() {
        check(
            |d| d["boundaries"][1]["parent"] = json!(id(9)),
            expect![[
                "error[boundary-cycle] /boundaries/0/parent: trust boundaries nest in a cycle: 'Stamp' in 'Subscription' in 'Stamp'"
            ]],
        );
    }

    #[test]
    fn boundary_nested_in_itself() {
        check(
            |d| d["boundaries"][1]["parent"] = json!(id(10)),
            expect![[
                "error[boundary-cycle] /boundaries/1/parent: trust boundaries nest in a cycle: 'Subscription' in 'Subscription'"
            ]],
        );
    }

    #[test]
    fn element_in_unknown_boundary() {
        check(
            |d| d["elements"][2]["boundary"] = json!(id(8)),
            expect![[
                "error[unknown-boundary] /elements/2/boundary: data store 'Orders DB' sits in unknown trust boundary #8"
            ]],
        );
    }

    #[test]
    fn property_of_the_wrong_type() {
        check(
            |d| d["elements"][1]["properties"]["authenticates_callers"] = json!("yes"),
            expect![[
                "error[property-type] /elements/1/properties/authenticates_callers: process 'Orders API' sets property 'authenticates_callers' to 'yes' (text), but it is a bool property"
            ]],
        );
    }

    #[test]
    fn unknown_enum_value() {
        check(
            |d| d["elements"][2]["properties"]["data_classification"] = json!("top-secret"),
            expect![[
                "error[unknown-enum-value] /elements/2/properties/data_classification: data store 'Orders DB' sets property 'data_classification' to 'top-secret', which is not one of: public, internal, confidential, restricted"
            ]],
        );
    }

    #[test]
    fn flow_property_of_the_wrong_type() {
        check(
            |d| d["flows"][0]["properties"]["encrypted"] = json!(1),
            expect![[
                "error[property-type] /flows/0/properties/encrypted: flow 'Place order' sets property 'encrypted' to 1 (number), but it is a bool property"
            ]],
        );
    }

    #[test]
    fn empty_names() {
        check(
            |d| {
                d["name"] = json!(" ");
                d["elements"][0]["name"] = json!("");
                d["boundaries"][0]["name"] = json!("");
            },
            expect![[r#"
                error[empty-name] /name: the model has no name
                error[empty-name] /elements/0/name: external entity #1 has no name
                error[empty-name] /boundaries/0/name: trust boundary #9 has no name"#]],
        );
    }

    #[test]
    fn unknown_stencil_and_kind_mismatch() {
        check(
            |d| {
                d["elements"][0]["stencil"] = json!("acme.mainframe");
                d["elements"][2]["stencil"] = json!("azure.app_service");
                d["elements"][2]["properties"] = json!({});
            },
            expect![[r#"
                error[unknown-stencil] /elements/0/stencil: external entity 'Customer' has stencil 'acme.mainframe', which the catalog does not define
                error[stencil-kind-mismatch] /elements/2/stencil: data store 'Orders DB' has stencil 'azure.app_service', which is a process stencil"#]],
        );
    }

    #[test]
    fn malformed_stencil_id() {
        check(
            |d| d["elements"][0]["stencil"] = json!("Mainframe"),
            expect![[
                "error[invalid-stencil] /elements/0/stencil: external entity 'Customer' has stencil 'Mainframe', which is not a stencil id (lower-case words joined by dots, e.g. 'azure.key_vault')"
            ]],
        );
    }

    #[test]
    fn warnings_for_unknown_property_missing_reason_and_duplicate_names() {
        check(
            |d| {
                d["elements"][1]["properties"]["colour"] = json!("blue");
                d["elements"][2]["out_of_scope"] = json!(true);
                d["elements"][2]["name"] = json!("Orders API");
            },
            expect![[r#"
                warning[duplicate-name] /elements/2/name: elements 1 and 2 are both named 'Orders API'; references by name to it are ambiguous
                warning[unknown-property] /elements/1/properties/colour: process 'Orders API' sets property 'colour', which stencil 'azure.app_service' does not define
                warning[missing-out-of-scope-reason] /elements/2/out_of_scope_reason: data store 'Orders API' is out of scope but says not why"#]],
        );
    }

    #[test]
    fn references_and_shared_keys() {
        check(
            |d| {
                d["elements"][0]["refers_to"] = json!({ "service": "payments" });
                d["elements"][2]["shared_key"] = json!("");
            },
            expect![[r#"
                error[invalid-reference] /elements/0/refers_to: external entity 'Customer' refers to another service's element but names neither an element nor a shared key
                error[empty-shared-key] /elements/2/shared_key: data store 'Orders DB' has an empty shared key"#]],
        );
    }

    #[test]
    fn empty_and_repeated_iac_addresses() {
        check(
            |d| {
                d["elements"][0]["iac_address"] = json!("azurerm_key_vault.main");
                d["elements"][1]["iac_address"] = json!("azurerm_key_vault.main");
                d["flows"][0]["iac_address"] = json!(" ");
            },
            expect![[r#"
                error[empty-iac-address] /flows/0/iac_address: flows 0 has an empty infrastructure-as-code address
                warning[duplicate-iac-address] /elements/1/iac_address: elements 0 and 1 both come from 'azurerm_key_vault.main'; a re-import or a drift check cannot tell them apart"#]],
        );
    }

    #[test]
    fn layout_for_unknown_objects() {
        check(
            |d| {
                d["layout"] = json!({
                    "nodes": { id(7): { "x": 0.0, "y": 0.0, "width": 10.0, "height": 10.0 } },
                    "edges": { id(1): {} }
                })
            },
            expect![[r#"
                warning[orphan-layout] /layout/nodes/#7: the layout places #7, which is neither an element nor a boundary
                warning[orphan-layout] /layout/edges/#1: the layout routes #1, which is neither a flow nor a boundary"#]],
        );
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let mut doc = base();
        doc["flows"][0]["target"] = json!(id(7));
        doc["flows"][1]["source"] = json!(id(6));
        doc["elements"][1]["name"] = json!("");
        let model = from_json(&serde_json::to_vec(&doc).unwrap(), Path::new("f")).unwrap();
        let codes: Vec<_> = validate(&model, builtin_stencils())
            .into_iter()
            .map(|d| d.code)
            .collect();
        assert_eq!(
            codes,
            [
                DiagnosticCode::EmptyName,
                DiagnosticCode::UnknownElement,
                DiagnosticCode::UnknownElement
            ]
        );
    }

    #[test]
    fn structure_only_without_stencils() {
        let mut doc = base();
        doc["elements"][0]["stencil"] = json!("acme.mainframe");
        let model = from_json(&serde_json::to_vec(&doc).unwrap(), Path::new("f")).unwrap();
        assert!(validate(&model, &StencilSet::default()).is_empty());
    }
}
