//! The data-flow diagram of one service (or of a consolidated application): elements, data
//! flows, nested trust boundaries, typed properties and, kept apart, the diagram layout.
//!
//! This module is the vocabulary every other module speaks. It knows nothing about rules, SQL,
//! HTML, Tauri or the command line. Its file format is [`io`]: versioned, canonical JSON
//! (`.stride.json`) whose JSON Schema is generated from these types. Bad documents are not
//! errors here: [`validate`] returns every problem as a [`Diagnostic`].

pub mod io;
pub mod stencil;
pub mod threat;
pub mod triage;
pub mod validate;

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use io::{LoadError, MAX_FILE_BYTES, from_json, load, save, to_canonical_json};
pub use stencil::{PropertyDef, PropertyType, Stencil, StencilId, StencilSet};
pub use threat::{MANUAL_PREFIX, ManualThreat, ThreatEditError, ThreatTarget};
pub use triage::{
    KeyTarget, MitigationStatus, Rating, Severity, Stride, ThreatKey, TriageDecision, TriageStatus,
};
pub use validate::{
    Diagnostic, DiagnosticCode, Level, is_hidden_character, structural_errors, validate,
};

/// The version of the file format this build writes. Older versions are read and upgraded;
/// newer ones are refused with a message that says so.
pub const SCHEMA_VERSION: u32 = 1;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
        )]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random id.
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }

            /// A deterministic id derived from a namespace and a name (UUID v5), so that
            /// importing the same file twice gives the same ids.
            pub fn derived(namespace: Uuid, name: &str) -> Self {
                Self(Uuid::new_v5(&namespace, name.as_bytes()))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

/// Ids of workspace records (revisions, applications, reviews): newtypes over UUIDs, written as
/// the UUID's text.
macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(uuid::Uuid::new_v4())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map(Self)
            }
        }
    };
}
pub(crate) use record_id;

record_id!(
    /// Identifies one saved revision of a model in a workspace; exported files carry it as
    /// their lineage.
    RevisionId
);
record_id!(
    /// Identifies an application in a workspace.
    ApplicationId
);

id_type!(
    /// Identifies a service model (or an application model) across files, workspaces and merges.
    ModelId
);
id_type!(
    /// Identifies an element (external entity, process or data store) within its model.
    ElementId
);
id_type!(
    /// Identifies a data flow within its model.
    FlowId
);
id_type!(
    /// Identifies a trust boundary within its model.
    BoundaryId
);
id_type!(
    /// Identifies a threat written by a person (or imported from another tool).
    ThreatId
);

/// Whether a document describes one service or the consolidated application.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// The model of one service, drawn by the team that owns it.
    #[default]
    Service,
    /// The application-level model consolidated from the services' models.
    Application,
}

impl ModelKind {
    fn is_service(&self) -> bool {
        *self == ModelKind::Service
    }
}

/// The data-flow diagram of one service: the unit a team draws, saves, merges and reviews.
///
/// Collections are written sorted by id (see [`io::to_canonical_json`]) so that a diff between
/// two saves shows only what changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ServiceModel {
    /// The file format version; see [`SCHEMA_VERSION`].
    pub schema_version: u32,
    pub id: ModelId,
    #[serde(default, skip_serializing_if = "ModelKind::is_service")]
    pub kind: ModelKind,
    pub name: String,
    /// The team that owns the service and its threat model.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub team: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Who reviewed the threat model (Threat Dragon's and the Threat Modeling Tool's reviewer).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reviewer: String,
    /// The people who contributed to it, in the order given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contributors: Vec<String>,
    #[serde(default)]
    pub boundaries: Vec<TrustBoundary>,
    #[serde(default)]
    pub elements: Vec<Element>,
    #[serde(default)]
    pub flows: Vec<DataFlow>,
    /// Where things are drawn. Kept apart from the semantics: rules never read it, and a merge
    /// treats layout-only differences as harmless.
    #[serde(default, skip_serializing_if = "Layout::is_empty")]
    pub layout: Layout,
    /// Threats written by people or imported from other tools. The catalog's threats are
    /// computed from the diagram and never stored; these are content, like the elements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threats: Vec<ManualThreat>,
    /// Triage decisions on this model's threats, keyed by the stable threat key. Carried in the
    /// file so that exported models and git branches keep them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub triage: BTreeMap<ThreatKey, TriageDecision>,
    /// The workspace revision this document was exported from, so that a later import can find
    /// the common ancestor for a three-way merge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineage: Option<Lineage>,
    /// Conflicts left by a merge, waiting for a decision. The rest of the merge is in the model.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<MergeConflict>,
}

