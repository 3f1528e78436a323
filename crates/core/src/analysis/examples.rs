//! `catalog check`'s rule examples: every rule carries a model on which it fires and one on
//! which it stays quiet, and this runs each rule alone on each of them. It lives in analysis
//! because running a rule is analysis; the catalog only loads the examples.

use serde::Serialize;

use crate::catalog::{Catalog, RuleScope};

/// A rule example that did not behave as it says, or a rule missing an example.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExampleFailure {
    pub rule: String,
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// Runs every rule's examples on its own.
pub fn run_examples(catalog: &Catalog) -> Vec<ExampleFailure> {
    let mut out = Vec::new();
    for (i, rule) in catalog.rules.iter().enumerate() {
        let fail = |line: usize, message: String| ExampleFailure {
            rule: rule.id.clone(),
            file: rule.file.clone(),
            line,
            message,
        };
        if !rule.examples.iter().any(|e| e.fires) || !rule.examples.iter().any(|e| !e.fires) {
            out.push(fail(
                rule.line,
                format!(
                    "rule {} needs at least one example that fires and one that does not",
                    rule.id
                ),
            ));
        }
        for (n, ex) in rule.examples.iter().enumerate() {
            let mut model = ex.model.clone();
            if rule.scope == RuleScope::Application {
                model.kind = crate::model::ModelKind::Application;
            }
            let fired = super::analyze_rules(&model, catalog, Some(i)).summary.total > 0;
            if fired != ex.fires {
                out.push(fail(
                    ex.line,
                    format!(
                        "example {} of {} should {} but {}",
                        n + 1,
                        rule.id,
                        if ex.fires { "fire" } else { "stay quiet" },
                        if fired { "fired" } else { "did not fire" }
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_examples_pass() {
        let failures = run_examples(Catalog::builtin());
        assert!(failures.is_empty(), "{failures:#?}");
    }
}
