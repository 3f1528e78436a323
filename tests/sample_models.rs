//! The sample models in `models/` are demos, golden inputs for analysis and consolidation, and
//! the tool's own threat model, so they must stay valid, canonical and drawable. This file also
//! checks, through the real binary, that broken models are reported as data and never crash.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use stridewise_core::catalog;
use stridewise_core::model::{
    self, BoundaryId, ElementId, NodeLayout, ServiceModel, to_canonical_json,
};

fn sample_paths() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".stride.json"))
        .collect();
    paths.sort();
    paths
}

fn samples() -> Vec<(PathBuf, ServiceModel)> {
    sample_paths()
        .into_iter()
        .map(|p| {
            let m = model::load(&p).unwrap_or_else(|e| panic!("{e}"));
            (p, m)
        })
        .collect()
}

#[test]
fn the_sample_set_is_complete() {
    let names: Vec<String> = samples().into_iter().map(|(_, m)| m.name).collect();
    for expected in ["mc-global", "mc-stamp", "mc-operations", "stridewise"] {
        assert!(
            names.iter().any(|n| n == expected),
            "models/ has no '{expected}' model; found {names:?}"
        );
    }
}

#[test]
fn every_sample_validates_without_errors_or_warnings() {
    let stencils = catalog::builtin_stencils();
    for (path, m) in samples() {
        let diagnostics = model::validate(&m, stencils);
        let text: Vec<String> = diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(
            diagnostics.is_empty(),
            "{}:\n  {}",
            path.display(),
            text.join("\n  ")
        );
    }
}

#[test]
fn every_sample_round_trips_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    for (path, m) in samples() {
        let original = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            to_canonical_json(&m),
            original,
            "{} is not canonical; run `stridewise fmt` on it",
            path.display()
        );
        let copy = dir.path().join(path.file_name().unwrap());
        model::save(&m, &copy).unwrap();
        assert_eq!(
            std::fs::read_to_string(&copy).unwrap(),
            original,
            "{}: load then save changed the bytes",
            path.display()
        );
    }
}

#[test]
fn every_sample_has_every_element_and_flow_described() {
    for (path, m) in samples() {
        assert!(!m.description.trim().is_empty(), "{}", path.display());
        for e in &m.elements {
            assert!(
                !e.description.trim().is_empty(),
                "{}: element '{}' has no description",
                path.display(),
                e.name
            );
        }
        for f in &m.flows {
            assert!(
                !f.description.trim().is_empty() && !f.protocol.trim().is_empty(),
                "{}: flow '{}' needs a description and a protocol",
                path.display(),
                f.name
            );
            for p in ["encrypted", "authentication", "data_classification"] {
                assert!(
                    f.properties.contains_key(p),
                    "{}: flow '{}' does not set '{p}'",
                    path.display(),
                    f.name
                );
            }
        }
    }
}

fn inside(inner: &NodeLayout, outer: &NodeLayout) -> bool {
    inner.x >= outer.x
        && inner.y >= outer.y
        && inner.x + inner.width <= outer.x + outer.width
        && inner.y + inner.height <= outer.y + outer.height
}

