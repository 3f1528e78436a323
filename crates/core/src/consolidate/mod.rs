//! Consolidation: the service models of an application become one application model.
//!
//! The source document asks teams to "start with a service by service level threat modeling
//! and unify the model by consolidating the thread model on application level". This module is
//! that unification, as a pure function over models:
//!
//! - elements with the same `shared_key` in several services become one element; when their
//!   effective property values disagree, a diagnostic names the services and values and the
//!   element takes the riskier value (the catalog's `[risk_order]`), so no threat is hidden;
//! - an element that `refers_to` another service's element is replaced by it, so a call from
//!   service A to service B becomes a flow inside the application graph;
//! - trust boundaries with the same shared key merge;
//! - every element, flow and boundary records the services it came from (`origins`), and triage
//!   decisions follow their threats to the merged ids.
//!
//! Ids are stable: an element or boundary with a shared key gets an id derived from the key,
//! everything else keeps its own. So consolidating the consolidated model alone gives it back.

pub mod paths;

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{
    BoundaryId, DataFlow, Element, ElementId, Layout, ModelId, ModelKind, PropertyValue,
    SCHEMA_VERSION, ServiceModel, StencilSet, ThreatKey, TriageDecision, TrustBoundary,
};

/// The namespace of the ids consolidation derives (UUID v5).
const NAMESPACE: Uuid = Uuid::from_u128(0x5f1d_e0a4_7c2b_4d8e_9a61_3b0c_2f4e_8d17);

/// What consolidation found worth a person's attention.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ConsolidationCode {
    /// A `refers_to` names a service or element that none of the models has.
    UnresolvedReference,
    /// Services set a property of one shared resource to different values.
    PropertyConflict,
    /// Services draw one shared resource as different kinds or stencils.
    KindConflict,
    /// Services disagree about a shared boundary's kind or parent.
    BoundaryConflict,
    /// Services took different triage decisions on the same threat.
    TriageConflict,
    /// Two input models have the same service name.
    DuplicateService,
    /// After references were resolved, a flow joins an element to itself and was dropped.
    SelfFlow,
}

impl ConsolidationCode {
    pub fn as_str(&self) -> &'static str {
        match self {
            ConsolidationCode::UnresolvedReference => "unresolved-reference",
            ConsolidationCode::PropertyConflict => "property-conflict",
            ConsolidationCode::KindConflict => "kind-conflict",
            ConsolidationCode::BoundaryConflict => "boundary-conflict",
            ConsolidationCode::TriageConflict => "triage-conflict",
            ConsolidationCode::DuplicateService => "duplicate-service",
            ConsolidationCode::SelfFlow => "self-flow",
        }
    }
}

/// One finding of consolidation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsolidationDiagnostic {
    pub code: ConsolidationCode,
    /// A sentence naming the services, objects and values involved.
    pub message: String,
    /// The services involved.
    pub services: Vec<String>,
    /// The id, in the application model, of the object concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<Uuid>,
}

impl fmt::Display for ConsolidationDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code.as_str(), self.message)
    }
}

/// The application model and what consolidation found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Consolidation {
    pub model: ServiceModel,
    pub diagnostics: Vec<ConsolidationDiagnostic>,
}

/// The id the application model named `name` gets.
pub fn application_id(name: &str) -> ModelId {
    ModelId::derived(NAMESPACE, &format!("application:{name}"))
}

fn shared_element_id(key: &str) -> ElementId {
    ElementId::derived(NAMESPACE, &format!("element:{key}"))
}

fn shared_boundary_id(key: &str) -> BoundaryId {
    BoundaryId::derived(NAMESPACE, &format!("boundary:{key}"))
}

/// The origins of an object of `service`: its own list when it has one (it came from an
/// application model), else the service's name.
fn origins_of(own: &[String], service: &ServiceModel) -> Vec<String> {
    if own.is_empty() {
        vec![service.name.clone()]
    } else {
        own.to_vec()
    }
}

fn union(into: &mut Vec<String>, more: &[String]) {
    into.extend(more.iter().cloned());
    into.sort();
    into.dedup();
}

