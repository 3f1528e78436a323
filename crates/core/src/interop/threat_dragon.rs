//! OWASP Threat Dragon v2 JSON: import and export.
//!
//! A Threat Dragon file holds one or more diagrams of AntV X6 cells. Each diagram becomes one
//! native model. Cell ids are UUIDs in practice and are kept as the native ids, so a file
//! imported and exported again keeps its ids; other ids are turned into UUID v5.
//!
//! Threat Dragon does not store trust-boundary membership, so it is recomputed from geometry
//! (see [`super::geometry`]): a boundary box contains the elements whose centre it contains,
//! and nests in the smallest larger box around it. A boundary curve is an open line with no
//! inside: it becomes a `generic` boundary with no members whose line is kept in the layout
//! (`layout.edges[boundary id]`), and each flow whose drawn path crosses it gets a note saying
//! so. Rules that ask "does this flow cross a boundary?" look at membership, so they do not see
//! curve crossings; the import report lists them.
//!
//! Threats become triage decisions keyed `TD-<threat id>@<element or flow id>`. The status maps
//! to the triage status, a known severity to the severity override, and the title, type,
//! description and mitigation are kept in the justification in a fixed layout that the
//! exporter reads back. Properties with a native meaning map to stencil properties; the
//! others are kept on a `Threat Dragon:` line of the element's notes so that export can write
//! them back. The full tables are in `docs/import.md`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{
    ImportError, ImportReport, SourceFormat, as_text, name_or, source_uuid, triage_object,
};
use crate::layout::geometry::{self, Rect};
use crate::model::{
    BoundaryId, BoundaryKind, DataFlow, EdgeLayout, Element, ElementId, ElementKind, FlowId,
    ModelId, NodeLayout, Point, PropertyValue, ServiceModel, Severity, ThreatKey, TriageDecision,
    TriageStatus, TrustBoundary,
};

const FORMAT: &str = "Threat Dragon v2 JSON";
/// The prefix of triage keys that come from Threat Dragon threats.
pub const KEY_PREFIX: &str = "TD-";
/// The notes line that keeps Threat Dragon properties with no native meaning.
const NOTES_PREFIX: &str = "Threat Dragon: ";
/// The first line of a justification that holds a Threat Dragon threat.
const THREAT_HEADER: &str = "Threat Dragon threat: ";

fn invalid(origin: &str, message: impl Into<String>) -> ImportError {
    ImportError::Invalid {
        origin: origin.to_string(),
        format: FORMAT,
        message: message.into(),
    }
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn b(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn f(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64).filter(|x| x.is_finite())
}

fn point(v: &Value) -> Option<Point> {
    Some(Point {
        x: f(v, "x")?,
        y: f(v, "y")?,
    })
}

/// A JSON id (string or number) as text.
fn id_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Imports every diagram of a Threat Dragon v2 file.
pub fn import(
    bytes: &[u8],
    origin: &str,
) -> Result<(Vec<ServiceModel>, ImportReport), ImportError> {
    let text = as_text(bytes, origin)?;
    let doc: Value = serde_json::from_str(text).map_err(|e| ImportError::Syntax {
        origin: origin.to_string(),
        format: "JSON",
        message: e.to_string(),
    })?;
    let top = doc
        .as_object()
        .ok_or_else(|| invalid(origin, "the document is not a JSON object"))?;
    let keys = || top.keys().cloned().collect::<Vec<_>>().join(", ");
    for required in ["summary", "detail"] {
        if !top.contains_key(required) {
            return Err(invalid(
                origin,
                format!(
                    "the required field '{required}' is missing (the top level has: {})",
                    keys()
                ),
            ));
        }
    }
    let summary = &doc["summary"];
    if !summary.is_object() {
        return Err(invalid(origin, "'summary' is not an object"));
    }
    let title = summary
        .get("title")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(origin, "'summary.title' is missing or not text"))?;
    let detail = &doc["detail"];
    let diagrams = detail
        .get("diagrams")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid(origin, "'detail.diagrams' is missing or not a list"))?;

    let mut report = ImportReport::new(SourceFormat::ThreatDragon);
    let mut models = Vec::new();
    for (i, diagram) in diagrams.iter().enumerate() {
        if diagram.get("diagramJson").is_some() {
            return Err(invalid(
                origin,
                format!(
                    "diagram {i} is in the Threat Dragon v1 format (diagramJson); open the file in Threat Dragon 2 and save it to upgrade it"
                ),
            ));
        }
        let cells = diagram
            .get("cells")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid(origin, format!("diagram {i} has no 'cells' list")))?;
        if cells.len() > super::MAX_OBJECTS_PER_DIAGRAM {
            return Err(invalid(
                origin,
                format!(
                    "diagram {i} has {} cells; diagrams with more than {} are refused",
                    cells.len(),
                    super::MAX_OBJECTS_PER_DIAGRAM
                ),
            ));
        }
        let diagram_id = id_text(diagram.get("id")).unwrap_or_else(|| i.to_string());
        let diagram_title = name_or(s(diagram, "title"), || format!("Diagram {}", i + 1));
        let name = if diagrams.len() == 1 {
            name_or(title, || diagram_title.clone())
        } else {
            format!(
                "{} - {}",
                name_or(title, || "Threat model".into()),
                diagram_title
            )
        };
        let model = import_diagram(
            &name,
            title,
            summary,
            diagram,
            &diagram_id,
            cells,
            &mut report,
        );
        report.summarize(&model, &diagram_id);
        models.push(model);
    }
    if models.is_empty() {
        report.unmapped(
            title,
            "the file",
            "it has no diagrams, so no model was written",
        );
    }
    Ok((models, report))
}

