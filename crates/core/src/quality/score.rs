//! The scorer: analyses of a pair's two models against its expectations, as numbers.
//!
//! Pure: models, catalog and expectations in, a [`Scorecard`] out. Definitions (also in
//! `docs/QUALITY.md`):
//!
//! - **recall**: the share of threat expectations met. A threat meets an expectation when it is
//!   about one of the named elements or flows, in one of the named STRIDE categories, at the
//!   minimum severity or above, and one of its mitigations quotes the expected fragment of the
//!   document.
//! - **precision violation**: a threat that matches a `must_not` expectation (of the pair or of
//!   `always.json`) above its ceiling. A threat that breaks several counts once.
//! - **hardening violation**: a threat of the hardened model that is the same threat as a
//!   weak-variant expectation (same targets, categories and quote, any severity) above the
//!   expectation's `hardened_at_most`.
//! - **repeat**: a threat that shares its target and STRIDE category with another threat of
//!   the same model and shares at least one mitigation (by id) with it: same cause, same fix.
//!   Both threats of such a pair count; threats on one target and category with disjoint
//!   mitigations are distinct causes and are not repeats.
//! - **threats per flow**: threats of a model divided by its flows.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use uuid::Uuid;

use crate::analysis::{self, Analysis, Threat};
use crate::catalog::Catalog;
use crate::consolidate::{self, ConsolidationCode};
use crate::model::{ServiceModel, Severity, Stride};

use super::expect::{Ceiling, MustNot, ThreatExpectation, Variant};
use super::{Bench, Pair};

/// The bar for repeats: under this share of all threats.
pub const MAX_REPEAT_SHARE: f64 = 0.10;

/// The scores of a benchmark.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scorecard {
    pub pairs: Vec<PairScore>,
    pub total: Totals,
    /// Problems with the benchmark itself (a name that resolves to nothing, steps that do not
    /// give the hardened model, an invalid model). Scores of a benchmark with problems are not
    /// to be trusted.
    pub problems: Vec<String>,
}

/// The scores of one pair.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairScore {
    pub name: String,
    pub title: String,
    pub weak: ModelScore,
    pub hardened: ModelScore,
    /// One per threat expectation: met or missed, and why.
    pub expectations: Vec<ExpectationResult>,
    /// One per weak-variant expectation with `hardened_at_most`.
    pub hardening: Vec<HardeningResult>,
    /// Threats above a `must_not` ceiling, in either model: one entry per expectation broken.
    pub violations: Vec<Violation>,
    /// Distinct threats in `violations`, per model.
    pub precision_violations_weak: usize,
    pub precision_violations_hardened: usize,
}

/// Counts of one analysed model.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ModelScore {
    pub elements: usize,
    pub flows: usize,
    pub threats: usize,
    pub critical: usize,
    pub high: usize,
    /// Threats that are repeats (see the module documentation).
    pub repeats: usize,
    /// `None` for a model without flows.
    pub threats_per_flow: Option<f64>,
    /// The repeated threats, grouped by target and category.
    pub repeat_groups: Vec<RepeatGroup>,
    /// The critical threats, for the report.
    pub criticals: Vec<ThreatRef>,
}

/// Threats on one target and category that share mitigations.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RepeatGroup {
    pub target: String,
    pub stride: Stride,
    pub threats: Vec<ThreatRef>,
    /// The mitigation ids they share.
    pub shared_mitigations: Vec<String>,
}

/// A threat, as the report names it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThreatRef {
    pub key: String,
    pub title: String,
    pub target: String,
    pub stride: Stride,
    pub severity: Severity,
}

impl ThreatRef {
    fn of(t: &Threat) -> Self {
        ThreatRef {
            key: t.key.as_str().to_string(),
            title: t.title.clone(),
            target: t.target.name.to_string(),
            stride: t.stride,
            severity: t.severity,
        }
    }
}

/// Whether one threat expectation was met.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExpectationResult {
    pub id: String,
    pub variant: Variant,
    pub met: bool,
    /// The threat that met it, or what came closest and why it falls short.
    pub detail: String,
}

/// Whether the hardening removed or lowered one expected threat.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HardeningResult {
    pub id: String,
    pub at_most: Ceiling,
    pub ok: bool,
    /// Threats of the hardened model above the ceiling.
    pub above: Vec<ThreatRef>,
}

/// A threat that breaks a `must_not` expectation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Violation {
    /// The `must_not` id; `always/<id>` for the expectations of `always.json`.
    pub expectation: String,
    pub variant: Variant,
    pub at_most: Ceiling,
    pub threat: ThreatRef,
}

