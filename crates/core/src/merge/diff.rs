//! Semantic diff of two models: what was added, removed, changed (field by field), moved
//! between trust boundaries, re-triaged, and, kept apart, what was only redrawn.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::fields::{Key, changed_fields, flatten};
use super::join::join3;
use crate::model::{
    BoundaryId, DataFlow, Element, ElementId, FlowId, ManualThreat, ServiceModel, ThreatId,
    ThreatKey, TriageDecision, TrustBoundary,
};

/// One field that differs, e.g. `name` or `properties/encrypted_at_rest` (JSON pointer syntax
/// below the object). An absent value means the field is unset (holds its default).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FieldChange {
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

/// An object that was added or removed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ObjectRef<Id> {
    pub id: Id,
    pub name: String,
    /// What it is, for people: `process`, `trust boundary (subnet)`, `flow 'A' -> 'B'`.
    pub what: String,
}

/// An object present on both sides whose fields differ.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ObjectChange<Id> {
    pub id: Id,
    /// The name on the new side.
    pub name: String,
    pub what: String,
    pub fields: Vec<FieldChange>,
}

/// The changes to one collection of the model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ObjectDiff<Id> {
    pub added: Vec<ObjectRef<Id>>,
    pub removed: Vec<ObjectRef<Id>>,
    pub changed: Vec<ObjectChange<Id>>,
}

impl<Id> Default for ObjectDiff<Id> {
    fn default() -> Self {
        Self {
            added: Vec::new(),
            removed: Vec::new(),
            changed: Vec::new(),
        }
    }
}

impl<Id> ObjectDiff<Id> {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// An element whose trust boundary changed. Reported here and not as a field change, because
/// moving across a boundary changes which threats apply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ElementMove {
    pub id: ElementId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<BoundaryId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<BoundaryId>,
    /// The boundaries' names, when the model has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_name: Option<String>,
}

/// A triage decision added or removed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TriageEntry {
    pub key: ThreatKey,
    pub decision: TriageDecision,
}

/// A triage decision whose fields differ.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TriageChange {
    pub key: ThreatKey,
    pub fields: Vec<FieldChange>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TriageDiff {
    pub added: Vec<TriageEntry>,
    pub removed: Vec<TriageEntry>,
    pub changed: Vec<TriageChange>,
}

impl TriageDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Where one node or edge is drawn, before and after.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LayoutChange {
    pub id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

/// Geometry-only differences: harmless for analysis, merged without conflicts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LayoutDiff {
    pub nodes: Vec<LayoutChange>,
    pub edges: Vec<LayoutChange>,
}

impl LayoutDiff {
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.edges.is_empty()
    }
}

/// Everything that differs between two models, by stable id.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ModelDiff {
    /// The model's own fields: `id`, `kind`, `name`, `team`, `description`, `reviewer`,
    /// `contributors`, `schema_version`, `lineage`.
    pub metadata: Vec<FieldChange>,
    pub boundaries: ObjectDiff<BoundaryId>,
    pub elements: ObjectDiff<ElementId>,
    pub moves: Vec<ElementMove>,
    pub flows: ObjectDiff<FlowId>,
    /// Hand-written threats, by id.
    #[serde(default, skip_serializing_if = "ObjectDiff::is_empty")]
    pub threats: ObjectDiff<ThreatId>,
    pub triage: TriageDiff,
    pub layout: LayoutDiff,
    /// Unresolved merge conflicts on each side, when the counts differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<(usize, usize)>,
}

impl ModelDiff {
    /// No difference at all, layout included.
    pub fn is_empty(&self) -> bool {
        self.is_semantically_empty() && self.layout.is_empty()
    }

    /// No difference that analysis could see: at most the drawing changed.
    pub fn is_semantically_empty(&self) -> bool {
        self.metadata.is_empty()
            && self.boundaries.is_empty()
            && self.elements.is_empty()
            && self.moves.is_empty()
            && self.flows.is_empty()
            && self.threats.is_empty()
            && self.triage.is_empty()
            && self.conflicts.is_none()
    }
}

