//! The catalog: stencils, mitigations and threat rules, loaded from reviewable TOML files.
//!
//! The built-in catalog is the `catalog/` folder at the top of the repository, embedded in the
//! binary at build time. Loading checks everything it can and reports problems with the file,
//! line and column they come from.

mod stencils;

use std::fmt;
use std::path::PathBuf;
use std::sync::OnceLock;

pub use stencils::parse_stencils;

use crate::model::StencilSet;

/// The built-in stencil file, embedded.
pub const BUILTIN_STENCILS: &str = include_str!("../../../../catalog/stencils.toml");

/// The built-in stencils, parsed once.
pub fn builtin_stencils() -> &'static StencilSet {
    static SET: OnceLock<StencilSet> = OnceLock::new();
    SET.get_or_init(|| {
        parse_stencils(BUILTIN_STENCILS, "catalog/stencils.toml")
            .unwrap_or_else(|e| panic!("the built-in catalog is checked by tests: {e}"))
    })
}

/// A problem in a catalog file, located by file, line and column (both from 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CatalogError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

impl CatalogError {
    /// An error at byte `offset` of `text`.
    pub fn at(file: &str, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_column(text, offset);
        CatalogError {
            file: PathBuf::from(file),
            line,
            column,
            message: message.into(),
        }
    }

    /// Turns a TOML parse error into a located catalog error.
    pub fn from_toml(file: &str, text: &str, err: &toml::de::Error) -> Self {
        let offset = err.span().map(|s| s.start).unwrap_or(0);
        Self::at(file, text, offset, err.message().trim().to_string())
    }
}

/// Line and column (both from 1, column in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_from_one() {
        let text = "ab\ncd\nef";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (2, 2));
        assert_eq!(line_column(text, 100), (3, 3));
    }

    #[test]
    fn builtin_stencils_load() {
        let set = builtin_stencils();
        assert!(set.stencils.len() >= 30, "{} stencils", set.stencils.len());
        let kv = set.get(&"azure.key_vault_hsm".into()).unwrap();
        // inherited through azure.key_vault and generic.data_store, default overridden twice
        assert!(kv.properties.contains_key("encrypted_at_rest"));
        assert!(kv.properties.contains_key("purge_protection"));
        assert_eq!(
            kv.properties["hsm_backed"].default,
            Some(crate::model::PropertyValue::Bool(true))
        );
        assert!(set.flow_properties.contains_key("encrypted"));
    }

    #[test]
    fn risk_orders_list_every_value_and_every_bool_is_ordered() {
        use crate::model::{PropertyType, PropertyValue};
        let set = builtin_stencils();
        let defs = set
            .stencils
            .values()
            .flat_map(|s| s.properties.iter())
            .chain(set.flow_properties.iter());
        // Descriptive properties: no value is safer than another.
        let descriptive = ["role", "environment", "sku", "enforcement", "is_log"];
        for (name, def) in defs.filter(|(n, _)| !descriptive.contains(&n.as_str())) {
            let order = set.risk_order.get(name);
            match &def.ty {
                PropertyType::Bool => {
                    let order = order.unwrap_or_else(|| panic!("bool '{name}' has no risk order"));
                    assert_eq!(order.len(), 2, "'{name}'");
                }
                PropertyType::Enum { values }
                    if name != "role"
                        && name != "environment"
                        && name != "sku"
                        && name != "enforcement"
                        && name != "key_management" =>
                {
                    let order = order.unwrap_or_else(|| panic!("enum '{name}' has no risk order"));
                    for v in values {
                        assert!(
                            order.contains(&PropertyValue::Text(v.clone())),
                            "risk order of '{name}' lacks '{v}'"
                        );
                    }
                }
                _ => {}
            }
        }
        let a = PropertyValue::Bool(true);
        let b = PropertyValue::Bool(false);
        assert_eq!(set.riskier("encrypted_at_rest", &a, &b), Some(&b));
        assert_eq!(set.riskier("public_network_access", &a, &b), Some(&a));
    }
}
