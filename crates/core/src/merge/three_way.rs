//! Three-way merge of models by stable id, field by field.
//!
//! Objects are matched by id across the common ancestor (`base`) and the two sides. An object
//! changed on one side only takes that side's version; one changed on both sides is merged
//! leaf by leaf (see [`super::fields`]), and a leaf both sides set differently keeps ours and
//! becomes a [`MergeConflict`]. Nothing is resolved silently: a delete against an edit keeps
//! the edited object and says so, and an element or boundary that one side deleted while the
//! other still uses it is kept and reported. Layout never conflicts (ours wins a clash).
//!
//! The result is repaired, with a conflict for each repair, until it is structurally valid:
//! every flow's ends exist, every boundary an element or boundary names exists, every object a
//! hand-written threat is about exists, boundaries do not nest in a cycle and no flow goes from
//! an element to itself. This holds whenever the three inputs are structurally valid
//! themselves. Hand-written threats merge like elements, by id and field by field; a decision
//! on one follows it when the other side moved it to another object.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use super::fields::{Key, escape_pointer, flatten, merge_fields, rebuild, show};
use super::join::join3;
use crate::model::{
    DataFlow, Element, Layout, ManualThreat, MergeConflict, ServiceModel, ThreatKey, ThreatTarget,
    TriageDecision, TrustBoundary,
};

/// Conflict kinds, as stored in [`MergeConflict::kind`].
pub mod kind {
    /// The same field set to different values on both sides.
    pub const EDIT_EDIT: &str = "edit/edit";
    /// The same id added on both sides with different values in a field.
    pub const ADD_ADD: &str = "add/add";
    /// One side deleted an object the other changed; the changed object is kept.
    pub const DELETE_EDIT: &str = "delete/edit";
    /// One side deleted an element the other side's flow goes to or from; it is kept.
    pub const DELETE_NEW_FLOW: &str = "delete/new-flow";
    /// One side deleted a trust boundary the other side still puts something in; it is kept.
    pub const DELETE_NEW_MEMBER: &str = "delete/new-member";
    /// Parent edits from both sides would nest boundaries in a cycle; ours is kept.
    pub const BOUNDARY_CYCLE: &str = "boundary-cycle";
    /// Endpoint edits from both sides would make a flow go from an element to itself.
    pub const SELF_FLOW: &str = "self-flow";
    /// One side deleted what the other side's hand-written threat is about; it is kept.
    pub const DELETE_NEW_THREAT: &str = "delete/new-threat";
}

/// Names where each side of the conflicts this merge found came from (`ours_from`,
/// `theirs_from`), in `conflicts` and in the merged model, which lists them after the conflicts
/// the sides carried from earlier merges. The merge itself sees only models; whoever runs it
/// knows the files, branches or revisions, and says so here.
pub fn name_sides(
    merged: &mut ServiceModel,
    conflicts: &mut [MergeConflict],
    ours_from: &str,
    theirs_from: &str,
) {
    let first = merged.conflicts.len().saturating_sub(conflicts.len());
    for c in conflicts
        .iter_mut()
        .chain(merged.conflicts[first..].iter_mut())
    {
        c.ours_from = Some(ours_from.to_string());
        c.theirs_from = Some(theirs_from.to_string());
    }
}