impl ServiceModel {
    /// An empty service model with a fresh id.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            id: ModelId::new(),
            kind: ModelKind::Service,
            name: name.into(),
            team: String::new(),
            description: String::new(),
            reviewer: String::new(),
            contributors: Vec::new(),
            boundaries: Vec::new(),
            elements: Vec::new(),
            flows: Vec::new(),
            layout: Layout::default(),
            threats: Vec::new(),
            triage: BTreeMap::new(),
            lineage: None,
            conflicts: Vec::new(),
        }
    }

    /// A copy with a fresh model id and fresh ids for every element, flow, boundary and
    /// hand-written threat (the layout and the threats' targets follow). Triage, lineage and
    /// merge conflicts belong to the original and are not copied; references into other
    /// services (`refers_to`, `shared_key`) are kept.
    pub fn duplicate(&self) -> ServiceModel {
        let mut ids: BTreeMap<Uuid, Uuid> = BTreeMap::new();
        let mut fresh = |old: Uuid| *ids.entry(old).or_insert_with(Uuid::new_v4);
        let mut copy = self.clone();
        copy.id = ModelId::new();
        for b in &mut copy.boundaries {
            b.id = BoundaryId(fresh(b.id.0));
        }
        for b in &mut copy.boundaries {
            b.parent = b.parent.map(|p| BoundaryId(fresh(p.0)));
        }
        for e in &mut copy.elements {
            e.id = ElementId(fresh(e.id.0));
            e.boundary = e.boundary.map(|p| BoundaryId(fresh(p.0)));
        }
        for f in &mut copy.flows {
            f.id = FlowId(fresh(f.id.0));
            f.source = ElementId(fresh(f.source.0));
            f.target = ElementId(fresh(f.target.0));
        }
        for t in &mut copy.threats {
            t.id = ThreatId::new();
            t.target = match t.target {
                ThreatTarget::Model => ThreatTarget::Model,
                ThreatTarget::Element(id) => ThreatTarget::Element(ElementId(fresh(id.0))),
                ThreatTarget::Flow(id) => ThreatTarget::Flow(FlowId(fresh(id.0))),
                ThreatTarget::Boundary(id) => ThreatTarget::Boundary(BoundaryId(fresh(id.0))),
            };
        }
        copy.layout.nodes = (self.layout.nodes.iter())
            .filter_map(|(k, v)| Some((*ids.get(k)?, *v)))
            .collect();
        copy.layout.edges = (self.layout.edges.iter())
            .filter_map(|(k, v)| Some((*ids.get(k)?, v.clone())))
            .collect();
        copy.triage.clear();
        copy.lineage = None;
        copy.conflicts.clear();
        copy
    }

    pub fn element(&self, id: ElementId) -> Option<&Element> {
        self.elements.iter().find(|e| e.id == id)
    }

    pub fn flow(&self, id: FlowId) -> Option<&DataFlow> {
        self.flows.iter().find(|f| f.id == id)
    }

    pub fn boundary(&self, id: BoundaryId) -> Option<&TrustBoundary> {
        self.boundaries.iter().find(|b| b.id == id)
    }

    /// The element or flow a threat key is about in this model: a flow named anywhere in the
    /// key wins (flow threats are keyed `RULE@source@flow@target`, and keys imported from
    /// Threat Dragon may name a flow alone), else the first element the key names.
    pub fn object_of_key(&self, key: &ThreatKey) -> Option<ModelObject<'_>> {
        let ids: Vec<Uuid> = key.ids().collect();
        ids.iter()
            .find_map(|id| self.flow(FlowId(*id)).map(ModelObject::Flow))
            .or_else(|| {
                ids.iter()
                    .find_map(|id| self.element(ElementId(*id)).map(ModelObject::Element))
            })
    }

    /// The boundary `id` and the boundaries it is nested in, innermost first. The walk stops
    /// at a parent the model does not have, and before a boundary comes round a second time
    /// (a nesting cycle, which validation reports): see [`Nesting::looped_to`].
    pub fn boundary_nesting<'a>(
        &'a self,
        id: BoundaryId,
    ) -> Nesting<'a, impl Fn(BoundaryId) -> Option<&'a TrustBoundary>> {
        nesting(id, |b| self.boundary(b))
    }
}

