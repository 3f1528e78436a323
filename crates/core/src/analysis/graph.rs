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

/// Boundaries that keep the internet out unless a flow says otherwise.
pub const PRIVATE_BOUNDARIES: [BoundaryKind; 5] = [
    BoundaryKind::VirtualNetwork,
    BoundaryKind::Subnet,
    BoundaryKind::OnPremises,
    BoundaryKind::Management,
    BoundaryKind::CiCd,
];

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
    /// Where an attacker starts: inside an `internet` boundary, or an anonymous external entity.
    entry: Vec<bool>,
    exposed: std::cell::OnceCell<Vec<bool>>,
    request_adjacency: std::cell::OnceCell<(Vec<usize>, Vec<usize>)>,
    shielded: std::cell::OnceCell<Vec<bool>>,
    sensitive: std::cell::OnceCell<Vec<bool>>,
    waf: std::cell::OnceCell<Vec<bool>>,
    secrets: std::cell::OnceCell<Vec<bool>>,
    /// Per flow (in `flows` order): it exports data (logs, diagnostics, security signals, a
    /// copy from one store to another) rather than carrying requests.
    export: Vec<bool>,
    /// Per element: the [`flag`] bits of its effective properties and its stencil's tags.
    flags: Vec<u32>,
    /// Per flow (in `flows` order): the [`flow_flag`] bits of its effective properties.
    flow_flags: Vec<u32>,
}

/// What the graph facts read of an element's effective properties and of its stencil's tags,
/// as bits, found in one pass over the element's own properties (the stencil's defaults and
/// tags once per stencil): the facts test bits instead of looking names up per element.
mod flag {
    pub const PUBLIC_ENDPOINT: u32 = 1 << 0;
    pub const ACCEPTS_ONLY_FRONT_DOOR: u32 = 1 << 1;
    pub const PUBLIC_NETWORK_ACCESS: u32 = 1 << 2;
    /// `admin_access` is `public_ssh` or `public_rdp`.
    pub const PUBLIC_ADMIN: u32 = 1 << 3;
    pub const PRIVATE_ENDPOINT: u32 = 1 << 4;
    pub const IS_LOG: u32 = 1 << 5;
    pub const AUTHENTICATES_CALLERS: u32 = 1 << 6;
    /// `role` is `anonymous`.
    pub const ANONYMOUS: u32 = 1 << 7;
    /// `role` is `administrator`.
    pub const ADMINISTRATOR: u32 = 1 << 8;
    pub const STORES_SECRETS: u32 = 1 << 9;
    pub const WAF_ENABLED: u32 = 1 << 10;
    /// `data_classification` is `confidential` or `restricted`.
    pub const CONFIDENTIAL: u32 = 1 << 11;
    pub const HANDLES_SENSITIVE_DATA: u32 = 1 << 12;
    pub const DEPENDENCY_SCANNING: u32 = 1 << 13;

    /// The tags with a bit, in bit order from [`TAG_SHIFT`].
    pub const TAGS: [&str; 10] = [
        "monitoring",
        "gateway",
        "waf",
        "ddos_protection",
        "secrets_store",
        "source_code",
        "management_access",
        "ci_cd",
        "governance",
        "identity_provider",
    ];
    pub const TAG_SHIFT: u32 = 16;

    /// The bit of a tag of [`TAGS`].
    pub fn tag(tag: &str) -> Option<u32> {
        TAGS.iter()
            .position(|t| *t == tag)
            .map(|i| 1 << (TAG_SHIFT + i as u32))
    }

    pub const MONITORING: u32 = 1 << TAG_SHIFT;
    pub const WAF: u32 = 1 << (TAG_SHIFT + 2);
    pub const SECRETS_STORE: u32 = 1 << (TAG_SHIFT + 4);
    pub const SOURCE_CODE: u32 = 1 << (TAG_SHIFT + 5);
    pub const MANAGEMENT_ACCESS: u32 = 1 << (TAG_SHIFT + 6);
    pub const CI_CD: u32 = 1 << (TAG_SHIFT + 7);
    pub const GOVERNANCE: u32 = 1 << (TAG_SHIFT + 8);
    pub const IDENTITY_PROVIDER: u32 = 1 << (TAG_SHIFT + 9);

    use crate::model::PropertyValue;