/// Merges `ours` and `theirs`, two descendants of `base`.
///
/// Returns the merged model and the conflicts this merge found. The merged model's `conflicts`
/// field holds them too, after any conflicts the sides still carried from earlier merges, so
/// that the desktop app can present them. The result keeps ours wherever a conflict was found.
pub fn merge(
    base: &ServiceModel,
    ours: &ServiceModel,
    theirs: &ServiceModel,
) -> (ServiceModel, Vec<MergeConflict>) {
    let mut out = Conflicts::default();
    let sides = Sides {
        base: Index::new(base),
        ours: Index::new(ours),
        theirs: Index::new(theirs),
    };

    let mut merged = ServiceModel::new(String::new());
    merged.schema_version = quiet(
        &base.schema_version,
        &ours.schema_version,
        &theirs.schema_version,
    );
    merged.lineage = quiet(&base.lineage, &ours.lineage, &theirs.lineage);
    merged.id = scalar(
        "id",
        "the model's id",
        &base.id,
        &ours.id,
        &theirs.id,
        &mut out,
    );
    merged.kind = scalar(
        "kind",
        "the model's kind",
        &base.kind,
        &ours.kind,
        &theirs.kind,
        &mut out,
    );
    merged.name = scalar(
        "name",
        "the model's name",
        &base.name,
        &ours.name,
        &theirs.name,
        &mut out,
    );
    merged.team = scalar(
        "team",
        "the model's team",
        &base.team,
        &ours.team,
        &theirs.team,
        &mut out,
    );
    merged.description = scalar(
        "description",
        "the model's description",
        &base.description,
        &ours.description,
        &theirs.description,
        &mut out,
    );
    merged.reviewer = scalar(
        "reviewer",
        "the model's reviewer",
        &base.reviewer,
        &ours.reviewer,
        &theirs.reviewer,
        &mut out,
    );
    merged.contributors =
        contributors(&base.contributors, &ours.contributors, &theirs.contributors);

    let mut boundaries = merge_objects(
        "boundaries",
        &sides.base.boundaries,
        &sides.ours.boundaries,
        &sides.theirs.boundaries,
        |_, b| format!("trust boundary '{}'", b.name),
        &mut out,
    );
    let mut elements = merge_objects(
        "elements",
        &sides.base.elements,
        &sides.ours.elements,
        &sides.theirs.elements,
        |_, e| format!("{} '{}'", e.kind.label(), e.name),
        &mut out,
    );
    let mut flows = merge_objects(
        "flows",
        &sides.base.flows,
        &sides.ours.flows,
        &sides.theirs.flows,
        |_, f| format!("flow '{}'", f.name),
        &mut out,
    );
    let threats = merge_objects(
        "threats",
        &sides.base.threats,
        &sides.ours.threats,
        &sides.theirs.threats,
        |_, t| format!("threat '{}'", t.title),
        &mut out,
    );
    // Each side's decisions on hand-written threats under the merged threats' keys, so that a
    // decision follows a threat the other side moved to another object.
    let keys: BTreeMap<crate::model::ThreatId, ThreatKey> =
        threats.values().map(|t| (t.id, t.key())).collect();
    fn rekeyed<'a>(
        side: &BTreeMap<ThreatKey, &'a TriageDecision>,
        keys: &BTreeMap<crate::model::ThreatId, ThreatKey>,
    ) -> BTreeMap<ThreatKey, &'a TriageDecision> {
        let mut out: BTreeMap<ThreatKey, &TriageDecision> = BTreeMap::new();
        let current = |k: &ThreatKey| k.manual_id().and_then(|id| keys.get(&id));
        for (k, d) in side
            .iter()
            .filter(|(k, _)| current(k).is_none_or(|c| c == *k))
        {
            out.insert(k.clone(), *d);
        }
        for (k, d) in side {
            if let Some(c) = current(k).filter(|c| *c != k) {
                out.entry(c.clone()).or_insert(*d);
            }
        }
        out
    }
    let triage = merge_objects(
        "triage",
        &rekeyed(&sides.base.triage, &keys),
        &rekeyed(&sides.ours.triage, &keys),
        &rekeyed(&sides.theirs.triage, &keys),
        |k, _| format!("the triage of threat {k}"),
        &mut out,
    );

    fix_self_flows(&mut flows, &sides, &mut out);
    // Restoring an object can make another one needed (an element's boundary, its parent), and
    // breaking a cycle can point a boundary at another: repeat until nothing changes. Each round
    // adds an object or reverts a parent for good, so this ends.
    let limit = 2 * (elements.len() + boundaries.len() + 2);
    let limit = limit + threats.len();
    for _ in 0..limit {
        let mut changed = restore_threat_targets(
            &threats,
            [&mut elements, &mut flows, &mut boundaries],
            &sides,
            &mut out,
        );
        changed |= restore_flow_ends(&flows, &mut elements, &sides, &mut out);
        changed |= restore_boundaries(&elements, &mut boundaries, &sides, &mut out);
        changed |= break_cycle(&mut boundaries, &sides, &mut out);
        if !changed {
            break;
        }
    }

    name_dropped_flows(&flows, &elements, &sides, &mut out);

    let node_in = |x: &Index, id: &Uuid| {
        x.elements.contains_key(&id.as_u128()) || x.boundaries.contains_key(&id.as_u128())
    };
    merged.layout = Layout {
        nodes: merge_layout(
            [&base.layout.nodes, &ours.layout.nodes, &theirs.layout.nodes],
            |id| elements.contains_key(&id.as_u128()) || boundaries.contains_key(&id.as_u128()),
            |id| node_in(&sides.ours, id),
            |id| node_in(&sides.theirs, id),
        ),
        edges: merge_layout(
            [&base.layout.edges, &ours.layout.edges, &theirs.layout.edges],
            |id| flows.contains_key(&id.as_u128()),
            |id| sides.ours.flows.contains_key(&id.as_u128()),
            |id| sides.theirs.flows.contains_key(&id.as_u128()),
        ),
    };
    merged.boundaries = boundaries.into_values().collect();
    merged.elements = elements.into_values().collect();
    merged.flows = flows.into_values().collect();
    merged.threats = threats.into_values().collect();
    merged.triage = triage;

    let mut conflicts = carried_conflicts(base, ours, theirs);
    for c in &out.0 {
        if !conflicts.contains(c) {
            conflicts.push(c.clone());
        }
    }
    merged.conflicts = conflicts;
    (merged, out.0)
}

