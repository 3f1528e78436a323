//! Applies hardening steps to models: the edits of `expected.json`, by name.
//!
//! The hardened model of a pair is committed as a file, and the steps say how it differs from
//! the weak one. Applying every step to the weak model must give the hardened model byte for
//! byte (canonical JSON); applying one step, or any subset in list order, gives the models the
//! property test compares.

use std::fmt;

use crate::model::{
    BoundaryId, DataFlow, Element, ElementId, PropertyValue, ServiceModel, TrustBoundary,
};

use super::expect::{EditOp, Step};

/// Why an edit could not be applied; names the step, the edit and the object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditError {
    pub step: String,
    /// The edit's position in the step, from 1.
    pub edit: usize,
    pub message: String,
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "step '{}', edit {}: {}",
            self.step, self.edit, self.message
        )
    }
}

/// Applies `steps` in order to copies of `models` (one model, or the services of an
/// application, chosen by each edit's `service`).
pub fn apply_steps(
    models: &[ServiceModel],
    steps: &[&Step],
) -> Result<Vec<ServiceModel>, EditError> {
    let mut out = models.to_vec();
    for step in steps {
        for (i, edit) in step.edits.iter().enumerate() {
            let fail = |message: String| EditError {
                step: step.id.clone(),
                edit: i + 1,
                message,
            };
            let model = match &edit.service {
                Some(name) => out
                    .iter_mut()
                    .find(|m| &m.name == name)
                    .ok_or_else(|| fail(format!("no service model named '{name}'")))?,
                None if out.len() == 1 => &mut out[0],
                None => {
                    return Err(fail(
                        "the pair has several service models: the edit must name its 'service'"
                            .into(),
                    ));
                }
            };
            apply(model, &edit.op).map_err(fail)?;
        }
    }
    Ok(out)
}

fn element_id(m: &ServiceModel, name: &str) -> Result<ElementId, String> {
    let hits: Vec<_> = m.elements.iter().filter(|e| e.name == name).collect();
    match hits.as_slice() {
        [e] => Ok(e.id),
        [] => Err(format!("no element named '{name}' in '{}'", m.name)),
        _ => Err(format!(
            "several elements are named '{name}' in '{}'",
            m.name
        )),
    }
}

fn flow_index(m: &ServiceModel, name: &str) -> Result<usize, String> {
    let hits: Vec<usize> = (0..m.flows.len())
        .filter(|&i| m.flows[i].name == name)
        .collect();
    match hits.as_slice() {
        [i] => Ok(*i),
        [] => Err(format!("no flow named '{name}' in '{}'", m.name)),
        _ => Err(format!("several flows are named '{name}' in '{}'", m.name)),
    }
}

fn boundary_id(m: &ServiceModel, name: &str) -> Result<BoundaryId, String> {
    let hits: Vec<_> = m.boundaries.iter().filter(|b| b.name == name).collect();
    match hits.as_slice() {
        [b] => Ok(b.id),
        [] => Err(format!("no boundary named '{name}' in '{}'", m.name)),
        _ => Err(format!(
            "several boundaries are named '{name}' in '{}'",
            m.name
        )),
    }
}

/// Replaces the name in `object[field]` (when present) with the id `resolve` finds for it.
fn resolve_name(
    object: &mut serde_json::Value,
    field: &str,
    resolve: impl Fn(&str) -> Result<String, String>,
) -> Result<(), String> {
    let Some(slot) = object.get_mut(field) else {
        return Ok(());
    };
    let name = slot
        .as_str()
        .ok_or_else(|| format!("'{field}' must be a name"))?
        .to_string();
    *slot = serde_json::Value::String(resolve(&name)?);
    Ok(())
}

fn parse<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
    what: &str,
) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| format!("invalid {what}: {e}"))
}

fn apply(m: &mut ServiceModel, op: &EditOp) -> Result<(), String> {
    match op {
        EditOp::SetProperty(set) => {
            let props = match (&set.element, &set.flow) {
                (Some(name), None) => {
                    let id = element_id(m, name)?;
                    let e = m.elements.iter_mut().find(|e| e.id == id).expect("found");
                    &mut e.properties
                }
                (None, Some(name)) => {
                    let i = flow_index(m, name)?;
                    &mut m.flows[i].properties
                }
                _ => return Err("give exactly one of 'element' and 'flow'".into()),
            };
            if set.value.is_null() {
                props.remove(&set.property);
            } else {
                let value: PropertyValue = parse(set.value.clone(), "property value")?;
                props.insert(set.property.clone(), value);
            }
        }
        EditOp::AddElement(json) => {
            let mut json = json.clone();
            resolve_name(
                &mut json,
                "boundary",
                |n| Ok(boundary_id(m, n)?.to_string()),
            )?;
            let e: Element = parse(json, "element")?;
            if m.elements.iter().any(|x| x.id == e.id || x.name == e.name) {
                return Err(format!(
                    "'{}' already has an element '{}' or its id",
                    m.name, e.name
                ));
            }
            m.elements.push(e);
        }
        EditOp::RemoveElement(name) => {
            let id = element_id(m, name)?;
            let flows: Vec<&str> = (m.flows.iter())
                .filter(|f| f.source == id || f.target == id)
                .map(|f| f.name.as_str())
                .collect();
            if !flows.is_empty() {
                return Err(format!(
                    "element '{name}' still has flows ({}); remove them first",
                    flows.join(", ")
                ));
            }
            m.elements.retain(|e| e.id != id);
            m.layout.nodes.remove(&id.0);
        }
        EditOp::AddFlow(json) => {
            let mut json = json.clone();
            resolve_name(&mut json, "source", |n| Ok(element_id(m, n)?.to_string()))?;
            resolve_name(&mut json, "target", |n| Ok(element_id(m, n)?.to_string()))?;
            let f: DataFlow = parse(json, "flow")?;
            if m.flows.iter().any(|x| x.id == f.id || x.name == f.name) {
                return Err(format!(
                    "'{}' already has a flow '{}' or its id",
                    m.name, f.name
                ));
            }
            m.flows.push(f);
        }
        EditOp::RemoveFlow(name) => {
            let i = flow_index(m, name)?;
            let f = m.flows.remove(i);
            m.layout.edges.remove(&f.id.0);
        }
        EditOp::MoveElement(mv) => {
            let boundary = match &mv.boundary {
                Some(b) => Some(boundary_id(m, b)?),
                None => None,
            };
            let id = element_id(m, &mv.element)?;
            let e = m.elements.iter_mut().find(|e| e.id == id).expect("found");
            e.boundary = boundary;
        }
        EditOp::AddBoundary(json) => {
            let mut json = json.clone();
            resolve_name(&mut json, "parent", |n| Ok(boundary_id(m, n)?.to_string()))?;
            let b: TrustBoundary = parse(json, "boundary")?;
            if m.boundaries
                .iter()
                .any(|x| x.id == b.id || x.name == b.name)
            {
                return Err(format!(
                    "'{}' already has a boundary '{}' or its id",
                    m.name, b.name
                ));
            }
            m.boundaries.push(b);
        }
        EditOp::SetProtocol(set) => {
            let i = flow_index(m, &set.flow)?;
            m.flows[i].protocol = set.protocol.clone();
        }
    }
    Ok(())
}
