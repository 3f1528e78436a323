//! Pins what the analysis finds on the bundled samples (`models/*.stride.json`), on the
//! mission-critical application consolidated from its services, and on the quality
//! benchmark's multi-service application: every threat's key, severity, likelihood and
//! impact, the controls in place and the rules merged into it. Speed work on the engine must
//! leave this file unchanged; a change of the catalog or of scoring shows up here as a diff to
//! review (`UPDATE_EXPECT=1 cargo test -p stridewise-core --test analysis_pin` rewrites it).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use stridewise_core::analysis::analyze;
use stridewise_core::catalog::Catalog;
use stridewise_core::consolidate::consolidate;
use stridewise_core::model::{self, ServiceModel};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load_all(dir: &Path, prefix: &str) -> Vec<(String, ServiceModel)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(prefix) && name.ends_with(".stride.json")
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, model::load(&p).unwrap())
        })
        .collect()
}

fn describe(out: &mut String, name: &str, m: &ServiceModel, catalog: &Catalog) {
    let a = analyze(m, catalog);
    let s = &a.summary;
    let _ = writeln!(
        out,
        "## {name}: {} threats, by severity {:?}",
        s.total, s.by_severity
    );
    for t in &a.threats {
        let _ = write!(
            out,
            "{} {} {}/{}",
            t.key,
            t.severity.as_str(),
            t.likelihood.as_str(),
            t.impact.as_str()
        );
        if !t.in_place.is_empty() {
            let _ = write!(out, " in_place={}", t.in_place.join(","));
        }
        if !t.also.is_empty() {
            let _ = write!(out, " also={}", t.also.join(","));
        }
        let _ = writeln!(out);
    }
}

#[test]
fn threats_of_the_samples_are_pinned() {
    let catalog = Catalog::builtin();
    let mut out = String::new();
    let samples = load_all(&root().join("models"), "");
    for (name, m) in &samples {
        describe(&mut out, name, m, catalog);
    }
    let mc: Vec<ServiceModel> = samples
        .iter()
        .filter(|(n, _)| n.starts_with("mc-"))
        .map(|(_, m)| m.clone())
        .collect();
    let app = consolidate("mission-critical", &mc, &catalog.stencils).model;
    describe(&mut out, "mission-critical application", &app, catalog);
    let shared = root().join("bench/quality/multi-service-shared");
    for variant in ["weak", "hardened"] {
        let services: Vec<ServiceModel> = load_all(&shared.join(variant), "")
            .into_iter()
            .map(|(_, m)| m)
            .collect();
        let app = consolidate(variant, &services, &catalog.stencils).model;
        describe(
            &mut out,
            &format!("multi-service-shared {variant} application"),
            &app,
            catalog,
        );
    }
    let pinned = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/analysis_pin.txt");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&pinned, &out).unwrap();
    }
    let expected = std::fs::read_to_string(&pinned).unwrap();
    assert!(
        expected == out,
        "the threats differ from {}; review the change, then rewrite it with UPDATE_EXPECT=1",
        pinned.display()
    );
}