/// [`ServiceModel::boundary_nesting`] over boundaries held elsewhere (consolidation walks the
/// merged boundaries before they form a model): `lookup` finds a boundary by id.
pub fn nesting<'a, F>(start: BoundaryId, lookup: F) -> Nesting<'a, F>
where
    F: Fn(BoundaryId) -> Option<&'a TrustBoundary>,
{
    Nesting {
        lookup,
        next: Some(start),
        seen: Vec::new(),
        looped_to: None,
        _boundaries: std::marker::PhantomData,
    }
}

/// An element or a flow of a model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ModelObject<'a> {
    Element(&'a Element),
    Flow(&'a DataFlow),
}

impl ModelObject<'_> {
    pub fn id(&self) -> Uuid {
        match self {
            ModelObject::Element(e) => e.id.0,
            ModelObject::Flow(f) => f.id.0,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            ModelObject::Element(e) => &e.name,
            ModelObject::Flow(f) => &f.name,
        }
    }
}

/// The walk of [`ServiceModel::boundary_nesting`]: the one function that follows boundary
/// parents, so that every caller stops the same way on unknown parents and on cycles.
pub struct Nesting<'a, F> {
    lookup: F,
    next: Option<BoundaryId>,
    seen: Vec<BoundaryId>,
    looped_to: Option<BoundaryId>,
    _boundaries: std::marker::PhantomData<&'a TrustBoundary>,
}

impl<F> Nesting<'_, F> {
    /// When the walk stopped because the parents loop back: the boundary they came back to.
    /// Meaningful once the iterator is exhausted.
    pub fn looped_to(&self) -> Option<BoundaryId> {
        self.looped_to
    }
}

impl<'a, F> Iterator for Nesting<'a, F>
where
    F: Fn(BoundaryId) -> Option<&'a TrustBoundary>,
{
    type Item = &'a TrustBoundary;

    fn next(&mut self) -> Option<&'a TrustBoundary> {
        let id = self.next.take()?;
        if self.seen.contains(&id) {
            self.looped_to = Some(id);
            return None;
        }
        let b = (self.lookup)(id)?;
        self.seen.push(id);
        self.next = b.parent;
        Some(b)
    }
}

impl ServiceModel {
    /// Puts every collection in canonical order (by id). Saving does this on a copy; callers
    /// that compare models for equality call it first.
    pub fn canonicalize(&mut self) {
        self.boundaries.sort_by_key(|b| b.id);
        self.elements.sort_by_key(|e| e.id);
        self.flows.sort_by_key(|f| f.id);
        for e in &mut self.elements {
            e.origins.sort();
            e.origins.dedup();
        }
        for f in &mut self.flows {
            f.origins.sort();
            f.origins.dedup();
        }
        for b in &mut self.boundaries {
            b.origins.sort();
            b.origins.dedup();
        }
        self.threats.sort_by_key(|t| t.id);
        for t in &mut self.threats {
            t.origins.sort();
            t.origins.dedup();
            t.mitigations.sort();
            t.mitigations.dedup();
        }
    }
}

/// The three kinds of DFD node.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ElementKind {
    /// A person or system outside the service's control: a user, a partner, another company.
    ExternalEntity,
    /// Code that runs: a web API, a function, a pipeline, a virtual machine.
    Process,
    /// Where data rests: a database, a storage account, a key vault, a queue.
    DataStore,
}

impl ElementKind {
    pub const ALL: [ElementKind; 3] = [
        ElementKind::ExternalEntity,
        ElementKind::Process,
        ElementKind::DataStore,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ElementKind::ExternalEntity => "external_entity",
            ElementKind::Process => "process",
            ElementKind::DataStore => "data_store",
        }
    }

    /// Words for people: "external entity", "process", "data store".
    pub fn label(&self) -> &'static str {
        match self {
            ElementKind::ExternalEntity => "external entity",
            ElementKind::Process => "process",
            ElementKind::DataStore => "data store",
        }
    }
}

