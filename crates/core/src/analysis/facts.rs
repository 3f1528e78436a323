//! The table of graph facts that rule conditions may use, and how each one is computed.
//!
//! A fact is a named column over a model's elements (or flows), computed once per model from
//! the [`ModelGraph`] before any rule runs. Adding a fact means adding one [`FactDef`] row
//! here: the condition language's type checker, the catalog reference and the analysis all read
//! this table. Facts with arguments (`in_boundary('internet')`) get one column per distinct
//! argument list used by the catalog, so evaluation never looks at a string.

use crate::model::BoundaryKind;

use super::graph::ModelGraph;
use super::value::Value;

/// What a fact is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactOn {
    Element,
    Flow,
}

/// The type of a fact argument. Arguments are literals checked when the catalog loads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// A trust-boundary kind such as `'internet'`.
    BoundaryKind,
    /// A stencil tag such as `'waf'`.
    Tag,
}

/// The type a fact yields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactType {
    Bool,
    Number,
}

/// A checked fact argument.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FactArg {
    Boundary(BoundaryKind),
    Tag(String),
}

/// One graph fact.
pub struct FactDef {
    pub name: &'static str,
    pub on: FactOn,
    pub args: &'static [ArgKind],
    pub result: FactType,
    /// One sentence for the catalog reference.
    pub doc: &'static str,
    /// Computes the column: one value per element (or per flow) of the graph, in graph order.
    pub compute: fn(&ModelGraph<'_>, &[FactArg]) -> Vec<Value>,
}

/// Every graph fact. Keep the list sorted by subject, then by name, for the reference.
pub static FACTS: &[FactDef] = &[
    FactDef {
        name: "in_boundary",
        on: FactOn::Element,
        args: &[ArgKind::BoundaryKind],
        result: FactType::Bool,
        doc: "inside a boundary of that kind, at any depth",
        compute: |g, a| match a {
            [FactArg::Boundary(k)] => bools(g.element_count(), |e| g.in_boundary(e, *k)),
            _ => Vec::new(),
        },
    },
    FactDef {
        name: "has_tag",
        on: FactOn::Element,
        args: &[ArgKind::Tag],
        result: FactType::Bool,
        doc: "its stencil has the tag",
        compute: |g, a| match a {
            [FactArg::Tag(t)] => bools(g.element_count(), |e| g.has_tag(e, t)),
            _ => Vec::new(),
        },
    },
    FactDef {
        name: "internet_facing",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "a flow from an element inside an `internet` boundary reaches it directly",
        compute: |g, _| bools_from(g.internet_facing()),
    },
    FactDef {
        name: "reachable_from_internet",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "an attacker's requests reach it from an entry point (inside an `internet` boundary, or an anonymous external entity): along flows that carry requests (not log, diagnostic or store-to-store exports), in either direction, passing only through processes that do not authenticate their callers",
        compute: |g, _| bools_from(g.reachable_from_internet().to_vec()),
    },
    FactDef {
        name: "exposed",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "open to the internet whatever boundary its callers are drawn in: `public_endpoint` (unless `accepts_only_front_door`), `public_network_access` (a private endpoint alone does not close it), `admin_access` over public SSH or RDP, or a request flow from an entry point",
        compute: |g, _| bools_from(g.exposed().to_vec()),
    },
    FactDef {
        name: "inbound_requests",
        on: FactOn::Element,
        args: &[],
        result: FactType::Number,
        doc: "request flows that come to it from the users' side: from a process or an external entity that is not an administrator, an operators' tool (`management_access`, `ci_cd`) or a control-plane service (`governance`, `monitoring`, `identity_provider`) (a read from a store is not a request; exports are left out; a bidirectional flow counts both ways)",
        compute: |g, _| {
            g.inbound_requests()
                .into_iter()
                .map(|n| Value::Num(f64::from(n)))
                .collect()
        },
    },
    FactDef {
        name: "serves_public_data_only",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "it is not sensitive, and every request flow to it carries only `public` data and no secrets",
        compute: |g, _| bools_from(g.serves_public_data_only()),
    },
    FactDef {
        name: "built_from_scanned_source",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "a path of flows leads to it from a `source_code` element whose `dependency_scanning` is on",
        compute: |g, _| bools_from(g.built_from_scanned_source()),
    },
    FactDef {
        name: "shielded",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "not exposed, and a store (so public network access is off), or a process or entity that no attacker's request reaches, inside a private boundary",
        compute: |g, _| bools_from(g.shielded().to_vec()),
    },
    FactDef {
        name: "reachable_from_internet_via",
        on: FactOn::Element,
        args: &[ArgKind::Tag],
        result: FactType::Bool,
        doc: "some path of flows from the internet reaches it through an element with that tag",
        compute: |g, a| match a {
            [FactArg::Tag(t)] => {
                let from_internet = g.reachable_from_internet();
                bools_from(g.reachable_from(|e| from_internet[e] && g.has_tag(e, t)))
            }
            _ => Vec::new(),
        },
    },
    FactDef {
        name: "behind_waf",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "reachable from the internet, and every way in passes a WAF (a `waf` tag, or `waf_enabled = true`) first; a WAF counts as behind itself",
        compute: |g, _| bools_from(g.behind(|e| g.is_waf(e))),
    },
    FactDef {
        name: "behind_gateway",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "reachable from the internet, and every way in passes a `gateway` or WAF element first",
        compute: |g, _| bools_from(g.behind(|e| g.is_waf(e) || g.has_tag(e, "gateway"))),
    },
    FactDef {
        name: "behind_ddos_protection",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "reachable from the internet, and every way in passes a `ddos_protection` element first",
        compute: |g, _| bools_from(g.behind(|e| g.has_tag(e, "ddos_protection"))),
    },
    FactDef {
        name: "holds_secrets",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "its stencil has the `secrets_store` tag, or `stores_secrets` is true",
        compute: |g, _| bools(g.element_count(), |e| g.holds_secrets(e)),
    },
    FactDef {
        name: "sensitive",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "holds secrets, or `data_classification` is `confidential` or `restricted`, or `handles_sensitive_data` is true",
        compute: |g, _| bools(g.element_count(), |e| g.sensitive(e)),
    },
    FactDef {
        name: "inbound",
        on: FactOn::Element,
        args: &[],
        result: FactType::Number,
        doc: "the number of flows into it (a bidirectional flow counts both ways)",
        compute: |g, _| g.degrees(true),
    },
    FactDef {
        name: "outbound",
        on: FactOn::Element,
        args: &[],
        result: FactType::Number,
        doc: "the number of flows out of it (a bidirectional flow counts both ways)",
        compute: |g, _| g.degrees(false),
    },
    FactDef {
        name: "reads_from_tag",
        on: FactOn::Element,
        args: &[ArgKind::Tag],
        result: FactType::Bool,
        doc: "a flow comes to it from an element with that tag",
        compute: |g, a| match a {
            [FactArg::Tag(t)] => bools_from(g.neighbour_with_tag(t, true)),
            _ => Vec::new(),
        },
    },
    FactDef {
        name: "writes_to_tag",
        on: FactOn::Element,
        args: &[ArgKind::Tag],
        result: FactType::Bool,
        doc: "a flow goes from it to an element with that tag",
        compute: |g, a| match a {
            [FactArg::Tag(t)] => bools_from(g.neighbour_with_tag(t, false)),
            _ => Vec::new(),
        },
    },
    FactDef {
        name: "reachable_from_tag",
        on: FactOn::Element,
        args: &[ArgKind::Tag],
        result: FactType::Bool,
        doc: "a path of flows leads to it from an element with that tag",
        compute: |g, a| match a {
            [FactArg::Tag(t)] => bools_from(g.reachable_from(|e| g.has_tag(e, t))),
            _ => Vec::new(),
        },
    },
    FactDef {
        name: "services",
        on: FactOn::Element,
        args: &[],
        result: FactType::Number,
        doc: "in an application model, how many services draw it (its origins); 0 in a service model",
        compute: |g, _| {
            (0..g.element_count())
                .map(|e| Value::Num(g.elements[e].origins.len() as f64))
                .collect()
        },
    },
    FactDef {
        name: "unauthenticated_cross_service_path",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "a path from the internet reaches it through flows that all authenticate nobody, and the path passes from one service to another",
        compute: |g, _| bools_from(app::unauthenticated_cross_service_path(g)),
    },
    FactDef {
        name: "written_by_internet_service_read_unvalidated",
        on: FactOn::Element,
        args: &[],
        result: FactType::Bool,
        doc: "a process reachable from the internet writes to it, and a process of another service that does not validate its input reads from it",
        compute: |g, _| bools_from(app::written_by_internet_read_unvalidated(g)),
    },
    FactDef {
        name: "crosses",
        on: FactOn::Flow,
        args: &[ArgKind::BoundaryKind],
        result: FactType::Bool,
        doc: "one end is inside a boundary of that kind and the other is not",
        compute: |g, a| match a {
            [FactArg::Boundary(k)] => bools(g.flow_count(), |f| {
                let (s, t) = g.flow_ends(f);
                g.in_boundary(s, *k) != g.in_boundary(t, *k)
            }),
            _ => Vec::new(),
        },
    },
    FactDef {
        name: "crosses_boundary",
        on: FactOn::Flow,
        args: &[],
        result: FactType::Bool,
        doc: "its ends sit in different boundaries",
        compute: |g, _| {
            bools(g.flow_count(), |f| {
                let (s, t) = g.flow_ends(f);
                g.innermost(s) != g.innermost(t)
            })
        },
    },
    FactDef {
        name: "cross_service",
        on: FactOn::Flow,
        args: &[],
        result: FactType::Bool,
        doc: "in an application model, its ends come from different services (no common origin)",
        compute: |g, _| {
            bools(g.flow_count(), |f| {
                let (s, t) = g.flow_ends(f);
                app::different_services(g, s, t)
            })
        },
    },
    FactDef {
        name: "from_internet",
        on: FactOn::Flow,
        args: &[],
        result: FactType::Bool,
        doc: "its source is inside an `internet` boundary",
        compute: |g, _| {
            bools(g.flow_count(), |f| {
                g.in_boundary(g.flow_ends(f).0, BoundaryKind::Internet)
            })
        },
    },
];

/// Facts that only mean something in consolidated application models: service models leave
/// their columns empty (every value `Missing`), since only application rules read them.
pub const APPLICATION_FACTS: &[&str] = &[
    "unauthenticated_cross_service_path",
    "written_by_internet_service_read_unvalidated",
    "cross_service",
];

/// Element properties that facts and scoring read by name (conditions read the others). The
/// catalog check counts them as read.
pub const PROPERTIES_READ_BY_FACTS: &[&str] = &[
    "role",
    "waf_enabled",
    "stores_secrets",
    "data_classification",
    "handles_sensitive_data",
    "authenticates_callers",
    "public_endpoint",
    "public_network_access",
    "private_endpoint",
    "admin_access",
    "accepts_only_front_door",
    "dependency_scanning",
    "is_log",
    "validates_input",
];

/// Flow properties that facts and scoring read by name.
pub const FLOW_PROPERTIES_READ_BY_FACTS: &[&str] =
    &["authentication", "carries_secrets", "data_classification"];

/// The fact called `name` about `on`.
pub fn lookup(name: &str, on: FactOn) -> Option<&'static FactDef> {
    FACTS.iter().find(|f| f.name == name && f.on == on)
}

