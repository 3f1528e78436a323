//! Threat analysis: `(&ServiceModel, &Catalog) -> Analysis`, pure and deterministic.
//!
//! The model is turned into a petgraph graph once ([`graph`]); every graph fact and property a
//! catalog's conditions use is laid out in flat tables once (elements, and flows, with the same
//! values share a row); then every rule runs against every applicable element or flow, and the
//! parts of its condition that read only one row are evaluated once per row (`Plan`).
//! Out-of-scope elements and flows (and flows touching an out-of-scope element) get no threats. Threats are sorted by their stable key. Severity comes
//! from the rule's likelihood and impact adjusted by context ([`scoring`], `docs/scoring.md`).
//! The model's hand-written threats ([`ManualThreat`](crate::model::ManualThreat)) join the
//! catalog's, keyed `MANUAL-<id>@<target>`, with the severity of their likelihood and impact.

pub mod examples;
pub mod facts;
pub mod graph;
pub mod scoring;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::{Catalog, InPlaceOn, Rating, Rule, RuleScope, RuleTarget, Source};
use crate::condition::{Env, Expr, Field, LocalSymbols, Subject, Value};
use crate::model::{
    ElementId, ElementKind, ModelKind, ModelObject, PropertyValue, ServiceModel, Severity, Stride,
    ThreatKey, ThreatTarget, TriageDecision, TriageStatus,
};
use graph::ModelGraph;

pub use crate::catalog::MitigationRef;

/// The threats of one model and their counts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Analysis {
    pub threats: Vec<Threat>,
    pub summary: Summary,
}

/// One suggested threat.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Threat {
    /// Stable across re-analysis: `RULE@ELEMENT` or `RULE@SOURCE@FLOW@TARGET`.
    pub key: ThreatKey,
    /// The id of the rule that found it.
    pub rule: Arc<str>,
    pub stride: Stride,
    pub title: String,
    pub description: String,
    /// From likelihood and impact (see `docs/scoring.md`), or the triage override.
    pub severity: Severity,
    /// The rule's likelihood adjusted by context.
    pub likelihood: Rating,
    /// The rule's impact adjusted by context.
    pub impact: Rating,
    /// What the threat is about.
    pub target: Target,
    /// For flow threats: the flow's source and target elements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<Box<FlowEnds>>,
    /// Shared with the rule.
    pub mitigations: Arc<[MitigationRef]>,
    pub source: Source,
    /// Shared with the rule: every threat of a rule points at the same list.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub cwe: Arc<[u32]>,
    #[serde(default, skip_serializing_if = "is_empty")]
    pub capec: Arc<[u32]>,
    /// The triage status; `None` until [`apply_triage`] fills it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TriageStatus>,
    /// Set when a triage decision overrides the computed severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_override: Option<Severity>,
    /// In application models: the services the element or flow came from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<String>,
    /// Found by an application-level rule.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub app_level: bool,
    /// The ids of mitigations the model already has in place (they lowered the likelihood by
    /// one step); not to be recommended again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub in_place: Vec<Arc<str>>,
    /// Other rules with the same cause that fired on the same element, merged into this threat
    /// (their mitigations are in `mitigations`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Arc<str>>,
}

impl Threat {
    /// Whether a person wrote it (or an importer took it from another tool's model), rather
    /// than a rule of the catalog.
    pub fn is_manual(&self) -> bool {
        self.key.is_manual()
    }
}

fn is_empty(v: &Arc<[u32]>) -> bool {
    v.is_empty()
}

/// What kind of model object a threat is about.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum TargetKind {
    ExternalEntity,
    Process,
    DataStore,
    Flow,
    /// A trust boundary (only hand-written threats are about one).
    Boundary,
    /// The whole model (only hand-written threats are about it).
    Model,
}

impl TargetKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            TargetKind::ExternalEntity => "external_entity",
            TargetKind::Process => "process",
            TargetKind::DataStore => "data_store",
            TargetKind::Flow => "flow",
            TargetKind::Boundary => "boundary",
            TargetKind::Model => "model",
        }
    }
}

impl From<ElementKind> for TargetKind {
    fn from(k: ElementKind) -> Self {
        match k {
            ElementKind::ExternalEntity => TargetKind::ExternalEntity,
            ElementKind::Process => TargetKind::Process,
            ElementKind::DataStore => TargetKind::DataStore,
        }
    }
}

/// The element or flow a threat is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Target {
    pub kind: TargetKind,
    pub id: Uuid,
    /// Shared by every threat on the same element or flow.
    pub name: Arc<str>,
}

impl Target {
    /// The element or flow a threat key names (`RULE@ELEMENT`, `RULE@SOURCE@FLOW@TARGET`) as it
    /// stands in `model`, for a threat that no longer fires; `None` when it is gone.
    pub fn of_key(model: &ServiceModel, key: &ThreatKey) -> Option<Target> {
        let object = model.object_of_key(key)?;
        Some(Target {
            kind: match object {
                ModelObject::Flow(_) => TargetKind::Flow,
                ModelObject::Element(e) => e.kind.into(),
            },
            id: object.id(),
            name: object.name().into(),
        })
    }
}

