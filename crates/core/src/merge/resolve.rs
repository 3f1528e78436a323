//! Resolving a merge conflict recorded in a model: the model takes one side's value at the
//! conflict's path and the conflict leaves the model's list. A path names objects by id
//! (`/elements/<id>/properties/encrypted`, `/triage/<key>/status`, `/name`), as [`merge`]
//! (super::merge) writes them; a side's value absent means that side deleted the object or left
//! the field out, and taking it removes it. A side's value that is a part of an object (the ends
//! of a flow, without its id) is laid over the object rather than replacing it. Instead of a
//! side, a person may give a value of their own ([`Resolution::Value`]), put at the path the same way.

use serde_json::{Map, Value};

use crate::model::{MergeConflict, ServiceModel};

/// Which side of a conflict to take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Ours,
    Theirs,
}

impl Side {
    /// The side as people read it: "yours" is the model's own line of edits (kept in the merged
    /// model until decided), "theirs" the other side of the merge.
    pub fn label(self) -> &'static str {
        match self {
            Side::Ours => "yours",
            Side::Theirs => "theirs",
        }
    }
}

/// How a conflict is decided.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolution {
    /// One side's value.
    Take(Side),
    /// A value of the person's own; `null` removes the field or object, like a side that
    /// deleted it.
    Value(Value),
}

impl Resolution {
    fn describe(&self) -> String {
        match self {
            Resolution::Take(Side::Ours) => "taking your value".into(),
            Resolution::Take(Side::Theirs) => "taking their value".into(),
            Resolution::Value(_) => "putting the given value".into(),
        }
    }
}

/// Why a conflict could not be resolved.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ResolveError {
    #[error("the model has no conflict {number} (it has {count})")]
    NoSuchConflict { number: usize, count: usize },
    #[error("conflict {number}: its path '{path}' names nothing in the model")]
    BadPath { number: usize, path: String },
    #[error("conflict {number}: {taking} at '{path}' does not give a valid model: {reason}")]
    Invalid {
        number: usize,
        path: String,
        /// What was done: "taking your value", "putting the given value".
        taking: String,
        reason: String,
    },
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// The model's conflict at `index` (0-based) resolved by taking `side`'s value.
pub fn resolve(
    model: &ServiceModel,
    index: usize,
    side: Side,
) -> Result<ServiceModel, ResolveError> {
    resolve_as(model, index, Resolution::Take(side))
}

/// The model's conflict at `index` (0-based) decided as `how` says.
pub fn resolve_as(
    model: &ServiceModel,
    index: usize,
    how: Resolution,
) -> Result<ServiceModel, ResolveError> {
    let conflicts = &model.conflicts;
    let number = index + 1;
    let conflict: &MergeConflict = conflicts.get(index).ok_or(ResolveError::NoSuchConflict {
        number,
        count: conflicts.len(),
    })?;
    let bad_path = || ResolveError::BadPath {
        number,
        path: conflict.path.clone(),
    };
    let taking = how.describe();
    let value = match how {
        Resolution::Take(Side::Ours) => conflict.ours.clone(),
        Resolution::Take(Side::Theirs) => conflict.theirs.clone(),
        Resolution::Value(Value::Null) => None,
        Resolution::Value(v) => Some(v),
    };
    let mut doc = serde_json::to_value(model).expect("a model serializes");
    let segments: Vec<String> = conflict
        .path
        .strip_prefix('/')
        .ok_or_else(bad_path)?
        .split('/')
        .map(unescape)
        .collect();
    let (last, parents) = segments.split_last().ok_or_else(bad_path)?;
    let mut at = &mut doc;
    for segment in parents {
        at = match at {
            Value::Array(items) => items
                .iter_mut()
                .find(|x| x.get("id").and_then(Value::as_str) == Some(segment))
                .ok_or_else(bad_path)?,
            // A map field left out because it was empty (`properties`) is made.
            Value::Object(map) => map
                .entry(segment.clone())
                .or_insert_with(|| Value::Object(Map::new())),
            _ => return Err(bad_path()),
        };
    }
    match at {
        Value::Array(items) => {
            let found = items
                .iter()
                .position(|x| x.get("id").and_then(Value::as_str) == Some(last));
            match (found, value) {
                (Some(i), None) => {
                    items.remove(i);
                }
                (Some(i), Some(Value::Object(part))) if !part.contains_key("id") => {
                    if let Value::Object(object) = &mut items[i] {
                        object.extend(part);
                    }
                }
                (Some(i), Some(v)) => items[i] = v,
                (None, Some(v)) => items.push(v),
                (None, None) => {}
            }
        }
        Value::Object(map) => match value {
            Some(v) => {
                map.insert(last.clone(), v);
            }
            None => {
                map.remove(last);
            }
        },
        _ => return Err(bad_path()),
    }
    let mut resolved: ServiceModel =
        serde_json::from_value(doc).map_err(|e| ResolveError::Invalid {
            number,
            path: conflict.path.clone(),
            taking,
            reason: e.to_string(),
        })?;
    let mut rest = conflicts.clone();
    rest.remove(index);
    resolved.conflicts = rest;
    Ok(resolved)
}