/// What changed from `a` to `b`.
pub fn diff(a: &ServiceModel, b: &ServiceModel) -> ModelDiff {
    let mut out = ModelDiff {
        metadata: metadata_changes(a, b),
        ..ModelDiff::default()
    };

    out.boundaries = diff_objects(&a.boundaries, &b.boundaries, |x| x.id, boundary_ref);

    // Only changed flows are described, and only they need names: build the maps lazily.
    let element_name = |m: &ServiceModel| -> BTreeMap<u128, String> {
        m.elements
            .iter()
            .map(|e| (e.id.key(), e.name.clone()))
            .collect()
    };
    let (names_a, names_b) = (std::cell::OnceCell::new(), std::cell::OnceCell::new());
    let flow_ref = |names: &BTreeMap<u128, String>, f: &DataFlow| {
        let name = |id: &ElementId| {
            names
                .get(&id.key())
                .cloned()
                .unwrap_or_else(|| id.to_string())
        };
        format!("flow '{}' -> '{}'", name(&f.source), name(&f.target))
    };
    out.flows = diff_objects_with(
        &a.flows,
        &b.flows,
        |x| x.id,
        |f| flow_ref(names_a.get_or_init(|| element_name(a)), f),
        |f| flow_ref(names_b.get_or_init(|| element_name(b)), f),
        |f| f.name.clone(),
    );

    let mut elements = diff_objects(
        &a.elements,
        &b.elements,
        |x| x.id,
        |e: &Element| e.kind.label().to_string(),
    );
    // A changed boundary is a move, not a field change.
    let boundary_name = |m: &ServiceModel, id: Option<BoundaryId>| {
        id.and_then(|id| m.boundary(id)).map(|x| x.name.clone())
    };
    for change in &mut elements.changed {
        if let Some(i) = change.fields.iter().position(|f| f.field == "boundary") {
            let moved = change.fields.remove(i);
            // The field change holds both ends; no need to look the element up.
            let end = |v: &Option<serde_json::Value>| -> Option<BoundaryId> {
                v.clone().and_then(|v| serde_json::from_value(v).ok())
            };
            let (from, to) = (end(&moved.old), end(&moved.new));
            out.moves.push(ElementMove {
                id: change.id,
                name: change.name.clone(),
                from,
                to,
                from_name: boundary_name(a, from),
                to_name: boundary_name(b, to),
            });
        }
    }
    elements.changed.retain(|c| !c.fields.is_empty());
    out.elements = elements;

    let threat_ref = |m: &ServiceModel, t: &ManualThreat| {
        format!(
            "threat ({}) on {}",
            t.stride.label().to_lowercase(),
            t.target.describe(m)
        )
    };
    out.threats = diff_objects_with(
        &a.threats,
        &b.threats,
        |x| x.id,
        |t| threat_ref(a, t),
        |t| threat_ref(b, t),
        |t| t.title.clone(),
    );
    out.triage = diff_triage(&a.triage, &b.triage);
    out.layout = LayoutDiff {
        nodes: diff_layout(&a.layout.nodes, &b.layout.nodes),
        edges: diff_layout(&a.layout.edges, &b.layout.edges),
    };
    if a.conflicts != b.conflicts {
        out.conflicts = Some((a.conflicts.len(), b.conflicts.len()));
    }
    out
}

fn boundary_ref(b: &TrustBoundary) -> String {
    format!("trust boundary ({})", b.kind)
}

fn metadata_changes(a: &ServiceModel, b: &ServiceModel) -> Vec<FieldChange> {
    fn field<T: Serialize + PartialEq>(out: &mut Vec<FieldChange>, name: &str, a: &T, b: &T) {
        if a != b {
            out.push(FieldChange {
                field: name.into(),
                old: serde_json::to_value(a).ok(),
                new: serde_json::to_value(b).ok(),
            });
        }
    }
    let mut out = Vec::new();
    field(&mut out, "id", &a.id, &b.id);
    field(&mut out, "kind", &a.kind, &b.kind);
    field(&mut out, "name", &a.name, &b.name);
    field(&mut out, "team", &a.team, &b.team);
    field(&mut out, "description", &a.description, &b.description);
    field(&mut out, "reviewer", &a.reviewer, &b.reviewer);
    field(&mut out, "contributors", &a.contributors, &b.contributors);
    field(
        &mut out,
        "schema_version",
        &a.schema_version,
        &b.schema_version,
    );
    field(&mut out, "lineage", &a.lineage, &b.lineage);
    out
}

