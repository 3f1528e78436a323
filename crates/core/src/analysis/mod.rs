//! Threat analysis: `(&ServiceModel, &Catalog) -> Analysis`, pure and deterministic.
//!
//! The model is turned into a petgraph graph once ([`graph`]); every graph fact and property a
//! catalog's conditions use is laid out in flat tables once; then every rule runs against
//! every applicable element or flow. Out-of-scope elements and flows (and flows touching an
//! out-of-scope element) get no threats. Threats are sorted by their stable key. Severity comes
//! from the rule's likelihood and impact adjusted by context ([`scoring`], `docs/scoring.md`).

pub mod facts;
pub mod graph;
pub mod scoring;
pub mod value;

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::catalog::lang::{Env, Field, Subject};
use crate::catalog::{Catalog, Rating, Rule, RuleScope, RuleTarget, Source};
use crate::model::{
    ElementKind, ModelKind, PropertyValue, ServiceModel, Severity, Stride, ThreatKey,
    TriageDecision, TriageStatus,
};
use graph::ModelGraph;
use value::{LocalSymbols, Value};

/// The threats of one model and their counts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Analysis {
    pub threats: Vec<Threat>,
    pub summary: Summary,
}

/// One suggested threat.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Threat {
    /// Stable across re-analysis: `RULE@ELEMENT` or `RULE@SOURCE@FLOW@TARGET`.
    pub key: ThreatKey,
    /// The id of the rule that found it.
    pub rule: String,
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
    pub flow: Option<FlowEnds>,
    pub mitigations: Vec<MitigationRef>,
    pub source: Source,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwe: Vec<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capec: Vec<u32>,
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

/// What kind of model object a threat is about.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
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
pub struct Target {
    pub kind: TargetKind,
    pub id: Uuid,
    pub name: String,
}

/// The two ends of a flow, in the direction the rule saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FlowEnds {
    pub source: Target,
    pub target: Target,
}

/// A mitigation of a threat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MitigationRef {
    pub id: String,
    pub title: String,
}

/// Counts of threats.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    pub total: usize,
    /// Every STRIDE category, zero included.
    pub by_stride: BTreeMap<Stride, usize>,
    /// Every severity, zero included.
    pub by_severity: BTreeMap<Severity, usize>,
}