    /// The bits a property governs and the ones its value sets, for a property some fact
    /// reads (`None` for any other).
    pub fn of_property(name: &str, v: &PropertyValue) -> Option<(u32, u32)> {
        let on = |bit: u32| (bit, if v.as_bool() == Some(true) { bit } else { 0 });
        let text = v.as_str();
        Some(match name {
            "public_endpoint" => on(PUBLIC_ENDPOINT),
            "accepts_only_front_door" => on(ACCEPTS_ONLY_FRONT_DOOR),
            "public_network_access" => on(PUBLIC_NETWORK_ACCESS),
            "private_endpoint" => on(PRIVATE_ENDPOINT),
            "is_log" => on(IS_LOG),
            "authenticates_callers" => on(AUTHENTICATES_CALLERS),
            "stores_secrets" => on(STORES_SECRETS),
            "waf_enabled" => on(WAF_ENABLED),
            "handles_sensitive_data" => on(HANDLES_SENSITIVE_DATA),
            "dependency_scanning" => on(DEPENDENCY_SCANNING),
            "admin_access" => (
                PUBLIC_ADMIN,
                if matches!(text, Some("public_ssh" | "public_rdp")) {
                    PUBLIC_ADMIN
                } else {
                    0
                },
            ),
            "role" => (
                ANONYMOUS | ADMINISTRATOR,
                match text {
                    Some("anonymous") => ANONYMOUS,
                    Some("administrator") => ADMINISTRATOR,
                    _ => 0,
                },
            ),
            "data_classification" => (
                CONFIDENTIAL,
                if matches!(text, Some("confidential" | "restricted")) {
                    CONFIDENTIAL
                } else {
                    0
                },
            ),
            _ => return None,
        })
    }

    /// Bits of a stencil: its tags and its properties' defaults.
    pub fn of_stencil(st: &crate::model::Stencil) -> u32 {
        let tags = st.tags.iter().fold(0, |bits, t| bits | tag(t).unwrap_or(0));
        super::with_values(tags, super::defaults(&st.properties), of_property)
    }
}

/// The flow properties the facts and scoring read, as bits (see [`flag`]).
mod flow_flag {
    use crate::model::PropertyValue;

    /// `data_classification` is `public`.
    pub const PUBLIC: u32 = 1 << 0;
    /// `data_classification` is `confidential` or `restricted`.
    pub const CONFIDENTIAL: u32 = 1 << 1;
    pub const CARRIES_SECRETS: u32 = 1 << 2;

    pub fn of_property(name: &str, v: &PropertyValue) -> Option<(u32, u32)> {
        Some(match name {
            "data_classification" => (
                PUBLIC | CONFIDENTIAL,
                match v.as_str() {
                    Some("public") => PUBLIC,
                    Some("confidential" | "restricted") => CONFIDENTIAL,
                    _ => 0,
                },
            ),
            "carries_secrets" => (
                CARRIES_SECRETS,
                if v.as_bool() == Some(true) {
                    CARRIES_SECRETS
                } else {
                    0
                },
            ),
            _ => return None,
        })
    }
}

/// `base` with the bits of each value that `of` knows put over it.
fn with_values<'a>(
    base: u32,
    values: impl IntoIterator<Item = (&'a String, &'a PropertyValue)>,
    of: fn(&str, &PropertyValue) -> Option<(u32, u32)>,
) -> u32 {
    values
        .into_iter()
        .fold(base, |bits, (name, v)| match of(name, v) {
            Some((mask, set)) => (bits & !mask) | set,
            None => bits,
        })
}