/// The two ends of a flow, in the direction the rule saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FlowEnds {
    pub source: Target,
    pub target: Target,
}

/// Counts of threats.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Summary {
    pub total: usize,
    /// Every STRIDE category, zero included.
    pub by_stride: BTreeMap<Stride, usize>,
    /// Every severity, zero included.
    pub by_severity: BTreeMap<Severity, usize>,
}

impl Summary {
    pub fn of<'a>(threats: impl IntoIterator<Item = &'a Threat>) -> Self {
        // Counted in arrays by position in `ALL`, then put in the maps: a large model has tens
        // of thousands of threats.
        let mut strides = [0usize; Stride::ALL.len()];
        let mut severities = [0usize; Severity::ALL.len()];
        let mut total = 0;
        for t in threats {
            total += 1;
            strides[position(&Stride::ALL, t.stride)] += 1;
            severities[position(&Severity::ALL, t.severity)] += 1;
        }
        Summary {
            total,
            by_stride: Stride::ALL.into_iter().zip(strides).collect(),
            by_severity: Severity::ALL.into_iter().zip(severities).collect(),
        }
    }
}

/// Where `x` stands in `all`.
fn position<T: PartialEq>(all: &[T], x: T) -> usize {
    all.iter().position(|y| *y == x).unwrap_or(0)
}

/// Runs every rule of the catalog on the model.
pub fn analyze(model: &ServiceModel, catalog: &Catalog) -> Analysis {
    analyze_rules(model, catalog, None)
}

