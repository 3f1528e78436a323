//! `catalog check`: checks quotes verbatim against the source document, and measures coverage
//! (mitigations per section, rules per STRIDE category, and design-recommendation bullets no
//! mitigation quotes). The rule examples run in `crate::analysis::examples`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Catalog;
use crate::model::Stride;

/// Collapses runs of whitespace to one space, so quotes compare across line breaks.
pub fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A quote that is not in the document, or a section the document does not have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QuoteProblem {
    /// `mitigation MIT-…` or `rule …`.
    pub what: String,
    pub file: String,
    pub line: usize,
    /// The quote, or the section when `problem` is about the section.
    pub quote: String,
    /// What is wrong, in words.
    pub problem: String,
}

/// Every mitigation and rule quote that is not verbatim in `doc_text`, and every
/// `source.section` whose heading is not a heading of the document (or whose sub-heading is
/// not `Design considerations` or `Design recommendations`).
pub fn check_quotes(catalog: &Catalog, doc_text: &str) -> Vec<QuoteProblem> {
    let doc = normalize(doc_text);
    let headings = headings(doc_text);
    let mut out = Vec::new();
    let mut check = |what: String, file: &str, line: usize, source: &super::Source| {
        let q = normalize(&source.quote);
        if q.is_empty() || !doc.contains(&q) {
            out.push(QuoteProblem {
                what: what.clone(),
                file: file.to_string(),
                line,
                quote: source.quote.to_string(),
                problem: "quotes text not in the document".into(),
            });
        }
        let mut parts = source.section.split(" / ");
        let heading = parts.next().unwrap_or("");
        let sub = parts.next();
        if !headings.iter().any(|h| h == heading)
            || sub.is_some_and(|s| s != "Design considerations" && s != "Design recommendations")
            || parts.next().is_some()
        {
            out.push(QuoteProblem {
                what,
                file: file.to_string(),
                line,
                quote: source.section.to_string(),
                problem: "names a section the document does not have".into(),
            });
        }
    };
    for m in catalog.mitigations.values() {
        check(format!("mitigation {}", m.id), &m.file, m.line, &m.source);
    }
    for r in &catalog.rules {
        check(format!("rule {}", r.id), &r.file, r.line, &r.source);
    }
    out
}

/// The top-level headings of the document (not the `Design ...` sub-headings).
pub fn headings(doc: &str) -> Vec<String> {
    doc.lines()
        .filter(|l| !l.starts_with(char::is_whitespace))
        .map(str::trim)
        .filter(|t| {
            !t.is_empty() && !t.starts_with('•') && is_heading(t) && !t.starts_with("Design ")
        })
        .map(str::to_string)
        .collect()
}

/// A bullet of the document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bullet {
    /// `Heading / Sub-heading`.
    pub section: String,
    pub line: usize,
    pub text: String,
}

/// The bullets under every `Design recommendations` sub-heading of the document.
///
/// Headings are recognised the way the document is laid out: an unindented short line that
/// does not end like a sentence.
pub fn recommendation_bullets(doc: &str) -> Vec<Bullet> {
    let mut out = Vec::new();
    let mut heading = String::new();
    let mut sub = String::new();
    for (i, line) in doc.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let unindented = !line.starts_with(char::is_whitespace);
        if unindented && !trimmed.starts_with('•') && is_heading(trimmed) {
            if trimmed.starts_with("Design ") {
                sub = trimmed.to_string();
            } else {
                heading = trimmed.to_string();
                sub.clear();
            }
            continue;
        }
        if let Some(text) = trimmed.strip_prefix('•')
            && sub == "Design recommendations"
        {
            out.push(Bullet {
                section: format!("{heading} / {sub}"),
                line: i + 1,
                text: text.trim().to_string(),
            });
        }
    }
    out
}

fn is_heading(line: &str) -> bool {
    line.chars().count() <= 90 && !line.ends_with(['.', ':', ',', ';', ')'])
}

/// What the catalog covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub mitigations_per_section: BTreeMap<String, usize>,
    pub rules_per_stride: BTreeMap<Stride, usize>,
    /// Design-recommendation bullets no mitigation quotes (empty without a document).
    pub unquoted_bullets: Vec<Bullet>,
}

/// Coverage of the catalog, and of the document when given.
pub fn coverage(catalog: &Catalog, doc: Option<&str>) -> Coverage {
    let mut mitigations_per_section = BTreeMap::new();
    for m in catalog.mitigations.values() {
        *mitigations_per_section
            .entry(m.source.section.to_string())
            .or_insert(0) += 1;
    }
    let mut rules_per_stride: BTreeMap<Stride, usize> =
        Stride::ALL.iter().map(|s| (*s, 0)).collect();
    for r in &catalog.rules {
        *rules_per_stride.entry(r.stride).or_insert(0) += 1;
    }
    let quotes: Vec<String> = catalog
        .mitigations
        .values()
        .map(|m| normalize(&m.source.quote))
        .filter(|q| !q.is_empty())
        .collect();
    let unquoted_bullets = doc
        .map(|d| {
            recommendation_bullets(d)
                .into_iter()
                .filter(|b| {
                    let text = normalize(&b.text);
                    !quotes.iter().any(|q| text.contains(q.as_str()))
                })
                .collect()
        })
        .unwrap_or_default();
    Coverage {
        mitigations_per_section,
        rules_per_stride,
        unquoted_bullets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bullets_are_found_under_recommendations_only() {
        let doc = "Network intrusion protection\n\nDesign considerations\n\n  • Not this one.\n\nDesign recommendations\n\n  • Use a DDoS plan.\n\n    • Nested too.\nData integrity protection\n\n  • Outside.\n";
        let b = recommendation_bullets(doc);
        assert_eq!(b.len(), 2, "{b:?}");
        assert_eq!(
            b[0].section,
            "Network intrusion protection / Design recommendations"
        );
        assert_eq!(b[1].text, "Nested too.");
    }

    #[test]
    fn sections_must_be_headings_of_the_document() {
        let doc = "Network intrusion protection\n\nDesign recommendations\n\n  • Use a DDoS standard protection plan to secure all public IP addresses within the application.\n";
        let problems = check_quotes(Catalog::builtin(), doc);
        // The built-in quotes are not in this tiny document, and most sections are not either.
        assert!(problems.iter().any(|p| p.problem.contains("section")));
        assert!(
            !problems
                .iter()
                .any(|p| p.what == "mitigation MIT-DDOS-PROTECTION"),
            "{problems:#?}"
        );
        assert_eq!(headings(doc), ["Network intrusion protection"]);
    }

    #[test]
    fn whitespace_runs_compare_equal() {
        assert_eq!(normalize("a  b\n   c "), "a b c");
    }
}
