//! Reading pytm JSON models (what `pytm.json.load` reads), so that Stridewise and pytm can run
//! on the same file.
//!
//! pytm classes map onto the generic stencils: `Actor` and `ExternalEntity` are external
//! entities, `Datastore` a data store, everything else a process. The pytm attributes that have a meaning here become
//! properties (`isEncrypted` is `encrypted` on flows and `encrypted_at_rest` on data stores,
//! `authenticatesSource` is `authenticates_callers`, ...). Boundaries are matched by name; one
//! whose name mentions the internet is an `internet` boundary. Ids are UUID v5 derived from the
//! model name and the object names, so importing the same file twice gives the same model.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use uuid::Uuid;

use crate::model::{
    BoundaryId, BoundaryKind, DataFlow, Element, ElementId, ElementKind, FlowId, ModelId,
    PropertyValue, ServiceModel, TrustBoundary,
};

/// Why a pytm document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PytmError {
    /// Not JSON, or not shaped like a pytm model.
    #[error("invalid pytm model '{}' at line {line} column {column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// A flow names an element the model does not have.
    #[error("invalid pytm model '{}': flow '{flow}' names unknown element '{element}'", path.display())]
    UnknownElement {
        path: PathBuf,
        flow: String,
        element: String,
    },
}

/// Whether a JSON document looks like a pytm model rather than a native one: it has no
/// `schema_version` and its elements carry `__class__`.
pub fn looks_like_pytm(bytes: &[u8]) -> bool {
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    !has(b"\"schema_version\"") && has(b"\"__class__\"")
}

#[derive(Deserialize)]
struct RawModel {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    boundaries: Vec<RawBoundary>,
    #[serde(default)]
    data: Vec<RawData>,
    #[serde(default)]
    elements: Vec<RawElement>,
    #[serde(default)]
    flows: Vec<RawFlow>,
}

#[derive(Deserialize)]
struct RawBoundary {
    name: String,
    #[serde(default, rename = "inBoundary")]
    in_boundary: Option<String>,
}

#[derive(Deserialize)]
struct RawData {
    name: String,
    #[serde(default)]
    classification: Option<String>,
}

#[derive(Deserialize)]
struct RawElement {
    #[serde(rename = "__class__")]
    class: String,
    name: String,
    #[serde(default, rename = "inBoundary")]
    in_boundary: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(flatten)]
    rest: HashMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct RawFlow {
    #[serde(default)]
    name: String,
    source: String,
    sink: String,
    #[serde(default)]
    protocol: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    data: Vec<serde_json::Value>,
    #[serde(flatten)]
    rest: HashMap<String, serde_json::Value>,
}

/// pytm attribute → property, per element kind.
const ELEMENT_PROPS: &[(ElementKind, &str, &str)] = &[
    (
        ElementKind::Process,
        "authenticatesSource",
        "authenticates_callers",
    ),
    (
        ElementKind::Process,
        "hasAccessControl",
        "authorizes_callers",
    ),
    (
        ElementKind::Process,
        "authorizesSource",
        "authorizes_callers",
    ),
    (ElementKind::Process, "sanitizesInput", "validates_input"),
    (ElementKind::Process, "validatesInput", "validates_input"),
    (ElementKind::Process, "implementsAuditLog", "audit_logging"),
    (ElementKind::Process, "hasAuditLog", "audit_logging"),
    (ElementKind::DataStore, "isEncrypted", "encrypted_at_rest"),
    (
        ElementKind::DataStore,
        "hasAccessControl",
        "rbac_data_plane",
    ),
    (
        ElementKind::ExternalEntity,
        "authenticated",
        "authenticated",
    ),
];

fn classification(c: &str) -> Option<&'static str> {
    match c.to_ascii_uppercase().as_str() {
        "PUBLIC" => Some("public"),
        "RESTRICTED" | "SENSITIVE" => Some("confidential"),
        "SECRET" | "TOP_SECRET" => Some("restricted"),
        _ => None,
    }
}

fn rank(c: &str) -> u8 {
    match c {
        "public" => 0,
        "internal" => 1,
        "confidential" => 2,
        _ => 3,
    }
}