/// Names objects by their `name` field; the elements, flows and boundaries all have one.
trait Named {
    fn name(&self) -> &str;
}

impl Named for Element {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for TrustBoundary {
    fn name(&self) -> &str {
        &self.name
    }
}

fn diff_objects<T, Id>(
    a: &[T],
    b: &[T],
    id: impl Fn(&T) -> Id,
    what: impl Fn(&T) -> String,
) -> ObjectDiff<Id>
where
    T: Serialize + PartialEq + Named,
    Id: Key + Copy,
{
    diff_objects_with(a, b, id, &what, &what, |x| x.name().to_string())
}

fn diff_objects_with<T, Id>(
    a: &[T],
    b: &[T],
    id: impl Fn(&T) -> Id,
    what_a: impl Fn(&T) -> String,
    what_b: impl Fn(&T) -> String,
    name: impl Fn(&T) -> String,
) -> ObjectDiff<Id>
where
    T: Serialize + PartialEq,
    Id: Key + Copy,
{
    let index = |items: &'_ [T]| -> BTreeMap<u128, (Id, usize)> {
        let mut map = BTreeMap::new();
        for (i, x) in items.iter().enumerate() {
            let id = id(x);
            map.entry(id.key()).or_insert((id, i));
        }
        map
    };
    let (ia, ib) = (index(a), index(b));
    let mut out = ObjectDiff::default();
    for (k, &(key, i)) in &ia {
        let x = &a[i];
        match ib.get(k) {
            None => out.removed.push(ObjectRef {
                id: key,
                name: name(x),
                what: what_a(x),
            }),
            Some(&(_, j)) if a[i] != b[j] => {
                let y = &b[j];
                let fields = changed_fields(&flatten(x), &flatten(y))
                    .into_iter()
                    .map(|(path, old, new)| FieldChange {
                        field: path.pointer(),
                        old,
                        new,
                    })
                    .collect::<Vec<_>>();
                if !fields.is_empty() {
                    out.changed.push(ObjectChange {
                        id: key,
                        name: name(y),
                        what: what_b(y),
                        fields,
                    });
                }
            }
            Some(_) => {}
        }
    }
    for (k, &(key, j)) in &ib {
        if !ia.contains_key(k) {
            let y = &b[j];
            out.added.push(ObjectRef {
                id: key,
                name: name(y),
                what: what_b(y),
            });
        }
    }
    out
}

fn diff_triage(
    a: &BTreeMap<ThreatKey, TriageDecision>,
    b: &BTreeMap<ThreatKey, TriageDecision>,
) -> TriageDiff {
    let mut out = TriageDiff::default();
    for (key, x) in a {
        match b.get(key) {
            None => out.removed.push(TriageEntry {
                key: key.clone(),
                decision: x.clone(),
            }),
            Some(y) if x != y => out.changed.push(TriageChange {
                key: key.clone(),
                fields: changed_fields(&flatten(x), &flatten(y))
                    .into_iter()
                    .map(|(path, old, new)| FieldChange {
                        field: path.pointer(),
                        old,
                        new,
                    })
                    .collect(),
            }),
            Some(_) => {}
        }
    }
    for (key, y) in b {
        if !a.contains_key(key) {
            out.added.push(TriageEntry {
                key: key.clone(),
                decision: y.clone(),
            });
        }
    }
    out
}

fn diff_layout<V: Serialize + PartialEq>(
    a: &BTreeMap<Uuid, V>,
    b: &BTreeMap<Uuid, V>,
) -> Vec<LayoutChange> {
    let none = BTreeMap::new();
    join3([a, b, &none])
        .filter(|(_, [x, y, _])| x != y)
        .map(|(k, [x, y, _])| LayoutChange {
            id: *k,
            old: x.and_then(|v| serde_json::to_value(v).ok()),
            new: y.and_then(|v| serde_json::to_value(v).ok()),
        })
        .collect()
}
