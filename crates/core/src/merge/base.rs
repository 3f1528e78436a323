//! Finding the common ancestor of a document that does not say where it came from.
//!
//! A file from git, or written by another tool, carries no lineage. Merging it against the
//! wrong ancestor is dangerous in one direction only: an ancestor newer than the one the file
//! was really made from makes the file's old values look like edits, and the merge reverts
//! the newer revisions silently. An older ancestor at worst turns edits into conflicts. So
//! the base is the newest revision that shows no sign of being newer than the file.

use std::collections::BTreeSet;

use super::diff::{FieldChange, ModelDiff, ObjectDiff, diff};
use crate::model::ServiceModel;

/// Of `revisions` (a model's history, oldest first), the index of the newest one `document`
/// can have been made from, or `None` when the document shares no element, flow or trust
/// boundary with any of them (then no common ancestor can be found).
///
/// The document disagrees with a revision `R` on some fields (an element's name, a flow's
/// existence, a node's place...). If on one of them it agrees with a revision older than `R`,
/// it holds a value `R` had replaced: the document predates `R` (or someone put the old value
/// back, which an older base turns into a conflict or keeps the newer value, never a silent
/// revert), so `R` is passed over. The oldest revision is always a candidate.
pub fn newest_common_base(document: &ServiceModel, revisions: &[ServiceModel]) -> Option<usize> {
    let shares_objects = |m: &ServiceModel| {
        let ids = |m: &ServiceModel| -> BTreeSet<u128> {
            (m.elements.iter().map(|e| e.id.0.as_u128()))
                .chain(m.flows.iter().map(|f| f.id.0.as_u128()))
                .chain(m.boundaries.iter().map(|b| b.id.0.as_u128()))
                .collect()
        };
        let (a, b) = (ids(document), ids(m));
        (a.is_empty() && b.is_empty()) || !a.is_disjoint(&b)
    };
    if !revisions.iter().any(shares_objects) {
        return None;
    }
    // Keys the document disagrees on with every revision seen so far (the older ones).
    let mut disagree_with_all_older: Option<BTreeSet<String>> = None;
    let mut best = 0;
    for (i, revision) in revisions.iter().enumerate() {
        let keys = disagreements(&diff(revision, document));
        let safe = disagree_with_all_older
            .as_ref()
            .is_none_or(|older| keys.is_subset(older));
        if safe {
            best = i;
        }
        disagree_with_all_older = Some(match disagree_with_all_older {
            None => keys,
            Some(older) => older.intersection(&keys).cloned().collect(),
        });
    }
    Some(best)
}

/// One key per field the two sides of `d` disagree on, and one per object only one side has.
fn disagreements(d: &ModelDiff) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let fields = |out: &mut BTreeSet<String>, prefix: &str, fields: &[FieldChange]| {
        for f in fields {
            out.insert(format!("{prefix}/{}", f.field));
        }
    };
    fields(
        &mut out,
        "model",
        &d.metadata
            .iter()
            .filter(|f| f.field != "lineage")
            .cloned()
            .collect::<Vec<_>>(),
    );
    fn objects<Id: std::fmt::Display>(out: &mut BTreeSet<String>, kind: &str, d: &ObjectDiff<Id>) {
        for o in d.added.iter().chain(&d.removed) {
            out.insert(format!("{kind}/{}", o.id));
        }
        for c in &d.changed {
            for f in &c.fields {
                out.insert(format!("{kind}/{}/{}", c.id, f.field));
            }
        }
    }
    objects(&mut out, "boundary", &d.boundaries);
    objects(&mut out, "element", &d.elements);
    objects(&mut out, "flow", &d.flows);
    for m in &d.moves {
        out.insert(format!("element/{}/boundary", m.id));
    }
    for t in d.triage.added.iter().chain(&d.triage.removed) {
        out.insert(format!("triage/{}", t.key));
    }
    for t in &d.triage.changed {
        fields(&mut out, &format!("triage/{}", t.key), &t.fields);
    }
    for n in &d.layout.nodes {
        out.insert(format!("node/{}", n.id));
    }
    for e in &d.layout.edges {
        out.insert(format!("edge/{}", e.id));
    }
    out
}