fn import_diagram(
    name: &str,
    title: &str,
    summary: &Value,
    diagram: &Value,
    diagram_id: &str,
    cells: &[Value],
    report: &mut ImportReport,
) -> ServiceModel {
    let mut m = ServiceModel::new(name);
    m.id = ModelId::derived(
        super::IMPORT_NAMESPACE,
        &format!("threat-dragon:{title}:{diagram_id}"),
    );
    let ns = m.id.0;
    m.team = s(summary, "owner").trim().to_string();
    m.description = [
        s(summary, "description").trim(),
        s(diagram, "description").trim(),
    ]
    .iter()
    .filter(|d| !d.is_empty())
    .cloned()
    .collect::<Vec<_>>()
    .join("\n\n");

    let mut element_ids: BTreeMap<String, ElementId> = BTreeMap::new();
    let mut boxes: Vec<BoundaryId> = Vec::new();
    let mut curves: Vec<(BoundaryId, String, Vec<Point>)> = Vec::new();
    let mut flows_in: Vec<&Value> = Vec::new();

    for (ci, cell) in cells.iter().enumerate() {
        let shape = s(cell, "shape");
        let data = cell.get("data").cloned().unwrap_or(Value::Null);
        let cell_id = id_text(cell.get("id")).unwrap_or_else(|| format!("cell-{ci}"));
        let label = {
            let n = s(&data, "name");
            let n = if n.trim().is_empty() {
                cell.pointer("/attrs/text/text")
                    .and_then(Value::as_str)
                    .unwrap_or("")
            } else {
                n
            };
            n.to_string()
        };
        let kind = match (shape, s(&data, "type")) {
            ("actor", _) | (_, "tm.Actor") => Some(ElementKind::ExternalEntity),
            ("process", _) | (_, "tm.Process") => Some(ElementKind::Process),
            ("store", _) | (_, "tm.Store") => Some(ElementKind::DataStore),
            _ => None,
        };
        if let Some(kind) = kind {
            let mut e = Element::new(
                kind,
                name_or(&label, || format!("Unnamed {}", kind.label())),
            );
            if label.trim().is_empty() {
                report.unmapped(
                    name,
                    format!("{} {cell_id}", kind.label()),
                    "it has no name; named it after its kind",
                );
            }
            e.id = ElementId(source_uuid(ns, &cell_id));
            e.description = s(&data, "description").to_string();
            e.out_of_scope = b(&data, "outOfScope");
            e.out_of_scope_reason = s(&data, "reasonOutOfScope").to_string();
            if e.out_of_scope && e.out_of_scope_reason.trim().is_empty() {
                e.out_of_scope_reason = "out of scope in Threat Dragon (no reason given)".into();
            }
            map_element_properties(&mut e, &data);
            if let Some(node) = node_layout(cell) {
                m.layout.nodes.insert(e.id.0, node);
            } else {
                report.unmapped(
                    name,
                    format!("{} '{}'", kind.label(), e.name),
                    "it has no position or size; it is not placed",
                );
            }
            take_threats(&mut m, &data, e.id.0, &e.name, report, name);
            element_ids.insert(cell_id, e.id);
            m.elements.push(e);
            continue;
        }
        match shape {
            "trust-boundary-box" | "trust-boundary" if node_layout(cell).is_some() => {
                let mut tb = TrustBoundary::new(
                    name_or(&label, || "Trust boundary".into()),
                    BoundaryKind::Generic,
                );
                tb.id = BoundaryId(source_uuid(ns, &cell_id));
                tb.description = s(&data, "description").to_string();
                if let Some(node) = node_layout(cell) {
                    m.layout.nodes.insert(tb.id.0, node);
                }
                boxes.push(tb.id);
                m.boundaries.push(tb);
            }
            "trust-boundary-curve" | "trust-broundary-curve" | "trust-boundary" => {
                let mut path = Vec::new();
                path.extend(cell.get("source").and_then(point));
                if let Some(vs) = cell.get("vertices").and_then(Value::as_array) {
                    path.extend(vs.iter().filter_map(point));
                }
                path.extend(cell.get("target").and_then(point));
                if path.len() < 2 {
                    report.unmapped(
                        name,
                        format!("boundary curve {cell_id}"),
                        "its ends are not points on the canvas; it was left out",
                    );
                    continue;
                }
                let mut tb = TrustBoundary::new(
                    name_or(&label, || "Trust boundary line".into()),
                    BoundaryKind::Generic,
                );
                tb.id = BoundaryId(source_uuid(ns, &cell_id));
                tb.description = s(&data, "description").to_string();
                m.layout.edges.insert(
                    tb.id.0,
                    EdgeLayout {
                        waypoints: path.clone(),
                        label: None,
                    },
                );
                curves.push((tb.id, tb.name.clone(), path));
                m.boundaries.push(tb);
            }
            "flow" => flows_in.push(cell),
            "td-text-block" => report.unmapped(
                name,
                format!("text block '{}'", label.lines().next().unwrap_or("")),
                "free text on the canvas is not part of the model",
            ),
            other => report.unmapped(
                name,
                format!("cell {cell_id} (shape '{other}')"),
                "unknown shape",
            ),
        }
    }

    for cell in flows_in {
        let data = cell.get("data").cloned().unwrap_or(Value::Null);
        let cell_id = id_text(cell.get("id")).unwrap_or_default();
        let label = name_or(s(&data, "name"), || "Data flow".into());
        let end = |key: &str| {
            cell.get(key)
                .and_then(|e| id_text(e.get("cell")))
                .and_then(|c| element_ids.get(&c).copied())
        };
        let (Some(source), Some(target)) = (end("source"), end("target")) else {
            report.unmapped(
                name,
                format!("flow '{label}' ({cell_id})"),
                "it is not attached to an element at both ends; left out",
            );
            continue;
        };
        if source == target {
            report.unmapped(
                name,
                format!("flow '{label}' ({cell_id})"),
                "it goes from an element to itself; left out",
            );
            continue;
        }
        let mut flow = DataFlow::new(label, source, target);
        flow.id = FlowId(source_uuid(ns, &cell_id));
        flow.description = s(&data, "description").to_string();
        flow.protocol = s(&data, "protocol").trim().to_string();
        flow.bidirectional = b(&data, "isBidirectional");
        flow.out_of_scope = b(&data, "outOfScope");
        flow.out_of_scope_reason = s(&data, "reasonOutOfScope").to_string();
        if flow.out_of_scope && flow.out_of_scope_reason.trim().is_empty() {
            flow.out_of_scope_reason = "out of scope in Threat Dragon (no reason given)".into();
        }
        if b(&data, "isEncrypted") {
            flow.properties.insert("encrypted".into(), true.into());
        }
        let mut extra = Map::new();
        for key in ["isPublicNetwork"] {
            if let Some(v) = data.get(key) {
                extra.insert(key.into(), v.clone());
            }
        }
        flow.notes = notes_line(&extra);
        let waypoints: Vec<Point> = cell
            .get("vertices")
            .and_then(Value::as_array)
            .map(|vs| vs.iter().filter_map(point).collect())
            .unwrap_or_default();
        if !waypoints.is_empty() {
            m.layout.edges.insert(
                flow.id.0,
                EdgeLayout {
                    waypoints,
                    label: None,
                },
            );
        }
        take_threats(&mut m, &data, flow.id.0, &flow.name, report, name);
        m.flows.push(flow);
    }

    geometry::assign_box_membership(&mut m, &boxes);
    let lines: Vec<(String, Vec<Point>)> = curves.into_iter().map(|(_, n, l)| (n, l)).collect();
    super::note_line_crossings(&mut m, &lines, "boundary curve", report);
    m
}

