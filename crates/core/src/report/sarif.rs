//! SARIF 2.1.0 export, for code-scanning dashboards.
//!
//! Catalog rules become `reportingDescriptors`, threats become `results`: the level comes from
//! the severity (critical and high are errors, medium a warning, low a note), the location is
//! the model file with a logical location naming the element or flow, and the stable threat key
//! is the partial fingerprint, so that a dashboard keeps its state when the model changes.
//! A threat that several services show on a resource they share is one result, with a
//! location in each service and the highest of their severities.
//! Threats already decided (mitigated, accepted, ...) are kept, with a suppression saying so.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::findings::{Finding, RuleInfo, SubjectKind, finding_status};
use super::{ModelSection, ReportInput};
use crate::model::Severity;

/// The tool as SARIF names it.
#[derive(Clone, Debug)]
pub struct SarifTool {
    pub name: String,
    pub version: String,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// The kept threats of `input` as a SARIF 2.1.0 log (pretty-printed JSON). `rules` describes
/// the catalog; rules that no threat uses are listed too, so that a dashboard knows the whole
/// rule set.
///
/// Written through typed, borrowing structs rather than a `serde_json::Value` tree: at 70,000
/// threats the tree took over a gigabyte.
pub fn to_sarif(input: &ReportInput, rules: &[RuleInfo], tool: &SarifTool) -> String {
    let mut by_id: BTreeMap<&str, &RuleInfo> = rules.iter().map(|r| (r.id.as_str(), r)).collect();
    // Findings whose rule is not in `rules` (a stale catalog) still get a descriptor.
    let mut extra: BTreeMap<String, RuleInfo> = BTreeMap::new();
    for (_, f) in input.kept_findings() {
        if !by_id.contains_key(f.rule.as_str()) {
            extra.entry(f.rule.clone()).or_insert_with(|| RuleInfo {
                id: f.rule.clone(),
                title: f.title.clone(),
                description: f.description.clone(),
                stride: f.stride,
                cwe: f.cwe.clone(),
                capec: Vec::new(),
                source: f.source.as_deref().cloned(),
            });
        }
    }
    for r in extra.values() {
        by_id.insert(r.id.as_str(), r);
    }
    let index: BTreeMap<&str, usize> = by_id.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let descriptors: Vec<Value> = by_id.values().map(|r| descriptor(r)).collect();

    let uris: Vec<Option<String>> = input
        .sections()
        .map(|s| s.file.as_deref().map(uri_path))
        .collect();
    let sections: Vec<&ModelSection> = input.sections().collect();
    // One result per threat: a threat that several services show on a resource they share is
    // one result with a location in each.
    let counted = input.counted();
    let mut results = Vec::with_capacity(counted.len());
    for c in &counted {
        let f: &Finding = &c.finding;
        let mut text = format!("{} ({})", f.title, f.subject.name);
        if !f.mitigations.is_empty() {
            let names: Vec<&str> = f.mitigations.iter().map(|m| &*m.title).collect();
            text.push_str(&format!(". Mitigations: {}.", names.join("; ")));
        }
        if !f.shared_note.is_empty() {
            text.push(' ');
            text.push_str(&f.shared_note);
        }
        let suppressions = (!f.status.is_unresolved()).then(|| {
            let justification = if f.justification.is_empty() {
                format!("triaged as {}", finding_status(f.status))
            } else {
                format!("{}: {}", finding_status(f.status), f.justification)
            };
            vec![Suppression {
                kind: "external",
                status: "accepted",
                justification,
            }]
        });
        results.push(SarifResult {
            rule_id: &f.rule,
            rule_index: index.get(f.rule.as_str()).copied().unwrap_or(0),
            level: level(f.severity),
            message: Message { text },
            locations: c
                .copies
                .iter()
                .map(|&(n, copy)| location(uris[n].as_deref(), &sections[n].model.name, copy))
                .collect(),
            partial_fingerprints: Fingerprints {
                key: c.copies[0].1.key.as_str(),
            },
            suppressions,
            properties: ResultProperties {
                stride: f.stride.as_str(),
                severity: f.severity.as_str(),
                status: f.status.as_str(),
                model: &sections[c.section()].model.name,
                owner: (!c.copies[0].1.owner.is_empty()).then_some(c.copies[0].1.owner.as_str()),
            },
        });
    }
    let artifacts: Vec<Value> = uris
        .iter()
        .flatten()
        .map(|uri| json!({ "location": { "uri": uri }, "roles": ["analysisTarget"] }))
        .collect();
    let log = SarifLog {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: json!({ "driver": {
                "name": tool.name,
                "version": tool.version,
                "rules": descriptors,
            }}),
            artifacts,
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

/// Where a threat is: the model file, and the element or flow in the model.
fn location<'b>(uri: Option<&'b str>, model: &str, f: &'b Finding) -> Location<'b> {
    Location {
        physical_location: uri.map(|uri| PhysicalLocation {
            artifact_location: ArtifactLocation { uri },
        }),
        logical_locations: [LogicalLocation {
            name: &f.subject.name,
            fully_qualified_name: format!("{model}/{}", f.subject.name),
            kind: match f.subject.kind {
                SubjectKind::Element(_) => "element",
                SubjectKind::Flow => "dataFlow",
                SubjectKind::Boundary => "trustBoundary",
                SubjectKind::Model => "model",
            },
            properties: LogicalProperties {
                id: f.subject.id.to_string(),
                kind: f.subject.kind.as_str(),
            },
        }],
    }
}

#[derive(Serialize)]
struct SarifLog<'a> {
    #[serde(rename = "$schema")]
    schema: &'a str,
    version: &'a str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    artifacts: Vec<Value>,
    results: Vec<SarifResult<'a>>,
    column_kind: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'a str,
    message: Message,
    locations: Vec<Location<'a>>,
    partial_fingerprints: Fingerprints<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<Vec<Suppression>>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation<'a>>,
    logical_locations: [LogicalLocation<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
}

#[derive(Serialize)]
struct ArtifactLocation<'a> {
    uri: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    fully_qualified_name: String,
    kind: &'a str,
    properties: LogicalProperties<'a>,
}

#[derive(Serialize)]
struct LogicalProperties<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'a str,
}

#[derive(Serialize)]
struct Fingerprints<'a> {
    #[serde(rename = "stridewiseThreatKey/v1")]
    key: &'a str,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    stride: &'a str,
    severity: &'a str,
    status: &'a str,
    model: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
}

