//! Open Threat Model (OTM 0.2.0) JSON export.
//!
//! OTM is IriusRisk's tool-neutral exchange format: trust zones, components, data flows and
//! threats. Boundaries become trust zones (nesting kept through `parent`), elements become
//! components whose `type` is their stencil id, flows become data flows, and hand-written threats
//! become threats attached to their component, data flow or trust zone, with their triage
//! status (decisions on the catalog's threats go along, named by their key). OTM requires every
//! component to sit in a trust zone, so elements outside every boundary go to a zone named
//! "Outside every trust boundary". Positions are written relative to the parent zone, as
//! StartLeft does.

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::triage_object;
use crate::model::{BoundaryKind, NodeLayout, Rating, ServiceModel, Severity, TriageStatus};

/// How much a zone of each kind is trusted, 0 to 100 (OTM's `trustRating`).
fn trust_rating(kind: BoundaryKind) -> u32 {
    match kind {
        BoundaryKind::Internet => 0,
        BoundaryKind::ThirdParty => 20,
        BoundaryKind::OnPremises => 60,
        BoundaryKind::CiCd | BoundaryKind::Management => 70,
        BoundaryKind::Generic => 50,
        BoundaryKind::AzureGlobal
        | BoundaryKind::AzureRegionStamp
        | BoundaryKind::Subscription
        | BoundaryKind::VirtualNetwork
        | BoundaryKind::Subnet => 80,
    }
}

fn score(s: Option<Severity>) -> u32 {
    match s {
        Some(Severity::Low) => 25,
        Some(Severity::Medium) | None => 50,
        Some(Severity::High) => 75,
        Some(Severity::Critical) => 100,
    }
}

fn representation(
    diagram: &str,
    id: Uuid,
    name: &str,
    node: &NodeLayout,
    origin: (f64, f64),
) -> Value {
    json!({
        "name": format!("{name} Representation"),
        "id": format!("{id}-representation"),
        "representation": diagram,
        "position": { "x": node.x - origin.0, "y": node.y - origin.1 },
        "size": { "width": node.width, "height": node.height },
    })
}

fn rating(r: Rating) -> u32 {
    match r {
        Rating::Low => 25,
        Rating::Medium => 50,
        Rating::High => 75,
    }
}