/// Runs one rule (by index in `catalog.rules`), or all of them. Rule examples use this.
pub fn analyze_rules(model: &ServiceModel, catalog: &Catalog, only: Option<usize>) -> Analysis {
    let g = ModelGraph::new(model, &catalog.stencils);
    let tables = Tables::build(&g, catalog, model.kind == ModelKind::Application);
    let scores = scoring::Context::new(&g);
    let app = model.kind == ModelKind::Application;

    // Threats come out in key order without a sort: rules in the order of their `RULE@` key
    // prefix, then elements by id (a UUID's hyphenated hex sorts like its bytes), or flows by
    // (source, flow, target). Only a bidirectional flow that fires in reverse can break the
    // order, and then just that rule's threats are sorted.
    let mut rules: Vec<(String, usize, &Rule)> = catalog
        .rules
        .iter()
        .enumerate()
        .filter(|(i, r)| only.is_none_or(|o| o == *i) && (app || r.scope == RuleScope::Service))
        .map(|(i, r)| (format!("{}@", r.id), i, r))
        .collect();
    rules.sort_by(|a, b| a.0.cmp(&b.0));
    let kinds: Vec<ElementKind> = g.elements.iter().map(|e| e.kind).collect();
    // ModelGraph keeps elements sorted by id and flows by (source, flow, target).
    let elements: Vec<usize> = (0..g.element_count())
        .filter(|&e| !g.elements[e].out_of_scope && tables.stencil_index[e].is_some())
        .collect();
    let flows: Vec<usize> = (0..g.forward_flows())
        .filter(|&f| {
            let (flow, s, t) = g.flows[f];
            !flow.out_of_scope && !g.elements[s].out_of_scope && !g.elements[t].out_of_scope
        })
        .collect();

    // Names shared by every threat on the same element or flow.
    let names: Vec<Arc<str>> = g
        .elements
        .iter()
        .map(|e| Arc::from(e.name.as_str()))
        .collect();
    let flow_names: Vec<Arc<str>> = g.flows[..g.forward_flows()]
        .iter()
        .map(|(f, _, _)| Arc::from(f.name.as_str()))
        .collect();
    // Most objects get a few threats; reserving avoids copying a large vector while it grows.
    let estimate = 4 * (elements.len() + flows.len());
    let mut threats = Vec::with_capacity(estimate);
    let mut meta: Vec<Meta> = Vec::with_capacity(estimate);
    for (_, rule_index, rule) in rules {
        let start = threats.len();
        match rule.target {
            RuleTarget::Element(kind) => {
                let Some(mask) = rule.element_mask.as_ref() else {
                    continue;
                };
                let mut plan = Plan::new(&rule.cond, &tables);
                for &e in &elements {
                    // Only the dense per-element arrays until the rule fires: the element
                    // itself lives elsewhere in memory.
                    let st = tables.stencil_index[e].unwrap_or(0);
                    if kind.is_some_and(|k| k != kinds[e]) || !mask[st] {
                        continue;
                    }
                    let env = Ctx {
                        t: &tables,
                        a: e,
                        b: e,
                        f: 0,
                    };
                    let row = tables.erow[e] as usize;
                    if !plan.holds(&env, [row, row, 0]) {
                        continue;
                    }
                    let el = g.elements[e];
                    let (mut likelihood, impact) = scores.element(e, rule);
                    let in_place = controls_in_place(rule, &tables, e, e, None);
                    if in_place != 0 {
                        likelihood = scoring::lowered(likelihood);
                    }
                    meta.push(Meta {
                        rule: rule_index as u32,
                        anchor: e as u32,
                        flow: u32::MAX,
                    });
                    threats.push(make_threat(
                        rule,
                        ThreatKey::for_element(&rule.id, el.id),
                        Target {
                            kind: el.kind.into(),
                            id: el.id.0,
                            name: names[e].clone(),
                        },
                        None,
                        [&el.name, "", "", ""],
                        likelihood,
                        impact,
                        in_place,
                        el.origins.clone(),
                    ));
                }
            }
            RuleTarget::Flow => {
                let (Some(smask), Some(tmask)) = (&rule.source_mask, &rule.target_mask) else {
                    continue;
                };
                let mut reversed = false;
                let mut plan = Plan::new(&rule.cond, &tables);
                for &f in &flows {
                    let flow = g.flows[f].0;
                    let mut fired = None;
                    for oriented in std::iter::once(f).chain(g.reverse_of(f)) {
                        let (s, t) = g.flow_ends(oriented);
                        let (Some(ss), Some(ts)) =
                            (tables.stencil_index[s], tables.stencil_index[t])
                        else {
                            continue;
                        };
                        if !smask[ss] || !tmask[ts] {
                            continue;
                        }
                        let env = Ctx {
                            t: &tables,
                            a: s,
                            b: t,
                            f: oriented,
                        };
                        let rows = [
                            tables.erow[s] as usize,
                            tables.erow[t] as usize,
                            tables.frow[oriented] as usize,
                        ];
                        if plan.holds(&env, rows) {
                            fired = Some((oriented, s, t));
                            break;
                        }
                    }
                    let Some((oriented, s, t)) = fired else {
                        continue;
                    };
                    reversed |= oriented != f;
                    let (se, te) = (g.elements[s], g.elements[t]);
                    let (mut likelihood, impact) = scores.flow(oriented, rule);
                    let in_place = controls_in_place(rule, &tables, s, t, Some(oriented));
                    if in_place != 0 {
                        likelihood = scoring::lowered(likelihood);
                    }
                    meta.push(Meta {
                        rule: rule_index as u32,
                        anchor: t as u32,
                        flow: f as u32,
                    });
                    threats.push(make_threat(
                        rule,
                        ThreatKey::for_flow(&rule.id, se.id, flow.id, te.id),
                        Target {
                            kind: TargetKind::Flow,
                            id: flow.id.0,
                            name: flow_names[f].clone(),
                        },
                        Some(Box::new(FlowEnds {
                            source: Target {
                                kind: se.kind.into(),
                                id: se.id.0,
                                name: names[s].clone(),
                            },
                            target: Target {
                                kind: te.kind.into(),
                                id: te.id.0,
                                name: names[t].clone(),
                            },
                        })),
                        ["", &flow.name, &se.name, &te.name],
                        likelihood,
                        impact,
                        in_place,
                        flow.origins.clone(),
                    ));
                }
                if reversed {
                    let mut pairs: Vec<(Threat, Meta)> =
                        threats.drain(start..).zip(meta.drain(start..)).collect();
                    pairs.sort_by(|a, b| a.0.key.cmp(&b.0.key));
                    for (t, m) in pairs {
                        threats.push(t);
                        meta.push(m);
                    }
                }
            }
        }
    }
    // Keys are unique and sorted when ids are; a model with duplicate ids (refused by
    // validation and by the store, but a file can hold one) gets one threat per key.
    let unique = threats.windows(2).all(|w| w[0].key < w[1].key);
    if !unique {
        threats.sort_by(|a, b| a.key.cmp(&b.key));
        threats.dedup_by(|a, b| a.key == b.key);
    }
    if only.is_none() {
        // `meta` is indexed like the catalog's threats as found: merge causes (only when no
        // duplicate was dropped) before adding the hand-written ones.
        if unique {
            threats = one_threat_per_cause(threats, &meta, catalog);
        }
        if !model.threats.is_empty() {
            threats.extend(manual_threats(model, catalog));
            threats.sort_by(|a, b| a.key.cmp(&b.key));
        }
    }
    let summary = Summary::of(&threats);
    Analysis { threats, summary }
}

