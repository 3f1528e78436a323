//! Attack paths: how an attacker gets from an untrusted entry point to an asset.
//!
//! A path is a shortest sequence of data flows (bidirectional flows count both ways) from an
//! entry point to the target. Entry points are the elements an attacker starts from: those
//! inside an `internet` boundary at any depth, and anonymous external entities. Out-of-scope
//! elements and flows carry no path.

use std::collections::{HashMap, HashSet, VecDeque};

use petgraph::graph::{DiGraph, NodeIndex};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{
    BoundaryId, BoundaryKind, ElementId, ElementKind, FlowId, PropertyValue, ServiceModel,
};

/// One way in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AttackPath {
    /// The element attacked.
    pub target: ElementId,
    /// Where the attacker starts.
    pub entry: ElementId,
    /// The elements passed, entry first and target last.
    pub elements: Vec<ElementId>,
    /// The flows taken, in order.
    pub flows: Vec<FlowId>,
    /// The element names along the path, for people: "User → Front Door → API → DB".
    pub summary: String,
}

/// The paths graph of a model, built once and asked many times.
pub struct PathFinder<'m> {
    model: &'m ServiceModel,
    graph: DiGraph<ElementId, FlowId>,
    index: HashMap<ElementId, NodeIndex>,
    entries: Vec<NodeIndex>,
}

impl<'m> PathFinder<'m> {
    pub fn new(model: &'m ServiceModel) -> Self {
        let mut graph = DiGraph::new();
        let mut index = HashMap::new();
        for e in model.elements.iter().filter(|e| !e.out_of_scope) {
            index.insert(e.id, graph.add_node(e.id));
        }
        for f in model.flows.iter().filter(|f| !f.out_of_scope) {
            let (Some(&a), Some(&b)) = (index.get(&f.source), index.get(&f.target)) else {
                continue;
            };
            graph.add_edge(a, b, f.id);
            if f.bidirectional {
                graph.add_edge(b, a, f.id);
            }
        }
        let internet = internet_boundaries(model);
        let mut entries: Vec<NodeIndex> = model
            .elements
            .iter()
            .filter(|e| !e.out_of_scope)
            .filter(|e| {
                e.boundary.is_some_and(|b| internet.contains(&b))
                    || (e.kind == ElementKind::ExternalEntity
                        && e.properties.get("role")
                            == Some(&PropertyValue::Text("anonymous".into())))
            })
            .map(|e| index[&e.id])
            .collect();
        entries.sort_by_key(|n| graph[*n]);
        PathFinder {
            model,
            graph,
            index,
            entries,
        }
    }

    /// Whether the model has any entry point.
    pub fn has_entries(&self) -> bool {
        !self.entries.is_empty()
    }

    /// The shortest path to `target` from each entry point that reaches it, shortest first, at
    /// most `limit` of them. A path of one element (the target is an entry) is not a path.
    pub fn paths_to(&self, target: ElementId, limit: usize) -> Vec<AttackPath> {
        let Some(&goal) = self.index.get(&target) else {
            return Vec::new();
        };
        // One backwards BFS from the target gives the shortest path from every entry.
        let mut next: HashMap<NodeIndex, (NodeIndex, FlowId)> = HashMap::new();
        let mut seen = HashSet::from([goal]);
        let mut queue = VecDeque::from([goal]);
        while let Some(n) = queue.pop_front() {
            let mut incoming: Vec<_> = self
                .graph
                .edges_directed(n, petgraph::Direction::Incoming)
                .map(|e| (petgraph::visit::EdgeRef::source(&e), *e.weight()))
                .collect();
            incoming.sort_by_key(|(s, f)| (self.graph[*s], *f));
            for (s, f) in incoming {
                if seen.insert(s) {
                    next.insert(s, (n, f));
                    queue.push_back(s);
                }
            }
        }
        let mut paths: Vec<AttackPath> = self
            .entries
            .iter()
            .filter(|&&e| e != goal && next.contains_key(&e))
            .map(|&entry| {
                let mut elements = vec![self.graph[entry]];
                let mut flows = Vec::new();
                let mut at = entry;
                while at != goal {
                    let (to, flow) = next[&at];
                    elements.push(self.graph[to]);
                    flows.push(flow);
                    at = to;
                }
                let summary = elements
                    .iter()
                    .map(|id| self.name(*id))
                    .collect::<Vec<_>>()
                    .join(" → ");
                AttackPath {
                    target,
                    entry: self.graph[entry],
                    elements,
                    flows,
                    summary,
                }
            })
            .collect();
        paths.sort_by(|a, b| {
            a.flows
                .len()
                .cmp(&b.flows.len())
                .then(a.entry.cmp(&b.entry))
        });
        paths.truncate(limit);
        paths
    }

    fn name(&self, id: ElementId) -> &str {
        self.model.element(id).map_or("?", |e| e.name.as_str())
    }
}