/// Exports a model as an OTM 0.2.0 document.
pub fn export(model: &ServiceModel) -> Value {
    let mut model = model.clone();
    model.canonicalize();
    let diagram = format!("{}-diagram", model.id);
    let node = |id: Uuid| model.layout.nodes.get(&id).copied();
    let zone_origin = |b: Option<crate::model::BoundaryId>| {
        b.and_then(|b| node(b.0)).map_or((0.0, 0.0), |n| (n.x, n.y))
    };
    let (w, h) = model
        .layout
        .nodes
        .values()
        .fold((0.0f64, 0.0f64), |(w, h), n| {
            (w.max(n.x + n.width), h.max(n.y + n.height))
        });

    let outside = Uuid::new_v5(&model.id.0, b"otm:outside-every-trust-boundary");
    let mut threats = Vec::new();
    let mut instances: std::collections::BTreeMap<Uuid, Vec<Value>> = Default::default();
    let state = |key: &crate::model::ThreatKey| -> &'static str {
        model
            .triage
            .get(key)
            .map_or(TriageStatus::Open, |d| d.status)
            .as_str()
    };
    for t in &model.threats {
        let key = t.key();
        let mut x = json!({
            "id": key.to_string(),
            "name": t.title,
            "categories": [t.stride.label()],
            "risk": { "likelihood": rating(t.likelihood), "impact": rating(t.impact) },
        });
        if !t.description.is_empty() {
            x["description"] = t.description.clone().into();
        }
        threats.push(x);
        if let Some(object) = t.target.id() {
            instances.entry(object).or_default().push(json!({
                "threat": key.to_string(),
                "state": state(&key),
                "mitigations": [],
            }));
        }
    }
    for (key, d) in model.triage.iter().filter(|(k, _)| !k.is_manual()) {
        let id = key.to_string();
        let mut t = json!({
            "id": id,
            "name": key.rule(),
            "categories": [],
            "risk": { "likelihood": score(d.severity_override), "impact": score(d.severity_override) },
        });
        if !d.justification.is_empty() {
            t["description"] = d.justification.clone().into();
        }
        threats.push(t);
        if let Some(object) = triage_object(&model, key) {
            instances.entry(object).or_default().push(json!({
                "threat": id,
                "state": d.status.as_str(),
                "mitigations": [],
            }));
        }
    }

    let mut zones = Vec::new();
    if model.elements.iter().any(|e| e.boundary.is_none()) {
        zones.push(json!({
            "id": outside.to_string(),
            "name": "Outside every trust boundary",
            "risk": { "trustRating": 0 },
        }));
    }
    for b in &model.boundaries {
        let mut z = json!({
            "id": b.id.to_string(),
            "name": b.name,
            "type": b.kind.as_str(),
            "risk": { "trustRating": trust_rating(b.kind) },
        });
        if !b.description.is_empty() {
            z["description"] = b.description.clone().into();
        }
        if let Some(p) = b.parent {
            z["parent"] = json!({ "trustZone": p.to_string() });
        }
        if let Some(ts) = instances.get(&b.id.0) {
            z["threats"] = Value::Array(ts.clone());
        }
        if let Some(n) = node(b.id.0) {
            z["representations"] = json!([representation(
                &diagram,
                b.id.0,
                &b.name,
                &n,
                zone_origin(b.parent)
            )]);
        }
        zones.push(z);
    }

    let mut components = Vec::new();
    for e in &model.elements {
        let mut attributes = Map::new();
        attributes.insert("kind".into(), e.kind.as_str().into());
        for (k, v) in &e.properties {
            attributes.insert(k.clone(), serde_json::to_value(v).unwrap_or(Value::Null));
        }
        if e.out_of_scope {
            attributes.insert("out_of_scope".into(), true.into());
            attributes.insert(
                "out_of_scope_reason".into(),
                e.out_of_scope_reason.clone().into(),
            );
        }
        let mut c = json!({
            "id": e.id.to_string(),
            "name": e.name,
            "type": e.stencil.as_str(),
            "parent": { "trustZone": e.boundary.map_or(outside, |b| b.0).to_string() },
            "attributes": attributes,
        });
        if !e.description.is_empty() {
            c["description"] = e.description.clone().into();
        }
        if let Some(n) = node(e.id.0) {
            c["representations"] = json!([representation(
                &diagram,
                e.id.0,
                &e.name,
                &n,
                zone_origin(e.boundary)
            )]);
        }
        if let Some(ts) = instances.get(&e.id.0) {
            c["threats"] = Value::Array(ts.clone());
        }
        components.push(c);
    }

    let mut dataflows = Vec::new();
    for f in &model.flows {
        let mut attributes = Map::new();
        if !f.protocol.is_empty() {
            attributes.insert("protocol".into(), f.protocol.clone().into());
        }
        for (k, v) in &f.properties {
            attributes.insert(k.clone(), serde_json::to_value(v).unwrap_or(Value::Null));
        }
        let mut d = json!({
            "id": f.id.to_string(),
            "name": f.name,
            "source": f.source.to_string(),
            "destination": f.target.to_string(),
            "bidirectional": f.bidirectional,
            "attributes": attributes,
        });
        if !f.description.is_empty() {
            d["description"] = f.description.clone().into();
        }
        if let Some(ts) = instances.get(&f.id.0) {
            d["threats"] = Value::Array(ts.clone());
        }
        dataflows.push(d);
    }

    let mut project = json!({ "name": model.name, "id": model.id.to_string() });
    if !model.description.is_empty() {
        project["description"] = model.description.clone().into();
    }
    if !model.team.is_empty() {
        project["owner"] = model.team.clone().into();
    }
    json!({
        "otmVersion": "0.2.0",
        "project": project,
        "representations": [{
            "name": format!("{} diagram", model.name),
            "id": diagram,
            "type": "diagram",
            "size": { "width": w.max(1000.0), "height": h.max(1000.0) },
        }],
        "trustZones": zones,
        "components": components,
        "dataflows": dataflows,
        "threats": threats,
        "mitigations": [],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DataFlow, Element, ElementKind};

    #[test]
    fn every_component_has_a_zone() {
        let mut m = ServiceModel::new("m");
        let a = Element::new(ElementKind::ExternalEntity, "User");
        let b = Element::new(ElementKind::Process, "API");
        m.flows.push(DataFlow::new("call", a.id, b.id));
        m.elements = vec![a, b];
        let otm = export(&m);
        let zone = otm["trustZones"][0]["id"].as_str().unwrap().to_string();
        for c in otm["components"].as_array().unwrap() {
            assert_eq!(c["parent"]["trustZone"], zone.as_str());
        }
        assert_eq!(otm["dataflows"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn hand_written_threats_are_exported_with_their_category_and_state() {
        use crate::model::{ManualThreat, Stride, ThreatTarget, TriageDecision};
        let mut m = ServiceModel::new("m");
        let a = Element::new(ElementKind::Process, "API");
        let t = ManualThreat::new("Replay", Stride::Spoofing, ThreatTarget::Element(a.id));
        m.triage.insert(
            t.key(),
            TriageDecision {
                status: TriageStatus::Mitigated,
                ..Default::default()
            },
        );
        m.elements = vec![a];
        m.threats = vec![t];
        let otm = export(&m);
        assert_eq!(otm["threats"][0]["name"], "Replay");
        assert_eq!(otm["threats"][0]["categories"][0], "Spoofing");
        assert_eq!(otm["components"][0]["threats"][0]["state"], "mitigated");
    }
}
