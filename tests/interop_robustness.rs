//! Hostile input fails fast with a clear error and bounded memory, for every importer.

use std::path::Path;

use stridewise_core::catalog;
use stridewise_core::interop::{self, ImportError, MAX_IMPORT_BYTES, SourceFormat, threagile};

fn write(dir: &Path, name: &str, text: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn xml_entity_expansion_is_refused() {
    let mut bomb =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE ThreatModel [\n<!ENTITY a0 \"lol\">\n");
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!(
            "<!ENTITY a{i} \"{}\">\n",
            format!("&a{p};").repeat(10)
        ));
    }
    bomb.push_str("]>\n<ThreatModel>&a9;</ThreatModel>\n");
    let err =
        interop::tmt::import(bomb.as_bytes(), "bomb.tm7", catalog::builtin_stencils()).unwrap_err();
    assert!(matches!(err, ImportError::Syntax { .. }), "{err}");
    assert!(err.to_string().contains("DTD"), "{err}");
}

#[test]
fn xml_external_entities_are_refused() {
    let xxe = "<!DOCTYPE ThreatModel [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<ThreatModel>&x;</ThreatModel>";
    let err =
        interop::tmt::import(xxe.as_bytes(), "xxe.tm7", catalog::builtin_stencils()).unwrap_err();
    assert!(err.to_string().contains("DTD"), "{err}");
}

#[test]
fn deeply_nested_json_is_refused() {
    let deep = format!(
        "{{\"summary\":{}1{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let err = interop::threat_dragon::import(deep.as_bytes(), "deep.json").unwrap_err();
    assert!(matches!(err, ImportError::Syntax { .. }), "{err}");
    assert!(err.to_string().contains("recursion limit"), "{err}");
}

#[test]
fn deeply_nested_yaml_is_refused() {
    let deep = format!(
        "technical_assets: {}1{}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let err = threagile::import_str(&deep, "deep.yaml").unwrap_err();
    assert!(matches!(err, ImportError::Syntax { .. }), "{err}");
    assert!(err.to_string().contains("deeper than 128"), "{err}");
    // Block sequences nest through indentation and dashes; the parser's own limit holds.
    let dashes = format!("technical_assets:\n{}x\n", "- ".repeat(100_000));
    let err = threagile::import_str(&dashes, "dashes.yaml").unwrap_err();
    assert!(err.to_string().contains("recursion limit"), "{err}");
}

#[test]
fn deeply_nested_xml_is_refused() {
    let deep = format!(
        "<ThreatModel>{}{}</ThreatModel>",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    );
    // roxmltree does not recurse, so depth alone costs nothing; the document is then refused
    // for what it is not.
    let err =
        interop::tmt::import(deep.as_bytes(), "deep.tm7", catalog::builtin_stencils()).unwrap_err();
    assert!(err.to_string().contains("DrawingSurfaceList"), "{err}");
}

#[test]
fn yaml_alias_bombs_are_refused() {
    let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        doc.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{p}"); 10].join(", ")
        ));
    }
    doc.push_str("technical_assets: *a9\n");
    let err = threagile::import_str(&doc, "laughs.yaml").unwrap_err();
    assert!(matches!(err, ImportError::Syntax { .. }), "{err}");
}

#[test]
fn a_100_mb_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["big.json", "big.tm7", "big.yaml"] {
        let path = dir.path().join(name);
        let f = std::fs::File::create(&path).unwrap();
        // Sparse: no 100 MB is written, and the importer must not read it either.
        f.set_len(100 * 1024 * 1024).unwrap();
        let err = interop::import_file(&path, None, catalog::builtin_stencils()).unwrap_err();
        match err {
            ImportError::TooLarge { size, max, .. } => {
                assert_eq!(size, 100 * 1024 * 1024);
                assert_eq!(max, MAX_IMPORT_BYTES);
            }
            other => panic!("{name}: {other}"),
        }
    }
}

#[test]
fn invalid_utf8_is_refused_by_every_importer() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = b"{\"summary\": \"\xff\xfe\"}";
    for (format, name) in [
        (SourceFormat::ThreatDragon, "bad.json"),
        (SourceFormat::Tmt, "bad.tm7"),
        (SourceFormat::Threagile, "bad.yaml"),
    ] {
        let path = write(dir.path(), name, bytes);
        let err =
            interop::import_file(&path, Some(format), catalog::builtin_stencils()).unwrap_err();
        assert!(
            matches!(err, ImportError::NotUtf8 { offset: 13, .. }),
            "{name}: {err}"
        );
    }
}

#[test]
fn an_unknown_format_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "model.txt", b"hello");
    let err = interop::import_file(&path, None, catalog::builtin_stencils()).unwrap_err();
    assert!(err.to_string().contains("--format"), "{err}");
}