/// The figures over every pair, and whether each target of issue 14 is met.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Totals {
    pub pairs: usize,
    pub models: usize,
    pub expectations: usize,
    pub met: usize,
    pub recall: f64,
    pub precision_violations: usize,
    pub hardening_checks: usize,
    pub hardening_violations: usize,
    pub threats: usize,
    pub flows: usize,
    pub threats_per_flow: Option<f64>,
    pub repeats: usize,
    pub repeat_share: f64,
    pub criticals_weak: usize,
    pub criticals_hardened: usize,
    pub targets: Targets,
}

/// The benchmark targets of issue 14, each met or not.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Targets {
    /// Recall is 100%.
    pub full_recall: bool,
    /// No precision violation.
    pub no_precision_violation: bool,
    /// Every expected threat is removed or lowered as the expectation says.
    pub hardening_lowers: bool,
    /// Repeats are under 10% of all threats.
    pub few_repeats: bool,
    /// No hardened model has a critical threat.
    pub no_critical_when_hardened: bool,
}

impl Targets {
    pub fn all_met(&self) -> bool {
        self.full_recall
            && self.no_precision_violation
            && self.hardening_lowers
            && self.few_repeats
            && self.no_critical_when_hardened
    }
}

/// The model a variant is analysed as: the model itself, or the application model its services
/// consolidate into. Consolidation problems that make the model meaningless are returned.
pub fn variant_model(
    models: &[ServiceModel],
    application: &str,
    catalog: &Catalog,
) -> (ServiceModel, Vec<String>) {
    if let [only] = models {
        return (only.clone(), Vec::new());
    }
    let c = consolidate::consolidate(application, models, &catalog.stencils);
    let problems = (c.diagnostics.iter())
        .filter(|d| {
            matches!(
                d.code,
                ConsolidationCode::UnresolvedReference
                    | ConsolidationCode::DuplicateService
                    | ConsolidationCode::KindConflict
            )
        })
        .map(|d| d.to_string())
        .collect();
    (c.model, problems)
}

/// One analysed variant of a pair.
struct Analysed {
    model: ServiceModel,
    analysis: Analysis,
}

impl Analysed {
    /// The ids of the elements and flows named `name`.
    fn ids(&self, name: &str) -> Vec<Uuid> {
        let elements = self.model.elements.iter().filter(|e| e.name == name);
        let flows = self.model.flows.iter().filter(|f| f.name == name);
        elements
            .map(|e| e.id.0)
            .chain(flows.map(|f| f.id.0))
            .collect()
    }
}

/// Collapses runs of whitespace, so that a quote wrapped differently still matches.
fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether one of the threat's mitigations quotes `fragment`.
fn quotes(t: &Threat, catalog: &Catalog, fragment: &str) -> bool {
    let fragment = normalize(fragment);
    t.mitigations.iter().any(|m| {
        (catalog.mitigations.get(&*m.id))
            .is_some_and(|mit| normalize(&mit.source.quote).contains(&fragment))
    })
}

/// The quotes of a threat's mitigations, for a miss's explanation.
fn mitigation_ids(t: &Threat) -> String {
    let ids: Vec<&str> = t.mitigations.iter().map(|m| &*m.id).collect();
    ids.join(", ")
}

/// Scores every pair of the benchmark with `catalog`.
pub fn score(bench: &Bench, catalog: &Catalog) -> Scorecard {
    let mut problems = super::check(bench, catalog);
    let mut pairs = Vec::new();
    for pair in &bench.pairs {
        let (s, p) = score_pair(pair, &bench.always, catalog);
        pairs.push(s);
        problems.extend(p);
    }
    let total = totals(&pairs);
    Scorecard {
        pairs,
        total,
        problems,
    }
}

fn analyse(pair: &Pair, variant: Variant, catalog: &Catalog) -> (Analysed, Vec<String>) {
    let (model, problems) = variant_model(pair.models(variant), &pair.application(), catalog);
    let analysis = analysis::analyze(&model, catalog);
    let problems = (problems.into_iter())
        .map(|p| format!("{} ({}): {p}", pair.name, variant.as_str()))
        .collect();
    (Analysed { model, analysis }, problems)
}