fn node_layout(cell: &Value) -> Option<NodeLayout> {
    let pos = cell.get("position")?;
    let size = cell.get("size")?;
    Some(NodeLayout {
        x: f(pos, "x")?,
        y: f(pos, "y")?,
        width: f(size, "width")?,
        height: f(size, "height")?,
    })
}

/// Threat Dragon properties with a native meaning become stencil properties; the rest go to a
/// notes line so that export can write them back.
fn map_element_properties(e: &mut Element, data: &Value) {
    let mut extra = Map::new();
    let mut keep = |key: &str| {
        if let Some(v) = data.get(key) {
            extra.insert(key.into(), v.clone());
        }
    };
    match e.kind {
        ElementKind::ExternalEntity => keep("providesAuthentication"),
        ElementKind::Process => {
            let privilege = s(data, "privilegeLevel").trim().to_ascii_lowercase();
            if ["admin", "root", "system", "privileged", "high", "elevated"]
                .iter()
                .any(|w| privilege.contains(w))
            {
                e.properties.insert("runs_privileged".into(), true.into());
            }
            if b(data, "handlesCardPayment") {
                e.properties
                    .insert("handles_sensitive_data".into(), true.into());
            }
            for key in [
                "privilegeLevel",
                "handlesCardPayment",
                "handlesGoodsOrServices",
                "isWebApplication",
                "threatFrequency",
            ] {
                keep(key);
            }
        }
        ElementKind::DataStore => {
            for (td, native) in [
                ("isEncrypted", "encrypted_at_rest"),
                ("storesCredentials", "stores_secrets"),
                ("isALog", "is_log"),
            ] {
                if b(data, td) {
                    e.properties.insert(native.into(), true.into());
                }
            }
            for key in ["isSigned", "storesInventory"] {
                keep(key);
            }
        }
    }
    e.notes = notes_line(&extra);
}