fn overlap(a: &NodeLayout, b: &NodeLayout) -> bool {
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

fn node<K: Ord>(nodes: &BTreeMap<K, NodeLayout>, id: &K, path: &Path, what: &str) -> NodeLayout {
    *nodes
        .get(id)
        .unwrap_or_else(|| panic!("{}: {what} has no layout", path.display()))
}

/// A boundary and every boundary it is nested in, innermost first.
fn ancestors(m: &ServiceModel, start: Option<BoundaryId>) -> Vec<BoundaryId> {
    let mut out = Vec::new();
    let mut current = start;
    while let Some(b) = current {
        if out.contains(&b) {
            break;
        }
        out.push(b);
        current = m.boundary(b).and_then(|b| b.parent);
    }
    out
}

#[test]
fn every_sample_draws_cleanly() {
    for (path, m) in samples() {
        let at = |id, what: &str| node(&m.layout.nodes, id, &path, what);
        for e in &m.elements {
            let rect = at(&e.id.0, &format!("element '{}'", e.name));
            assert!(
                rect.width >= 120.0 && rect.height >= 50.0,
                "{}: element '{}' is drawn too small",
                path.display(),
                e.name
            );
            let enclosing = ancestors(&m, e.boundary);
            for b in &m.boundaries {
                let brect = at(&b.id.0, &format!("boundary '{}'", b.name));
                if enclosing.contains(&b.id) {
                    assert!(
                        inside(&rect, &brect),
                        "{}: element '{}' is drawn outside its boundary '{}'",
                        path.display(),
                        e.name,
                        b.name
                    );
                } else {
                    assert!(
                        !overlap(&rect, &brect),
                        "{}: element '{}' is drawn over boundary '{}', which it is not in",
                        path.display(),
                        e.name,
                        b.name
                    );
                }
            }
            for other in &m.elements {
                if other.id < e.id {
                    let orect = at(&other.id.0, "element");
                    assert!(
                        !overlap(&rect, &orect),
                        "{}: elements '{}' and '{}' overlap",
                        path.display(),
                        e.name,
                        other.name
                    );
                }
            }
        }
        for b in &m.boundaries {
            let brect = at(&b.id.0, "boundary");
            let enclosing = ancestors(&m, b.parent);
            for other in &m.boundaries {
                if other.id == b.id {
                    continue;
                }
                let orect = at(&other.id.0, "boundary");
                if enclosing.contains(&other.id) {
                    assert!(
                        inside(&brect, &orect),
                        "{}: boundary '{}' is drawn outside its parent '{}'",
                        path.display(),
                        b.name,
                        other.name
                    );
                } else if !ancestors(&m, other.parent).contains(&b.id) {
                    assert!(
                        !overlap(&brect, &orect),
                        "{}: unrelated boundaries '{}' and '{}' overlap",
                        path.display(),
                        b.name,
                        other.name
                    );
                }
            }
        }
    }
}

/// Consolidation relies on this: a reference names an element that exists in the named sample,
/// and the copies of a shared resource describe it the same way, so the samples consolidate
/// without conflicts.
#[test]
fn cross_service_references_and_shared_keys_agree() {
    let all = samples();
    let by_name: HashMap<&str, &ServiceModel> =
        all.iter().map(|(_, m)| (m.name.as_str(), m)).collect();
    let mut shared: BTreeMap<&str, Vec<(&str, ElementId)>> = BTreeMap::new();
    for (_, m) in &all {
        for e in &m.elements {
            if let Some(r) = &e.refers_to {
                let target_model = by_name.get(r.service.as_str()).unwrap_or_else(|| {
                    panic!("{}: '{}' refers to unknown service {r}", m.name, e.name)
                });
                let name = r.element.as_deref().expect("samples refer by element name");
                let target = target_model
                    .elements
                    .iter()
                    .find(|t| t.name == name)
                    .unwrap_or_else(|| panic!("{}: '{}' refers to missing {r}", m.name, e.name));
                assert_eq!(
                    (target.kind, &target.stencil, &target.properties),
                    (e.kind, &e.stencil, &e.properties),
                    "{}: '{}' and the element it refers to ({r}) differ",
                    m.name,
                    e.name
                );
            }
            if let Some(key) = &e.shared_key {
                shared.entry(key).or_default().push((&m.name, e.id));
            }
        }
    }
    for key in ["mc-global-cosmos", "mc-global-acr", "mc-global-logs"] {
        assert!(
            shared.get(key).is_some_and(|v| v.len() >= 2),
            "shared key '{key}' should appear in at least two samples"
        );
    }
    for (key, copies) in &shared {
        let first = by_name[copies[0].0].element(copies[0].1).unwrap();
        for (service, id) in &copies[1..] {
            let e = by_name[service].element(*id).unwrap();
            assert_eq!(
                (e.kind, &e.stencil, &e.properties),
                (first.kind, &first.stencil, &first.properties),
                "shared key '{key}': {} and {} describe the resource differently",
                copies[0].0,
                service
            );
        }
    }
}

fn run_validate(file: &Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_stridewise"))
        .arg("validate")
        .arg(file)
        .output()
        .expect("the stridewise binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains("panicked"), "stridewise panicked:\n{text}");
    (out.status.code(), text)
}

#[test]
fn a_flow_to_a_missing_element_fails_validate_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/mc-stamp.stride.json");
    let mut m = model::load(&source).unwrap();
    let missing = ElementId::new();
    let flow = m
        .flows
        .iter_mut()
        .find(|f| f.name == "Publish write operations")
        .expect("the stamp model has the flow");
    flow.target = missing;
    let broken = dir.path().join("broken.stride.json");
    model::save(&m, &broken).unwrap();

    let (code, text) = run_validate(&broken);
    assert_eq!(code, Some(2), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("unknown-element"))
        .unwrap_or_else(|| panic!("no unknown-element diagnostic in:\n{text}"));
    assert!(line.contains("'Publish write operations'"), "{line}");
    assert!(line.contains(&missing.to_string()), "{line}");
}

#[test]
fn a_truncated_file_fails_validate_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/mc-global.stride.json");
    let text = std::fs::read_to_string(source).unwrap();
    let cut = &text[..text.len() / 2];
    let truncated = dir.path().join("truncated.stride.json");
    std::fs::write(&truncated, cut).unwrap();
    let expected_line = cut.lines().count();

    let (code, out) = run_validate(&truncated);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains(&format!("line {expected_line}, column ")),
        "expected line {expected_line} in:\n{out}"
    );
    assert!(out.contains("truncated"), "{out}");
}