fn score_pair(pair: &Pair, always: &[MustNot], catalog: &Catalog) -> (PairScore, Vec<String>) {
    let (weak, mut problems) = analyse(pair, Variant::Weak, catalog);
    let (hardened, p) = analyse(pair, Variant::Hardened, catalog);
    problems.extend(p);
    let of = |v: Variant| match v {
        Variant::Weak => &weak,
        Variant::Hardened => &hardened,
    };

    let mut expectations = Vec::new();
    let mut hardening = Vec::new();
    for e in &pair.expected.threats {
        let a = of(e.variant);
        let ids: BTreeSet<Uuid> = e.target.as_slice().iter().flat_map(|n| a.ids(n)).collect();
        if ids.is_empty() {
            problems.push(format!(
                "{}: threat expectation '{}' names {:?}, which the {} model does not have",
                pair.name,
                e.id,
                e.target.as_slice(),
                e.variant.as_str()
            ));
        }
        expectations.push(expectation_result(e, a, &ids, catalog));
        if let (Variant::Weak, Some(ceiling)) = (e.variant, e.hardened_at_most) {
            let ids: BTreeSet<Uuid> = (e.target.as_slice().iter())
                .flat_map(|n| hardened.ids(n))
                .collect();
            let above: Vec<ThreatRef> = (hardened.analysis.threats.iter())
                .filter(|t| same_threat(t, e, &ids, catalog) && !ceiling.allows(t.severity))
                .map(ThreatRef::of)
                .collect();
            hardening.push(HardeningResult {
                id: e.id.clone(),
                at_most: ceiling,
                ok: above.is_empty(),
                above,
            });
        }
    }

    let mut violations = Vec::new();
    let own = pair.expected.must_not.iter().map(|m| (m.id.clone(), m));
    let global = always.iter().map(|m| (format!("always/{}", m.id), m));
    for (id, m) in own.chain(global) {
        let variants: &[Variant] = match &m.variant {
            Some(v) => std::slice::from_ref(v),
            None => &Variant::BOTH,
        };
        let mut named_somewhere = m.target.is_none();
        for &v in variants {
            let a = of(v);
            let ids: Option<BTreeSet<Uuid>> = m
                .target
                .as_ref()
                .map(|t| t.as_slice().iter().flat_map(|n| a.ids(n)).collect());
            if ids.as_ref().is_some_and(|ids| ids.is_empty()) {
                continue;
            }
            named_somewhere = true;
            for t in &a.analysis.threats {
                if must_not_matches(t, m, ids.as_ref(), catalog) && !m.at_most.allows(t.severity) {
                    violations.push(Violation {
                        expectation: id.clone(),
                        variant: v,
                        at_most: m.at_most,
                        threat: ThreatRef::of(t),
                    });
                }
            }
        }
        if !named_somewhere {
            problems.push(format!(
                "{}: must-not expectation '{id}' names {:?}, which neither model has",
                pair.name,
                m.target.as_ref().map(|t| t.as_slice()).unwrap_or_default()
            ));
        }
    }

    let distinct = |v: Variant| {
        (violations.iter().filter(|x| x.variant == v))
            .map(|x| x.threat.key.as_str())
            .collect::<BTreeSet<_>>()
            .len()
    };
    let score = PairScore {
        precision_violations_weak: distinct(Variant::Weak),
        precision_violations_hardened: distinct(Variant::Hardened),
        name: pair.name.clone(),
        title: pair.expected.title.clone(),
        weak: model_score(&weak),
        hardened: model_score(&hardened),
        expectations,
        hardening,
        violations,
    };
    (score, problems)
}

/// Same targets, categories and quote, at any severity: what "the same threat" means across
/// the two variants.
fn same_threat(t: &Threat, e: &ThreatExpectation, ids: &BTreeSet<Uuid>, catalog: &Catalog) -> bool {
    ids.contains(&t.target.id)
        && e.stride.as_slice().contains(&t.stride)
        && quotes(t, catalog, &e.quote)
}

fn expectation_result(
    e: &ThreatExpectation,
    a: &Analysed,
    ids: &BTreeSet<Uuid>,
    catalog: &Catalog,
) -> ExpectationResult {
    let result = |met: bool, detail: String| ExpectationResult {
        id: e.id.clone(),
        variant: e.variant,
        met,
        detail,
    };
    let same: Vec<&Threat> = (a.analysis.threats.iter())
        .filter(|t| same_threat(t, e, ids, catalog))
        .collect();
    if let Some(t) = same.iter().find(|t| t.severity >= e.min_severity) {
        return result(
            true,
            format!("{} ({}) {}", t.severity, t.key.as_str(), t.title),
        );
    }
    if let Some(best) = same.iter().max_by_key(|t| t.severity) {
        return result(
            false,
            format!(
                "found at {}, below {}: {} ({})",
                best.severity,
                e.min_severity,
                best.title,
                best.key.as_str()
            ),
        );
    }
    let near: Vec<&Threat> = (a.analysis.threats.iter())
        .filter(|t| ids.contains(&t.target.id) && e.stride.as_slice().contains(&t.stride))
        .collect();
    if near.is_empty() {
        let strides: Vec<&str> = e.stride.as_slice().iter().map(|s| s.as_str()).collect();
        return result(
            false,
            format!(
                "no threat on {:?} in {}",
                e.target.as_slice(),
                strides.join(" or ")
            ),
        );
    }
    let listed: Vec<String> = (near.iter())
        .map(|t| format!("{} [{}] ({})", t.title, mitigation_ids(t), t.severity))
        .collect();
    result(
        false,
        format!(
            "no mitigation quotes \"{}\"; threats there: {}",
            e.quote,
            listed.join("; ")
        ),
    )
}