/// The index of a fact in [`FACTS`].
pub fn index_of(def: &FactDef) -> usize {
    FACTS.iter().position(|f| std::ptr::eq(f, def)).unwrap_or(0)
}

fn bools(n: usize, f: impl Fn(usize) -> bool) -> Vec<Value> {
    (0..n).map(|i| Value::Bool(f(i))).collect()
}

fn bools_from(v: Vec<bool>) -> Vec<Value> {
    v.into_iter().map(Value::Bool).collect()
}

/// Facts that only mean something in consolidated application models, where elements carry the
/// services they came from.
mod app {
    use std::collections::VecDeque;

    use super::ModelGraph;
    use crate::model::PropertyValue;

    /// Both ends have origins and they share none.
    pub fn different_services(g: &ModelGraph<'_>, s: usize, t: usize) -> bool {
        let (a, b) = (&g.elements[s].origins, &g.elements[t].origins);
        !a.is_empty() && !b.is_empty() && !a.iter().any(|o| b.contains(o))
    }

    /// The flow's sender proves no identity (`authentication` is `none`).
    fn unauthenticated(g: &ModelGraph<'_>, f: usize) -> bool {
        g.flow_property(f, "authentication")
            .and_then(PropertyValue::as_str)
            .is_none_or(|a| a == "none")
    }

