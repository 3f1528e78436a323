//! Diff and three-way merge of models, so that two people can edit the same service model on
//! different machines or branches and bring their work together without loss.
//!
//! Both work by stable id and field by field over [`ServiceModel`](crate::model::ServiceModel),
//! as pure functions with no IO. [`diff`] tells what changed, keeping element moves across
//! trust boundaries, triage changes and layout-only changes apart. [`merge`] combines two
//! descendants of a common ancestor and returns every real clash as a
//! [`MergeConflict`](crate::model::MergeConflict), stored in the merged model too, so that
//! nothing is resolved silently and nothing else is blocked; [`resolve`] decides one of them by
//! taking a side. [`render`] writes both for people.
//! The CLI's `diff`, `merge` and `merge-driver` (a git merge driver) are thin layers over this.

mod base;
mod diff;
mod fields;
mod join;
pub mod render;
mod resolve;
mod three_way;

#[cfg(test)]
mod tests;

pub use base::newest_common_base;
pub use diff::{
    ElementMove, FieldChange, LayoutChange, LayoutDiff, ModelDiff, ObjectChange, ObjectDiff,
    ObjectRef, TriageChange, TriageDiff, TriageEntry, diff,
};
pub use resolve::{Resolution, ResolveError, Side, resolve, resolve_as};
pub use three_way::{empty_base, kind, merge, name_sides};