/// The model's hand-written threats as threats, next to the catalog's: the same severity table,
/// the catalog's mitigations by id (with their titles) and the author's own mitigations (id
/// `MANUAL-<id>#<n>`, the text as title). A threat whose target is not in the model is left out (validation reports it).
fn manual_threats(model: &ServiceModel, catalog: &Catalog) -> Vec<Threat> {
    let target_of = |id: Uuid, kind: TargetKind, name: &str| Target {
        kind,
        id,
        name: Arc::from(name),
    };
    let element = |id: ElementId| {
        model
            .element(id)
            .map(|e| target_of(e.id.0, e.kind.into(), &e.name))
    };
    model
        .threats
        .iter()
        .filter_map(|t| {
            let (target, flow) = match t.target {
                ThreatTarget::Model => {
                    (target_of(model.id.0, TargetKind::Model, &model.name), None)
                }
                ThreatTarget::Element(id) => (element(id)?, None),
                ThreatTarget::Boundary(id) => {
                    let b = model.boundary(id)?;
                    (target_of(b.id.0, TargetKind::Boundary, &b.name), None)
                }
                ThreatTarget::Flow(id) => {
                    let f = model.flow(id)?;
                    let ends = FlowEnds {
                        source: element(f.source)?,
                        target: element(f.target)?,
                    };
                    (
                        target_of(f.id.0, TargetKind::Flow, &f.name),
                        Some(Box::new(ends)),
                    )
                }
            };
            let key = t.key();
            let mitigations: Vec<MitigationRef> = t
                .mitigations
                .iter()
                .map(|id| MitigationRef {
                    id: Arc::from(id.as_str()),
                    title: Arc::from(
                        catalog
                            .mitigations
                            .get(id)
                            .map_or(id.as_str(), |m| m.title.as_str()),
                    ),
                })
                .chain(
                    t.custom_mitigations
                        .iter()
                        .enumerate()
                        .map(|(i, text)| MitigationRef {
                            id: Arc::from(format!("{}#{}", key.rule(), i + 1)),
                            title: Arc::from(text.as_str()),
                        }),
                )
                .collect();
            Some(Threat {
                rule: Arc::from(key.rule()),
                key,
                stride: t.stride,
                title: t.title.clone(),
                description: t.description.clone(),
                severity: t.severity(),
                likelihood: t.likelihood,
                impact: t.impact,
                target,
                flow,
                mitigations: mitigations.into(),
                source: Source {
                    section: Arc::from(if t.author.is_empty() {
                        "Written by hand".to_string()
                    } else {
                        format!("Written by hand by {}", t.author)
                    }),
                    quote: Arc::from(""),
                },
                cwe: Arc::from([]),
                capec: Arc::from([]),
                status: None,
                severity_override: None,
                origins: t.origins.clone(),
                app_level: false,
                in_place: Vec::new(),
                also: Vec::new(),
            })
        })
        .collect()
}

/// What a threat is about, for supersession and grouping: the rule, the element (a flow
/// threat's target) and the flow (`u32::MAX` for element threats).
#[derive(Clone, Copy)]
struct Meta {
    rule: u32,
    anchor: u32,
    flow: u32,
}

/// One threat per cause: drops the threats that a more specific rule's threat supersedes on
/// the same element (`supersedes`), then merges threats of rules that share a `cause` on the
/// same element (and flow) into the first one, by key: the highest severity, every
/// mitigation, and the other rules listed in `also`. Keeps the key order.
#[inline(never)]
fn one_threat_per_cause(mut threats: Vec<Threat>, meta: &[Meta], catalog: &Catalog) -> Vec<Threat> {
    if !catalog
        .rules
        .iter()
        .any(|r| !r.superseded.is_empty() || r.cause.is_some())
    {
        return threats;
    }
    use std::collections::HashSet;
    let mut on_element: HashSet<(u32, u32)> = HashSet::new();
    let mut on_flow: HashSet<(u32, u32, u32)> = HashSet::new();
    let mut superseded_rule = vec![false; catalog.rules.len()];
    for m in meta {
        let rule = &catalog.rules[m.rule as usize];
        for &r in &rule.superseded {
            superseded_rule[r] = true;
            let flow_rule = catalog.rules[r].target == RuleTarget::Flow;
            if flow_rule && m.flow != u32::MAX {
                on_flow.insert((r as u32, m.anchor, m.flow));
            } else {
                on_element.insert((r as u32, m.anchor));
            }
        }
    }
    // What happens to each threat: kept (None), dropped (Some(MAX)) or merged into the threat
    // at that index. Nothing moves when nothing is dropped or merged (the common case).
    // Causes that more than one rule fired for: only those can merge anything.
    let mut fired = vec![false; catalog.rules.len()];
    for m in meta {
        fired[m.rule as usize] = true;
    }
    let mut rules_per_cause: HashMap<&str, usize> = HashMap::new();
    for (r, rule) in catalog.rules.iter().enumerate() {
        if let (true, Some(c)) = (fired[r], &rule.cause) {
            *rules_per_cause.entry(c.as_ref()).or_default() += 1;
        }
    }
    let mut fate: Vec<Option<u32>> = vec![None; threats.len()];
    let mut groups: HashMap<(&str, u32, u32), usize> = HashMap::new();
    let mut changed = false;
    for (i, m) in meta.iter().enumerate() {
        if superseded_rule[m.rule as usize]
            && (on_element.contains(&(m.rule, m.anchor))
                || on_flow.contains(&(m.rule, m.anchor, m.flow)))
        {
            fate[i] = Some(u32::MAX);
            changed = true;
            continue;
        }
        if let Some(cause) = &catalog.rules[m.rule as usize].cause
            && rules_per_cause.get(cause.as_ref()).is_some_and(|&n| n > 1)
        {
            match groups.entry((cause.as_ref(), m.anchor, m.flow)) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(i);
                }
                std::collections::hash_map::Entry::Occupied(o) => {
                    fate[i] = Some(*o.get() as u32);
                    changed = true;
                }
            }
        }
    }
    if !changed {
        return threats;
    }
    // In place: a merge target comes before what merges into it and is always kept, and
    // `retain` keeps the order without a second vector of threats (tens of megabytes on a
    // large model, and as many fresh pages to fault in).
    for (i, fate) in fate.iter().enumerate() {
        if let Some(to) = *fate
            && to != u32::MAX
        {
            let (kept, rest) = threats.split_at_mut(i);
            merge_into(&mut kept[to as usize], &mut rest[0]);
        }
    }
    let mut i = 0;
    threats.retain(|_| {
        let keep = fate[i].is_none();
        i += 1;
        keep
    });
    threats
}

