//! The model as a petgraph graph: elements are nodes, flows are edges (a bidirectional flow is
//! two edges), with boundary nesting resolved per element. Graph facts are computed from it.
//!
//! Flows whose ends name unknown elements are left out (validation reports them); out-of-scope
//! elements and flows stay in the graph, because they still carry traffic in the real system.

use std::collections::{HashMap, VecDeque};

use petgraph::graph::{DiGraph, NodeIndex};

use crate::model::{
    BoundaryId, BoundaryKind, DataFlow, Element, ElementId, PropertyValue, ServiceModel, Stencil,
    StencilSet,
};

/// The graph of one model, plus what the facts need about each element.
pub struct ModelGraph<'m> {
    pub elements: Vec<&'m Element>,
    /// The stencil of each element (the generic one of its kind when its stencil is unknown).
    pub stencils: Vec<Option<&'m Stencil>>,
    /// Flows with both ends known, with the element indices of their ends: first every flow
    /// as drawn, then a reversed copy of each bidirectional flow (so facts and rules can see
    /// it both ways).
    pub flows: Vec<(&'m DataFlow, usize, usize)>,
    forward: usize,
    reverse: Vec<Option<usize>>,
    graph: DiGraph<(), ()>,
    /// Bit `k` is set when the element sits inside a boundary of kind `k`, at any depth.
    boundary_mask: Vec<u16>,
    innermost: Vec<Option<BoundaryId>>,
    stencil_set: &'m StencilSet,
    reach_internet: Vec<bool>,
}

fn bit(kind: BoundaryKind) -> u16 {
    1 << (kind as u16)
}

