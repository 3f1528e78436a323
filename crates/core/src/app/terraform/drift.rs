//! Drift: how a model and the Terraform it describes differ.
//!
//! A pure function of the model, a fresh import of the Terraform and the catalog. Objects are
//! matched by their Terraform address (`iac_address`); objects without one (drawn by hand) are
//! not infrastructure the code could contradict, and are left alone. For every property the
//! code sets and the model holds differently (comparing effective values: a property left unset
//! takes its stencil default), the analysis runs on the model as it is and with the code's value,
//! and the difference names the threats the code's value opens and closes.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::json;

use crate::analysis::analyze;
use crate::catalog::Catalog;
use crate::model::{PropertyValue, ServiceModel, Severity};

/// What kind of difference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftKind {
    /// The code has a resource (or a flow it implies) the model lacks.
    MissingFromModel,
    /// The model has an object whose address the code no longer has.
    NoLongerInCode,
    /// A property the code sets differs from the model's.
    PropertyDiffers,
}

impl DriftKind {
    pub fn label(&self) -> &'static str {
        match self {
            DriftKind::MissingFromModel => "in the code, not in the model",
            DriftKind::NoLongerInCode => "in the model, no longer in the code",
            DriftKind::PropertyDiffers => "property differs",
        }
    }
}

/// A threat the difference changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ThreatChange {
    pub key: String,
    pub rule: String,
    pub title: String,
    pub severity: Severity,
}

/// One difference.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DriftItem {
    pub kind: DriftKind,
    /// `element`, `flow` or `boundary`.
    pub object: &'static str,
    pub address: String,
    pub name: String,
    /// The model's element or flow the difference is about; none for what the model lacks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<uuid::Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_value: Option<PropertyValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_value: Option<PropertyValue>,
    /// Threats that the code's value raises and the model's does not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub threats_opened: Vec<ThreatChange>,
    /// Threats the model shows that the code's value does not have.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub threats_closed: Vec<ThreatChange>,
}

impl DriftItem {
    /// An object on one side only.
    fn presence(
        kind: DriftKind,
        object: &'static str,
        address: &str,
        name: &str,
        id: Option<uuid::Uuid>,
    ) -> Self {
        DriftItem {
            kind,
            object,
            address: address.to_string(),
            name: name.to_string(),
            id,
            property: None,
            model_value: None,
            code_value: None,
            threats_opened: Vec::new(),
            threats_closed: Vec::new(),
        }
    }

    /// One line for people.
    pub fn message(&self) -> String {
        match self.kind {
            DriftKind::PropertyDiffers => format!(
                "{} '{}' ({}): {} is {} in the model, {} in the code",
                self.object,
                self.name,
                self.address,
                self.property.as_deref().unwrap_or("?"),
                show(&self.model_value),
                show(&self.code_value)
            ),
            DriftKind::MissingFromModel => format!(
                "{} '{}' ({}) is in the code but not in the model",
                self.object, self.name, self.address
            ),
            DriftKind::NoLongerInCode => format!(
                "{} '{}' ({}) is in the model but no longer in the code",
                self.object, self.name, self.address
            ),
        }
    }
}

fn show(v: &Option<PropertyValue>) -> String {
    v.as_ref().map_or("(unset)".into(), |v| v.to_string())
}