/// Adds threat `other` (same cause, same element) to `first`; `other` is dropped afterwards.
fn merge_into(first: &mut Threat, other: &mut Threat) {
    if (other.severity, other.likelihood, other.impact)
        > (first.severity, first.likelihood, first.impact)
    {
        first.severity = other.severity;
        first.likelihood = other.likelihood;
        first.impact = other.impact;
    }
    let mut mitigations: Vec<MitigationRef> = first.mitigations.to_vec();
    for m in other.mitigations.iter() {
        if !mitigations.iter().any(|x| x.id == m.id) {
            mitigations.push(m.clone());
        }
    }
    first.mitigations = mitigations.into();
    for id in std::mem::take(&mut other.in_place) {
        if !first.in_place.contains(&id) {
            first.in_place.push(id);
        }
    }
    first.also.push(other.rule.clone());
}

/// What a conjunct of a condition reads: the property row of the first subject (the element,
/// or a flow's source), of the flow's target, of the flow, or anything else (graph facts other
/// than tags, names...).
const ROW_A: u8 = 1;
const ROW_B: u8 = 2;
const FLOW_ROW: u8 = 4;
const OTHER: u8 = 8;

/// A rule's condition split into the conjuncts of its top level by what they read, so that
/// those reading only one property row (the element's properties, kind and stencil tags, or
/// the flow's properties) are evaluated once per row instead of once per element or flow:
/// elements of the same stencil with the same own values share a row.
struct Plan<'r> {
    /// Conjuncts over one row each: the first subject's, the target's, the flow's.
    by_row: [Vec<&'r Expr>; 3],
    /// The other conjuncts, evaluated each time.
    rest: Vec<&'r Expr>,
    /// Per row of each kind: 0 not evaluated yet, 1 its conjuncts hold, 2 they do not.
    known: [Vec<u8>; 3],
}

impl<'r> Plan<'r> {
    fn new(cond: &'r Expr, t: &Tables) -> Self {
        let mut conjuncts = Vec::new();
        conjuncts_of(cond, &mut conjuncts);
        let mut by_row: [Vec<&Expr>; 3] = Default::default();
        let mut rest = Vec::new();
        for c in conjuncts {
            match reads(c, &t.tag_facts) {
                0 | ROW_A => by_row[0].push(c),
                ROW_B => by_row[1].push(c),
                FLOW_ROW => by_row[2].push(c),
                _ => rest.push(c),
            }
        }
        let rows = [t.n_erows, t.n_erows, t.n_frows];
        let known = std::array::from_fn(|i| {
            if by_row[i].is_empty() {
                Vec::new()
            } else {
                vec![0; rows[i]]
            }
        });
        Plan {
            by_row,
            rest,
            known,
        }
    }

    /// Whether the condition holds for the subjects of `env`, whose rows are `rows`.
    fn holds(&mut self, env: &Ctx<'_>, rows: [usize; 3]) -> bool {
        for (i, row) in rows.into_iter().enumerate() {
            if self.by_row[i].is_empty() {
                continue;
            }
            let known = &mut self.known[i][row];
            if *known == 0 {
                *known = if self.by_row[i].iter().all(|c| c.holds(env)) {
                    1
                } else {
                    2
                };
            }
            if *known == 2 {
                return false;
            }
        }
        self.rest.iter().all(|c| c.holds(env))
    }
}

