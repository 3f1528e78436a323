//! Hardening never makes things look worse: over the pairs of `bench/quality/`, applying any
//! hardening step alone, or any subset of the steps, to the weak model never raises the
//! severity of a threat and never adds a critical threat (issue 14).
//!
//! "Raises" compares threats by their stable key; "adds a critical" is a critical threat whose
//! key was not critical before (a new threat, or an old one raised to critical).

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;
use stridewise_core::analysis::analyze;
use stridewise_core::catalog::Catalog;
use stridewise_core::model::{ServiceModel, Severity};
use stridewise_core::quality::{self, Bench, Pair, Step, apply_steps, score::variant_model};

fn bench() -> &'static Bench {
    static BENCH: std::sync::OnceLock<Bench> = std::sync::OnceLock::new();
    BENCH.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/quality");
        quality::load(&dir).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// Severities by threat key, of the models as the scorer analyses them.
fn severities(pair: &Pair, models: &[ServiceModel]) -> BTreeMap<String, (Severity, String)> {
    let catalog = Catalog::builtin();
    let (model, _) = variant_model(models, &pair.application(), catalog);
    (analyze(&model, catalog).threats.into_iter())
        .map(|t| (t.key.0, (t.severity, t.title)))
        .collect()
}

/// Everything that got worse from `before` to `after`, one line each.
fn regressions(
    before: &BTreeMap<String, (Severity, String)>,
    after: &BTreeMap<String, (Severity, String)>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (key, (severity, title)) in after {
        let was = before.get(key).map(|(s, _)| *s);
        if was.is_some_and(|w| *severity > w) {
            out.push(format!("raised {} -> {severity}: {title}", was.unwrap()));
        } else if *severity == Severity::Critical && was != Some(Severity::Critical) {
            out.push(format!("new critical: {title}"));
        }
    }
    out
}

fn steps_of(pair: &Pair, mask: u64) -> Vec<&Step> {
    (pair.expected.hardening.iter().enumerate())
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, s)| s)
        .collect()
}

#[test]
fn every_subset_of_hardening_steps_applies_in_order() {
    for pair in &bench().pairs {
        let n = pair.expected.hardening.len();
        assert!(n <= 16, "{}: {n} steps", pair.name);
        for mask in 0..(1u64 << n) {
            if let Err(e) = apply_steps(&pair.weak, &steps_of(pair, mask)) {
                panic!("{} with steps {mask:#b}: {e}", pair.name);
            }
        }
    }
}

#[test]
fn no_single_hardening_step_raises_a_severity_or_adds_a_critical() {
    let mut found = Vec::new();
    for pair in &bench().pairs {
        let before = severities(pair, &pair.weak);
        for (i, step) in pair.expected.hardening.iter().enumerate() {
            let models = apply_steps(&pair.weak, &steps_of(pair, 1 << i)).unwrap();
            for r in regressions(&before, &severities(pair, &models)) {
                found.push(format!("{} + {}: {r}", pair.name, step.id));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} regressions from single hardening steps:\n  {}",
        found.len(),
        found.join("\n  ")
    );
}

fn pair_and_subset() -> impl Strategy<Value = (usize, u64)> {
    (0..bench().pairs.len()).prop_flat_map(|p| {
        let n = bench().pairs[p].expected.hardening.len();
        (Just(p), 0..(1u64 << n))
    })
}

proptest! {
    // No failure persistence: the regression file would be written into the source tree.
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_subset_of_hardening_steps_raises_a_severity_or_adds_a_critical((p, mask) in pair_and_subset()) {
        let pair = &bench().pairs[p];
        let steps = steps_of(pair, mask);
        let models = apply_steps(&pair.weak, &steps).unwrap();
        let found = regressions(&severities(pair, &pair.weak), &severities(pair, &models));
        let ids: Vec<&str> = steps.iter().map(|s| s.id.as_str()).collect();
        prop_assert!(found.is_empty(), "{} + {:?}:\n  {}", pair.name, ids, found.join("\n  "));
    }
}
