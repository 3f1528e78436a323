//! Stencils: the technologies an element can be (a generic process, an Azure Key Vault) and the
//! typed properties each one has.
//!
//! The model only knows the shape of a stencil schema; the built-in set is data in `catalog/`
//! and is loaded by [`crate::catalog`]. A stencil id is an open identifier (`vendor.name`,
//! lower case), so a user's rule pack can add stencils without a new release.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ElementKind, PropertyValue};

/// A stencil identifier such as `generic.process` or `azure.key_vault`.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct StencilId(pub String);

impl StencilId {
    /// The generic stencil of an element kind: `generic.external_entity`, `generic.process`,
    /// `generic.data_store`.
    pub fn generic(kind: ElementKind) -> Self {
        StencilId(format!("generic.{}", kind.as_str()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the text is a well-formed stencil id: two or more dot-separated parts of
    /// lower-case letters, digits and underscores, each starting with a letter.
    pub fn is_well_formed(s: &str) -> bool {
        let parts: Vec<&str> = s.split('.').collect();
        parts.len() >= 2
            && parts.iter().all(|p| {
                p.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && p.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            })
    }
}

impl fmt::Display for StencilId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for StencilId {
    fn from(s: &str) -> Self {
        StencilId(s.to_string())
    }
}

/// The type of a property.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PropertyType {
    Bool,
    Number,
    Text,
    /// One of a fixed list of text values.
    Enum {
        values: Vec<String>,
    },
}

impl PropertyType {
    pub fn name(&self) -> &'static str {
        match self {
            PropertyType::Bool => "bool",
            PropertyType::Number => "number",
            PropertyType::Text => "text",
            PropertyType::Enum { .. } => "enum",
        }
    }

    /// Whether `value` has this type (an enum accepts any text here; the value list is checked
    /// separately so that the message can name the allowed values).
    pub fn accepts_type_of(&self, value: &PropertyValue) -> bool {
        matches!(
            (self, value),
            (PropertyType::Bool, PropertyValue::Bool(_))
                | (PropertyType::Number, PropertyValue::Number(_))
                | (PropertyType::Text, PropertyValue::Text(_))
                | (PropertyType::Enum { .. }, PropertyValue::Text(_))
        )
    }
}

/// One property of a stencil (or of data flows).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PropertyDef {
    #[serde(flatten)]
    pub ty: PropertyType,
    /// The value an element has when it does not set the property.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<PropertyValue>,
    /// What the property means, for the property inspector and the catalog reference.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// An element type with its property schema, inherited properties already resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Stencil {
    pub id: StencilId,
    pub title: String,
    /// The element kind this stencil is drawn as.
    pub kind: ElementKind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Facts about the technology that graph facts use: `waf`, `gateway`, `secrets_store`,
    /// `identity_provider`, `ci_cd`, `build_agent`, `jump_box`, ...
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Every property, its own and inherited, by name.
    pub properties: BTreeMap<String, PropertyDef>,
}

impl Stencil {
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }
}

/// All stencils known to a catalog, plus the property schema of data flows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StencilSet {
    pub stencils: BTreeMap<StencilId, Stencil>,
    /// Properties every data flow may have.
    pub flow_properties: BTreeMap<String, PropertyDef>,
    /// For properties whose values differ in how much risk they admit: the values from the
    /// riskiest to the safest. Consolidation uses it to take the less secure value when two
    /// services disagree, so that no threat is hidden.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub risk_order: BTreeMap<String, Vec<PropertyValue>>,
}

impl StencilSet {
    pub fn get(&self, id: &StencilId) -> Option<&Stencil> {
        self.stencils.get(id)
    }

    /// The value of `name` on an element of `stencil`: its own value, else the default.
    pub fn effective<'a>(
        &'a self,
        stencil: &StencilId,
        properties: &'a BTreeMap<String, PropertyValue>,
        name: &str,
    ) -> Option<&'a PropertyValue> {
        properties.get(name).or_else(|| {
            self.get(stencil)
                .and_then(|s| s.properties.get(name))
                .and_then(|d| d.default.as_ref())
        })
    }

    /// Of two values of property `name`, the riskier one; `None` when the catalog gives no
    /// order for the property or knows neither value.
    pub fn riskier<'a>(
        &self,
        name: &str,
        a: &'a PropertyValue,
        b: &'a PropertyValue,
    ) -> Option<&'a PropertyValue> {
        let order = self.risk_order.get(name)?;
        let rank = |v: &PropertyValue| order.iter().position(|o| o == v);
        match (rank(a), rank(b)) {
            (Some(x), Some(y)) => Some(if x <= y { a } else { b }),
            (Some(_), None) => Some(a),
            (None, Some(_)) => Some(b),
            (None, None) => None,
        }
    }

    /// The value of `name` on a flow: its own value, else the default.
    pub fn effective_flow<'a>(
        &'a self,
        properties: &'a BTreeMap<String, PropertyValue>,
        name: &str,
    ) -> Option<&'a PropertyValue> {
        properties.get(name).or_else(|| {
            self.flow_properties
                .get(name)
                .and_then(|d| d.default.as_ref())
        })
    }
}