#[test]
fn threat_dragon_v1_and_wrong_shapes_fail_clearly() {
    let v1 =
        br#"{"summary": {"title": "x"}, "detail": {"diagrams": [{"diagramJson": {"cells": []}}]}}"#;
    let err = interop::threat_dragon::import(v1, "v1.json").unwrap_err();
    assert!(err.to_string().contains("v1"), "{err}");
    let err = interop::threat_dragon::import(b"[1, 2]", "list.json").unwrap_err();
    assert!(err.to_string().contains("not a JSON object"), "{err}");
    let err =
        interop::threat_dragon::import(br#"{"summary": {"title": 3}, "detail": {}}"#, "t.json")
            .unwrap_err();
    assert!(err.to_string().contains("summary.title"), "{err}");
    let err = interop::threat_dragon::import(b"{\"summary\": ", "cut.json").unwrap_err();
    assert!(matches!(err, ImportError::Syntax { .. }), "{err}");
}

#[test]
fn threat_dragon_odd_cells_are_reported_not_fatal() {
    let doc = br#"{"summary": {"title": "odd"}, "detail": {"diagrams": [{"cells": [
        {"shape": "process", "id": "p", "data": {"name": ""}},
        {"shape": "actor", "id": "a", "position": {"x": "no"}, "data": {"name": "A", "threats": [7, {"id": 1}]}},
        {"shape": "flow", "id": "f", "source": {"cell": "p"}, "target": {"cell": "p"}, "data": {}},
        {"shape": "trust-broundary-curve", "id": "c", "source": {"x": 0, "y": 0}, "target": {"x": 9, "y": 9}, "data": {}},
        {"shape": "hexagon", "id": "h"},
        "not a cell"
    ]}]}}"#;
    let (models, report) = interop::threat_dragon::import(doc, "odd.json").unwrap();
    let m = &models[0];
    assert_eq!(m.elements.len(), 2);
    assert_eq!(m.boundaries.len(), 1, "the misspelt curve shape is a curve");
    assert_eq!(m.flows.len(), 0);
    assert_eq!(
        m.threats.len(),
        1,
        "the threat without a title is kept as a hand-written threat"
    );
    assert!(
        m.triage.is_empty(),
        "an open imported threat needs no decision"
    );
    let text: Vec<String> = report.unmapped.iter().map(|u| u.to_string()).collect();
    for expected in [
        "has no name",
        "no position",
        "itself",
        "hexagon",
        "not an object",
    ] {
        assert!(
            text.iter().any(|t| t.contains(expected)),
            "{expected}: {text:#?}"
        );
    }
}

#[test]
fn threagile_includes_are_cycle_safe_bounded_and_relative() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "main.yaml", b"title: cyc\nincludes: [a.yaml]\ntechnical_assets:\n  Web:\n    id: web\n    type: process\n");
    write(d, "a.yaml", b"includes: [main.yaml, b.yaml]\n");
    write(
        d,
        "b.yaml",
        b"includes: [a.yaml]\ntechnical_assets:\n  DB:\n    id: db\n    type: datastore\n",
    );
    let (models, _) = threagile::import_file(&d.join("main.yaml")).unwrap();
    assert_eq!(models[0].elements.len(), 2);

    for i in 0..20 {
        write(
            d,
            &format!("c{i}.yaml"),
            format!("includes: [c{}.yaml]\n", i + 1).as_bytes(),
        );
    }
    write(d, "c20.yaml", b"technical_assets: {}\n");
    let err = threagile::import_file(&d.join("c0.yaml")).unwrap_err();
    assert!(err.to_string().contains("deeper than"), "{err}");

    write(d, "abs.yaml", b"includes: [/etc/passwd]\n");
    let err = threagile::import_file(&d.join("abs.yaml")).unwrap_err();
    assert!(err.to_string().contains("absolute"), "{err}");

    write(d, "missing.yaml", b"includes: [nowhere.yaml]\n");
    let err = threagile::import_file(&d.join("missing.yaml")).unwrap_err();
    assert!(err.to_string().contains("nowhere.yaml"), "{err}");
}

#[test]
fn huge_diagrams_are_refused_before_quadratic_geometry() {
    let cells: Vec<serde_json::Value> = (0..interop::MAX_OBJECTS_PER_DIAGRAM + 1)
        .map(|i| {
            serde_json::json!({"shape": "trust-boundary-box", "id": format!("b{i}"),
            "position": {"x": i, "y": i}, "size": {"width": 10, "height": 10}})
        })
        .collect();
    let doc = serde_json::json!({"summary": {"title": "big"}, "detail": {"diagrams": [{"cells": cells}]}});
    let err =
        interop::threat_dragon::import(&serde_json::to_vec(&doc).unwrap(), "big.json").unwrap_err();
    assert!(err.to_string().contains("10001 cells"), "{err}");
}