/// Consolidates service models (or application models, or a mix) into the application model
/// named `name`. `stencils` gives the defaults and risk orders used to compare and merge the
/// properties of shared resources.
pub fn consolidate(name: &str, models: &[ServiceModel], stencils: &StencilSet) -> Consolidation {
    let mut diagnostics = Vec::new();
    let mut services: Vec<&ServiceModel> = models.iter().collect();
    services.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    for pair in services.windows(2) {
        if pair[0].name == pair[1].name {
            diagnostics.push(ConsolidationDiagnostic {
                code: ConsolidationCode::DuplicateService,
                message: format!(
                    "two models are both named '{}'; references to that service are ambiguous",
                    pair[0].name
                ),
                services: vec![pair[0].name.clone()],
                object: None,
            });
        }
    }

    let boundaries = merge_boundaries(&services, &mut diagnostics);
    let (elements, element_map) =
        merge_elements(&services, &boundaries, stencils, &mut diagnostics);
    let flows = merge_flows(&services, &element_map, &elements, &mut diagnostics);
    let triage = merge_triage(&services, &element_map, &mut diagnostics);

    let description = {
        let names: Vec<&str> = services
            .iter()
            .filter(|s| s.kind == ModelKind::Service)
            .map(|s| s.name.as_str())
            .collect();
        match (names.is_empty(), services.as_slice()) {
            (true, [single]) => single.description.clone(),
            _ => format!("Consolidated from the services: {}.", names.join(", ")),
        }
    };
    let team = match services.as_slice() {
        [single] => single.team.clone(),
        _ => String::new(),
    };
    let mut model = ServiceModel {
        schema_version: SCHEMA_VERSION,
        id: application_id(name),
        kind: ModelKind::Application,
        name: name.to_string(),
        team,
        description,
        boundaries: boundaries.list,
        elements,
        flows,
        layout: Layout::default(),
        triage,
        lineage: None,
        conflicts: Vec::new(),
    };
    model.canonicalize();
    Consolidation { model, diagnostics }
}

struct MergedBoundaries {
    list: Vec<TrustBoundary>,
    /// (service index, original id) -> id in the application model.
    map: HashMap<(usize, BoundaryId), BoundaryId>,
}

fn merge_boundaries(
    services: &[&ServiceModel],
    diagnostics: &mut Vec<ConsolidationDiagnostic>,
) -> MergedBoundaries {
    let mut map = HashMap::new();
    let mut by_id: BTreeMap<BoundaryId, (TrustBoundary, Vec<String>)> = BTreeMap::new();
    // First pass: ids.
    for (si, s) in services.iter().enumerate() {
        for b in &s.boundaries {
            let id = match &b.shared_key {
                Some(key) => shared_boundary_id(key),
                None => b.id,
            };
            map.insert((si, b.id), id);
        }
    }
    // Second pass: content, with parents mapped.
    for (si, s) in services.iter().enumerate() {
        for b in &s.boundaries {
            let id = map[&(si, b.id)];
            let parent = b.parent.and_then(|p| map.get(&(si, p)).copied());
            let origins = origins_of(&b.origins, s);
            match by_id.get_mut(&id) {
                None => {
                    let mut merged = b.clone();
                    merged.id = id;
                    merged.parent = parent;
                    merged.origins = origins.clone();
                    by_id.insert(id, (merged, vec![s.name.clone()]));
                }
                Some((merged, seen_in)) => {
                    if merged.kind != b.kind {
                        diagnostics.push(ConsolidationDiagnostic {
                            code: ConsolidationCode::BoundaryConflict,
                            message: format!(
                                "shared trust boundary '{}' is a {} boundary in {} but a {} boundary in '{}'; kept {}",
                                merged.name,
                                merged.kind,
                                quoted(seen_in),
                                b.kind,
                                s.name,
                                merged.kind
                            ),
                            services: with(seen_in, &s.name),
                            object: Some(id.0),
                        });
                    }
                    if parent.is_some() && merged.parent.is_some() && merged.parent != parent {
                        diagnostics.push(ConsolidationDiagnostic {
                            code: ConsolidationCode::BoundaryConflict,
                            message: format!(
                                "shared trust boundary '{}' nests in different boundaries in {} and in '{}'; kept the first",
                                merged.name,
                                quoted(seen_in),
                                s.name
                            ),
                            services: with(seen_in, &s.name),
                            object: Some(id.0),
                        });
                    }
                    if merged.parent.is_none() {
                        merged.parent = parent;
                    }
                    if merged.description.is_empty() {
                        merged.description = b.description.clone();
                    }
                    union(&mut merged.origins, &origins);
                    seen_in.push(s.name.clone());
                }
            }
        }
    }
    // A merge of parents from different services can close a cycle; cut it where it closes.
    let mut cut = Vec::new();
    for id in by_id.keys() {
        let mut walk = crate::model::nesting(*id, |b| by_id.get(&b).map(|(x, _)| x));
        walk.by_ref().for_each(drop);
        if walk.looped_to() == Some(*id) {
            cut.push(*id);
        }
    }
    cut.sort();
    if let Some(first) = cut.first()
        && let Some((b, _)) = by_id.get_mut(first)
    {
        b.parent = None;
    }
    MergedBoundaries {
        list: by_id.into_values().map(|(b, _)| b).collect(),
        map,
    }
}