/// Every boundary of kind `internet`, and every boundary nested in one.
fn internet_boundaries(model: &ServiceModel) -> HashSet<BoundaryId> {
    let parent: HashMap<BoundaryId, Option<BoundaryId>> =
        model.boundaries.iter().map(|b| (b.id, b.parent)).collect();
    let kind: HashMap<BoundaryId, BoundaryKind> =
        model.boundaries.iter().map(|b| (b.id, b.kind)).collect();
    model
        .boundaries
        .iter()
        .filter(|b| {
            let mut current = Some(b.id);
            let mut steps = 0;
            while let Some(id) = current {
                if kind.get(&id) == Some(&BoundaryKind::Internet) {
                    return true;
                }
                steps += 1;
                if steps > parent.len() {
                    return false; // a nesting cycle; validation reports it
                }
                current = parent.get(&id).copied().flatten();
            }
            false
        })
        .map(|b| b.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DataFlow, Element, TrustBoundary};

    #[test]
    fn shortest_paths_from_each_entry() {
        let mut m = ServiceModel::new("app");
        let internet = TrustBoundary::new("Internet", BoundaryKind::Internet);
        let mut user = Element::new(ElementKind::ExternalEntity, "User");
        user.boundary = Some(internet.id);
        let mut partner = Element::new(ElementKind::ExternalEntity, "Partner");
        partner.properties.insert("role".into(), "anonymous".into());
        let fd = Element::new(ElementKind::Process, "Front Door");
        let api = Element::new(ElementKind::Process, "API");
        let db = Element::new(ElementKind::DataStore, "DB");
        let mut back = DataFlow::new("Response", db.id, api.id);
        back.bidirectional = true;
        m.flows = vec![
            DataFlow::new("Request", user.id, fd.id),
            DataFlow::new("Route", fd.id, api.id),
            back,
            DataFlow::new("Direct", partner.id, api.id),
            DataFlow::new("Long way", user.id, partner.id),
        ];
        m.elements = vec![user.clone(), partner.clone(), fd, api, db.clone()];
        m.boundaries = vec![internet];
        let finder = PathFinder::new(&m);
        let paths = finder.paths_to(db.id, 5);
        let summaries: Vec<&str> = paths.iter().map(|p| p.summary.as_str()).collect();
        // partner: 2 hops; user: 3 hops (through Front Door or through the partner)
        assert_eq!(summaries.len(), 2, "{summaries:?}");
        assert_eq!(summaries[0], "Partner → API → DB");
        assert_eq!(paths[1].entry, user.id);
        assert_eq!(paths[1].flows.len(), 3);
        assert_eq!(finder.paths_to(db.id, 1).len(), 1);
        // the user is an entry: no path to itself
        assert!(finder.paths_to(user.id, 5).is_empty());
    }

    #[test]
    fn out_of_scope_elements_break_paths() {
        let mut m = ServiceModel::new("app");
        let internet = TrustBoundary::new("Internet", BoundaryKind::Internet);
        let mut user = Element::new(ElementKind::ExternalEntity, "User");
        user.boundary = Some(internet.id);
        let mut api = Element::new(ElementKind::Process, "API");
        api.out_of_scope = true;
        let db = Element::new(ElementKind::DataStore, "DB");
        m.flows = vec![
            DataFlow::new("a", user.id, api.id),
            DataFlow::new("b", api.id, db.id),
        ];
        m.elements = vec![user, api, db.clone()];
        m.boundaries = vec![internet];
        assert!(PathFinder::new(&m).paths_to(db.id, 3).is_empty());
    }
}

/// The attack paths of one threat.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ThreatPaths {
    pub key: crate::model::ThreatKey,
    pub title: String,
    pub severity: crate::model::Severity,
    pub paths: Vec<AttackPath>,
}

/// Whether an element holds an asset worth a path: a data store, or anything that holds
/// secrets or confidential or restricted data.
fn is_asset(e: &crate::model::Element) -> bool {
    let classified = matches!(
        e.properties
            .get("data_classification")
            .and_then(PropertyValue::as_str),
        Some("confidential" | "restricted")
    );
    let flagged = |name: &str| e.properties.get(name) == Some(&PropertyValue::Bool(true));
    e.kind == ElementKind::DataStore
        || classified
        || flagged("stores_secrets")
        || flagged("handles_sensitive_data")
}

/// For each high or critical threat on an asset, the shortest paths (at most `limit`) from the
/// untrusted entry points. Threats no entry point reaches are left out.
pub fn attack_paths(
    model: &ServiceModel,
    analysis: &crate::analysis::Analysis,
    limit: usize,
) -> Vec<ThreatPaths> {
    let finder = PathFinder::new(model);
    if !finder.has_entries() {
        return Vec::new();
    }
    let mut cache: HashMap<ElementId, Vec<AttackPath>> = HashMap::new();
    analysis
        .threats
        .iter()
        .filter(|t| t.severity >= crate::model::Severity::High)
        .filter_map(|t| {
            let id = ElementId(t.target.id);
            let element = model.element(id)?;
            if !is_asset(element) {
                return None;
            }
            let paths = cache
                .entry(id)
                .or_insert_with(|| finder.paths_to(id, limit))
                .clone();
            (!paths.is_empty()).then(|| ThreatPaths {
                key: t.key.clone(),
                title: t.title.to_string(),
                severity: t.severity,
                paths,
            })
        })
        .collect()
}