/// The conjuncts of a condition's top level (nested `and`s flattened). A condition holds when
/// every conjunct does, whatever the order they are evaluated in: evaluation has no effects.
fn conjuncts_of<'r>(e: &'r Expr, out: &mut Vec<&'r Expr>) {
    match e {
        Expr::And(items) => items.iter().for_each(|i| conjuncts_of(i, out)),
        other => out.push(other),
    }
}

/// What an expression reads (see [`ROW_A`]); `tag_facts[slot]` says the element fact in that
/// slot is a stencil tag, which the row fixes (the row key holds the stencil and the kind).
fn reads(e: &Expr, tag_facts: &[bool]) -> u8 {
    let row = |s: Subject| if s == Subject::Target { ROW_B } else { ROW_A };
    match e {
        Expr::Const(_) => 0,
        Expr::Prop(s, _) | Expr::Field(s, Field::Kind) => row(*s),
        Expr::Fact(s, slot) if tag_facts.get(*slot as usize) == Some(&true) => row(*s),
        Expr::FlowProp(_) => FLOW_ROW,
        Expr::Field(..) | Expr::Fact(..) | Expr::FlowFact(_) => OTHER,
        Expr::Not(x) | Expr::In(x, _) => reads(x, tag_facts),
        Expr::Cmp(_, a, b) => reads(a, tag_facts) | reads(b, tag_facts),
        Expr::And(items) | Expr::Or(items) => items.iter().fold(0, |r, x| r | reads(x, tag_facts)),
    }
}

/// The rule's mitigations the model already has in place, as bits by their position in the
/// rule's list: clauses on an element are tried on the threat's element (`target` is the
/// element, or a flow threat's target), clauses on a flow on the threat's flow.
fn controls_in_place(
    rule: &Rule,
    t: &Tables,
    source: usize,
    target: usize,
    flow: Option<usize>,
) -> u64 {
    let mut bits = 0u64;
    for c in &rule.controls {
        if c.index >= 64 {
            break;
        }
        let holds = c.clauses.iter().any(|cl| {
            let who = match (cl.on, flow) {
                (InPlaceOn::Flow, Some(f)) => {
                    return cl.cond.holds(&Ctx {
                        t,
                        a: source,
                        b: target,
                        f,
                    });
                }
                (InPlaceOn::Element, _) => target,
                (InPlaceOn::Source, Some(_)) => source,
                _ => return false,
            };
            let Some(st) = t.stencil_index[who] else {
                return false;
            };
            cl.mask[st]
                && cl.cond.holds(&Ctx {
                    t,
                    a: who,
                    b: who,
                    f: flow.unwrap_or(0),
                })
        });
        if holds {
            bits |= 1 << c.index;
        }
    }
    bits
}

#[allow(clippy::too_many_arguments)]
fn make_threat(
    rule: &Rule,
    key: ThreatKey,
    target: Target,
    flow: Option<Box<FlowEnds>>,
    names: [&str; 4],
    likelihood: Rating,
    impact: Rating,
    in_place: u64,
    origins: Vec<String>,
) -> Threat {
    let [element, flow_name, source, target_name] = names;
    let in_place = if in_place == 0 {
        Vec::new()
    } else {
        rule.mitigation_refs
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < 64 && in_place & (1 << i) != 0)
            .map(|(_, m)| m.id.clone())
            .collect()
    };
    Threat {
        key,
        rule: rule.shared_id.clone(),
        stride: rule.stride,
        title: rule.title.render(element, flow_name, source, target_name),
        description: rule
            .description
            .render(element, flow_name, source, target_name),
        severity: scoring::rule_severity(rule, likelihood, impact),
        likelihood,
        impact,
        target,
        flow,
        mitigations: rule.mitigation_refs.clone(),
        source: rule.source.clone(),
        cwe: rule.cwe.clone(),
        capec: rule.capec.clone(),
        status: None,
        severity_override: None,
        origins,
        app_level: rule.scope == RuleScope::Application,
        in_place,
        also: Vec::new(),
    }
}

/// Sets every threat's status from the triage decisions (open when there is none) and applies
/// severity overrides; the summary is recomputed.
pub fn apply_triage(analysis: &mut Analysis, triage: &BTreeMap<ThreatKey, TriageDecision>) {
    for t in &mut analysis.threats {
        match triage.get(&t.key) {
            Some(d) => {
                t.status = Some(d.status);
                t.severity_override = d.severity_override;
                if let Some(s) = d.severity_override {
                    t.severity = s;
                }
            }
            None => t.status = Some(TriageStatus::Open),
        }
    }
    analysis.summary = Summary::of(&analysis.threats);
}

/// A row of the property table: the stencil, the element's kind and its own values (property
/// index, value bits), so elements that agree share one row.
type RowKey = (usize, u8, OwnValues);