fn quoted(names: &[String]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    q.join(", ")
}

fn with(names: &[String], more: &str) -> Vec<String> {
    let mut all = names.to_vec();
    all.push(more.to_string());
    all.sort();
    all.dedup();
    all
}

/// Where an element of the input went.
#[derive(Clone, Copy)]
enum Target {
    Element(ElementId),
    /// An unresolved reference: kept as its own element.
    Unresolved(ElementId),
}

impl Target {
    fn id(self) -> ElementId {
        match self {
            Target::Element(id) | Target::Unresolved(id) => id,
        }
    }
}

fn merge_elements(
    services: &[&ServiceModel],
    boundaries: &MergedBoundaries,
    stencils: &StencilSet,
    diagnostics: &mut Vec<ConsolidationDiagnostic>,
) -> (Vec<Element>, HashMap<(usize, ElementId), Target>) {
    let mut map: HashMap<(usize, ElementId), Target> = HashMap::new();
    // Shared keys and names per service, for resolving references.
    let mut by_service: HashMap<&str, Vec<usize>> = HashMap::new();
    for (si, s) in services.iter().enumerate() {
        by_service.entry(s.name.as_str()).or_default().push(si);
    }

    // Pass 1: the id of every element that is not a reference.
    for (si, s) in services.iter().enumerate() {
        for e in s.elements.iter().filter(|e| e.refers_to.is_none()) {
            let id = match &e.shared_key {
                Some(key) => shared_element_id(key),
                None => e.id,
            };
            map.insert((si, e.id), Target::Element(id));
        }
    }

    // Pass 2: resolve references to the element they stand for.
    for (si, s) in services.iter().enumerate() {
        for e in &s.elements {
            let Some(r) = &e.refers_to else { continue };
            let found = by_service.get(r.service.as_str()).and_then(|indices| {
                indices.iter().find_map(|&ti| {
                    let t = services[ti];
                    t.elements
                        .iter()
                        .filter(|x| x.refers_to.is_none())
                        .find(|x| match (&r.element, &r.shared_key) {
                            (Some(name), _) => &x.name == name,
                            (None, Some(key)) => x.shared_key.as_ref() == Some(key),
                            (None, None) => false,
                        })
                        .map(|x| map[&(ti, x.id)].id())
                })
            });
            // A reference by shared key also resolves to a resource that some other service
            // shares under that key, even if the named service does not draw it.
            let found = found.or_else(|| {
                let key = r.shared_key.as_ref()?;
                services.iter().enumerate().find_map(|(ti, t)| {
                    t.elements
                        .iter()
                        .find(|x| x.refers_to.is_none() && x.shared_key.as_ref() == Some(key))
                        .map(|x| map[&(ti, x.id)].id())
                })
            });
            match found {
                Some(id) => {
                    map.insert((si, e.id), Target::Element(id));
                }
                None => {
                    let id = match &e.shared_key {
                        Some(key) => shared_element_id(key),
                        None => e.id,
                    };
                    diagnostics.push(ConsolidationDiagnostic {
                        code: ConsolidationCode::UnresolvedReference,
                        message: format!(
                            "{} '{}' in '{}' refers to {r}, which {}; it stays in the application model as drawn",
                            e.kind.label(),
                            e.name,
                            s.name,
                            if by_service.contains_key(r.service.as_str()) {
                                "that service's model does not have"
                            } else {
                                "is in no model being consolidated"
                            }
                        ),
                        services: vec![s.name.clone()],
                        object: Some(id.0),
                    });
                    map.insert((si, e.id), Target::Unresolved(id));
                }
            }
        }
    }

    // Pass 3: build the merged elements. Unresolved references are kept as drawn.
    struct Acc {
        element: Element,
        /// Which service set each effective property value, for conflict messages. Filled
        /// only once a second service shows the element: most elements are not shared.
        values: Option<BTreeMap<String, Vec<(String, PropertyValue)>>>,
        seen_in: Vec<String>,
    }
    let mut acc: BTreeMap<ElementId, Acc> = BTreeMap::new();
    for (si, s) in services.iter().enumerate() {
        for e in &s.elements {
            let target = map[&(si, e.id)];
            if matches!(target, Target::Element(_)) && e.refers_to.is_some() {
                continue; // replaced by the element it stands for
            }
            let id = target.id();
            let boundary = e
                .boundary
                .and_then(|b| boundaries.map.get(&(si, b)).copied());
            let origins = origins_of(&e.origins, s);
            match acc.get_mut(&id) {
                None => {
                    let mut merged = e.clone();
                    merged.id = id;
                    merged.boundary = boundary;
                    merged.origins = origins;
                    if matches!(target, Target::Element(_)) {
                        merged.refers_to = None;
                    }
                    acc.insert(
                        id,
                        Acc {
                            element: merged,
                            values: None,
                            seen_in: vec![s.name.clone()],
                        },
                    );
                }
                Some(a) => {
                    let m = &mut a.element;
                    if m.kind != e.kind || m.stencil != e.stencil {
                        diagnostics.push(ConsolidationDiagnostic {
                            code: ConsolidationCode::KindConflict,
                            message: format!(
                                "shared resource '{}' is a {} ({}) in {} but a {} ({}) in '{}'; kept the first",
                                m.name,
                                m.kind.label(),
                                m.stencil,
                                quoted(&a.seen_in),
                                e.kind.label(),
                                e.stencil,
                                s.name
                            ),
                            services: with(&a.seen_in, &s.name),
                            object: Some(id.0),
                        });
                    }
                    if m.boundary.is_none() {
                        m.boundary = boundary;
                    }
                    if m.description.is_empty() {
                        m.description = e.description.clone();
                    }
                    if !e.notes.is_empty() && !m.notes.contains(&e.notes) {
                        if !m.notes.is_empty() {
                            m.notes.push('\n');
                        }
                        m.notes.push_str(&e.notes);
                    }
                    // In scope if any service has it in scope.
                    if m.out_of_scope && !e.out_of_scope {
                        m.out_of_scope = false;
                        m.out_of_scope_reason.clear();
                    }
                    union(&mut m.origins, &origins);
                    let values = a.values.get_or_insert_with(|| {
                        effective_properties(m, stencils)
                            .into_iter()
                            .map(|(k, v)| (k, vec![(a.seen_in[0].clone(), v)]))
                            .collect()
                    });
                    for (k, v) in effective_properties(e, stencils) {
                        values.entry(k).or_default().push((s.name.clone(), v));
                    }
                    a.seen_in.push(s.name.clone());
                }
            }
        }
    }

    let mut elements = Vec::with_capacity(acc.len());
    for (id, mut a) in acc {
        for (name, values) in a.values.iter().flatten() {
            let first = &values[0].1;
            if values.iter().all(|(_, v)| v == first) {
                continue;
            }
            let mut chosen = first;
            let mut ordered = true;
            for (_, v) in values {
                match stencils.riskier(name, chosen, v) {
                    Some(r) => chosen = r,
                    None => ordered = false,
                }
            }
            let listing: Vec<String> = values
                .iter()
                .map(|(s, v)| format!("'{s}' says {v}"))
                .collect();
            diagnostics.push(ConsolidationDiagnostic {
                code: ConsolidationCode::PropertyConflict,
                message: format!(
                    "shared resource '{}' has different '{name}': {}; the application model takes {chosen}{}",
                    a.element.name,
                    listing.join(", "),
                    if ordered {
                        ", the less secure value"
                    } else {
                        " (the catalog gives no risk order for this property)"
                    }
                ),
                services: {
                    let mut s: Vec<String> = values.iter().map(|(s, _)| s.clone()).collect();
                    s.sort();
                    s.dedup();
                    s
                },
                object: Some(id.0),
            });
            a.element.properties.insert(name.clone(), chosen.clone());
        }
        elements.push(a.element);
    }
    (elements, map)
}