/// A base for two files that have no common ancestor (git passes an empty file when both
/// branches added the same path): no objects, no name, the nil id. Merging against it turns
/// every difference between the sides into a conflict.
pub fn empty_base() -> ServiceModel {
    let mut m = ServiceModel::new(String::new());
    m.id = crate::model::ModelId(Uuid::nil());
    m
}

#[derive(Default)]
struct Conflicts(Vec<MergeConflict>);

impl Conflicts {
    fn push(
        &mut self,
        path: String,
        kind: &str,
        message: String,
        base: Option<Value>,
        ours: Option<Value>,
        theirs: Option<Value>,
    ) {
        self.0.push(MergeConflict {
            path,
            kind: kind.into(),
            message,
            base,
            ours,
            theirs,
            ours_from: None,
            theirs_from: None,
        });
    }
}

/// One model's collections by id. Borrowed, so that indexing a large model copies nothing.
///
/// Keyed by the ids as `u128`: comparing those is two machine words, where comparing `Uuid`s
/// is a `memcmp` call, and that was a fifth of a 10,000-element merge.
struct Index<'a> {
    boundaries: BTreeMap<u128, &'a TrustBoundary>,
    elements: BTreeMap<u128, &'a Element>,
    flows: BTreeMap<u128, &'a DataFlow>,
    threats: BTreeMap<u128, &'a ManualThreat>,
    triage: BTreeMap<ThreatKey, &'a TriageDecision>,
}

impl<'a> Index<'a> {
    fn new(m: &'a ServiceModel) -> Self {
        // With duplicate ids (an invalid document), the first occurrence wins.
        fn by_id<T, Id: Ord>(items: &[T], id: impl Fn(&T) -> Id) -> BTreeMap<Id, &T> {
            let mut map = BTreeMap::new();
            for x in items {
                map.entry(id(x)).or_insert(x);
            }
            map
        }
        Self {
            boundaries: by_id(&m.boundaries, |b| b.id.key()),
            elements: by_id(&m.elements, |e| e.id.key()),
            flows: by_id(&m.flows, |f| f.id.key()),
            threats: by_id(&m.threats, |t| t.id.key()),
            triage: m.triage.iter().map(|(k, v)| (k.clone(), v)).collect(),
        }
    }
}

/// A key of a merged collection: how it shows in a conflict's path, and the `id` field the
/// object carries, if it carries one (triage decisions are keyed by the map instead).
trait ObjectKey: Ord + Clone {
    fn show(&self) -> String;
    fn id_field(&self) -> Option<Value>;
}

