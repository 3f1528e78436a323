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
use super::{BoundaryId, ElementId, Properties, PropertyValue, ServiceModel};

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

/// Checks a model against itself and against the stencils' property schemas. Pass an empty
/// [`StencilSet`] to check structure only.
pub fn validate(model: &ServiceModel, stencils: &StencilSet) -> Vec<Diagnostic> {
    let mut out = Sink(Vec::new());
    check_names(model, &mut out);
    check_ids(model, &mut out);
    check_boundaries(model, &mut out);
    check_elements(model, stencils, &mut out);
    check_flows(model, stencils, &mut out);
    check_layout(model, &mut out);
    out.0
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

fn check_ids(model: &ServiceModel, out: &mut Sink) {
    let mut seen: HashMap<Uuid, String> = HashMap::new();
    let mut visit = |id: Uuid, pointer: String, what: String| {
        if let Some(first) = seen.get(&id) {
            out.error(
                DiagnosticCode::DuplicateId,
                pointer,
                Some(id),
                format!("{what} has id {id}, which {first} already has"),
            );
        } else {
            seen.insert(id, what);
        }
    };
    for (i, b) in model.boundaries.iter().enumerate() {
        visit(
            b.id.0,
            format!("/boundaries/{i}/id"),
            format!("trust boundary '{}'", b.name),
        );
    }
    for (i, e) in model.elements.iter().enumerate() {
        visit(
            e.id.0,
            format!("/elements/{i}/id"),
            format!("{} '{}'", e.kind.label(), e.name),
        );
    }
    for (i, f) in model.flows.iter().enumerate() {
        visit(
            f.id.0,
            format!("/flows/{i}/id"),
            format!("flow '{}'", f.name),
        );
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
        let mut path = vec![b.id];
        let mut current = b.parent;
        while let Some(p) = current {
            if p == b.id {
                if path.iter().all(|id| !reported.contains(id)) {
                    reported.extend(path.iter().copied());
                    let names: Vec<String> = path
                        .iter()
                        .chain(std::iter::once(&b.id))
                        .map(|id| {
                            model
                                .boundary(*id)
                                .map(|x| format!("'{}'", x.name))
                                .unwrap_or_else(|| id.to_string())
                        })
                        .collect();
                    out.error(
                        DiagnosticCode::BoundaryCycle,
                        format!("/boundaries/{i}/parent"),
                        Some(b.id.0),
                        format!("trust boundaries nest in a cycle: {}", names.join(" in ")),
                    );
                }
                break;
            }
            if path.contains(&p) || path.len() > parents.len() {
                break; // a cycle that does not pass through b; reported from one of its members
            }
            path.push(p);
            current = parents.get(&p).copied().flatten();
        }
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
            &format!("/elements/{i}/properties"),
            e.id.0,
            &what,
            &format!("stencil '{}'", e.stencil),
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
                &format!("/flows/{i}/properties"),
                f.id.0,
                &what,
                "data flows",
                out,
            );
        }
    }
}

fn check_properties(
    values: &Properties,
    schema: &BTreeMap<String, PropertyDef>,
    pointer: &str,
    object: Uuid,
    what: &str,
    schema_name: &str,
    out: &mut Sink,
) {
    for (name, value) in values {
        let ptr = format!("{pointer}/{}", escape_pointer(name));
        let Some(def) = schema.get(name) else {
            out.warn(
                DiagnosticCode::UnknownProperty,
                ptr,
                Some(object),
                format!("{what} sets property '{name}', which {schema_name} does not define"),
            );
            continue;
        };
        if !def.ty.accepts_type_of(value) {
            out.error(
                DiagnosticCode::PropertyType,
                ptr,
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
                ptr,
                Some(object),
                format!(
                    "{what} sets property '{name}' to '{v}', which is not one of: {}",
                    allowed.join(", ")
                ),
            );
        }
    }
}

fn check_layout(model: &ServiceModel, out: &mut Sink) {
    let nodes: HashSet<Uuid> = model
        .elements
        .iter()
        .map(|e| e.id.0)
        .chain(model.boundaries.iter().map(|b| b.id.0))
        .collect();
    let edges: HashSet<Uuid> = model.flows.iter().map(|f| f.id.0).collect();
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
                format!("the layout routes {id}, which is not a flow"),
            );
        }
    }
}

/// Escapes a key for use in a JSON pointer (RFC 6901).
fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