fn notes_line(extra: &Map<String, Value>) -> String {
    if extra.is_empty() {
        return String::new();
    }
    format!("{NOTES_PREFIX}{}", Value::Object(extra.clone()))
}

fn notes_properties(notes: &str) -> Map<String, Value> {
    notes
        .lines()
        .find_map(|l| l.strip_prefix(NOTES_PREFIX))
        .and_then(|json| serde_json::from_str::<Map<String, Value>>(json).ok())
        .unwrap_or_default()
}

fn take_threats(
    m: &mut ServiceModel,
    data: &Value,
    object: Uuid,
    object_name: &str,
    report: &mut ImportReport,
    diagram: &str,
) {
    let Some(threats) = data.get("threats").and_then(Value::as_array) else {
        return;
    };
    for (i, t) in threats.iter().enumerate() {
        if !t.is_object() {
            report.unmapped(
                diagram,
                format!("threat {i} on '{object_name}'"),
                "it is not an object",
            );
            continue;
        }
        let id = id_text(t.get("id")).unwrap_or_else(|| format!("{i}"));
        let key = ThreatKey(format!("{KEY_PREFIX}{id}@{object}"));
        let mut header = vec![format!("{THREAT_HEADER}{}", s(t, "title").trim())];
        let kind = s(t, "type").trim();
        let model_type = s(t, "modelType").trim();
        if !kind.is_empty() || !model_type.is_empty() {
            header.push(format!("Type: {kind} ({model_type})"));
        }
        let raw_status = s(t, "status").trim();
        let status = match raw_status.to_ascii_lowercase().as_str() {
            "open" | "" => TriageStatus::Open,
            "mitigated" => TriageStatus::Mitigated,
            "notapplicable" | "not applicable" | "n/a" => TriageStatus::NotApplicable,
            _ => {
                header.push(format!("Status: {raw_status}"));
                TriageStatus::Open
            }
        };
        let raw_severity = s(t, "severity").trim();
        let severity = Severity::parse(&raw_severity.to_ascii_lowercase());
        if severity.is_none() && !raw_severity.is_empty() {
            header.push(format!("Severity: {raw_severity}"));
        }
        if let Some(score) = t.get("score").filter(|v| !v.is_null()) {
            let score = match score {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if !score.is_empty() {
                header.push(format!("Score: {score}"));
            }
        }
        let justification = format!(
            "{}\nDescription:\n{}\nMitigation:\n{}",
            header.join("\n"),
            s(t, "description"),
            s(t, "mitigation")
        );
        if m.triage.contains_key(&key) {
            report.unmapped(
                diagram,
                format!("threat {id} on '{object_name}'"),
                "its id repeats on the same object; only the first is kept",
            );
            continue;
        }
        m.triage.insert(
            key,
            TriageDecision {
                status,
                justification,
                severity_override: severity,
                ..Default::default()
            },
        );
    }
}

/// A Threat Dragon threat read back from a triage decision.
struct TdThreat {
    id: String,
    title: String,
    kind: String,
    model_type: String,
    status: String,
    severity: String,
    score: Option<String>,
    description: String,
    mitigation: String,
}

fn threat_from_triage(key: &ThreatKey, d: &TriageDecision) -> TdThreat {
    let rule = key.rule();
    let mut t = TdThreat {
        id: rule.strip_prefix(KEY_PREFIX).unwrap_or(rule).to_string(),
        title: rule.to_string(),
        kind: String::new(),
        model_type: "STRIDE".into(),
        status: match d.status {
            TriageStatus::Open | TriageStatus::NeedsInvestigation => "Open",
            TriageStatus::Mitigated => "Mitigated",
            TriageStatus::Accepted | TriageStatus::NotApplicable | TriageStatus::Transferred => {
                "NotApplicable"
            }
        }
        .into(),
        severity: d
            .severity_override
            .map(|s| capitalize(s.as_str()))
            .unwrap_or_else(|| "Medium".into()),
        score: None,
        description: d.justification.clone(),
        mitigation: String::new(),
    };
    let Some(rest) = d.justification.strip_prefix(THREAT_HEADER) else {
        return t;
    };
    let (head, body) = rest.split_once("\nDescription:\n").unwrap_or((rest, ""));
    let mut lines = head.lines();
    t.title = lines.next().unwrap_or("").to_string();
    for line in lines {
        if let Some(v) = line.strip_prefix("Type: ") {
            let (kind, mt) = v.rsplit_once(" (").unwrap_or((v, "STRIDE)"));
            t.kind = kind.to_string();
            t.model_type = mt.trim_end_matches(')').to_string();
        } else if let Some(v) = line.strip_prefix("Status: ") {
            t.status = v.to_string();
        } else if let Some(v) = line.strip_prefix("Severity: ") {
            if d.severity_override.is_none() {
                t.severity = v.to_string();
            }
        } else if let Some(v) = line.strip_prefix("Score: ") {
            t.score = Some(v.to_string());
        }
    }
    let (description, mitigation) = body.split_once("\nMitigation:\n").unwrap_or((body, ""));
    t.description = description.to_string();
    t.mitigation = mitigation.to_string();
    t
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Exports one model as a Threat Dragon v2 file with one diagram.
///
/// Elements, flows and boundaries keep their ids, names, positions and sizes; boundaries drawn
/// as lines become curves again; triage decisions become threats on the element or flow their
/// key names (keys that name neither are reported by [`export_report`]).
pub fn export(model: &ServiceModel) -> Value {
    let mut threats_by_object: BTreeMap<Uuid, Vec<Value>> = BTreeMap::new();
    for (key, d) in &model.triage {
        let Some(object) = triage_object(model, key) else {
            continue;
        };
        let t = threat_from_triage(key, d);
        let mut v = json!({
            "id": t.id,
            "title": t.title,
            "status": t.status,
            "severity": t.severity,
            "type": t.kind,
            "modelType": t.model_type,
            "description": t.description,
            "mitigation": t.mitigation,
        });
        if let Some(score) = t.score {
            v["score"] = Value::String(score);
        }
        threats_by_object.entry(object).or_default().push(v);
    }
    let threats_of = |id: Uuid| threats_by_object.get(&id).cloned().unwrap_or_default();
    let open = |ts: &[Value]| ts.iter().any(|t| t["status"] == "Open");

    let auto = auto_layout(model);
    let mut cells = Vec::new();
    let mut z = 1;
    // Boundaries first so that they are drawn under the elements.
    let mut boundaries: Vec<&TrustBoundary> = model.boundaries.iter().collect();
    boundaries.sort_by_key(|b| (depth(model, b.id), b.id));
    for tb in boundaries {
        let data = json!({
            "type": if model.layout.edges.contains_key(&tb.id.0) { "tm.Boundary" } else { "tm.BoundaryBox" },
            "name": tb.name,
            "description": tb.description,
            "isTrustBoundary": true,
            "hasOpenThreats": false,
        });
        if let Some(line) = model
            .layout
            .edges
            .get(&tb.id.0)
            .filter(|l| l.waypoints.len() >= 2)
        {
            let pts = &line.waypoints;
            cells.push(json!({
                "shape": "trust-boundary-curve",
                "id": tb.id.to_string(),
                "zIndex": z,
                "connector": "smooth",
                "attrs": { "line": { "targetMarker": "", "sourceMarker": "" } },
                "labels": [],
                "source": { "x": pts[0].x, "y": pts[0].y },
                "target": { "x": pts[pts.len() - 1].x, "y": pts[pts.len() - 1].y },
                "vertices": pts[1..pts.len() - 1].iter().map(|p| json!({"x": p.x, "y": p.y})).collect::<Vec<_>>(),
                "data": data,
            }));
        } else {
            let n = auto.get(&tb.id.0).copied().unwrap_or(NodeLayout {
                x: 0.,
                y: 0.,
                width: 200.,
                height: 200.,
            });
            cells.push(json!({
                "shape": "trust-boundary-box",
                "id": tb.id.to_string(),
                "zIndex": z,
                "visible": true,
                "position": { "x": n.x, "y": n.y },
                "size": { "width": n.width, "height": n.height },
                "attrs": { "label": { "text": tb.name } },
                "data": data,
            }));
        }
        z += 1;
    }
    for e in &model.elements {
        let n = auto.get(&e.id.0).copied().unwrap_or(NodeLayout {
            x: 0.,
            y: 0.,
            width: 160.,
            height: 80.,
        });
        let threats = threats_of(e.id.0);
        let mut data = Map::new();
        let (shape, ty) = match e.kind {
            ElementKind::ExternalEntity => ("actor", "tm.Actor"),
            ElementKind::Process => ("process", "tm.Process"),
            ElementKind::DataStore => ("store", "tm.Store"),
        };
        data.insert("name".into(), e.name.clone().into());
        data.insert("description".into(), e.description.clone().into());
        data.insert("type".into(), ty.into());
        data.insert("isTrustBoundary".into(), false.into());
        data.insert("outOfScope".into(), e.out_of_scope.into());
        data.insert(
            "reasonOutOfScope".into(),
            e.out_of_scope_reason.clone().into(),
        );
        data.insert("hasOpenThreats".into(), open(&threats).into());
        data.insert("threats".into(), Value::Array(threats));
        let extra = notes_properties(&e.notes);
        let prop = |name: &str| {
            e.properties
                .get(name)
                .and_then(PropertyValue::as_bool)
                .unwrap_or(false)
        };
        // Threat Dragon-only properties are written only when the import kept them, so that a
        // round trip gives back the same notes.
        for (k, v) in &extra {
            data.insert(k.clone(), v.clone());
        }
        match e.kind {
            ElementKind::ExternalEntity => {}
            ElementKind::Process => {
                if prop("handles_sensitive_data") {
                    data.insert("handlesCardPayment".into(), true.into());
                }
                if prop("runs_privileged") && !extra.contains_key("privilegeLevel") {
                    data.insert("privilegeLevel".into(), "admin".into());
                }
            }
            ElementKind::DataStore => {
                data.insert("isALog".into(), prop("is_log").into());
                data.insert("isEncrypted".into(), prop("encrypted_at_rest").into());
                data.insert("storesCredentials".into(), prop("stores_secrets").into());
            }
        }
        cells.push(json!({
            "shape": shape,
            "id": e.id.to_string(),
            "zIndex": z,
            "visible": true,
            "position": { "x": n.x, "y": n.y },
            "size": { "width": n.width, "height": n.height },
            "attrs": { "text": { "text": e.name } },
            "data": Value::Object(data),
        }));
        z += 1;
    }
    for fl in &model.flows {
        let threats = threats_of(fl.id.0);
        let extra = notes_properties(&fl.notes);
        let encrypted = fl
            .properties
            .get("encrypted")
            .and_then(PropertyValue::as_bool)
            .unwrap_or(false);
        let vertices: Vec<Value> = model
            .layout
            .edges
            .get(&fl.id.0)
            .map(|e| {
                e.waypoints
                    .iter()
                    .map(|p| json!({"x": p.x, "y": p.y}))
                    .collect()
            })
            .unwrap_or_default();
        let mut line = json!({ "targetMarker": { "name": "block" } });
        if fl.bidirectional {
            line["sourceMarker"] = json!({ "name": "block" });
        }
        cells.push(json!({
            "shape": "flow",
            "id": fl.id.to_string(),
            "zIndex": z,
            "connector": "smooth",
            "attrs": { "line": line },
            "labels": [flow_label(&fl.name)],
            "source": { "cell": fl.source.to_string() },
            "target": { "cell": fl.target.to_string() },
            "vertices": vertices,
            "data": {
                "type": "tm.Flow",
                "name": fl.name,
                "description": fl.description,
                "outOfScope": fl.out_of_scope,
                "reasonOutOfScope": fl.out_of_scope_reason,
                "protocol": fl.protocol,
                "isBidirectional": fl.bidirectional,
                "isEncrypted": encrypted,
                "isPublicNetwork": extra.get("isPublicNetwork").cloned().unwrap_or(Value::Bool(false)),
                "isTrustBoundary": false,
                "hasOpenThreats": open(&threats),
                "threats": threats,
            },
        }));
        z += 1;
    }
    json!({
        "version": "2.3.0",
        "summary": {
            "title": model.name,
            "owner": model.team,
            "description": model.description,
            "id": 0,
        },
        "detail": {
            "contributors": [],
            "diagrams": [{
                "id": 0,
                "title": model.name,
                "diagramType": "STRIDE",
                "description": "",
                "thumbnail": "./public/content/images/thumbnail.stride.jpg",
                "version": "2.3.0",
                "cells": cells,
            }],
            "diagramTop": 1,
            "reviewer": "",
            "threatTop": model.triage.len(),
        }
    })
}

/// A flow label as Threat Dragon draws it: the name in an ellipse at the middle of the edge.
fn flow_label(name: &str) -> Value {
    json!({
        "markup": [
            { "tagName": "ellipse", "selector": "labelBody" },
            { "tagName": "text", "selector": "labelText" },
        ],
        "attrs": {
            "labelText": { "text": name, "textAnchor": "middle", "textVerticalAnchor": "middle" },
            "labelBody": { "ref": "labelText", "refRx": "50%", "refRy": "60%", "fill": "#fff", "strokeWidth": 0 },
        },
        "position": 0.5,
    })
}

/// Triage keys the Threat Dragon export cannot place on an element or flow.
pub fn export_report(model: &ServiceModel) -> Vec<String> {
    model
        .triage
        .keys()
        .filter(|k| triage_object(model, k).is_none())
        .map(|k| {
            format!("triage decision '{k}' names no element or flow of the model; not exported")
        })
        .collect()
}

fn depth(model: &ServiceModel, id: BoundaryId) -> usize {
    model.boundary_nesting(id).count().saturating_sub(1)
}

/// Positions for everything: the model's own layout where it has one; otherwise elements on
/// a grid, and boxes around their members.
fn auto_layout(model: &ServiceModel) -> BTreeMap<Uuid, NodeLayout> {
    let mut out: BTreeMap<Uuid, NodeLayout> = model.layout.nodes.clone();
    let mut slot = 0usize;
    for e in &model.elements {
        out.entry(e.id.0).or_insert_with(|| {
            let n = NodeLayout {
                x: 40.0 + (slot % 5) as f64 * 240.0,
                y: 40.0 + (slot / 5) as f64 * 180.0,
                width: 160.0,
                height: 80.0,
            };
            slot += 1;
            n
        });
    }
    // Boxes without a position: around their members, innermost first.
    let mut pending: Vec<&TrustBoundary> = model
        .boundaries
        .iter()
        .filter(|b| !out.contains_key(&b.id.0) && !model.layout.edges.contains_key(&b.id.0))
        .collect();
    pending.sort_by_key(|b| std::cmp::Reverse(depth(model, b.id)));
    for tb in pending {
        let members: Vec<Rect> = model
            .elements
            .iter()
            .filter(|e| e.boundary == Some(tb.id))
            .map(|e| e.id.0)
            .chain(
                model
                    .boundaries
                    .iter()
                    .filter(|c| c.parent == Some(tb.id))
                    .map(|c| c.id.0),
            )
            .filter_map(|id| out.get(&id).map(Rect::from_node))
            .collect();
        let node = if members.is_empty() {
            NodeLayout {
                x: 0.0,
                y: 0.0,
                width: 120.0,
                height: 80.0,
            }
        } else {
            let x0 = members.iter().map(|r| r.x).fold(f64::INFINITY, f64::min) - 20.0;
            let y0 = members.iter().map(|r| r.y).fold(f64::INFINITY, f64::min) - 30.0;
            let x1 = members
                .iter()
                .map(|r| r.x + r.w)
                .fold(f64::NEG_INFINITY, f64::max)
                + 20.0;
            let y1 = members
                .iter()
                .map(|r| r.y + r.h)
                .fold(f64::NEG_INFINITY, f64::max)
                + 20.0;
            NodeLayout {
                x: x0,
                y: y0,
                width: x1 - x0,
                height: y1 - y0,
            }
        };
        out.insert(tb.id.0, node);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn justification_round_trips_a_threat() {
        let data = json!({"threats": [{
            "id": "t1", "title": "Steal creds", "type": "Spoofing", "modelType": "STRIDE",
            "status": "Mitigated", "severity": "TBA", "score": "5",
            "description": "line 1\nline 2", "mitigation": "Use MFA.\nRotate."
        }]});
        let mut m = ServiceModel::new("t");
        let mut r = ImportReport::default();
        let obj = Uuid::nil();
        take_threats(&mut m, &data, obj, "x", &mut r, "d");
        let (key, d) = m.triage.iter().next().unwrap();
        assert_eq!(key.as_str(), format!("TD-t1@{obj}"));
        assert_eq!(d.status, TriageStatus::Mitigated);
        let t = threat_from_triage(key, d);
        assert_eq!(t.id, "t1");
        assert_eq!(t.title, "Steal creds");
        assert_eq!(t.kind, "Spoofing");
        assert_eq!(t.severity, "TBA");
        assert_eq!(t.status, "Mitigated");
        assert_eq!(t.score.as_deref(), Some("5"));
        assert_eq!(t.description, "line 1\nline 2");
        assert_eq!(t.mitigation, "Use MFA.\nRotate.");
    }
}
