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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    graph: DiGraph<ElementId, FlowId>,
    index: HashMap<ElementId, NodeIndex>,
    entries: Vec<NodeIndex>,
    /// For each entry (when there are few), the shortest-path tree of a forward BFS from it:
    /// the node and flow each node is reached from. Asking for paths to any target is then a
    /// walk up these trees instead of a search over the whole graph.
    trees: Vec<Vec<Option<(NodeIndex, FlowId)>>>,
    names: HashMap<ElementId, &'m str>,
}

/// With more entry points than this, trees would cost entries x elements memory; paths are
/// then found with one backwards search per target instead.
const MAX_TREES: usize = 64;

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
        let trees = if entries.len() <= MAX_TREES {
            entries.iter().map(|&e| forward_tree(&graph, e)).collect()
        } else {
            Vec::new()
        };
        PathFinder {
            names: model
                .elements
                .iter()
                .map(|e| (e.id, e.name.as_str()))
                .collect(),
            graph,
            index,
            entries,
            trees,
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
        if !self.trees.is_empty() {
            return self.paths_from_trees(target, goal, limit);
        }
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
        let paths: Vec<AttackPath> = self
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
                self.path(target, self.graph[entry], elements, flows)
            })
            .collect();
        shortest_first(paths, limit)
    }

    fn paths_from_trees(
        &self,
        target: ElementId,
        goal: NodeIndex,
        limit: usize,
    ) -> Vec<AttackPath> {
        let paths: Vec<AttackPath> = self
            .entries
            .iter()
            .zip(&self.trees)
            .filter(|&(&entry, tree)| entry != goal && tree[goal.index()].is_some())
            .map(|(&entry, tree)| {
                let mut elements = vec![self.graph[goal]];
                let mut flows = Vec::new();
                let mut at = goal;
                while at != entry {
                    let (from, flow) = tree[at.index()].expect("a reached node has a parent");
                    elements.push(self.graph[from]);
                    flows.push(flow);
                    at = from;
                }
                elements.reverse();
                flows.reverse();
                self.path(target, self.graph[entry], elements, flows)
            })
            .collect();
        shortest_first(paths, limit)
    }

    fn path(
        &self,
        target: ElementId,
        entry: ElementId,
        elements: Vec<ElementId>,
        flows: Vec<FlowId>,
    ) -> AttackPath {
        let summary = elements
            .iter()
            .map(|id| self.name(*id))
            .collect::<Vec<_>>()
            .join(" → ");
        AttackPath {
            target,
            entry,
            elements,
            flows,
            summary,
        }
    }

    fn name(&self, id: ElementId) -> &str {
        self.names.get(&id).copied().unwrap_or("?")
    }
}

/// The `limit` shortest paths, ties by entry id, so the choice is deterministic.
fn shortest_first(mut paths: Vec<AttackPath>, limit: usize) -> Vec<AttackPath> {
    paths.sort_by(|a, b| {
        a.flows
            .len()
            .cmp(&b.flows.len())
            .then(a.entry.cmp(&b.entry))
    });
    paths.truncate(limit);
    paths
}

/// Breadth-first search forward from `start`, neighbours in id order so the tree is
/// deterministic: for each node reached, the node and flow it was first reached from.
fn forward_tree(
    graph: &DiGraph<ElementId, FlowId>,
    start: NodeIndex,
) -> Vec<Option<(NodeIndex, FlowId)>> {
    let mut parent = vec![None; graph.node_count()];
    let mut seen = vec![false; graph.node_count()];
    seen[start.index()] = true;
    let mut queue = VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        let mut out: Vec<_> = graph
            .edges_directed(n, petgraph::Direction::Outgoing)
            .map(|e| (petgraph::visit::EdgeRef::target(&e), *e.weight()))
            .collect();
        out.sort_by_key(|(t, f)| (graph[*t], *f));
        for (t, f) in out {
            if !seen[t.index()] {
                seen[t.index()] = true;
                parent[t.index()] = Some((n, f));
                queue.push_back(t);
            }
        }
    }
    parent
}

/// Every boundary of kind `internet`, and every boundary nested in one.
fn internet_boundaries(model: &ServiceModel) -> HashSet<BoundaryId> {
    model
        .boundaries
        .iter()
        .filter(|b| {
            model
                .boundary_nesting(b.id)
                .any(|outer| outer.kind == BoundaryKind::Internet)
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
    fn many_entries_use_the_backwards_search_with_the_same_answers() {
        let build = |users: usize| {
            let mut m = ServiceModel::new("app");
            let internet = TrustBoundary::new("Internet", BoundaryKind::Internet);
            let api = Element::new(ElementKind::Process, "API");
            let db = Element::new(ElementKind::DataStore, "DB");
            for i in 0..users {
                let mut u = Element::new(ElementKind::ExternalEntity, format!("user {i}"));
                u.boundary = Some(internet.id);
                m.flows.push(DataFlow::new("call", u.id, api.id));
                m.elements.push(u);
            }
            m.flows.push(DataFlow::new("write", api.id, db.id));
            m.elements.extend([api, db.clone()]);
            m.boundaries.push(internet);
            (m, db.id)
        };
        for users in [3, MAX_TREES + 6] {
            let (m, db) = build(users);
            let finder = PathFinder::new(&m);
            assert_eq!(finder.trees.is_empty(), users > MAX_TREES);
            let paths = finder.paths_to(db, 100);
            assert_eq!(paths.len(), users);
            assert!(
                paths
                    .iter()
                    .all(|p| p.flows.len() == 2 && p.summary.ends_with("API → DB"))
            );
            let entries: Vec<_> = paths.iter().map(|p| p.entry).collect();
            let mut sorted = entries.clone();
            sorted.sort();
            assert_eq!(entries, sorted, "ties are ordered by entry id");
        }
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    let elements: HashMap<ElementId, &crate::model::Element> =
        model.elements.iter().map(|e| (e.id, e)).collect();
    let mut cache: HashMap<ElementId, Vec<AttackPath>> = HashMap::new();
    analysis
        .threats
        .iter()
        .filter(|t| t.severity >= crate::model::Severity::High)
        .filter_map(|t| {
            let id = ElementId(t.target.id);
            let element = elements.get(&id)?;
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