impl ObjectKey for u128 {
    fn show(&self) -> String {
        Uuid::from_u128(*self).to_string()
    }
    fn id_field(&self) -> Option<Value> {
        Some(Value::String(self.show()))
    }
}

impl ObjectKey for ThreatKey {
    fn show(&self) -> String {
        escape_pointer(self.as_str())
    }
    fn id_field(&self) -> Option<Value> {
        None
    }
}

struct Sides<'a> {
    base: Index<'a>,
    ours: Index<'a>,
    theirs: Index<'a>,
}

fn to_json<T: Serialize>(x: &T) -> Option<Value> {
    serde_json::to_value(x).ok()
}

/// The usual three-way choice for a value that never conflicts: one side's change wins, and
/// ours wins when both changed it.
fn quiet<T: PartialEq + Clone>(base: &T, ours: &T, theirs: &T) -> T {
    if ours == base {
        theirs.clone()
    } else {
        ours.clone()
    }
}

/// A model-level field: merged like [`quiet`], but both sides changing it differently is a
/// conflict.
fn scalar<T: PartialEq + Clone + Serialize>(
    field: &str,
    label: &str,
    base: &T,
    ours: &T,
    theirs: &T,
    out: &mut Conflicts,
) -> T {
    if ours != base && theirs != base && ours != theirs {
        let (b, o, t) = (to_json(base), to_json(ours), to_json(theirs));
        out.push(
            format!("/{field}"),
            kind::EDIT_EDIT,
            format!(
                "{label} was changed to {} by ours and to {} by theirs (was {}); kept ours",
                show(o.as_ref()),
                show(t.as_ref()),
                show(b.as_ref())
            ),
            b,
            o,
            t,
        );
    }
    quiet(base, ours, theirs)
}

/// Contributors never conflict: everyone either side added is kept (ours first), and one that
/// either side removed is gone.
fn contributors(base: &[String], ours: &[String], theirs: &[String]) -> Vec<String> {
    let removed = |c: &String| base.contains(c) && (!ours.contains(c) || !theirs.contains(c));
    let mut out: Vec<String> = Vec::new();
    for c in ours.iter().chain(theirs) {
        if !removed(c) && !out.contains(c) {
            out.push(c.clone());
        }
    }
    out
}

/// Merges one collection.
fn merge_objects<Id, T>(
    collection: &str,
    base: &BTreeMap<Id, &T>,
    ours: &BTreeMap<Id, &T>,
    theirs: &BTreeMap<Id, &T>,
    describe: impl Fn(&Id, &T) -> String,
    out: &mut Conflicts,
) -> BTreeMap<Id, T>
where
    Id: ObjectKey,
    T: Clone + PartialEq + Serialize + DeserializeOwned,
{
    let mut merged = BTreeMap::new();
    for (id, [b, o, t]) in join3([base, ours, theirs]) {
        let (b, o, t) = (b.copied(), o.copied(), t.copied());
        let path = || format!("/{collection}/{}", id.show());
        let kept = match (b, o, t) {
            (_, Some(o), Some(t)) if o == t => Some(o.clone()),
            (Some(b), Some(o), Some(t)) if b == o => Some(t.clone()),
            (Some(b), Some(o), Some(t)) if b == t => Some(o.clone()),
            (b, Some(o), Some(t)) => Some(merge_fields_of(&path(), id, b, o, t, &describe, out)),
            (None, Some(x), None) | (None, None, Some(x)) => Some(x.clone()),
            (Some(_), None, None) | (None, None, None) => None,
            (Some(b), Some(o), None) | (Some(b), None, Some(o)) if b == o => None,
            (Some(b), o, t) => {
                // Deleted on one side, changed on the other: keep the changed object.
                let (deleter, changer) = if o.is_none() {
                    ("ours", "theirs")
                } else {
                    ("theirs", "ours")
                };
                let changed = o
                    .or(t)
                    .expect("one side has it: the others were matched above");
                out.push(
                    path(),
                    kind::DELETE_EDIT,
                    format!(
                        "{} was deleted by {deleter} but changed by {changer}; kept {changer}'s version",
                        describe(id, changed)
                    ),
                    to_json(b),
                    o.and_then(to_json),
                    t.and_then(to_json),
                );
                Some(changed.clone())
            }
        };
        if let Some(x) = kept {
            merged.insert(id.clone(), x);
        }
    }
    merged
}

