//! Values of the static evaluation: HCL's types, plus *unknown* (a value that only exists once
//! Terraform plans or applies, or that the user did not give), and the provenance of every
//! value: the addresses of the resources it was read from.
//!
//! Provenance is what turns references into data flows: a role assignment's `principal_id`
//! read from `azurerm_user_assigned_identity.api.principal_id` is unknown, but it is known to
//! come from that identity. A traversal into a value inherits the value's own addresses, so
//! `azurerm_storage_account.x.name` carries `azurerm_storage_account.x` even when the name is a
//! known string.
//!
//! Collections are shared (`Arc`) so that copying a value is cheap, and every value knows its
//! weight (the number of nodes under it), so that evaluation can refuse values that grow past
//! a limit instead of exhausting memory.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

/// Addresses of the resources a value was read from, in order. Empty for most values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refs(Option<Arc<BTreeSet<Arc<str>>>>);

impl Refs {
    pub fn one(address: &str) -> Self {
        Refs(Some(Arc::new(
            std::iter::once(Arc::from(address)).collect(),
        )))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().flat_map(|s| s.iter().map(|a| &**a))
    }

    /// Both sets of addresses.
    pub fn union(&self, other: &Refs) -> Refs {
        match (&self.0, &other.0) {
            (None, _) => other.clone(),
            (_, None) => self.clone(),
            (Some(a), Some(b)) if Arc::ptr_eq(a, b) || b.is_subset(a) => self.clone(),
            (Some(a), Some(b)) if a.is_subset(b) => other.clone(),
            (Some(a), Some(b)) => Refs(Some(Arc::new(a.union(b).cloned().collect()))),
        }
    }
}

/// What a value is.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    Number(f64),
    String(Arc<str>),
    /// Lists, tuples and sets (sets are kept sorted and without repeats).
    List(Arc<Vec<Value>>),
    /// Maps and objects. `open` names the resource an object stands for: reading an attribute
    /// it does not set gives an unknown value ("known after apply") rather than an error.
    Map(Arc<BTreeMap<String, Value>>, Option<Arc<str>>),
    /// Not known statically; the text says why.
    Unknown(Arc<str>),
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: Kind,
    pub refs: Refs,
    /// Nodes in this value, itself included.
    pub weight: usize,
}

impl Value {
    pub fn null() -> Self {
        Self::leaf(Kind::Null)
    }

    pub fn bool(b: bool) -> Self {
        Self::leaf(Kind::Bool(b))
    }

    pub fn number(n: f64) -> Self {
        Self::leaf(Kind::Number(n))
    }

    pub fn string(s: impl Into<Arc<str>>) -> Self {
        Self::leaf(Kind::String(s.into()))
    }

    pub fn unknown(why: impl Into<Arc<str>>) -> Self {
        Self::leaf(Kind::Unknown(why.into()))
    }

    fn leaf(kind: Kind) -> Self {
        Value {
            kind,
            refs: Refs::default(),
            weight: 1,
        }
    }

    pub fn list(items: Vec<Value>) -> Self {
        let weight = 1 + items.iter().map(|v| v.weight).sum::<usize>();
        Value {
            kind: Kind::List(Arc::new(items)),
            refs: Refs::default(),
            weight,
        }
    }

    pub fn map(entries: BTreeMap<String, Value>) -> Self {
        Self::object(entries, None)
    }

    /// An object standing for the resource at `open` when given.
    pub fn object(entries: BTreeMap<String, Value>, open: Option<Arc<str>>) -> Self {
        let weight = 1 + entries.values().map(|v| v.weight).sum::<usize>();
        Value {
            kind: Kind::Map(Arc::new(entries), open),
            refs: Refs::default(),
            weight,
        }
    }

    /// The same value, also coming from `refs`.
    pub fn with_refs(mut self, refs: &Refs) -> Self {
        self.refs = self.refs.union(refs);
        self
    }

    pub fn is_known(&self) -> bool {
        !matches!(self.kind, Kind::Unknown(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Bool(b) => Some(*b),
            Kind::String(s) if &**s == "true" => Some(true),
            Kind::String(s) if &**s == "false" => Some(false),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match &self.kind {
            Kind::Number(n) => Some(*n),
            Kind::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match &self.kind {
            Kind::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match &self.kind {
            Kind::Map(entries, _) => Some(entries),
            _ => None,
        }
    }

    /// Why the value is unknown, for unknown values.
    pub fn unknown_reason(&self) -> Option<&str> {
        match &self.kind {
            Kind::Unknown(why) => Some(why),
            _ => None,
        }
    }

    /// The first reason found for an unknown part of the value.
    pub fn first_unknown(&self) -> Option<&str> {
        match &self.kind {
            Kind::Unknown(why) => Some(why),
            Kind::List(items) => items.iter().find_map(Value::first_unknown),
            Kind::Map(entries, _) => entries.values().find_map(Value::first_unknown),
            _ => None,
        }
    }

    /// The text of a primitive value as Terraform converts it to a string; `None` for
    /// collections, null and unknown values.
    pub fn to_text(&self) -> Option<String> {
        match &self.kind {
            Kind::String(s) => Some(s.to_string()),
            Kind::Bool(b) => Some(b.to_string()),
            Kind::Number(n) => Some(format_number(*n)),
            _ => None,
        }
    }

    /// Type name for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "bool",
            Kind::Number(_) => "number",
            Kind::String(_) => "string",
            Kind::List(_) => "list",
            Kind::Map(..) => "object",
            Kind::Unknown(_) => "unknown",
        }
    }

    /// Every address this value or anything inside it comes from.
    pub fn all_refs(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        self.collect_refs(&mut out);
        out
    }

    fn collect_refs(&self, out: &mut BTreeSet<String>) {
        out.extend(self.refs.iter().map(str::to_string));
        match &self.kind {
            Kind::List(items) => items.iter().for_each(|v| v.collect_refs(out)),
            Kind::Map(entries, _) => entries.values().for_each(|v| v.collect_refs(out)),
            _ => {}
        }
    }
}

/// Numbers as Terraform prints them: integers without a fraction.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Null => f.write_str("null"),
            Kind::Bool(b) => write!(f, "{b}"),
            Kind::Number(n) => f.write_str(&format_number(*n)),
            Kind::String(s) => write!(f, "{s:?}"),
            Kind::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Kind::Map(entries, _) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                f.write_str("}")
            }
            Kind::Unknown(why) => write!(f, "(unknown: {why})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_union_and_weight() {
        let a = Value::string("x").with_refs(&Refs::one("azurerm_a.b"));
        let b = Value::number(2.0).with_refs(&Refs::one("azurerm_c.d"));
        let l = Value::list(vec![a.clone(), b]);
        assert_eq!(l.weight, 3);
        assert_eq!(
            l.all_refs().into_iter().collect::<Vec<_>>(),
            ["azurerm_a.b", "azurerm_c.d"]
        );
        assert_eq!(a.refs.union(&a.refs), a.refs);
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(2.5), "2.5");
    }
}
