//! The importers' mapping tables, kept as reviewable data in `catalog/import/`: which Threat
//! Modeling Tool stencil type ids take which catalog stencil and boundary kind, and the titles
//! and STRIDE categories of Threagile's built-in risk rules. Loaded once; a test checks that
//! every entry names a stencil, kind or category that exists.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::{BoundaryKind, Stride};

const TMT: &str = include_str!("../../../../catalog/import/tmt.toml");
const THREAGILE: &str = include_str!("../../../../catalog/import/threagile.toml");

/// `catalog/import/tmt.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TmtTables {
    /// Stencil type id -> catalog stencil id.
    pub stencils: BTreeMap<String, String>,
    /// Boundary type id -> boundary kind.
    pub boundaries: BTreeMap<String, BoundaryKind>,
}

/// A Threagile built-in risk rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreagileRule {
    pub title: String,
    pub stride: Stride,
}

/// `catalog/import/threagile.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreagileTables {
    /// By rule id.
    pub rules: BTreeMap<String, ThreagileRule>,
}

pub fn tmt() -> &'static TmtTables {
    static T: OnceLock<TmtTables> = OnceLock::new();
    T.get_or_init(|| {
        toml::from_str(TMT)
            .unwrap_or_else(|e| panic!("catalog/import/tmt.toml is checked by tests: {e}"))
    })
}

pub fn threagile() -> &'static ThreagileTables {
    static T: OnceLock<ThreagileTables> = OnceLock::new();
    T.get_or_init(|| {
        toml::from_str(THREAGILE)
            .unwrap_or_else(|e| panic!("catalog/import/threagile.toml is checked by tests: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tmt_entry_names_a_catalog_stencil() {
        let stencils = crate::catalog::builtin_stencils();
        for (type_id, stencil) in &tmt().stencils {
            assert!(
                stencils.get(&stencil.as_str().into()).is_some(),
                "{type_id} -> {stencil}, which the catalog does not define"
            );
        }
        assert_eq!(
            tmt().boundaries.get("SE.TB.L.TMCore.Internet"),
            Some(&BoundaryKind::Internet)
        );
    }

    #[test]
    fn threagile_rules_load() {
        let rules = &threagile().rules;
        assert_eq!(
            rules.len(),
            42,
            "the 42 built-in rules of docs/risk-rules.md"
        );
        assert_eq!(rules["sql-nosql-injection"].stride, Stride::Tampering);
    }
}