fn merge_fields_of<Id, T>(
    path: &str,
    id: &Id,
    base: Option<&T>,
    ours: &T,
    theirs: &T,
    describe: &impl Fn(&Id, &T) -> String,
    out: &mut Conflicts,
) -> T
where
    Id: ObjectKey,
    T: Clone + Serialize + DeserializeOwned,
{
    let base_fields = base.map(flatten);
    let (fields, clashes) = merge_fields(base_fields.as_ref(), &flatten(ours), &flatten(theirs));
    let what = describe(id, ours);
    let kind = if base.is_some() {
        kind::EDIT_EDIT
    } else {
        kind::ADD_ADD
    };
    for (field, b, o, t) in clashes {
        let message = if base.is_some() {
            format!(
                "{what}: {field} was changed to {} by ours and to {} by theirs (was {}); kept ours",
                show(o.as_ref()),
                show(t.as_ref()),
                show(b.as_ref())
            )
        } else {
            format!(
                "{what} was added on both sides with {field} {} in ours and {} in theirs; kept ours",
                show(o.as_ref()),
                show(t.as_ref())
            )
        };
        out.push(
            format!("{path}/{}", field.pointer()),
            kind,
            message,
            b,
            o,
            t,
        );
    }
    match rebuild(id.id_field(), fields) {
        Ok(x) => x,
        Err(err) => {
            // Cannot happen with leaves cut from valid objects; if it does, say so, keep ours.
            out.push(
                path.to_string(),
                kind::EDIT_EDIT,
                format!("{what}: the two sides' changes could not be combined ({err}); kept ours"),
                base.and_then(to_json),
                to_json(ours),
                to_json(theirs),
            );
            ours.clone()
        }
    }
}

/// Which side deleted an object that the merged model needs, and the version to bring back.
fn restore<'a, Id: Ord, T>(
    id: &Id,
    base: &BTreeMap<Id, &'a T>,
    ours: &BTreeMap<Id, &'a T>,
    theirs: &BTreeMap<Id, &'a T>,
) -> Option<(&'static str, &'a T)> {
    match (ours.get(id), theirs.get(id), base.get(id)) {
        (Some(o), _, _) => Some(("theirs", *o)),
        (None, Some(t), _) => Some(("ours", *t)),
        (None, None, Some(b)) => Some(("both sides", *b)),
        (None, None, None) => None,
    }
}

fn restore_flow_ends(
    flows: &BTreeMap<u128, DataFlow>,
    elements: &mut BTreeMap<u128, Element>,
    sides: &Sides,
    out: &mut Conflicts,
) -> bool {
    let mut changed = false;
    for f in flows.values() {
        for end in [f.source.key(), f.target.key()] {
            if elements.contains_key(&end) {
                continue;
            }
            let Some((deleter, e)) = restore(
                &end,
                &sides.base.elements,
                &sides.ours.elements,
                &sides.theirs.elements,
            ) else {
                continue; // named by no side: the input was invalid already
            };
            let old_flow = sides.base.flows.get(&f.id.key());
            let kind = if old_flow.is_some_and(|b| b.source.key() == end || b.target.key() == end) {
                kind::DELETE_EDIT
            } else {
                kind::DELETE_NEW_FLOW
            };
            out.push(
                format!("/elements/{}", e.id),
                kind,
                format!(
                    "{} '{}' was deleted by {deleter}, but flow '{}' still goes to or from it; kept the element",
                    e.kind.label(),
                    e.name,
                    f.name
                ),
                sides.base.elements.get(&end).and_then(to_json),
                sides.ours.elements.get(&end).and_then(to_json),
                sides.theirs.elements.get(&end).and_then(to_json),
            );
            elements.insert(end, e.clone());
            changed = true;
        }
    }
    changed
}