/// Parses a pytm JSON model; `origin` names it in errors.
pub fn from_json(bytes: &[u8], origin: &Path) -> Result<ServiceModel, PytmError> {
    let raw: RawModel = serde_json::from_slice(bytes).map_err(|e| PytmError::Parse {
        path: origin.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let ns = Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("stridewise:pytm:{}", raw.name).as_bytes(),
    );
    let mut model = ServiceModel::new(if raw.name.is_empty() {
        "pytm model".to_string()
    } else {
        raw.name.clone()
    });
    model.id = ModelId::derived(ns, "model");
    model.description = raw.description.clone();

    let mut boundaries: BTreeMap<String, BoundaryId> = BTreeMap::new();
    let mut boundary_of = |name: &str, model: &mut ServiceModel| -> BoundaryId {
        if let Some(id) = boundaries.get(name) {
            return *id;
        }
        let kind = if name.to_ascii_lowercase().contains("internet") {
            BoundaryKind::Internet
        } else {
            BoundaryKind::Generic
        };
        let mut b = TrustBoundary::new(name, kind);
        b.id = BoundaryId::derived(ns, &format!("boundary:{name}"));
        let id = b.id;
        boundaries.insert(name.to_string(), id);
        model.boundaries.push(b);
        id
    };
    for b in &raw.boundaries {
        boundary_of(&b.name, &mut model);
    }
    for b in &raw.boundaries {
        if let Some(p) = &b.in_boundary {
            let parent = boundary_of(p, &mut model);
            let id = boundary_of(&b.name, &mut model);
            if parent != id
                && let Some(tb) = model.boundaries.iter_mut().find(|x| x.id == id)
            {
                tb.parent = Some(parent);
            }
        }
    }

    let data_class: HashMap<&str, &'static str> = raw
        .data
        .iter()
        .filter_map(|d| {
            d.classification
                .as_deref()
                .and_then(classification)
                .map(|c| (d.name.as_str(), c))
        })
        .collect();

    let mut by_name: HashMap<String, ElementId> = HashMap::with_capacity(raw.elements.len());
    model.elements.reserve(raw.elements.len());
    // Consumed as we go, so each element's raw attributes are freed before the next one.
    for (i, e) in raw.elements.into_iter().enumerate() {
        let kind = match e.class.as_str() {
            "Actor" | "ExternalEntity" => ElementKind::ExternalEntity,
            "Datastore" => ElementKind::DataStore,
            _ => ElementKind::Process,
        };
        let key = if by_name.contains_key(&e.name) {
            format!("element:{}#{i}", e.name)
        } else {
            format!("element:{}", e.name)
        };
        // Built field by field: `Element::new` would draw a random id we then replace.
        let mut el = Element {
            id: ElementId::derived(ns, &key),
            kind,
            name: e.name,
            stencil: crate::model::StencilId::generic(kind),
            boundary: None,
            description: String::new(),
            properties: Default::default(),
            out_of_scope: false,
            out_of_scope_reason: String::new(),
            notes: String::new(),
            shared_key: None,
            refers_to: None,
            iac_address: None,
            origins: Vec::new(),
        };
        by_name.entry(el.name.clone()).or_insert(el.id);
        if let Some(b) = &e.in_boundary {
            el.boundary = Some(boundary_of(b, &mut model));
        }
        el.description = e.description.unwrap_or_default();
        for (k, attr, prop) in ELEMENT_PROPS {
            if *k == kind
                && let Some(v) = e.rest.get(*attr).and_then(|v| v.as_bool())
            {
                el.properties
                    .insert(prop.to_string(), PropertyValue::Bool(v));
            }
        }
        if kind == ElementKind::DataStore
            && ["storesPII", "storesSensitiveData"]
                .iter()
                .any(|a| e.rest.get(*a).and_then(|v| v.as_bool()) == Some(true))
        {
            el.properties
                .insert("data_classification".into(), "confidential".into());
        }
        if kind == ElementKind::ExternalEntity
            && e.rest.get("isAdmin").and_then(|v| v.as_bool()) == Some(true)
        {
            el.properties.insert("role".into(), "administrator".into());
        }
        model.elements.push(el);
    }

    model.flows.reserve(raw.flows.len());
    for (i, f) in raw.flows.iter().enumerate() {
        let end = |n: &str| {
            by_name
                .get(n)
                .copied()
                .ok_or_else(|| PytmError::UnknownElement {
                    path: origin.to_path_buf(),
                    flow: f.name.clone(),
                    element: n.to_string(),
                })
        };
        let mut flow = DataFlow {
            id: FlowId::derived(ns, &format!("flow:{i}:{}", f.name)),
            name: f.name.clone(),
            source: end(&f.source)?,
            target: end(&f.sink)?,
            protocol: f.protocol.clone().unwrap_or_default(),
            bidirectional: false,
            description: String::new(),
            properties: Default::default(),
            out_of_scope: false,
            out_of_scope_reason: String::new(),
            notes: f.note.clone().unwrap_or_default(),
            iac_address: None,
            origins: Vec::new(),
        };
        if let Some(v) = f.rest.get("isEncrypted").and_then(|v| v.as_bool()) {
            flow.properties
                .insert("encrypted".into(), PropertyValue::Bool(v));
        }
        let mut class: Option<&'static str> = None;
        for d in &f.data {
            let c = match d {
                serde_json::Value::String(name) => data_class.get(name.as_str()).copied(),
                serde_json::Value::Object(o) => o
                    .get("classification")
                    .and_then(|c| c.as_str())
                    .and_then(classification),
                _ => None,
            };
            if let Some(c) = c
                && class.is_none_or(|prev| rank(c) > rank(prev))
            {
                class = Some(c);
            }
        }
        if let Some(c) = class {
            flow.properties
                .insert("data_classification".into(), c.into());
        }
        model.flows.push(flow);
    }
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
      "name": "my test tm", "description": "aaa", "isOrdered": true, "onDuplicates": "IGNORE",
      "boundaries": [{"name": "Internet"}, {"name": "Server/DB"}],
      "data": [{"name": "Password", "classification": "SECRET", "lifetime": "LONG"}],
      "elements": [
        {"__class__": "Actor", "name": "User", "inBoundary": "Internet"},
        {"__class__": "Server", "name": "Web Server"},
        {"__class__": "Datastore", "name": "SQL Database", "inBoundary": "Server/DB", "isEncrypted": true, "storesPII": true}
      ],
      "flows": [
        {"name": "Request", "source": "User", "sink": "Web Server", "data": ["Password"], "isEncrypted": true},
        {"name": "Insert", "source": "Web Server", "sink": "SQL Database"}
      ]
    }"#;

    #[test]
    fn maps_classes_boundaries_and_properties() {
        assert!(looks_like_pytm(SAMPLE.as_bytes()));
        let m = from_json(SAMPLE.as_bytes(), Path::new("t.json")).unwrap();
        assert_eq!(m.elements.len(), 3);
        assert_eq!(m.elements[0].kind, ElementKind::ExternalEntity);
        assert_eq!(m.elements[1].kind, ElementKind::Process);
        assert_eq!(
            m.elements[2].properties["encrypted_at_rest"],
            PropertyValue::Bool(true)
        );
        let internet = m.boundaries.iter().find(|b| b.name == "Internet").unwrap();
        assert_eq!(internet.kind, BoundaryKind::Internet);
        assert_eq!(m.elements[0].boundary, Some(internet.id));
        assert_eq!(
            m.flows[0].properties["data_classification"],
            "restricted".into()
        );
        assert_eq!(
            m.flows[0].properties["encrypted"],
            PropertyValue::Bool(true)
        );
        let errors: Vec<_> = crate::model::validate(&m, crate::catalog::builtin_stencils())
            .into_iter()
            .filter(|d| d.is_error())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn ids_are_deterministic() {
        let a = from_json(SAMPLE.as_bytes(), Path::new("t.json")).unwrap();
        let b = from_json(SAMPLE.as_bytes(), Path::new("t.json")).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn unknown_flow_end_is_an_error() {
        let bad = SAMPLE.replace("\"sink\": \"SQL Database\"", "\"sink\": \"Nope\"");
        let e = from_json(bad.as_bytes(), Path::new("t.json")).unwrap_err();
        assert!(e.to_string().contains("'Nope'"), "{e}");
    }
}
