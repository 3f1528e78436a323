//! The catalog reference (`docs/catalog.md`), generated so that it cannot drift from the
//! catalog: every mitigation and rule with its source quote, for a security reviewer.

use std::fmt::Write;

use super::{Catalog, RuleScope};
use crate::condition::facts::{FACTS, FactOn, FactType};
use crate::model::Stride;

/// Renders the reference as Markdown.
pub fn render(catalog: &Catalog) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# Catalog reference");
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "Generated from `catalog/` by `stridewise catalog docs`; do not edit by hand (a test fails when it is stale)."
    );
    let _ = writeln!(
        w,
        "The format is described in [catalog-format.md](catalog-format.md), severity in [scoring.md](scoring.md)."
    );
    let _ = writeln!(
        w,
        "{} stencils, {} mitigations, {} threat rules.",
        catalog.stencils.stencils.len(),
        catalog.mitigations.len(),
        catalog.rules.len()
    );
    let _ = writeln!(w);

    let _ = writeln!(w, "## Rules by STRIDE category");
    let _ = writeln!(w);
    let _ = writeln!(w, "| category | rules |");
    let _ = writeln!(w, "|---|---|");
    for s in Stride::ALL {
        let ids: Vec<String> = catalog
            .rules
            .iter()
            .filter(|r| r.stride == s)
            .map(|r| format!("[{}](#{})", r.id, r.id.to_lowercase()))
            .collect();
        let _ = writeln!(w, "| {} | {} |", s.label(), ids.join(", "));
    }
    let _ = writeln!(w);

    let _ = writeln!(w, "## Threat rules");
    let mut file = "";
    for r in &catalog.rules {
        if r.file != file {
            file = &r.file;
            let _ = writeln!(w);
            let _ = writeln!(w, "### `{file}`");
        }
        let _ = writeln!(w);
        let _ = writeln!(w, "#### {}", r.id);
        let _ = writeln!(w);
        let _ = writeln!(w, "**{}**", one_line(&r.title.text));
        let _ = writeln!(w);
        if !r.description.text.is_empty() {
            let _ = writeln!(w, "{}", one_line(&r.description.text));
            let _ = writeln!(w);
        }
        let _ = writeln!(
            w,
            "- STRIDE: {}; applies to: {}{}",
            r.stride.label(),
            r.target.as_str(),
            if r.scope == RuleScope::Application {
                " (application models only)"
            } else {
                ""
            }
        );
        match &r.when {
            Some(c) => {
                let _ = writeln!(w, "- When: `{}`", one_line(c));
            }
            None => {
                let _ = writeln!(w, "- When: always");
            }
        }
        let _ = writeln!(
            w,
            "- Likelihood: {}; impact: {}",
            r.likelihood.as_str(),
            r.impact.as_str()
        );
        let mits: Vec<String> = r
            .mitigations
            .iter()
            .map(|m| format!("[{m}](#{})", m.to_lowercase()))
            .collect();
        let _ = writeln!(w, "- Mitigations: {}", mits.join(", "));
        if !r.cwe.is_empty() || !r.capec.is_empty() {
            let cwe: Vec<String> = r.cwe.iter().map(|c| format!("CWE-{c}")).collect();
            let capec: Vec<String> = r.capec.iter().map(|c| format!("CAPEC-{c}")).collect();
            let _ = writeln!(
                w,
                "- References: {}",
                cwe.into_iter().chain(capec).collect::<Vec<_>>().join(", ")
            );
        }
        let _ = writeln!(w, "- Source: {}", r.source.section);
        let _ = writeln!(w);
        let _ = writeln!(w, "> {}", one_line(&r.source.quote));
    }
    let _ = writeln!(w);

    let _ = writeln!(w, "## Mitigations");
    for m in catalog.mitigations.values() {
        let _ = writeln!(w);
        let _ = writeln!(w, "#### {}", m.id);
        let _ = writeln!(w);
        let _ = writeln!(w, "**{}**", one_line(&m.title));
        let _ = writeln!(w);
        if !m.action.is_empty() {
            let _ = writeln!(w, "{}", one_line(&m.action));
            let _ = writeln!(w);
        }
        if !m.layer.is_empty() {
            let _ = writeln!(w, "- Layer: {}", m.layer);
        }
        let used: Vec<&str> = catalog
            .rules
            .iter()
            .filter(|r| r.mitigations.contains(&m.id))
            .map(|r| r.id.as_str())
            .collect();
        let _ = writeln!(
            w,
            "- Used by: {}",
            if used.is_empty() {
                "no rule".to_string()
            } else {
                used.join(", ")
            }
        );
        let _ = writeln!(w, "- Source: {}", m.source.section);
        let _ = writeln!(w);
        let _ = writeln!(w, "> {}", one_line(&m.source.quote));
    }
    let _ = writeln!(w);

    let _ = writeln!(w, "## Graph facts");
    let _ = writeln!(w);
    let _ = writeln!(w, "| fact | on | type | meaning |");
    let _ = writeln!(w, "|---|---|---|---|");
    for f in FACTS {
        let args = if f.args.is_empty() {
            String::new()
        } else {
            format!("({})", vec!["'…'"; f.args.len()].join(", "))
        };
        let _ = writeln!(
            w,
            "| `{}{args}` | {} | {} | {} |",
            f.name,
            match f.on {
                FactOn::Element => "element",
                FactOn::Flow => "flow",
            },
            match f.result {
                FactType::Bool => "bool",
                FactType::Number => "number",
            },
            f.doc
        );
    }
    out
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_catalog_md_is_fresh() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/catalog.md");
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == render(Catalog::builtin()),
            "docs/catalog.md is stale: run `stridewise catalog docs`"
        );
    }
}
