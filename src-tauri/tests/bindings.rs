//! The TypeScript declarations in `ui/src/bindings/` are generated from the Rust types that
//! cross IPC (ts-rs). This test fails when they are stale; regenerate them with
//! `STRIDEWISE_BLESS=1 cargo test -p stridewise-app --test bindings`. It also exports the built-in
//! stencils to `ui/src/__fixtures__/stencils.json` for the web build and the UI's tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use stridewise_app::RevisionView;
use stridewise_app::chosen::PathPurpose;
use stridewise_app::{
    ApiError, ApplicationView, ImportOutcome, LoadedService, MergedService, ReportWritten,
    ReviewSummary, ReviewView, SavedService, ServiceAnalysis, TriageChange, TriageScope,
    WireApplicationView, WireServiceAnalysis, WorkspaceInfo,
};
use stridewise_core::model::{Diagnostic, ServiceModel, StencilSet};
use ts_rs::{Config, TS};

fn export(dir: &Path) {
    let cfg = Config::new().with_out_dir(dir);
    ServiceModel::export_all(&cfg).unwrap();
    StencilSet::export_all(&cfg).unwrap();
    Diagnostic::export_all(&cfg).unwrap();
    ApiError::export_all(&cfg).unwrap();
    WorkspaceInfo::export_all(&cfg).unwrap();
    LoadedService::export_all(&cfg).unwrap();
    SavedService::export_all(&cfg).unwrap();
    MergedService::export_all(&cfg).unwrap();
    ServiceAnalysis::export_all(&cfg).unwrap();
    TriageScope::export_all(&cfg).unwrap();
    TriageChange::export_all(&cfg).unwrap();
    ApplicationView::export_all(&cfg).unwrap();
    ReportWritten::export_all(&cfg).unwrap();
    ImportOutcome::export_all(&cfg).unwrap();
    WireServiceAnalysis::export_all(&cfg).unwrap();
    WireApplicationView::export_all(&cfg).unwrap();
    ReviewSummary::export_all(&cfg).unwrap();
    ReviewView::export_all(&cfg).unwrap();
    RevisionView::export_all(&cfg).unwrap();
    stridewise_core::app::threat::ThreatEdit::export_all(&cfg).unwrap();
    stridewise_app::TerraformService::export_all(&cfg).unwrap();
    stridewise_app::DriftReport::export_all(&cfg).unwrap();
    PathPurpose::export_all(&cfg).unwrap();
}

/// Every `.ts` file under `dir`, by path relative to it (ts-rs puts some in subfolders).
fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "ts") {
                let name = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(name, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

#[test]
fn bindings_are_fresh() {
    let committed: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings");
    let fresh_dir = tempfile::tempdir().unwrap();
    export(fresh_dir.path());
    let fresh = read_dir(fresh_dir.path());
    assert!(fresh.contains_key("ServiceModel.ts"), "{:?}", fresh.keys());

    // The web build and the UI's tests use the real built-in stencils, exported here.
    let stencils_json =
        serde_json::to_string_pretty(stridewise_core::catalog::builtin_stencils()).unwrap() + "\n";
    let stencils_path = committed.join("../__fixtures__/stencils.json");
    // The web build has no analysis engine: it shows the real analysis of each bundled sample
    // (by model id), exported here, and says that edits are not re-analysed there.
    let analysis_json = serde_json::to_string(&sample_analyses()).unwrap() + "\n";
    let analysis_path = committed.join("../__fixtures__/analysis.json");

    if std::env::var_os("STRIDEWISE_BLESS").is_some() {
        std::fs::create_dir_all(stencils_path.parent().unwrap()).unwrap();
        std::fs::write(&stencils_path, &stencils_json).unwrap();
        std::fs::write(&analysis_path, &analysis_json).unwrap();
        for stale in read_dir(&committed).keys() {
            std::fs::remove_file(committed.join(stale)).unwrap();
        }
        std::fs::create_dir_all(&committed).unwrap();
        for (name, text) in &fresh {
            let path = committed.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        return;
    }
    assert_eq!(
        std::fs::read_to_string(&stencils_path).unwrap_or_default(),
        stencils_json,
        "ui/src/__fixtures__/stencils.json is stale; run STRIDEWISE_BLESS=1 cargo test -p stridewise-app --test bindings"
    );
    assert_eq!(
        std::fs::read_to_string(&analysis_path).unwrap_or_default(),
        analysis_json,
        "ui/src/__fixtures__/analysis.json is stale; run STRIDEWISE_BLESS=1 cargo test -p stridewise-app --test bindings"
    );
    let on_disk = read_dir(&committed);
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&on_disk),
        names(&fresh),
        "ui/src/bindings/ lists other types than the Rust code exports; run \
         STRIDEWISE_BLESS=1 cargo test -p stridewise-app --test bindings"
    );
    for (name, text) in &fresh {
        assert_eq!(
            &on_disk[name], text,
            "ui/src/bindings/{name} is stale; run STRIDEWISE_BLESS=1 cargo test -p stridewise-app --test bindings"
        );
    }
}

/// The analysis of every sample model in `models/`, by model id.
fn sample_analyses() -> BTreeMap<String, stridewise_core::analysis::Analysis> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../models");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        if !path.to_string_lossy().ends_with(".stride.json") {
            continue;
        }
        let model = stridewise_core::model::load(&path).unwrap();
        let analysis = stridewise_core::analysis::analyze(
            &model,
            stridewise_core::catalog::Catalog::builtin(),
        );
        out.insert(model.id.to_string(), analysis);
    }
    out
}