/// Every property an element has, set or defaulted by its stencil.
fn effective_properties(e: &Element, stencils: &StencilSet) -> BTreeMap<String, PropertyValue> {
    let mut all: BTreeMap<String, PropertyValue> = stencils
        .get(&e.stencil)
        .map(|s| {
            s.properties
                .iter()
                .filter_map(|(k, d)| d.default.clone().map(|v| (k.clone(), v)))
                .collect()
        })
        .unwrap_or_default();
    all.extend(e.properties.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

fn merge_flows(
    services: &[&ServiceModel],
    element_map: &HashMap<(usize, ElementId), Target>,
    elements: &[Element],
    diagnostics: &mut Vec<ConsolidationDiagnostic>,
) -> Vec<DataFlow> {
    let names: HashMap<ElementId, &str> =
        elements.iter().map(|e| (e.id, e.name.as_str())).collect();
    let mut by_id: BTreeMap<crate::model::FlowId, DataFlow> = BTreeMap::new();
    // The same call drawn in both services' models is one flow.
    let mut by_ends: HashMap<(ElementId, ElementId, String), crate::model::FlowId> = HashMap::new();
    for (si, s) in services.iter().enumerate() {
        for f in &s.flows {
            let (Some(src), Some(dst)) = (
                element_map.get(&(si, f.source)),
                element_map.get(&(si, f.target)),
            ) else {
                continue; // a dangling flow: validation reports it on the service model
            };
            let (src, dst) = (src.id(), dst.id());
            let origins = origins_of(&f.origins, s);
            if src == dst {
                diagnostics.push(ConsolidationDiagnostic {
                    code: ConsolidationCode::SelfFlow,
                    message: format!(
                        "flow '{}' of '{}' joins '{}' to itself once references are resolved; it is left out",
                        f.name,
                        s.name,
                        names.get(&src).copied().unwrap_or("?")
                    ),
                    services: vec![s.name.clone()],
                    object: Some(f.id.0),
                });
                continue;
            }
            let ends = (src, dst, f.name.to_lowercase());
            let existing = by_ends
                .get(&ends)
                .copied()
                .or_else(|| by_id.contains_key(&f.id).then_some(f.id));
            match existing.and_then(|id| by_id.get_mut(&id)) {
                Some(merged) => {
                    union(&mut merged.origins, &origins);
                    for (k, v) in &f.properties {
                        merged
                            .properties
                            .entry(k.clone())
                            .or_insert_with(|| v.clone());
                    }
                    if merged.protocol.is_empty() {
                        merged.protocol = f.protocol.clone();
                    }
                    if merged.description.is_empty() {
                        merged.description = f.description.clone();
                    }
                    merged.bidirectional |= f.bidirectional;
                }
                None => {
                    let mut merged = f.clone();
                    merged.source = src;
                    merged.target = dst;
                    merged.origins = origins;
                    by_ends.insert(ends, merged.id);
                    by_id.insert(merged.id, merged);
                }
            }
        }
    }
    by_id.into_values().collect()
}

/// Rewrites the element ids inside a threat key through the element map.
fn remap_key(key: &ThreatKey, si: usize, map: &HashMap<(usize, ElementId), Target>) -> ThreatKey {
    key.remap(|id| map.get(&(si, ElementId(id))).map(|t| t.id().0))
}

fn merge_triage(
    services: &[&ServiceModel],
    element_map: &HashMap<(usize, ElementId), Target>,
    diagnostics: &mut Vec<ConsolidationDiagnostic>,
) -> BTreeMap<ThreatKey, TriageDecision> {
    let mut out: BTreeMap<ThreatKey, (TriageDecision, String)> = BTreeMap::new();
    for (si, s) in services.iter().enumerate() {
        for (key, decision) in &s.triage {
            let key = remap_key(key, si, element_map);
            match out.get(&key) {
                None => {
                    out.insert(key, (decision.clone(), s.name.clone()));
                }
                Some((existing, from)) if existing.status != decision.status => {
                    diagnostics.push(ConsolidationDiagnostic {
                        code: ConsolidationCode::TriageConflict,
                        message: format!(
                            "threat {key} is {} in '{from}' but {} in '{}'; kept '{from}''s decision",
                            existing.status, decision.status, s.name
                        ),
                        services: with(std::slice::from_ref(from), &s.name),
                        object: None,
                    });
                }
                Some(_) => {}
            }
        }
    }
    out.into_iter().map(|(k, (d, _))| (k, d)).collect()
}

#[cfg(test)]
mod tests;