    /// Breadth-first search over (element, crossed a service yet) from the internet entries,
    /// along unauthenticated flows only.
    pub fn unauthenticated_cross_service_path(g: &ModelGraph<'_>) -> Vec<bool> {
        let n = g.element_count();
        let mut out_flows: Vec<Vec<usize>> = vec![Vec::new(); n];
        for f in 0..g.flow_count() {
            if unauthenticated(g, f) {
                out_flows[g.flow_ends(f).0].push(f);
            }
        }
        let mut seen = vec![[false; 2]; n];
        let mut queue = VecDeque::new();
        for (e, s) in seen.iter_mut().enumerate() {
            if g.in_boundary(e, crate::model::BoundaryKind::Internet) {
                s[0] = true;
                queue.push_back((e, 0usize));
            }
        }
        while let Some((u, crossed)) = queue.pop_front() {
            for &f in &out_flows[u] {
                let (_, v) = g.flow_ends(f);
                let c = usize::from(crossed == 1 || different_services(g, u, v));
                if !seen[v][c] {
                    seen[v][c] = true;
                    queue.push_back((v, c));
                }
            }
        }
        seen.iter().map(|s| s[1]).collect()
    }

    pub fn written_by_internet_read_unvalidated(g: &ModelGraph<'_>) -> Vec<bool> {
        let reach = g.reachable_from_internet();
        let n = g.element_count();
        let mut writers: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut readers: Vec<Vec<usize>> = vec![Vec::new(); n];
        for f in 0..g.flow_count() {
            let (s, t) = g.flow_ends(f);
            writers[t].push(s);
            readers[s].push(t);
        }
        let is_process = |e: usize| g.elements[e].kind == crate::model::ElementKind::Process;
        (0..n)
            .map(|store| {
                writers[store].iter().any(|&w| {
                    is_process(w)
                        && reach[w]
                        && readers[store].iter().any(|&r| {
                            is_process(r)
                                && r != w
                                && different_services(g, w, r)
                                && g.property(r, "validates_input")
                                    != Some(&PropertyValue::Bool(true))
                        })
                })
            })
            .collect()
    }
}