/// Own values that a row holds: (property index, value bits).
type OwnValues = Vec<(usize, (u8, u64))>;

/// Every value the compiled conditions read, laid out once per model.
struct Tables {
    /// Per element: its stencil's position in the catalog's stencil order.
    stencil_index: Vec<Option<usize>>,
    n_eprops: usize,
    /// Rows of element property values, shared by elements with the same values.
    eprops: Vec<Value>,
    /// Per element: its row in `eprops`.
    erow: Vec<u32>,
    n_erows: usize,
    n_fprops: usize,
    /// Rows of flow property values, shared by flows with the same own values.
    fprops: Vec<Value>,
    /// Per flow (in the graph's order, reversed copies included): its row in `fprops`.
    frow: Vec<u32>,
    n_frows: usize,
    /// Per element fact slot: the fact is `has_tag`, whose value the element's row fixes.
    tag_facts: Vec<bool>,
    /// Columns: `efacts[slot][element]`.
    efacts: Vec<Vec<Value>>,
    ffacts: Vec<Vec<Value>>,
    names: Vec<Value>,
    kinds: Vec<Value>,
    stencil_syms: Vec<Value>,
    flow_names: Vec<Value>,
    protocols: Vec<Value>,
    bidirectional: Vec<bool>,
}

impl Tables {
    // Not inlined, so that a profile shows the tables apart from the rules.
    #[inline(never)]
    fn build(g: &ModelGraph<'_>, catalog: &Catalog, app: bool) -> Self {
        let slots = &catalog.slots;
        let mut syms = LocalSymbols::new(&slots.symbols);
        let order: HashMap<&str, usize> = catalog
            .stencil_order
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i))
            .collect();
        let stencil_index = g
            .stencils
            .iter()
            .map(|s| s.and_then(|s| order.get(s.id.as_str()).copied()))
            .collect();
        let n_eprops = slots.element_props.len();
        let prop_slot: HashMap<&str, usize> = slots
            .element_props
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        // Each stencil's defaults once; then each element's own values on top. Elements with
        // the same stencil and the same own values share one row (most elements of a large
        // model differ only in name), so the table stays small.
        let mut defaults: HashMap<*const crate::model::Stencil, Vec<Value>> = HashMap::new();
        let mut rows: HashMap<RowKey, u32> = HashMap::new();
        let mut eprops: Vec<Value> = Vec::new();
        let mut row_count = 0u32;
        let mut erow = Vec::with_capacity(g.element_count());
        let mut own: Vec<(usize, Value)> = Vec::new();
        for e in 0..g.element_count() {
            let stencil = g.stencils[e];
            if let Some(st) = stencil {
                defaults.entry(st as *const _).or_insert_with(|| {
                    slots
                        .element_props
                        .iter()
                        .map(|n| {
                            value(
                                st.properties.get(n).and_then(|d| d.default.as_ref()),
                                &mut syms,
                            )
                        })
                        .collect()
                });
            }
            own.clear();
            for (name, v) in &g.elements[e].properties {
                if let Some(&slot) = prop_slot.get(name.as_str()) {
                    own.push((slot, value(Some(v), &mut syms)));
                }
            }
            let key = (
                stencil.map_or(0, |st| st as *const _ as usize),
                g.elements[e].kind as u8,
                own.iter().map(|&(slot, v)| (slot, v.bits())).collect(),
            );
            let row = *rows.entry(key).or_insert_with(|| {
                let start = eprops.len();
                match stencil {
                    Some(st) => eprops.extend_from_slice(&defaults[&(st as *const _)]),
                    None => eprops.resize(start + n_eprops, Value::Missing),
                }
                for &(slot, v) in &own {
                    eprops[start + slot] = v;
                }
                row_count += 1;
                row_count - 1
            });
            erow.push(row);
        }
        let n_fprops = slots.flow_props.len();
        // The defaults once, then each flow's own values on top (as for elements).
        let flow_defaults: Vec<Value> = slots
            .flow_props
            .iter()
            .map(|n| {
                value(
                    catalog
                        .stencils
                        .flow_properties
                        .get(n)
                        .and_then(|d| d.default.as_ref()),
                    &mut syms,
                )
            })
            .collect();
        let flow_slot: HashMap<&str, usize> = slots
            .flow_props
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let mut flow_rows: HashMap<OwnValues, u32> = HashMap::new();
        let mut fprops = Vec::new();
        let mut frow = Vec::with_capacity(g.flow_count());
        for (f, _, _) in &g.flows {
            own.clear();
            for (name, v) in &f.properties {
                if let Some(&slot) = flow_slot.get(name.as_str()) {
                    own.push((slot, value(Some(v), &mut syms)));
                }
            }
            let key = own.iter().map(|&(slot, v)| (slot, v.bits())).collect();
            let next = flow_rows.len() as u32;
            let row = *flow_rows.entry(key).or_insert_with(|| {
                let start = fprops.len();
                fprops.extend_from_slice(&flow_defaults);
                for &(slot, v) in &own {
                    fprops[start + slot] = v;
                }
                next
            });
            frow.push(row);
        }
        use crate::condition::facts::{APPLICATION_FACTS, FACTS};
        // Application-only facts mean nothing in a service model, where no rule reads them.
        let column = |(i, args): &(usize, Vec<crate::condition::facts::FactArg>)| {
            if !app && APPLICATION_FACTS.contains(&FACTS[*i].name) {
                Vec::new()
            } else {
                facts::column(*i, g, args)
            }
        };
        let efacts = slots.element_facts.iter().map(column).collect();
        let tag_facts = slots
            .element_facts
            .iter()
            .map(|(i, _)| FACTS[*i].name == "has_tag")
            .collect();
        let ffacts = slots.flow_facts.iter().map(column).collect();
        // Only the built-in fields some condition reads: interning every name of a large model
        // costs more than the rest of the tables.
        let used = |f: Field| slots.fields.contains(&f);
        let mut names = Vec::new();
        let mut kinds = Vec::new();
        let mut stencil_syms = Vec::new();
        let mut flow_names = Vec::new();
        let mut protocols = Vec::new();
        for e in &g.elements {
            if used(Field::Name) {
                names.push(Value::Sym(syms.sym(&e.name)));
            }
            if used(Field::Kind) {
                kinds.push(Value::Sym(syms.sym(e.kind.as_str())));
            }
            if used(Field::Stencil) {
                stencil_syms.push(Value::Sym(syms.sym(e.stencil.as_str())));
            }
        }
        for (f, _, _) in &g.flows {
            if used(Field::Name) {
                flow_names.push(Value::Sym(syms.sym(&f.name)));
            }
            if used(Field::Protocol) {
                protocols.push(Value::Sym(syms.sym(&f.protocol)));
            }
        }
        let bidirectional = g.flows.iter().map(|(f, _, _)| f.bidirectional).collect();
        Tables {
            stencil_index,
            n_eprops,
            eprops,
            erow,
            n_erows: row_count as usize,
            n_fprops,
            fprops,
            n_frows: flow_rows.len(),
            frow,
            tag_facts,
            efacts,
            ffacts,
            names,
            kinds,
            stencil_syms,
            flow_names,
            protocols,
            bidirectional,
        }
    }
}