/// Every difference, in a stable order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Drift {
    pub model: String,
    /// Objects matched by address.
    pub matched: usize,
    pub items: Vec<DriftItem>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Readable text, one difference per line, with the threats each changes.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        if self.items.is_empty() {
            out.push_str(&format!(
                "{}: no drift ({} objects matched by Terraform address)\n",
                self.model, self.matched
            ));
            return out;
        }
        out.push_str(&format!(
            "{}: {} difference(s) ({} objects matched by Terraform address)\n",
            self.model,
            self.items.len(),
            self.matched
        ));
        for item in &self.items {
            out.push_str(&format!("  {}: {}\n", item.kind.label(), item.message()));
            for t in &item.threats_opened {
                out.push_str(&format!(
                    "    opens  {} [{}] {}\n",
                    t.rule, t.severity, t.title
                ));
            }
            for t in &item.threats_closed {
                out.push_str(&format!(
                    "    closes {} [{}] {}\n",
                    t.rule, t.severity, t.title
                ));
            }
        }
        out
    }

    /// A SARIF 2.1.0 log: one result per difference, located in the model file.
    pub fn to_sarif(&self, model_uri: &str, version: &str) -> String {
        let results: Vec<serde_json::Value> = self
            .items
            .iter()
            .map(|i| {
                let mut text = i.message();
                if !i.threats_opened.is_empty() {
                    let t: Vec<String> = i
                        .threats_opened
                        .iter()
                        .map(|t| format!("{} ({})", t.rule, t.title))
                        .collect();
                    text.push_str(&format!("; opens {}", t.join("; ")));
                }
                let level = if i.threats_opened.iter().any(|t| t.severity >= Severity::High) {
                    "error"
                } else {
                    "warning"
                };
                json!({
                    "ruleId": format!("DRIFT-{}", match i.kind {
                        DriftKind::MissingFromModel => "MISSING",
                        DriftKind::NoLongerInCode => "REMOVED",
                        DriftKind::PropertyDiffers => "PROPERTY",
                    }),
                    "level": level,
                    "message": { "text": text },
                    "locations": [{
                        "physicalLocation": { "artifactLocation": { "uri": model_uri } },
                        "logicalLocations": [{ "name": i.name, "fullyQualifiedName": i.address, "kind": i.object }]
                    }],
                    "partialFingerprints": {
                        "stridewiseDrift/v1": format!("{:?}@{}@{}", i.kind, i.address, i.property.as_deref().unwrap_or(""))
                    }
                })
            })
            .collect();
        let rule = |id: &str, text: &str| json!({ "id": id, "shortDescription": { "text": text } });
        let log = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": { "driver": {
                    "name": "stridewise",
                    "version": version,
                    "rules": [
                        rule("DRIFT-MISSING", "A resource in the Terraform is missing from the threat model"),
                        rule("DRIFT-REMOVED", "The threat model has an object the Terraform no longer has"),
                        rule("DRIFT-PROPERTY", "A property differs between the threat model and the Terraform"),
                    ]
                }},
                "results": results
            }]
        });
        let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// How `model` differs from `code`, a fresh import of the Terraform it describes.
