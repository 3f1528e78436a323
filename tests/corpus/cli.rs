//! `stridewise import` and `export` through the binary on third-party files.

use std::path::Path;

use crate::{stridewise, text};

pub fn import_prints_the_summary_of_a_real_threat_dragon_file(corpus: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let src = corpus.join("threat-dragon/v2-threat-model.json");
    let out = stridewise(
        &["import", src.to_str().unwrap(), "-o", "demo.stride.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("7 elements, 9 flows, 3 boundaries, 13 threats"),
        "{t}"
    );
    assert!(t.contains("not mapped (2)"), "{t}");
    assert!(t.contains("Web Request"), "{t}");
    let out = stridewise(&["validate", "demo.stride.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

pub fn a_real_tmt_file_exports_to_threat_dragon_and_otm(corpus: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let src = corpus.join("tmt/MTMT_example.tm7");
    let out = stridewise(
        &[
            "import",
            src.to_str().unwrap(),
            "--format",
            "tmt",
            "-o",
            "m.stride.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = stridewise(
        &[
            "export",
            "m.stride.json",
            "--format",
            "threat-dragon",
            "-o",
            "m.td.json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let td: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("m.td.json")).unwrap()).unwrap();
    let cells = td["detail"]["diagrams"][0]["cells"].as_array().unwrap();
    let count = |shape: &str| cells.iter().filter(|c| c["shape"] == shape).count();
    assert_eq!(count("flow"), 6);
    assert_eq!(count("trust-boundary-box"), 2);
    assert_eq!(count("actor") + count("process") + count("store"), 4);
    let threats: usize = cells
        .iter()
        .map(|c| c["data"]["threats"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(threats, 43);

    let out = stridewise(&["export", "m.stride.json", "--format", "otm"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let otm: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(otm["components"].as_array().unwrap().len(), 4);
    assert_eq!(otm["dataflows"].as_array().unwrap().len(), 6);
    assert_eq!(otm["trustZones"].as_array().unwrap().len(), 2);
    assert_eq!(otm["threats"].as_array().unwrap().len(), 43);
}