fn must_not_matches(
    t: &Threat,
    m: &MustNot,
    ids: Option<&BTreeSet<Uuid>>,
    catalog: &Catalog,
) -> bool {
    ids.is_none_or(|ids| ids.contains(&t.target.id))
        && (m.stride.as_ref()).is_none_or(|s| s.as_slice().contains(&t.stride))
        && m.cwe.is_none_or(|c| t.cwe.contains(&c))
        && (m.quote.as_ref()).is_none_or(|q| quotes(t, catalog, q))
        && (m.words.is_empty() || {
            let text = format!("{} {}", t.title, t.description).to_lowercase();
            m.words.iter().any(|w| text.contains(&w.to_lowercase()))
        })
}

/// The repeats of a list of threats (see the module documentation).
pub fn repeat_groups(threats: &[Threat]) -> Vec<RepeatGroup> {
    let mut by_cause: BTreeMap<(Uuid, Stride), Vec<&Threat>> = BTreeMap::new();
    for t in threats {
        by_cause.entry((t.target.id, t.stride)).or_default().push(t);
    }
    let mut groups = Vec::new();
    for ((_, stride), list) in by_cause {
        let mut repeated = Vec::new();
        let mut shared = BTreeSet::new();
        for (i, t) in list.iter().enumerate() {
            let mine: BTreeSet<&str> = t.mitigations.iter().map(|m| &*m.id).collect();
            let mut is_repeat = false;
            for (j, u) in list.iter().enumerate() {
                if i == j {
                    continue;
                }
                for m in u.mitigations.iter().filter(|m| mine.contains(&*m.id)) {
                    shared.insert(m.id.to_string());
                    is_repeat = true;
                }
            }
            if is_repeat {
                repeated.push(ThreatRef::of(t));
            }
        }
        if !repeated.is_empty() {
            groups.push(RepeatGroup {
                target: list[0].target.name.to_string(),
                stride,
                threats: repeated,
                shared_mitigations: shared.into_iter().collect(),
            });
        }
    }
    groups
}

fn model_score(a: &Analysed) -> ModelScore {
    let threats = &a.analysis.threats;
    let count = |s: Severity| threats.iter().filter(|t| t.severity == s).count();
    let repeat_groups = repeat_groups(threats);
    let flows = a.model.flows.len();
    ModelScore {
        elements: a.model.elements.len(),
        flows,
        threats: threats.len(),
        critical: count(Severity::Critical),
        high: count(Severity::High),
        repeats: repeat_groups.iter().map(|g| g.threats.len()).sum(),
        threats_per_flow: (flows > 0).then(|| threats.len() as f64 / flows as f64),
        repeat_groups,
        criticals: (threats.iter())
            .filter(|t| t.severity == Severity::Critical)
            .map(ThreatRef::of)
            .collect(),
    }
}

fn totals(pairs: &[PairScore]) -> Totals {
    let models = || pairs.iter().flat_map(|p| [&p.weak, &p.hardened]);
    let expectations: usize = pairs.iter().map(|p| p.expectations.len()).sum();
    let met = (pairs.iter().flat_map(|p| &p.expectations))
        .filter(|e| e.met)
        .count();
    let precision_violations = (pairs.iter())
        .map(|p| p.precision_violations_weak + p.precision_violations_hardened)
        .sum();
    let hardening_checks = pairs.iter().map(|p| p.hardening.len()).sum();
    let hardening_violations = (pairs.iter().flat_map(|p| &p.hardening))
        .filter(|h| !h.ok)
        .count();
    let threats: usize = models().map(|m| m.threats).sum();
    let flows: usize = models().map(|m| m.flows).sum();
    let repeats: usize = models().map(|m| m.repeats).sum();
    let criticals_weak = pairs.iter().map(|p| p.weak.critical).sum();
    let criticals_hardened = pairs.iter().map(|p| p.hardened.critical).sum();
    let recall = if expectations == 0 {
        1.0
    } else {
        met as f64 / expectations as f64
    };
    let repeat_share = if threats == 0 {
        0.0
    } else {
        repeats as f64 / threats as f64
    };
    Totals {
        pairs: pairs.len(),
        models: pairs.len() * 2,
        expectations,
        met,
        recall,
        precision_violations,
        hardening_checks,
        hardening_violations,
        threats,
        flows,
        threats_per_flow: (flows > 0).then(|| threats as f64 / flows as f64),
        repeats,
        repeat_share,
        criticals_weak,
        criticals_hardened,
        targets: Targets {
            full_recall: met == expectations,
            no_precision_violation: precision_violations == 0,
            hardening_lowers: hardening_violations == 0,
            few_repeats: repeat_share < MAX_REPEAT_SHARE,
            no_critical_when_hardened: criticals_hardened == 0,
        },
    }
}