impl Summary {
    pub fn of(threats: &[Threat]) -> Self {
        let mut by_stride: BTreeMap<Stride, usize> = Stride::ALL.iter().map(|s| (*s, 0)).collect();
        let mut by_severity: BTreeMap<Severity, usize> =
            Severity::ALL.iter().map(|s| (*s, 0)).collect();
        for t in threats {
            *by_stride.entry(t.stride).or_default() += 1;
            *by_severity.entry(t.severity).or_default() += 1;
        }
        Summary {
            total: threats.len(),
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
    let mut threats = Vec::new();
    let rules: Vec<(usize, &Rule)> = catalog
        .rules
        .iter()
        .enumerate()
        .filter(|(i, r)| only.is_none_or(|o| o == *i) && (app || r.scope == RuleScope::Service))
        .collect();

    let element_rules: Vec<&Rule> = rules
        .iter()
        .filter(|(_, r)| matches!(r.target, RuleTarget::Element(_)))
        .map(|(_, r)| *r)
        .collect();
    for (e, el) in g.elements.iter().enumerate() {
        if el.out_of_scope {
            continue;
        }
        let Some(st) = tables.stencil_index[e] else {
            continue;
        };
        let env = Ctx {
            t: &tables,
            a: e,
            b: e,
            f: 0,
        };
        for rule in &element_rules {
            let RuleTarget::Element(kind) = rule.target else {
                continue;
            };
            if kind.is_some_and(|k| k != el.kind)
                || !rule.element_mask.as_ref().is_some_and(|m| m[st])
                || !rule.cond.holds(&env)
            {
                continue;
            }
            let name = el.name.as_str();
            let (likelihood, impact) = scores.element(e, rule.likelihood, rule.impact);
            threats.push(make_threat(
                catalog,
                rule,
                ThreatKey(format!("{}@{}", rule.id, el.id)),
                Target {
                    kind: el.kind.into(),
                    id: el.id.0,
                    name: el.name.clone(),
                },
                None,
                [name, "", "", ""],
                likelihood,
                impact,
                el.origins.clone(),
            ));
        }
    }

    let flow_rules: Vec<&Rule> = rules
        .iter()
        .filter(|(_, r)| r.target == RuleTarget::Flow)
        .map(|(_, r)| *r)
        .collect();
    if !flow_rules.is_empty() {
        for f in 0..g.forward_flows() {
            let (flow, s, t) = g.flows[f];
            if flow.out_of_scope || g.elements[s].out_of_scope || g.elements[t].out_of_scope {
                continue;
            }
            for rule in &flow_rules {
                let mut fired = None;
                for oriented in std::iter::once(f).chain(g.reverse_of(f)) {
                    let (s, t) = g.flow_ends(oriented);
                    let (Some(ss), Some(ts)) = (tables.stencil_index[s], tables.stencil_index[t])
                    else {
                        continue;
                    };
                    if !rule.source_mask.as_ref().is_some_and(|m| m[ss])
                        || !rule.target_mask.as_ref().is_some_and(|m| m[ts])
                    {
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
                let (se, te) = (g.elements[s], g.elements[t]);
                let (likelihood, impact) = scores.flow(oriented, rule.likelihood, rule.impact);
                threats.push(make_threat(
                    catalog,
                    rule,
                    ThreatKey(format!("{}@{}@{}@{}", rule.id, se.id, flow.id, te.id)),
                    Target {
                        kind: TargetKind::Flow,
                        id: flow.id.0,
                        name: flow.name.clone(),
                    },
                    Some(FlowEnds {
                        source: Target {
                            kind: se.kind.into(),
                            id: se.id.0,
                            name: se.name.clone(),
                        },
                        target: Target {
                            kind: te.kind.into(),
                            id: te.id.0,
                            name: te.name.clone(),
                        },
                    }),
                    ["", &flow.name, &se.name, &te.name],
                    likelihood,
                    impact,
                    flow.origins.clone(),
                ));
            }
        }
    }

    threats.sort_by(|a, b| a.key.cmp(&b.key));
    let summary = Summary::of(&threats);
    Analysis { threats, summary }
}

#[allow(clippy::too_many_arguments)]
fn make_threat(
    catalog: &Catalog,
    rule: &Rule,
    key: ThreatKey,
    target: Target,
    flow: Option<FlowEnds>,
    names: [&str; 4],
    likelihood: Rating,
    impact: Rating,
    origins: Vec<String>,
) -> Threat {
    let [element, flow_name, source, target_name] = names;
    Threat {
        key,
        rule: rule.id.clone(),
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
        mitigations: rule
            .mitigations
            .iter()
            .map(|id| MitigationRef {
                id: id.clone(),
                title: catalog
                    .mitigations
                    .get(id)
                    .map(|m| m.title.clone())
                    .unwrap_or_default(),
            })
            .collect(),
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
        let mut eprops = Vec::with_capacity(n_eprops * g.element_count());
        for e in 0..g.element_count() {
            for name in &slots.element_props {
                eprops.push(value(g.property(e, name), &mut syms));
            }
        }
        let n_fprops = slots.flow_props.len();
        let mut fprops = Vec::with_capacity(n_fprops * g.flow_count());
        for f in 0..g.flow_count() {
            for name in &slots.flow_props {
                fprops.push(value(g.flow_property(f, name), &mut syms));
            }
        }
        let efacts = slots
            .element_facts
            .iter()
            .map(|(i, args)| (facts::FACTS[*i].compute)(g, args))
            .collect();
        let ffacts = slots
            .flow_facts
            .iter()
            .map(|(i, args)| (facts::FACTS[*i].compute)(g, args))
            .collect();
        let names = g
            .elements
            .iter()
            .map(|e| Value::Sym(syms.sym(&e.name)))
            .collect();
        let kinds = g
            .elements
            .iter()
            .map(|e| Value::Sym(syms.sym(e.kind.as_str())))
            .collect();
        let stencil_syms = g
            .elements
            .iter()
            .map(|e| Value::Sym(syms.sym(e.stencil.as_str())))
            .collect();
        let flow_names = g
            .flows
            .iter()
            .map(|(f, _, _)| Value::Sym(syms.sym(&f.name)))
            .collect();
        let protocols = g
            .flows
            .iter()
            .map(|(f, _, _)| Value::Sym(syms.sym(&f.protocol)))
            .collect();
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
        match (s, field) {
            (Subject::Flow, Field::Name) => self.t.flow_names[self.f],
            (Subject::Flow, Field::Protocol) => self.t.protocols[self.f],
            (Subject::Flow, Field::Bidirectional) => Value::Bool(self.t.bidirectional[self.f]),
            (_, Field::Name) => self.t.names[self.who(s)],
            (_, Field::Kind) => self.t.kinds[self.who(s)],
            (_, Field::Stencil) => self.t.stencil_syms[self.who(s)],
            _ => Value::Missing,
        }
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