/// Brings back the element, flow or boundary a merged hand-written threat is about when one
/// side deleted it; a flow brought back may need its ends, which the caller's loop restores.
fn restore_threat_targets(
    threats: &BTreeMap<u128, ManualThreat>,
    [elements, flows, boundaries]: [&mut dyn TargetSet; 3],
    sides: &Sides,
    out: &mut Conflicts,
) -> bool {
    let mut changed = false;
    for t in threats.values() {
        let (set, id): (&mut dyn TargetSet, u128) = match t.target {
            ThreatTarget::Model => continue,
            ThreatTarget::Element(id) => (&mut *elements, id.key()),
            ThreatTarget::Flow(id) => (&mut *flows, id.key()),
            ThreatTarget::Boundary(id) => (&mut *boundaries, id.key()),
        };
        if set.has(id) {
            continue;
        }
        let Some((deleter, what, base, ours, theirs)) = set.restore(id, sides) else {
            continue; // named by no side: the input was invalid already
        };
        let old = sides.base.threats.get(&t.id.key());
        let kind = if old.is_some_and(|b| b.target == t.target) {
            kind::DELETE_EDIT
        } else {
            kind::DELETE_NEW_THREAT
        };
        out.push(
            format!("/{}/{}", set.collection(), Uuid::from_u128(id)),
            kind,
            format!(
                "{what} was deleted by {deleter}, but threat '{}' is still about it; kept it",
                t.title
            ),
            base,
            ours,
            theirs,
        );
        changed = true;
    }
    changed
}

/// A merged collection a hand-written threat can point into.
trait TargetSet {
    fn collection(&self) -> &'static str;
    fn has(&self, id: u128) -> bool;
    /// Puts back the object from the side that still has it: who deleted it, what it is, and
    /// the three sides' values for the conflict.
    fn restore(&mut self, id: u128, sides: &Sides) -> Option<Restored>;
}

type Restored = (
    &'static str,
    String,
    Option<Value>,
    Option<Value>,
    Option<Value>,
);

macro_rules! target_set {
    ($t:ty, $field:ident, $what:expr) => {
        impl TargetSet for BTreeMap<u128, $t> {
            fn collection(&self) -> &'static str {
                stringify!($field)
            }
            fn has(&self, id: u128) -> bool {
                self.contains_key(&id)
            }
            fn restore(&mut self, id: u128, sides: &Sides) -> Option<Restored> {
                let (b, o, t) = (&sides.base.$field, &sides.ours.$field, &sides.theirs.$field);
                let (deleter, x) = restore(&id, b, o, t)?;
                let what: fn(&$t) -> String = $what;
                let restored = (
                    deleter,
                    what(x),
                    b.get(&id).and_then(to_json),
                    o.get(&id).and_then(to_json),
                    t.get(&id).and_then(to_json),
                );
                self.insert(id, x.clone());
                Some(restored)
            }
        }
    };
}

target_set!(Element, elements, |e| format!(
    "{} '{}'",
    e.kind.label(),
    e.name
));
target_set!(DataFlow, flows, |f| format!("flow '{}'", f.name));
target_set!(TrustBoundary, boundaries, |b| format!(
    "trust boundary '{}'",
    b.name
));

/// A side that deletes an element deletes its flows with it. When the merge keeps the element
/// anyway (a conflict on it), those flows stay deleted, but the element's conflict names them:
/// they do not vanish unnamed from an element that is still there.
fn name_dropped_flows(
    flows: &BTreeMap<u128, DataFlow>,
    elements: &BTreeMap<u128, Element>,
    sides: &Sides,
    out: &mut Conflicts,
) {
    for c in &mut out.0 {
        let Some(id) = c
            .path
            .strip_prefix("/elements/")
            .and_then(|id| Uuid::parse_str(id).ok())
        else {
            continue;
        };
        let end = id.as_u128();
        if !elements.contains_key(&end) {
            continue;
        }
        let dropped: Vec<String> = sides
            .base
            .flows
            .values()
            .filter(|f| f.source.key() == end || f.target.key() == end)
            .filter(|f| !flows.contains_key(&f.id.key()))
            .map(|f| format!("'{}'", f.name))
            .collect();
        if !dropped.is_empty() {
            c.message.push_str(&format!(
                "; its flow{} {} stay{} deleted",
                if dropped.len() == 1 { "" } else { "s" },
                dropped.join(", "),
                if dropped.len() == 1 { "s" } else { "" },
            ));
        }
    }
}