impl<'m> ModelGraph<'m> {
    pub fn new(model: &'m ServiceModel, stencil_set: &'m StencilSet) -> Self {
        // Sorted by id, and flows by (source, flow, target): threat keys follow this order, so
        // analysis can emit threats sorted while reading its tables front to back.
        let mut elements: Vec<&Element> = model.elements.iter().collect();
        elements.sort_by_cached_key(|e| e.id);
        let index: HashMap<ElementId, usize> = elements
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id, i))
            .collect();
        let stencils = elements
            .iter()
            .map(|e| {
                stencil_set
                    .get(&e.stencil)
                    .or_else(|| stencil_set.get(&crate::model::StencilId::generic(e.kind)))
            })
            .collect();

        // Boundary kinds at any depth.
        let mask_of: HashMap<BoundaryId, u16> = model
            .boundaries
            .iter()
            .map(|b| {
                let mask = model
                    .boundary_nesting(b.id)
                    .fold(0u16, |mask, outer| mask | bit(outer.kind));
                (b.id, mask)
            })
            .collect();
        let boundary_mask = elements
            .iter()
            .map(|e| {
                e.boundary
                    .and_then(|b| mask_of.get(&b).copied())
                    .unwrap_or(0)
            })
            .collect();
        let innermost = elements.iter().map(|e| e.boundary).collect();

        let mut graph = DiGraph::with_capacity(elements.len(), model.flows.len());
        for _ in 0..elements.len() {
            graph.add_node(());
        }
        let mut flows = Vec::with_capacity(model.flows.len());
        for f in &model.flows {
            let (Some(&s), Some(&t)) = (index.get(&f.source), index.get(&f.target)) else {
                continue;
            };
            flows.push((f, s, t));
        }
        flows.sort_by_cached_key(|&(f, s, t)| (elements[s].id, f.id, elements[t].id));
        for &(f, s, t) in &flows {
            graph.add_edge(NodeIndex::new(s), NodeIndex::new(t), ());
            if f.bidirectional {
                graph.add_edge(NodeIndex::new(t), NodeIndex::new(s), ());
            }
        }
        let forward = flows.len();
        let mut reverse = vec![None; forward];
        for i in 0..forward {
            let (f, s, t) = flows[i];
            if f.bidirectional {
                reverse[i] = Some(flows.len());
                flows.push((f, t, s));
            }
        }
        let mut g = ModelGraph {
            elements,
            stencils,
            flows,
            forward,
            reverse,
            graph,
            boundary_mask,
            innermost,
            stencil_set,
            reach_internet: Vec::new(),
        };
        g.reach_internet = g.reachable_from(|e| g.in_boundary(e, BoundaryKind::Internet));
        g
    }

    pub fn element_count(&self) -> usize {
        self.elements.len()
    }

    pub fn flow_count(&self) -> usize {
        self.flows.len()
    }

    /// The number of flows as drawn (the first ones of `flows`).
    pub fn forward_flows(&self) -> usize {
        self.forward
    }

    /// The reversed copy of a bidirectional flow.
    pub fn reverse_of(&self, f: usize) -> Option<usize> {
        self.reverse.get(f).copied().flatten()
    }

    pub fn flow_ends(&self, f: usize) -> (usize, usize) {
        let (_, s, t) = self.flows[f];
        (s, t)
    }

    pub fn in_boundary(&self, e: usize, kind: BoundaryKind) -> bool {
        self.boundary_mask[e] & bit(kind) != 0
    }

    /// Inside any boundary of one of these kinds.
    pub fn in_any_boundary(&self, e: usize, kinds: &[BoundaryKind]) -> bool {
        kinds.iter().any(|k| self.in_boundary(e, *k))
    }

    pub fn innermost(&self, e: usize) -> Option<BoundaryId> {
        self.innermost[e]
    }

    pub fn has_tag(&self, e: usize, tag: &str) -> bool {
        self.stencils[e].is_some_and(|s| s.has_tag(tag))
    }

    /// The element's effective value of a property: its own, else its stencil's default.
    pub fn property(&self, e: usize, name: &str) -> Option<&'m PropertyValue> {
        let el = self.elements[e];
        el.properties.get(name).or_else(|| {
            self.stencils[e]
                .and_then(|s| s.properties.get(name))
                .and_then(|d| d.default.as_ref())
        })
    }

    fn bool_property(&self, e: usize, name: &str) -> bool {
        self.property(e, name).and_then(|v| v.as_bool()) == Some(true)
    }

    pub fn is_waf(&self, e: usize) -> bool {
        self.has_tag(e, "waf") || self.bool_property(e, "waf_enabled")
    }

    pub fn holds_secrets(&self, e: usize) -> bool {
        self.has_tag(e, "secrets_store") || self.bool_property(e, "stores_secrets")
    }

    pub fn sensitive(&self, e: usize) -> bool {
        self.holds_secrets(e)
            || matches!(
                self.property(e, "data_classification")
                    .and_then(|v| v.as_str()),
                Some("confidential" | "restricted")
            )
            || self.bool_property(e, "handles_sensitive_data")
    }

    /// The flow's own value of a property, else the flow default.
    pub fn flow_property(&self, f: usize, name: &str) -> Option<&'m PropertyValue> {
        self.flows[f].0.properties.get(name).or_else(|| {
            self.stencil_set
                .effective_flow(&self.flows[f].0.properties, name)
        })
    }

    /// A flow carries sensitive data: secrets, or confidential or restricted data.
    pub fn flow_sensitive(&self, f: usize) -> bool {
        self.flow_property(f, "carries_secrets")
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
            || matches!(
                self.flow_property(f, "data_classification")
                    .and_then(|v| v.as_str()),
                Some("confidential" | "restricted")
            )
    }

    pub fn reachable_from_internet(&self) -> &[bool] {
        &self.reach_internet
    }

    pub fn internet_facing(&self) -> Vec<bool> {
        let mut out = vec![false; self.elements.len()];
        for e in 0..self.elements.len() {
            if !self.in_boundary(e, BoundaryKind::Internet) {
                continue;
            }
            for n in self.graph.neighbors(NodeIndex::new(e)) {
                if !self.in_boundary(n.index(), BoundaryKind::Internet) {
                    out[n.index()] = true;
                }
            }
        }
        out
    }

    /// Elements a path of flows reaches from a start element (start elements count only when
    /// another start element reaches them).
    pub fn reachable_from(&self, start: impl Fn(usize) -> bool) -> Vec<bool> {
        self.reach(&start, |_| false)
    }

    /// Breadth-first search from the `start` elements that does not pass through `blocked`
    /// elements (a blocked element is reached, but not left).
    fn reach(&self, start: &dyn Fn(usize) -> bool, blocked: impl Fn(usize) -> bool) -> Vec<bool> {
        let n = self.elements.len();
        let mut seen = vec![false; n];
        let mut queue: VecDeque<usize> = VecDeque::new();
        let starts: Vec<usize> = (0..n).filter(|&e| start(e)).collect();
        let mut expanded = vec![false; n];
        for &s in &starts {
            expanded[s] = true;
            queue.push_back(s);
        }
        while let Some(u) = queue.pop_front() {
            for v in self.graph.neighbors(NodeIndex::new(u)) {
                let v = v.index();
                if !seen[v] {
                    seen[v] = true;
                    if !expanded[v] && !blocked(v) {
                        expanded[v] = true;
                        queue.push_back(v);
                    }
                }
            }
        }
        seen
    }

    /// Reachable from the internet, and not reachable once the `guard` elements stop passing
    /// traffic on: every path from the internet passes a guard first. A guard counts as
    /// behind itself (a WAF filters what reaches it).
    pub fn behind(&self, guard: impl Fn(usize) -> bool) -> Vec<bool> {
        let internet = |e: usize| self.in_boundary(e, BoundaryKind::Internet);
        let around = self.reach(&internet, &guard);
        (0..self.elements.len())
            .map(|e| self.reach_internet[e] && !internet(e) && (guard(e) || !around[e]))
            .collect()
    }

    /// Flows in (or out) per element; a bidirectional flow counts both ways.
    pub fn degrees(&self, inbound: bool) -> Vec<crate::condition::Value> {
        let mut out = vec![0u32; self.elements.len()];
        for &(f, s, t) in &self.flows[..self.forward] {
            let (a, b) = if inbound { (t, s) } else { (s, t) };
            out[a] += 1;
            if f.bidirectional {
                out[b] += 1;
            }
        }
        out.into_iter()
            .map(|d| crate::condition::Value::Num(f64::from(d)))
            .collect()
    }

    /// Elements with a flow from (`incoming`) or to an element with the tag.
    pub fn neighbour_with_tag(&self, tag: &str, incoming: bool) -> Vec<bool> {
        let mut out = vec![false; self.elements.len()];
        for &(f, s, t) in &self.flows[..self.forward] {
            let (me, other) = if incoming { (t, s) } else { (s, t) };
            if self.has_tag(other, tag) {
                out[me] = true;
            }
            if f.bidirectional && self.has_tag(me, tag) {
                out[other] = true;
            }
        }
        out
    }
}