/// The properties' default values, by name.
fn defaults(
    props: &std::collections::BTreeMap<String, crate::model::PropertyDef>,
) -> impl Iterator<Item = (&String, &PropertyValue)> {
    props
        .iter()
        .filter_map(|(name, d)| Some((name, d.default.as_ref()?)))
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
        // Each stencil's bits once, then each element's own values over them.
        let mut of_stencil: HashMap<*const Stencil, u32> = HashMap::new();
        let flags = elements
            .iter()
            .zip(&stencils)
            .map(|(e, st): (&&Element, &Option<&Stencil>)| {
                let base = st.map_or(0, |st| {
                    *of_stencil
                        .entry(st as *const _)
                        .or_insert_with(|| flag::of_stencil(st))
                });
                with_values(base, &e.properties, flag::of_property)
            })
            .collect();
        let flow_default = with_values(
            0,
            defaults(&stencil_set.flow_properties),
            flow_flag::of_property,
        );
        let flow_flags = flows
            .iter()
            .map(|(f, _, _)| with_values(flow_default, &f.properties, flow_flag::of_property))
            .collect();
        let mut g = ModelGraph {
            elements,
            stencils,
            flags,
            flow_flags,
            flows,
            forward,
            reverse,
            graph,
            boundary_mask,
            innermost,
            stencil_set,
            reach_internet: Vec::new(),
            entry: Vec::new(),
            export: Vec::new(),
            exposed: std::cell::OnceCell::new(),
            request_adjacency: std::cell::OnceCell::new(),
            shielded: std::cell::OnceCell::new(),
            sensitive: std::cell::OnceCell::new(),
            waf: std::cell::OnceCell::new(),
            secrets: std::cell::OnceCell::new(),
        };
        g.entry = (0..g.elements.len())
            .map(|e| {
                g.in_boundary(e, BoundaryKind::Internet)
                    || (g.elements[e].kind == crate::model::ElementKind::ExternalEntity
                        && g.flagged(e, flag::ANONYMOUS))
            })
            .collect();
        g.export = (0..g.flows.len())
            .map(|f| {
                let (s, t) = g.flow_ends(f);
                g.is_sink(t)
                    || (g.elements[s].kind == crate::model::ElementKind::DataStore
                        && g.elements[t].kind == crate::model::ElementKind::DataStore)
            })
            .collect();
        g.reach_internet = g.request_reach(|_| false);
        g
    }

    /// A log or signal sink: a `monitoring` element or a store of logs (`is_log`). What flows
    /// to it is an export, not a request it acts on.
    fn is_sink(&self, e: usize) -> bool {
        self.flagged(e, flag::MONITORING | flag::IS_LOG)
    }

    /// Any of these [`flag`] bits is set for the element.
    fn flagged(&self, e: usize, bits: u32) -> bool {
        self.flags[e] & bits != 0
    }

    /// Where an attacker starts.
    pub fn is_entry(&self, e: usize) -> bool {
        self.entry[e]
    }

    /// The flow exports data rather than carrying requests.
    pub fn is_export(&self, f: usize) -> bool {
        self.export[f]
    }

    /// Elements an attacker's requests can reach from an entry point: along flows that carry
    /// requests (not exports), in both directions (a request and its response are one
    /// exchange, whichever way the arrow is drawn), passing on only through elements that
    /// forward requests without asking who sends them. An element that authenticates its
    /// callers, and an external entity, is reached but not passed.
    fn request_reach(&self, blocked: impl Fn(usize) -> bool) -> Vec<bool> {
        let n = self.elements.len();
        // The request graph as adjacency lists in one array (offsets, then neighbours).
        let (offsets, adj) = self.request_adjacency.get_or_init(|| {
            let mut degree = vec![0usize; n + 1];
            for f in 0..self.forward {
                if !self.export[f] {
                    let (s, t) = self.flow_ends(f);
                    degree[s] += 1;
                    degree[t] += 1;
                }
            }
            let mut offsets = vec![0usize; n + 1];
            for e in 0..n {
                offsets[e + 1] = offsets[e] + degree[e];
            }
            let mut fill = offsets.clone();
            let mut adj = vec![0usize; offsets[n]];
            for f in 0..self.forward {
                if !self.export[f] {
                    let (s, t) = self.flow_ends(f);
                    adj[fill[s]] = t;
                    fill[s] += 1;
                    adj[fill[t]] = s;
                    fill[t] += 1;
                }
            }
            (offsets, adj)
        });
        let passes = |e: usize| {
            self.elements[e].kind != crate::model::ElementKind::ExternalEntity
                && !self.flagged(e, flag::AUTHENTICATES_CALLERS)
        };
        let mut seen = vec![false; n];
        let mut queue: VecDeque<usize> = (0..n).filter(|&e| self.entry[e]).collect();
        for &e in &queue {
            seen[e] = true;
        }
        let starts = queue.len();
        let mut popped = 0;
        while let Some(u) = queue.pop_front() {
            popped += 1;
            if popped > starts && (!passes(u) || blocked(u)) {
                continue;
            }
            for &v in &adj[offsets[u]..offsets[u + 1]] {
                if !seen[v] {
                    seen[v] = true;
                    queue.push_back(v);
                }
            }
        }
        // An entry point is not reached by itself.
        for (e, s) in seen.iter_mut().enumerate() {
            if self.entry[e] {
                *s = false;
            }
        }
        seen
    }

    /// Exposed: not an entry point itself, and open to one: a property says it listens
    /// publicly (`public_endpoint` not locked to Front Door's header, `public_network_access`,
    /// which a private endpoint alone does not close, `admin_access` over public SSH or RDP), or a request flow comes to it from an entry point
    /// (a bidirectional flow counts both ways), whatever boundary the caller is drawn in.
    pub fn exposed(&self) -> &[bool] {
        self.exposed.get_or_init(|| self.compute_exposed())
    }

    fn compute_exposed(&self) -> Vec<bool> {
        let n = self.elements.len();
        let mut out: Vec<bool> = (0..n)
            .map(|e| {
                !self.entry[e]
                    && ((self.flagged(e, flag::PUBLIC_ENDPOINT)
                        && !self.flagged(e, flag::ACCEPTS_ONLY_FRONT_DOOR))
                        || self.flagged(e, flag::PUBLIC_NETWORK_ACCESS | flag::PUBLIC_ADMIN))
            })
            .collect();
        for (f, &(flow, s, t)) in self.flows[..self.forward].iter().enumerate() {
            if self.export[f] {
                continue;
            }
            if self.entry[s] && !self.entry[t] {
                out[t] = true;
            }
            if flow.bidirectional && self.entry[t] && !self.entry[s] {
                out[s] = true;
            }
        }
        out
    }

    /// Shielded: not exposed, and a store (not exposed means its public network access is
    /// off), or a process or entity that no attacker's request reaches
    /// and that sits inside a private boundary.
    pub fn shielded(&self) -> &[bool] {
        self.shielded.get_or_init(|| self.compute_shielded())
    }

    fn compute_shielded(&self) -> Vec<bool> {
        let exposed = self.exposed();
        (0..self.elements.len())
            .map(|e| {
                if exposed[e] || self.entry[e] {
                    return false;
                }
                match self.elements[e].kind {
                    crate::model::ElementKind::DataStore => {
                        self.flagged(e, flag::PRIVATE_ENDPOINT)
                            || !self.flagged(e, flag::PUBLIC_NETWORK_ACCESS)
                    }
                    _ => !self.reach_internet[e] && self.in_any_boundary(e, &PRIVATE_BOUNDARIES),
                }
            })
            .collect()
    }

    /// A caller that does not speak for the application's users: an administrator, an element
    /// with the `management_access` or `ci_cd` tag (operators' tools), or the control plane's
    /// own services (`governance`, `monitoring`, `identity_provider`).
    fn operator(&self, e: usize) -> bool {
        self.flagged(
            e,
            flag::ADMINISTRATOR
                | flag::MANAGEMENT_ACCESS
                | flag::CI_CD
                | flag::GOVERNANCE
                | flag::MONITORING
                | flag::IDENTITY_PROVIDER,
        )
    }

    /// Per element: the request flows that come to it from users' side: from a process or an
    /// external entity that is not an operator (a read from a store is not a request; a
    /// bidirectional flow counts both ways; exports are left out).
    pub fn inbound_requests(&self) -> Vec<u32> {
        let mut out = vec![0u32; self.elements.len()];
        let caller = |e: usize| {
            self.elements[e].kind != crate::model::ElementKind::DataStore && !self.operator(e)
        };
        for (f, &(flow, s, t)) in self.flows[..self.forward].iter().enumerate() {
            if self.export[f] {
                continue;
            }
            if caller(s) {
                out[t] += 1;
            }
            if flow.bidirectional && caller(t) {
                out[s] += 1;
            }
        }
        out
    }

    /// Per element: it handles nothing sensitive, and every request flow to it carries only
    /// `public` data (a public catalog, static files): nobody's identity is worth stealing
    /// there.
    pub fn serves_public_data_only(&self) -> Vec<bool> {
        let n = self.elements.len();
        let mut public = vec![true; n];
        let mut any = vec![false; n];
        for (f, &(flow, s, t)) in self.flows[..self.forward].iter().enumerate() {
            if self.export[f] {
                continue;
            }
            let is_public = self.flow_flags[f] & (flow_flag::PUBLIC | flow_flag::CARRIES_SECRETS)
                == flow_flag::PUBLIC;
            for (to, from) in
                [(t, s), (s, t)]
                    .into_iter()
                    .take(if flow.bidirectional { 2 } else { 1 })
            {
                if self.elements[from].kind != crate::model::ElementKind::DataStore {
                    any[to] = true;
                    public[to] &= is_public;
                }
            }
        }
        let sensitive = self.sensitive_elements();
        (0..n)
            .map(|e| any[e] && public[e] && !sensitive[e])
            .collect()
    }

    /// Per element: a path of flows leads to it from a `source_code` element whose
    /// `dependency_scanning` is on: what it runs was built from scanned dependencies.
    pub fn built_from_scanned_source(&self) -> Vec<bool> {
        self.reachable_from(|e| {
            self.flags[e] & (flag::SOURCE_CODE | flag::DEPENDENCY_SCANNING)
                == flag::SOURCE_CODE | flag::DEPENDENCY_SCANNING
        })
    }

    /// Distinct elements that send requests to it (export flows left out; a bidirectional
    /// flow counts both ways).
    pub fn callers(&self) -> Vec<u32> {
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for (f, &(flow, s, t)) in self.flows[..self.forward].iter().enumerate() {
            if self.export[f] {
                continue;
            }
            pairs.push((t, s));
            if flow.bidirectional {
                pairs.push((s, t));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut out = vec![0u32; self.elements.len()];
        for (t, _) in pairs {
            out[t] += 1;
        }
        out
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
        match flag::tag(tag) {
            Some(bit) => self.flagged(e, bit),
            None => self.stencils[e].is_some_and(|s| s.has_tag(tag)),
        }
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

    pub fn bool_property(&self, e: usize, name: &str) -> bool {
        self.property(e, name).and_then(|v| v.as_bool()) == Some(true)
    }

    pub fn is_waf(&self, e: usize) -> bool {
        self.flagged(e, flag::WAF | flag::WAF_ENABLED)
    }

    pub fn holds_secrets(&self, e: usize) -> bool {
        self.flagged(e, flag::SECRETS_STORE | flag::STORES_SECRETS)
    }

    /// [`sensitive`](Self::sensitive) of every element, computed once (facts and scoring both
    /// read it).
    pub fn sensitive_elements(&self) -> &[bool] {
        self.sensitive.get_or_init(|| {
            (0..self.elements.len())
                .map(|e| self.sensitive(e))
                .collect()
        })
    }

    /// [`is_waf`](Self::is_waf) of every element, computed once (two facts read it, on every
    /// element their searches pass).
    pub fn waf_elements(&self) -> &[bool] {
        self.waf
            .get_or_init(|| (0..self.elements.len()).map(|e| self.is_waf(e)).collect())
    }

    /// [`holds_secrets`](Self::holds_secrets) of every element, computed once.
    pub fn secret_holders(&self) -> &[bool] {
        self.secrets.get_or_init(|| {
            (0..self.elements.len())
                .map(|e| self.holds_secrets(e))
                .collect()
        })
    }

    pub fn sensitive(&self, e: usize) -> bool {
        self.secret_holders()[e]
            || self.flagged(e, flag::CONFIDENTIAL | flag::HANDLES_SENSITIVE_DATA)
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
        self.flow_flags[f] & (flow_flag::CARRIES_SECRETS | flow_flag::CONFIDENTIAL) != 0
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

    /// Reachable by an attacker's requests, and not reachable once the `guard` elements stop
    /// passing them on: every way in passes a guard first. A guard counts as behind itself (a
    /// WAF filters what reaches it).
    pub fn behind(&self, guard: impl Fn(usize) -> bool) -> Vec<bool> {
        let around = self.request_reach(&guard);
        (0..self.elements.len())
            .map(|e| self.reach_internet[e] && (guard(e) || !around[e]))
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

#[cfg(test)]
mod tests {
    use super::flag;

    #[test]
    fn each_tag_constant_is_the_bit_of_its_tag() {
        for (name, bit) in [
            ("monitoring", flag::MONITORING),
            ("waf", flag::WAF),
            ("secrets_store", flag::SECRETS_STORE),
            ("source_code", flag::SOURCE_CODE),
            ("management_access", flag::MANAGEMENT_ACCESS),
            ("ci_cd", flag::CI_CD),
            ("governance", flag::GOVERNANCE),
            ("identity_provider", flag::IDENTITY_PROVIDER),
        ] {
            assert_eq!(flag::tag(name), Some(bit), "{name}");
        }
        assert_eq!(flag::tag("sql"), None);
        // The last tag's bit stays clear of the property bits and inside the word.
        let last = flag::tag("identity_provider").unwrap();
        assert!(last > flag::DEPENDENCY_SCANNING);
    }
}