fn restore_boundaries(
    elements: &BTreeMap<u128, Element>,
    boundaries: &mut BTreeMap<u128, TrustBoundary>,
    sides: &Sides,
    out: &mut Conflicts,
) -> bool {
    let mut needed: Vec<(u128, String)> = Vec::new();
    for e in elements.values() {
        if let Some(b) = e
            .boundary
            .map(|b| b.key())
            .filter(|b| !boundaries.contains_key(b))
        {
            needed.push((b, format!("{} '{}'", e.kind.label(), e.name)));
        }
    }
    for x in boundaries.values() {
        if let Some(p) = x
            .parent
            .map(|p| p.key())
            .filter(|p| !boundaries.contains_key(p))
        {
            needed.push((p, format!("trust boundary '{}'", x.name)));
        }
    }
    let mut changed = false;
    for (id, member) in needed {
        if boundaries.contains_key(&id) {
            continue;
        }
        let Some((deleter, b)) = restore(
            &id,
            &sides.base.boundaries,
            &sides.ours.boundaries,
            &sides.theirs.boundaries,
        ) else {
            continue;
        };
        out.push(
            format!("/boundaries/{}", b.id),
            kind::DELETE_NEW_MEMBER,
            format!(
                "trust boundary '{}' was deleted by {deleter}, but {member} is still in it; kept the boundary",
                b.name
            ),
            sides.base.boundaries.get(&id).and_then(to_json),
            sides.ours.boundaries.get(&id).and_then(to_json),
            sides.theirs.boundaries.get(&id).and_then(to_json),
        );
        boundaries.insert(id, b.clone());
        changed = true;
    }
    changed
}

/// Finds one cycle of boundary parents and breaks it; returns whether it found one.
fn break_cycle(
    boundaries: &mut BTreeMap<u128, TrustBoundary>,
    sides: &Sides,
    out: &mut Conflicts,
) -> bool {
    let Some(cycle) = find_cycle(boundaries) else {
        return false;
    };
    // Revert a parent that did not come from ours: ours alone nests without a cycle.
    let ours_parent = |id: &u128| sides.ours.boundaries.get(id).map(|b| b.parent);
    let pick = cycle
        .iter()
        .find(|id| ours_parent(id).is_some_and(|p| p != boundaries[*id].parent));
    let (id, new_parent) = match pick {
        Some(id) => (*id, ours_parent(id).flatten()),
        None => (cycle[0], None),
    };
    let names: Vec<String> = cycle
        .iter()
        .map(|id| format!("'{}'", boundaries[id].name))
        .collect();
    let b = &boundaries[&id];
    let parent_of = |m: &BTreeMap<u128, &TrustBoundary>| {
        m.get(&id)
            .map(|x| to_json(&x.parent).unwrap_or(Value::Null))
    };
    out.push(
        format!("/boundaries/{}/parent", b.id),
        kind::BOUNDARY_CYCLE,
        format!(
            "the two sides' changes would nest trust boundaries in a cycle ({}); trust boundary '{}' keeps {}",
            names.join(" in "),
            b.name,
            match new_parent {
                Some(p) => format!("parent {p} from ours"),
                None => "no parent".into(),
            }
        ),
        parent_of(&sides.base.boundaries),
        parent_of(&sides.ours.boundaries),
        parent_of(&sides.theirs.boundaries),
    );
    if let Some(b) = boundaries.get_mut(&id) {
        b.parent = new_parent;
    }
    true
}

