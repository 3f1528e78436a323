//! How each graph fact of [`crate::condition::facts::FACTS`] is computed from the
//! [`ModelGraph`].
//!
//! [`COMPUTE`] has one entry per row of `FACTS`, in the same order (a test checks it): adding a
//! fact means a row there (its name, arguments and type, which the type checker and the catalog
//! reference read) and its computation here.

use crate::condition::Value;
use crate::condition::facts::FactArg;
use crate::model::BoundaryKind;

use super::graph::ModelGraph;

/// How one fact is computed.
pub struct FactImpl {
    /// The name of the fact in `FACTS`, at the same position.
    pub name: &'static str,
    /// Computes the column: one value per element (or per flow) of the graph, in graph order.
    pub compute: fn(&ModelGraph<'_>, &[FactArg]) -> Vec<Value>,
}

/// The computation of every fact, in the order of `FACTS`.
pub static COMPUTE: &[FactImpl] = &[
    FactImpl {
        name: "in_boundary",
        compute: |g, a| match a {
            [FactArg::Boundary(k)] => bools(g.element_count(), |e| g.in_boundary(e, *k)),
            _ => Vec::new(),
        },
    },
    FactImpl {
        name: "has_tag",
        compute: |g, a| match a {
            [FactArg::Tag(t)] => bools(g.element_count(), |e| g.has_tag(e, t)),
            _ => Vec::new(),
        },
    },
    FactImpl {
        name: "internet_facing",
        compute: |g, _| bools_from(g.internet_facing()),
    },
    FactImpl {
        name: "reachable_from_internet",
        compute: |g, _| bools_from(g.reachable_from_internet().to_vec()),
    },
    FactImpl {
        name: "exposed",
        compute: |g, _| bools_from(g.exposed().to_vec()),
    },
    FactImpl {
        name: "inbound_requests",
        compute: |g, _| {
            g.inbound_requests()
                .into_iter()
                .map(|n| Value::Num(f64::from(n)))
                .collect()
        },
    },
    FactImpl {
        name: "serves_public_data_only",
        compute: |g, _| bools_from(g.serves_public_data_only()),
    },
    FactImpl {
        name: "built_from_scanned_source",
        compute: |g, _| bools_from(g.built_from_scanned_source()),
    },
    FactImpl {
        name: "shielded",
        compute: |g, _| bools_from(g.shielded().to_vec()),
    },
    FactImpl {
        name: "reachable_from_internet_via",
        compute: |g, a| match a {
            [FactArg::Tag(t)] => {
                let from_internet = g.reachable_from_internet();
                bools_from(g.reachable_from(|e| from_internet[e] && g.has_tag(e, t)))
            }
            _ => Vec::new(),
        },
    },
    FactImpl {
        name: "behind_waf",
        compute: |g, _| {
            let waf = g.waf_elements();
            bools_from(g.behind(|e| waf[e]))
        },
    },
    FactImpl {
        name: "behind_gateway",
        compute: |g, _| {
            let waf = g.waf_elements();
            bools_from(g.behind(|e| waf[e] || g.has_tag(e, "gateway")))
        },
    },
    FactImpl {
        name: "behind_ddos_protection",
        compute: |g, _| bools_from(g.behind(|e| g.has_tag(e, "ddos_protection"))),
    },
    FactImpl {
        name: "holds_secrets",
        compute: |g, _| bools_from(g.secret_holders().to_vec()),
    },
    FactImpl {
        name: "sensitive",
        compute: |g, _| bools_from(g.sensitive_elements().to_vec()),
    },
    FactImpl {
        name: "inbound",
        compute: |g, _| g.degrees(true),
    },
    FactImpl {
        name: "outbound",
        compute: |g, _| g.degrees(false),
    },
    FactImpl {
        name: "reads_from_tag",
        compute: |g, a| match a {
            [FactArg::Tag(t)] => bools_from(g.neighbour_with_tag(t, true)),
            _ => Vec::new(),
        },
    },
    FactImpl {
        name: "writes_to_tag",
        compute: |g, a| match a {
            [FactArg::Tag(t)] => bools_from(g.neighbour_with_tag(t, false)),
            _ => Vec::new(),
        },
    },
    FactImpl {
        name: "reachable_from_tag",
        compute: |g, a| match a {
            [FactArg::Tag(t)] => bools_from(g.reachable_from(|e| g.has_tag(e, t))),
            _ => Vec::new(),
        },
    },
    FactImpl {
        name: "services",
        compute: |g, _| {
            (0..g.element_count())
                .map(|e| Value::Num(g.elements[e].origins.len() as f64))
                .collect()
        },
    },
    FactImpl {
        name: "unauthenticated_cross_service_path",
        compute: |g, _| bools_from(app::unauthenticated_cross_service_path(g)),
    },
    FactImpl {
        name: "written_by_internet_service_read_unvalidated",
        compute: |g, _| bools_from(app::written_by_internet_read_unvalidated(g)),
    },
    FactImpl {
        name: "crosses",
        compute: |g, a| match a {
            [FactArg::Boundary(k)] => bools(g.flow_count(), |f| {
                let (s, t) = g.flow_ends(f);
                g.in_boundary(s, *k) != g.in_boundary(t, *k)
            }),
            _ => Vec::new(),
        },
    },
    FactImpl {
        name: "crosses_boundary",
        compute: |g, _| {
            bools(g.flow_count(), |f| {
                let (s, t) = g.flow_ends(f);
                g.innermost(s) != g.innermost(t)
            })
        },
    },
    FactImpl {
        name: "cross_service",
        compute: |g, _| {
            bools(g.flow_count(), |f| {
                let (s, t) = g.flow_ends(f);
                app::different_services(g, s, t)
            })
        },
    },
    FactImpl {
        name: "from_internet",
        compute: |g, _| {
            bools(g.flow_count(), |f| {
                g.in_boundary(g.flow_ends(f).0, BoundaryKind::Internet)
            })
        },
    },
];

/// The column of the fact at `index` in `FACTS`, for these arguments.
pub fn column(index: usize, g: &ModelGraph<'_>, args: &[FactArg]) -> Vec<Value> {
    (COMPUTE[index].compute)(g, args)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::facts::FACTS;

    #[test]
    fn every_fact_is_computed_in_the_order_of_the_table() {
        let declared: Vec<&str> = FACTS.iter().map(|f| f.name).collect();
        let computed: Vec<&str> = COMPUTE.iter().map(|f| f.name).collect();
        assert_eq!(declared, computed);
    }
}
