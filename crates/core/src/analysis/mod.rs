//! Threat analysis: `(&ServiceModel, &Catalog) -> Analysis`, pure and deterministic.
//!
//! The model is turned into a petgraph graph once ([`graph`]); every graph fact and property a
//! catalog's conditions use is laid out in flat tables once; then every rule runs against
//! every applicable element or flow. Out-of-scope elements and flows (and flows touching an
//! out-of-scope element) get no threats. Threats are sorted by their stable key. Severity comes
//! from the rule's likelihood and impact adjusted by context ([`scoring`], `docs/scoring.md`).

pub mod examples;
pub mod facts;
pub mod graph;
pub mod scoring;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::{Catalog, Rating, Rule, RuleScope, RuleTarget, Source};
use crate::condition::{Env, Field, LocalSymbols, Subject, Value};
use crate::model::{
    ElementKind, ModelKind, ModelObject, PropertyValue, ServiceModel, Severity, Stride, ThreatKey,
    TriageDecision, TriageStatus,
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
}

impl TargetKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            TargetKind::ExternalEntity => "external_entity",
            TargetKind::Process => "process",
            TargetKind::DataStore => "data_store",
            TargetKind::Flow => "flow",
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
        let mut by_stride: BTreeMap<Stride, usize> = Stride::ALL.iter().map(|s| (*s, 0)).collect();
        let mut by_severity: BTreeMap<Severity, usize> =
            Severity::ALL.iter().map(|s| (*s, 0)).collect();
        let mut total = 0;
        for t in threats {
            total += 1;
            *by_stride.entry(t.stride).or_default() += 1;
            *by_severity.entry(t.severity).or_default() += 1;
        }
        Summary {
            total,
            by_stride,
            by_severity,
        }
    }
}

/// Runs every rule of the catalog on the model.
pub fn analyze(model: &ServiceModel, catalog: &Catalog) -> Analysis {
    analyze_rules(model, catalog, None)
}

/// Runs one rule (by index in `catalog.rules`), or all of them. Rule examples use this.
pub fn analyze_rules(model: &ServiceModel, catalog: &Catalog, only: Option<usize>) -> Analysis {
    let g = ModelGraph::new(model, &catalog.stencils);
    let tables = Tables::build(&g, catalog);
    let scores = scoring::Context::new(&g);
    let app = model.kind == ModelKind::Application;

    // Threats come out in key order without a sort: rules in the order of their `RULE@` key
    // prefix, then elements by id (a UUID's hyphenated hex sorts like its bytes), or flows by
    // (source, flow, target). Only a bidirectional flow that fires in reverse can break the
    // order, and then just that rule's threats are sorted.
    let mut rules: Vec<(String, &Rule)> = catalog
        .rules
        .iter()
        .enumerate()
        .filter(|(i, r)| only.is_none_or(|o| o == *i) && (app || r.scope == RuleScope::Service))
        .map(|(_, r)| (format!("{}@", r.id), r))
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
    let mut threats = Vec::new();
    for (_, rule) in rules {
        let start = threats.len();
        match rule.target {
            RuleTarget::Element(kind) => {
                let Some(mask) = rule.element_mask.as_ref() else {
                    continue;
                };
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
                    if !rule.cond.holds(&env) {
                        continue;
                    }
                    let el = g.elements[e];
                    let (likelihood, impact) = scores.element(e, rule.likelihood, rule.impact);
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
                        el.origins.clone(),
                    ));
                }
            }
            RuleTarget::Flow => {
                let (Some(smask), Some(tmask)) = (&rule.source_mask, &rule.target_mask) else {
                    continue;
                };
                let mut reversed = false;
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
                        if rule.cond.holds(&env) {
                            fired = Some((oriented, s, t));
                            break;
                        }
                    }
                    let Some((oriented, s, t)) = fired else {
                        continue;
                    };
                    reversed |= oriented != f;
                    let (se, te) = (g.elements[s], g.elements[t]);
                    let (likelihood, impact) = scores.flow(oriented, rule.likelihood, rule.impact);
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
                        flow.origins.clone(),
                    ));
                }
                if reversed {
                    threats[start..].sort_by(|a: &Threat, b: &Threat| a.key.cmp(&b.key));
                }
            }
        }
    }
    debug_assert!(threats.windows(2).all(|w| w[0].key < w[1].key));
    let summary = Summary::of(&threats);
    Analysis { threats, summary }
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
    origins: Vec<String>,
) -> Threat {
    let [element, flow_name, source, target_name] = names;
    Threat {
        key,
        rule: rule.shared_id.clone(),
        stride: rule.stride,
        title: rule.title.render(element, flow_name, source, target_name),
        description: rule
            .description
            .render(element, flow_name, source, target_name),
        severity: scoring::severity(likelihood, impact),
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

/// Every value the compiled conditions read, laid out once per model.
struct Tables {
    /// Per element: its stencil's position in the catalog's stencil order.
    stencil_index: Vec<Option<usize>>,
    n_eprops: usize,
    eprops: Vec<Value>,
    n_fprops: usize,
    fprops: Vec<Value>,
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
    fn build(g: &ModelGraph<'_>, catalog: &Catalog) -> Self {
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
        // Each stencil's defaults once; then each element's own values on top.
        let mut defaults: HashMap<*const crate::model::Stencil, Vec<Value>> = HashMap::new();
        let mut eprops = Vec::with_capacity(n_eprops * g.element_count());
        for e in 0..g.element_count() {
            let start = eprops.len();
            match g.stencils[e] {
                Some(st) => {
                    let row = defaults.entry(st as *const _).or_insert_with(|| {
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
                    eprops.extend_from_slice(row);
                }
                None => eprops.resize(start + n_eprops, Value::Missing),
            }
            for (name, v) in &g.elements[e].properties {
                if let Some(&slot) = prop_slot.get(name.as_str()) {
                    eprops[start + slot] = value(Some(v), &mut syms);
                }
            }
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
        let mut fprops = Vec::with_capacity(n_fprops * g.flow_count());
        for (f, _, _) in &g.flows {
            let start = fprops.len();
            fprops.extend_from_slice(&flow_defaults);
            for (name, v) in &f.properties {
                if let Some(&slot) = flow_slot.get(name.as_str()) {
                    fprops[start + slot] = value(Some(v), &mut syms);
                }
            }
        }
        let efacts = slots
            .element_facts
            .iter()
            .map(|(i, args)| facts::column(*i, g, args))
            .collect();
        let ffacts = slots
            .flow_facts
            .iter()
            .map(|(i, args)| facts::column(*i, g, args))
            .collect();
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
            n_fprops,
            fprops,
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
        self.t.eprops[self.who(s) * self.t.n_eprops + slot as usize]
    }

    fn flow_prop(&self, slot: u32) -> Value {
        self.t.fprops[self.f * self.t.n_fprops + slot as usize]
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