pub fn drift(model: &ServiceModel, code: &ServiceModel, catalog: &Catalog) -> Drift {
    let stencils = &catalog.stencils;
    let mut out = Drift {
        model: model.name.clone(),
        ..Drift::default()
    };
    let by_addr = |m: &ServiceModel| -> BTreeMap<String, usize> {
        m.elements
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Some((e.iac_address.clone()?, i)))
            .collect()
    };
    let (mine, theirs) = (by_addr(model), by_addr(code));
    let base = analyze(model, catalog);

    for (addr, &ci) in &theirs {
        let c = &code.elements[ci];
        let Some(&mi) = mine.get(addr) else {
            out.items.push(DriftItem::presence(
                DriftKind::MissingFromModel,
                "element",
                addr,
                &c.name,
                None,
            ));
            continue;
        };
        out.matched += 1;
        let m = &model.elements[mi];
        for (name, code_value) in &c.properties {
            let model_value = stencils.effective(&m.stencil, &m.properties, name).cloned();
            let code_effective = Some(code_value.clone());
            if model_value == code_effective {
                continue;
            }
            // The analysis with the code's value, to name what the difference changes.
            let mut patched = model.clone();
            patched.elements[mi]
                .properties
                .insert(name.clone(), code_value.clone());
            let (opened, closed) = threat_changes(&base, &patched, catalog, m.id.0);
            out.items.push(DriftItem {
                kind: DriftKind::PropertyDiffers,
                object: "element",
                address: addr.clone(),
                name: m.name.clone(),
                id: Some(m.id.0),
                property: Some(name.clone()),
                model_value,
                code_value: code_effective,
                threats_opened: opened,
                threats_closed: closed,
            });
        }
    }
    for (addr, &mi) in &mine {
        if !theirs.contains_key(addr) {
            out.items.push(DriftItem::presence(
                DriftKind::NoLongerInCode,
                "element",
                addr,
                &model.elements[mi].name,
                Some(model.elements[mi].id.0),
            ));
        }
    }

    // Flows, by their address and the addresses of their ends.
    let flow_keys = |m: &ServiceModel| -> BTreeMap<(String, String, String), usize> {
        let end = |id| {
            m.element(id)
                .map(|e| {
                    e.iac_address
                        .clone()
                        .unwrap_or_else(|| format!("#{}", e.name))
                })
                .unwrap_or_default()
        };
        m.flows
            .iter()
            .enumerate()
            .filter_map(|(i, f)| Some(((f.iac_address.clone()?, end(f.source), end(f.target)), i)))
            .collect()
    };
    let (mf, cf) = (flow_keys(model), flow_keys(code));
    for (key, &ci) in &cf {
        let c = &code.flows[ci];
        match mf.get(key) {
            None => out.items.push(DriftItem::presence(
                DriftKind::MissingFromModel,
                "flow",
                &key.0,
                &format!("{} ({} -> {})", c.name, key.1, key.2),
                None,
            )),
            Some(&mi) => {
                out.matched += 1;
                let m = &model.flows[mi];
                for (name, v) in &c.properties {
                    let mv = m
                        .properties
                        .get(name)
                        .or_else(|| {
                            stencils
                                .flow_properties
                                .get(name)
                                .and_then(|d| d.default.as_ref())
                        })
                        .cloned();
                    if mv.as_ref() == Some(v) {
                        continue;
                    }
                    let mut patched = model.clone();
                    patched.flows[mi].properties.insert(name.clone(), v.clone());
                    let (opened, closed) = threat_changes(&base, &patched, catalog, m.id.0);
                    out.items.push(DriftItem {
                        kind: DriftKind::PropertyDiffers,
                        object: "flow",
                        address: key.0.clone(),
                        name: m.name.clone(),
                        id: Some(m.id.0),
                        property: Some(name.clone()),
                        model_value: mv,
                        code_value: Some(v.clone()),
                        threats_opened: opened,
                        threats_closed: closed,
                    });
                }
            }
        }
    }
    for (key, &mi) in &mf {
        if !cf.contains_key(key) {
            out.items.push(DriftItem::presence(
                DriftKind::NoLongerInCode,
                "flow",
                &key.0,
                &model.flows[mi].name,
                Some(model.flows[mi].id.0),
            ));
        }
    }
    out.items.sort_by(|a, b| {
        (a.kind, a.object, &a.address, &a.property, &a.name).cmp(&(
            b.kind,
            b.object,
            &b.address,
            &b.property,
            &b.name,
        ))
    });
    out
}

/// The threats about the object `id` (an element, with the flows it is an end of, or a flow)
/// that `patched` has and `base` does not (opened), and the other way round (closed).
fn threat_changes(
    base: &crate::analysis::Analysis,
    patched: &ServiceModel,
    catalog: &Catalog,
    id: uuid::Uuid,
) -> (Vec<ThreatChange>, Vec<ThreatChange>) {
    let after = analyze(patched, catalog);
    let keys = |a: &crate::analysis::Analysis| -> BTreeSet<String> {
        a.threats
            .iter()
            .map(|t| t.key.as_str().to_string())
            .collect()
    };
    let (before_keys, after_keys) = (keys(base), keys(&after));
    let about = |t: &&crate::analysis::Threat| t.key.ids().any(|k| k == id);
    let opened = (after.threats.iter())
        .filter(about)
        .filter(|t| !before_keys.contains(t.key.as_str()))
        .map(change)
        .collect();
    let closed = (base.threats.iter())
        .filter(about)
        .filter(|t| !after_keys.contains(t.key.as_str()))
        .map(change)
        .collect();
    (opened, closed)
}

fn change(t: &crate::analysis::Threat) -> ThreatChange {
    ThreatChange {
        key: t.key.as_str().to_string(),
        rule: t.rule.to_string(),
        title: t.title.clone(),
        severity: t.severity,
    }
}