impl fmt::Display for ElementKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A typed property value. Enum values are text checked against the stencil's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(untagged)]
pub enum PropertyValue {
    Bool(bool),
    /// Kept as written (`443` stays `443`, not `443.0`) so that files round-trip byte for byte.
    Number(#[cfg_attr(feature = "ts", ts(type = "number"))] serde_json::Number),
    Text(String),
}

impl PropertyValue {
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            PropertyValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            PropertyValue::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            PropertyValue::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The JSON type name, for messages: "bool", "number", "text".
    pub fn type_name(&self) -> &'static str {
        match self {
            PropertyValue::Bool(_) => "bool",
            PropertyValue::Number(_) => "number",
            PropertyValue::Text(_) => "text",
        }
    }

    pub fn number(n: f64) -> Self {
        serde_json::Number::from_f64(n)
            .map(PropertyValue::Number)
            .unwrap_or(PropertyValue::Text(n.to_string()))
    }
}

impl fmt::Display for PropertyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PropertyValue::Bool(b) => write!(f, "{b}"),
            PropertyValue::Number(n) => write!(f, "{n}"),
            PropertyValue::Text(s) => write!(f, "'{s}'"),
        }
    }
}

impl From<bool> for PropertyValue {
    fn from(b: bool) -> Self {
        PropertyValue::Bool(b)
    }
}

impl From<&str> for PropertyValue {
    fn from(s: &str) -> Self {
        PropertyValue::Text(s.to_string())
    }
}

impl From<i64> for PropertyValue {
    fn from(n: i64) -> Self {
        PropertyValue::Number(n.into())
    }
}

/// Property values by property name, in name order.
pub type Properties = BTreeMap<String, PropertyValue>;

/// An external entity, process or data store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Element {
    pub id: ElementId,
    pub kind: ElementKind,
    pub name: String,
    /// Its technology, e.g. `generic.process` or `azure.key_vault`; the catalog defines the
    /// stencils and their property schemas.
    pub stencil: StencilId,
    /// The innermost trust boundary it sits in; `None` means outside every boundary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<BoundaryId>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: Properties,
    /// Out-of-scope elements are drawn but get no threats.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub out_of_scope: bool,
    /// Why it is out of scope; expected whenever `out_of_scope` is set.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub out_of_scope_reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// The same real resource in several services' models carries the same key (e.g.
    /// `global-cosmos-db`); consolidation makes them one element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_key: Option<String>,
    /// This element stands for an element of another service's model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refers_to: Option<ElementRef>,
    /// The infrastructure-as-code address this object was imported from, e.g.
    /// `module.stamp["eastus2"].azurerm_key_vault.stamp`; re-imports and drift checks match
    /// objects by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iac_address: Option<String>,
    /// In an application model: the services this element came from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<String>,
}

impl Element {
    /// A new element of `kind` with the generic stencil for that kind.
    pub fn new(kind: ElementKind, name: impl Into<String>) -> Self {
        Self {
            id: ElementId::new(),
            kind,
            name: name.into(),
            stencil: StencilId::generic(kind),
            boundary: None,
            description: String::new(),
            properties: Properties::new(),
            out_of_scope: false,
            out_of_scope_reason: String::new(),
            notes: String::new(),
            shared_key: None,
            refers_to: None,
            iac_address: None,
            origins: Vec::new(),
        }
    }
}

/// A reference from one service's model to an element of another service's model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ElementRef {
    /// The name of the service whose model holds the element.
    pub service: String,
    /// The element's name in that model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<String>,
    /// Or its shared key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_key: Option<String>,
}

impl fmt::Display for ElementRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.element, &self.shared_key) {
            (Some(name), _) => write!(f, "{}/{}", self.service, name),
            (None, Some(key)) => write!(f, "{}/[{}]", self.service, key),
            (None, None) => write!(f, "{}/?", self.service),
        }
    }
}