/// A column's value, `Missing` for a column the catalog never asked for.
fn at(column: &[Value], i: usize) -> Value {
    column.get(i).copied().unwrap_or(Value::Missing)
}

fn value<'a>(v: Option<&'a PropertyValue>, syms: &mut LocalSymbols<'a>) -> Value {
    match v {
        None => Value::Missing,
        Some(PropertyValue::Bool(b)) => Value::Bool(*b),
        Some(PropertyValue::Number(n)) => n.as_f64().map_or(Value::Missing, Value::Num),
        Some(PropertyValue::Text(t)) => Value::Sym(syms.sym(t)),
    }
}

/// The subjects at hand: `a` is the element (or the flow's source), `b` the flow's target.
struct Ctx<'t> {
    t: &'t Tables,
    a: usize,
    b: usize,
    f: usize,
}

impl Ctx<'_> {
    fn who(&self, s: Subject) -> usize {
        match s {
            Subject::Target => self.b,
            _ => self.a,
        }
    }
}

impl Env for Ctx<'_> {
    fn prop(&self, s: Subject, slot: u32) -> Value {
        self.t.eprops[self.t.erow[self.who(s)] as usize * self.t.n_eprops + slot as usize]
    }

    fn flow_prop(&self, slot: u32) -> Value {
        self.t.fprops[self.t.frow[self.f] as usize * self.t.n_fprops + slot as usize]
    }

    fn field(&self, s: Subject, field: Field) -> Value {
        let column = match (s, field) {
            (Subject::Flow, Field::Bidirectional) => {
                return Value::Bool(self.t.bidirectional[self.f]);
            }
            (Subject::Flow, Field::Name) => return at(&self.t.flow_names, self.f),
            (Subject::Flow, Field::Protocol) => return at(&self.t.protocols, self.f),
            (_, Field::Name) => &self.t.names,
            (_, Field::Kind) => &self.t.kinds,
            (_, Field::Stencil) => &self.t.stencil_syms,
            _ => return Value::Missing,
        };
        at(column, self.who(s))
    }

    fn fact(&self, s: Subject, slot: u32) -> Value {
        self.t.efacts[slot as usize]
            .get(self.who(s))
            .copied()
            .unwrap_or(Value::Missing)
    }

    fn flow_fact(&self, slot: u32) -> Value {
        self.t.ffacts[slot as usize]
            .get(self.f)
            .copied()
            .unwrap_or(Value::Missing)
    }
}

#[cfg(test)]
mod tests;