fn descriptor(r: &RuleInfo) -> Value {
    let mut tags = vec![
        "security".to_string(),
        format!("stride/{}", r.stride.as_str()),
    ];
    tags.extend(r.cwe.iter().map(|c| format!("external/cwe/cwe-{c}")));
    let mut properties = json!({
        "stride": r.stride.as_str(),
        "tags": tags,
    });
    if !r.cwe.is_empty() {
        properties["cwe"] = json!(r.cwe.iter().map(|c| format!("CWE-{c}")).collect::<Vec<_>>());
    }
    if !r.capec.is_empty() {
        properties["capec"] = json!(
            r.capec
                .iter()
                .map(|c| format!("CAPEC-{c}"))
                .collect::<Vec<_>>()
        );
    }
    if let Some(src) = &r.source {
        properties["source"] = json!({ "section": src.section, "quote": src.quote });
    }
    let full = if r.description.is_empty() {
        r.title.clone()
    } else {
        r.description.clone()
    };
    json!({
        "id": r.id,
        "name": rule_name(&r.id),
        "shortDescription": { "text": r.title },
        "fullDescription": { "text": full },
        // No helpUri: the schema wants an absolute URI and the report makes no external
        // reference; the catalog reference ships with the tool.
        "help": { "text": format!("Rule {} of the Stridewise catalog: see docs/catalog.md for its condition, mitigations and source.", r.id) },
        "properties": properties,
    })
}

/// A rule name as SARIF likes it (an identifier): `NET-DOS-01` gives `NetDos01`.
fn rule_name(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lower = p.to_ascii_lowercase();
            let mut cs = lower.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A relative file path as a URI reference: forward slashes, unsafe characters escaped.
fn uri_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(rule_name("NET-DOS-01"), "NetDos01");
        assert_eq!(
            uri_path("models/my shop.stride.json"),
            "models/my%20shop.stride.json"
        );
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Low), "note");
    }
}