/// Data moving from one element to another.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct DataFlow {
    pub id: FlowId,
    pub name: String,
    pub source: ElementId,
    pub target: ElementId,
    /// The wire protocol as people say it: `HTTPS`, `AMQP`, `SSH`, `SQL`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub protocol: String,
    /// Data moves both ways (a request and its response drawn as one arrow).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bidirectional: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: Properties,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub out_of_scope: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub out_of_scope_reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// The infrastructure-as-code address this object was imported from, e.g.
    /// `module.stamp["eastus2"].azurerm_key_vault.stamp`; re-imports and drift checks match
    /// objects by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iac_address: Option<String>,
    /// In an application model: the services this flow came from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<String>,
}

impl DataFlow {
    pub fn new(name: impl Into<String>, source: ElementId, target: ElementId) -> Self {
        Self {
            id: FlowId::new(),
            name: name.into(),
            source,
            target,
            protocol: String::new(),
            bidirectional: false,
            description: String::new(),
            properties: Properties::new(),
            out_of_scope: false,
            out_of_scope_reason: String::new(),
            notes: String::new(),
            iac_address: None,
            origins: Vec::new(),
        }
    }
}

/// What a trust boundary separates. Rules ask for boundaries by kind ("does this flow cross
/// the internet boundary?").
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum BoundaryKind {
    /// The public internet: everything in it is untrusted.
    Internet,
    /// An on-premises data center or corporate network.
    OnPremises,
    /// The application's global resources (Front Door, global database, registry).
    AzureGlobal,
    /// One regional deployment stamp.
    AzureRegionStamp,
    /// An Azure subscription or resource group: a control-plane boundary.
    Subscription,
    VirtualNetwork,
    Subnet,
    /// Build and release: CI/CD tooling, pipelines and build agents.
    CiCd,
    /// Operations and management access: jump boxes, Bastion, administrators.
    Management,
    /// A partner's or a third party's systems.
    ThirdParty,
    /// A process or machine boundary that fits none of the above.
    Generic,
}

impl BoundaryKind {
    pub const ALL: [BoundaryKind; 11] = [
        BoundaryKind::Internet,
        BoundaryKind::OnPremises,
        BoundaryKind::AzureGlobal,
        BoundaryKind::AzureRegionStamp,
        BoundaryKind::Subscription,
        BoundaryKind::VirtualNetwork,
        BoundaryKind::Subnet,
        BoundaryKind::CiCd,
        BoundaryKind::Management,
        BoundaryKind::ThirdParty,
        BoundaryKind::Generic,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            BoundaryKind::Internet => "internet",
            BoundaryKind::OnPremises => "on_premises",
            BoundaryKind::AzureGlobal => "azure_global",
            BoundaryKind::AzureRegionStamp => "azure_region_stamp",
            BoundaryKind::Subscription => "subscription",
            BoundaryKind::VirtualNetwork => "virtual_network",
            BoundaryKind::Subnet => "subnet",
            BoundaryKind::CiCd => "ci_cd",
            BoundaryKind::Management => "management",
            BoundaryKind::ThirdParty => "third_party",
            BoundaryKind::Generic => "generic",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Words for people, for a boundary's label: "virtual network", "CI/CD".
    pub fn label(&self) -> &'static str {
        match self {
            BoundaryKind::Internet => "internet",
            BoundaryKind::OnPremises => "on-premises",
            BoundaryKind::AzureGlobal => "Azure global",
            BoundaryKind::AzureRegionStamp => "region stamp",
            BoundaryKind::Subscription => "subscription",
            BoundaryKind::VirtualNetwork => "virtual network",
            BoundaryKind::Subnet => "subnet",
            BoundaryKind::CiCd => "CI/CD",
            BoundaryKind::Management => "management",
            BoundaryKind::ThirdParty => "third party",
            BoundaryKind::Generic => "trust boundary",
        }
    }
}

impl fmt::Display for BoundaryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A trust boundary. Boundaries nest through `parent`; an element names its innermost one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct TrustBoundary {
    pub id: BoundaryId,
    pub name: String,
    pub kind: BoundaryKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<BoundaryId>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Boundaries with the same key in several services (the internet, a region stamp) are one
    /// boundary in the application model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_key: Option<String>,
    /// The infrastructure-as-code address this object was imported from, e.g.
    /// `module.stamp["eastus2"].azurerm_key_vault.stamp`; re-imports and drift checks match
    /// objects by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iac_address: Option<String>,
    /// In an application model: the services this boundary came from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<String>,
}

