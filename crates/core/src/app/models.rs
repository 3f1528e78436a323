//! Use cases on model documents outside a workspace: a model's threats with its own triage,
//! service files consolidated into an application model with its threats and attack paths,
//! and the diff, three-way merge and conflict resolution of `stridewise diff`, `merge` and
//! `resolve` and of the desktop's revision view.

use crate::analysis::{self, Analysis};
use crate::catalog::Catalog;
use crate::consolidate::{self, Consolidation, paths::ThreatPaths};
use crate::model::{ServiceModel, ThreatKey, TriageDecision};
use std::collections::BTreeMap;

pub use crate::merge::render::{conflicts_text, diff_text};
pub use crate::merge::{
    ModelDiff, Resolution, ResolveError, Side, diff, empty_base, merge, name_sides, resolve,
    resolve_as,
};

/// How many shortest attack paths each high or critical threat on an asset gets.
pub const ATTACK_PATHS_PER_THREAT: usize = 3;

/// Every threat of `model`, its triage status not filled in (see [`apply_triage`]).
pub fn threats(model: &ServiceModel, catalog: &Catalog) -> Analysis {
    analysis::analyze(model, catalog)
}

pub use crate::analysis::apply_triage;

/// The threats of `model`, each with its state in `triage` (open when undecided).
pub fn analyze_with_triage(
    model: &ServiceModel,
    catalog: &Catalog,
    triage: &BTreeMap<ThreatKey, TriageDecision>,
) -> Analysis {
    let mut found = analysis::analyze(model, catalog);
    analysis::apply_triage(&mut found, triage);
    found
}

/// The threats of `model` with the triage the document carries.
pub fn analyze(model: &ServiceModel, catalog: &Catalog) -> Analysis {
    analyze_with_triage(model, catalog, &model.triage)
}

/// Service documents consolidated into one application model, with its threats.
#[derive(Clone, Debug, PartialEq)]
pub struct Consolidated {
    /// The application model and what consolidation found.
    pub consolidation: Consolidation,
    /// The application model's threats (every rule, the application-level ones among them),
    /// with the triage the consolidated model carries.
    pub analysis: Analysis,
    /// For high and critical threats on assets, the shortest paths from untrusted entries.
    pub attack_paths: Vec<ThreatPaths>,
}

/// Consolidates `models` into the application model `name` with the catalog's stencils (and
/// so its risk order), then analyses it and finds the attack paths: the pipeline of
/// `consolidate FILES`, the same one [`super::workspace::consolidate_application`] runs on a
/// workspace's head revisions.
pub fn consolidate_files(name: &str, models: &[ServiceModel], catalog: &Catalog) -> Consolidated {
    let consolidation = consolidate::consolidate(name, models, &catalog.stencils);
    let analysis = analyze(&consolidation.model, catalog);
    let attack_paths =
        consolidate::paths::attack_paths(&consolidation.model, &analysis, ATTACK_PATHS_PER_THREAT);
    Consolidated {
        consolidation,
        analysis,
        attack_paths,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{TriageStatus, from_json};
    use std::path::Path;

    fn sample(name: &str) -> ServiceModel {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../models")
            .join(name);
        from_json(&std::fs::read(&path).unwrap(), &path).unwrap()
    }

    #[test]
    fn analysis_carries_the_documents_triage() {
        let mut model = sample("mc-stamp.stride.json");
        let plain = analyze(&model, Catalog::builtin());
        let key = plain.threats[0].key.clone();
        assert_eq!(plain.threats[0].status, Some(TriageStatus::Open));
        model.triage.insert(
            key.clone(),
            TriageDecision {
                status: TriageStatus::Mitigated,
                ..TriageDecision::default()
            },
        );
        let triaged = analyze(&model, Catalog::builtin());
        let threat = triaged.threats.iter().find(|t| t.key == key).unwrap();
        assert_eq!(threat.status, Some(TriageStatus::Mitigated));
    }

    #[test]
    fn consolidating_files_analyses_the_application_model() {
        let models = [
            sample("mc-stamp.stride.json"),
            sample("mc-global.stride.json"),
        ];
        let done = consolidate_files("mission-critical", &models, Catalog::builtin());
        assert_eq!(done.consolidation.model.name, "mission-critical");
        assert_eq!(
            done.analysis,
            analyze(&done.consolidation.model, Catalog::builtin())
        );
        assert!(!done.analysis.threats.is_empty());
    }
}