fn find_cycle(boundaries: &BTreeMap<u128, TrustBoundary>) -> Option<Vec<u128>> {
    let mut done: BTreeSet<u128> = BTreeSet::new();
    for start in boundaries.keys() {
        let mut path: Vec<u128> = Vec::new();
        let mut current = Some(*start);
        while let Some(id) = current {
            if done.contains(&id) {
                break;
            }
            if let Some(i) = path.iter().position(|x| *x == id) {
                return Some(path[i..].to_vec());
            }
            path.push(id);
            current = boundaries.get(&id).and_then(|b| b.parent).map(|p| p.key());
        }
        done.extend(path);
    }
    None
}

fn fix_self_flows(flows: &mut BTreeMap<u128, DataFlow>, sides: &Sides, out: &mut Conflicts) {
    for f in flows.values_mut() {
        if f.source != f.target {
            continue;
        }
        let valid = |m: &BTreeMap<u128, &DataFlow>| {
            m.get(&f.id.key())
                .filter(|x| x.source != x.target)
                .map(|x| (x.source, x.target))
        };
        let Some((source, target)) =
            valid(&sides.ours.flows).or_else(|| valid(&sides.theirs.flows))
        else {
            continue; // the input was invalid already
        };
        let ends = |m: &BTreeMap<u128, &DataFlow>| {
            m.get(&f.id.key())
                .map(|x| serde_json::json!({ "source": x.source, "target": x.target }))
        };
        out.push(
            format!("/flows/{}", f.id),
            kind::SELF_FLOW,
            format!(
                "flow '{}': the two sides' changes to its ends would make it go from an element to itself; kept {}'s ends",
                f.name,
                if sides.ours.flows.get(&f.id.key()).is_some_and(|x| (x.source, x.target) == (source, target)) { "ours" } else { "theirs" }
            ),
            ends(&sides.base.flows),
            ends(&sides.ours.flows),
            ends(&sides.theirs.flows),
        );
        f.source = source;
        f.target = target;
    }
}

/// Layout merges without conflicts: one side's change wins, ours wins a clash. Entries follow
/// their objects: dropped when the object is gone, and taken from the other side when the
/// chosen side deleted the object itself but the merge kept it.
fn merge_layout<V: Clone + PartialEq>(
    [base, ours, theirs]: [&BTreeMap<Uuid, V>; 3],
    exists: impl Fn(&Uuid) -> bool,
    in_ours: impl Fn(&Uuid) -> bool,
    in_theirs: impl Fn(&Uuid) -> bool,
) -> BTreeMap<Uuid, V> {
    if ours == theirs {
        return ours
            .iter()
            .filter(|(k, _)| exists(k))
            .map(|(k, v)| (*k, v.clone()))
            .collect();
    }
    let mut merged = BTreeMap::new();
    for (k, [b, o, t]) in join3([base, ours, theirs]) {
        if !exists(k) {
            continue;
        }
        let chosen = if o == b {
            // Theirs' change, unless theirs deleted the object itself and the merge kept it.
            if in_theirs(k) { t } else { o }
        } else if in_ours(k) {
            o
        } else {
            // Ours deleted the object itself, and the merge kept it.
            t.or(b)
        };
        if let Some(v) = chosen {
            merged.insert(*k, v.clone());
        }
    }
    merged
}

/// Unresolved conflicts from earlier merges: each side's additions are kept, and one resolved
/// (removed) on either side stays resolved.
fn carried_conflicts(
    base: &ServiceModel,
    ours: &ServiceModel,
    theirs: &ServiceModel,
) -> Vec<MergeConflict> {
    if ours.conflicts == base.conflicts {
        return theirs.conflicts.clone();
    }
    if theirs.conflicts == base.conflicts || ours.conflicts == theirs.conflicts {
        return ours.conflicts.clone();
    }
    let mut kept: Vec<MergeConflict> = Vec::new();
    for c in ours.conflicts.iter().chain(&theirs.conflicts) {
        let resolved = base.conflicts.contains(c)
            && !(ours.conflicts.contains(c) && theirs.conflicts.contains(c));
        if !resolved && !kept.contains(c) {
            kept.push(c.clone());
        }
    }
    kept
}