impl TrustBoundary {
    pub fn new(name: impl Into<String>, kind: BoundaryKind) -> Self {
        Self {
            id: BoundaryId::new(),
            name: name.into(),
            kind,
            parent: None,
            description: String::new(),
            shared_key: None,
            iac_address: None,
            origins: Vec::new(),
        }
    }
}

/// A point on the canvas, in diagram units.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Where a node (element or boundary) is drawn: its top-left corner and size.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct NodeLayout {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// How a flow's arrow is drawn: the points it bends at, and where its label sits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct EdgeLayout {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waypoints: Vec<Point>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Point>,
}

/// The diagram geometry, kept apart from the semantics. Keys are element, boundary or flow ids.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Elements and boundaries, by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub nodes: BTreeMap<Uuid, NodeLayout>,
    /// Flows, by id; also boundaries drawn as an open line rather than a box (imported from
    /// Threat Dragon curves and Threat Modeling Tool line boundaries), whose line is the
    /// waypoints.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub edges: BTreeMap<Uuid, EdgeLayout>,
}

impl Layout {
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.edges.is_empty()
    }
}

/// Where an exported document came from in a workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Lineage {
    /// The workspace's id; copies of a workspace file share it.
    pub workspace: Uuid,
    /// The revision the document was exported at.
    pub revision: Uuid,
}

/// A field that two merged edits set differently, kept in the merged model until someone
/// decides. `path` names the field, e.g. `/elements/<id>/properties/encrypted_at_rest`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct MergeConflict {
    pub path: String,
    /// What kind of clash: `edit/edit`, `delete/edit`, `delete/new-flow`, ...
    pub kind: String,
    /// A sentence for people naming the object and the two choices.
    pub message: String,
    /// The value in the common ancestor; absent when the object did not exist there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<serde_json::Value>,
    /// Our value; absent when we deleted the object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ours: Option<serde_json::Value>,
    /// Their value; absent when they deleted the object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theirs: Option<serde_json::Value>,
    /// Where our side came from, for people: `revision #4 by alice`, `file ours.stride.json`,
    /// `branch main`; absent when the merge did not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ours_from: Option<String>,
    /// Where their side came from, in the same words: the file, branch or revision merged in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theirs_from: Option<String>,
}

/// The JSON Schema of the `.stride.json` format, generated from these types. A copy is committed
/// as `docs/stride-model.schema.json`; a test fails when it is stale.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(ServiceModel);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_has_fresh_ids_and_the_same_shape() {
        let text = include_str!("../../../../models/mc-stamp.stride.json");
        let original = io::from_json(text.as_bytes(), std::path::Path::new("mc-stamp")).unwrap();
        let copy = original.duplicate();
        assert_ne!(copy.id, original.id);
        assert_eq!(copy.elements.len(), original.elements.len());
        assert_eq!(copy.flows.len(), original.flows.len());
        assert_eq!(copy.boundaries.len(), original.boundaries.len());
        assert_eq!(copy.layout.nodes.len(), original.layout.nodes.len());
        for e in &copy.elements {
            assert!(original.element(e.id).is_none());
            assert!(e.boundary.is_none_or(|b| copy.boundary(b).is_some()));
        }
        for f in &copy.flows {
            assert!(copy.element(f.source).is_some() && copy.element(f.target).is_some());
        }
        for b in &copy.boundaries {
            assert!(b.parent.is_none_or(|p| copy.boundary(p).is_some()));
        }
        // The same names in the same places: equal once ids are forgotten.
        let names = |m: &ServiceModel| {
            let mut v: Vec<String> = m
                .flows
                .iter()
                .map(|f| {
                    let n = |id| m.element(id).map(|e| e.name.clone()).unwrap_or_default();
                    format!("{} -> {} ({})", n(f.source), n(f.target), f.name)
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(names(&copy), names(&original));
        assert!(copy.triage.is_empty() && copy.lineage.is_none());
    }
}
