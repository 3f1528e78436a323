//! Every importable file of the shared corpus imports, with element, flow, boundary and threat
//! counts counted from the source files with Python (json, xml.etree, PyYAML), not with the
//! importers; imported models validate; Threat Dragon files survive export and re-import.

use std::path::Path;

use stridewise_core::catalog;
use stridewise_core::interop::{self, ImportError, SourceFormat, threat_dragon};
use stridewise_core::model::{self, ElementId, ServiceModel, Severity, ThreatKey, TriageStatus};

fn import(corpus: &Path, rel: &str) -> (Vec<ServiceModel>, interop::ImportReport) {
    let path = corpus.join(rel);
    interop::import_file(&path, None, catalog::builtin_stencils())
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn assert_valid(rel: &str, m: &ServiceModel) {
    let errors: Vec<_> = model::validate(m, catalog::builtin_stencils())
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{rel}: {errors:#?}");
}

/// (file, elements, flows attached at both ends, boundaries, threats on imported objects),
/// counted with Python from the source files.
const EXPECTED: &[(&str, usize, usize, usize, usize)] = &[
    ("threat-dragon/generic-cms.json", 5, 5, 1, 0),
    ("threat-dragon/iot-device.json", 11, 14, 1, 4),
    ("threat-dragon/online-game.json", 12, 17, 3, 0),
    ("threat-dragon/payment-online.json", 5, 10, 3, 0),
    ("threat-dragon/three-tier-web-app.json", 3, 3, 2, 2),
    ("threat-dragon/v2-threat-model.json", 7, 9, 3, 13),
    ("tmt/MTMT_MVP.tm7", 4, 6, 2, 43),
    ("tmt/MTMT_example.tm7", 4, 6, 2, 43),
    ("tmt/MTMT_nested_tz.tm7", 4, 2, 3, 16),
    ("tmt/MTMT_simple_line_boundary.tm7", 4, 6, 1, 39),
    ("tmt/one-trustzone.tm7", 1, 0, 1, 0),
    ("tmt/test_model.tm7", 5, 8, 4, 10),
    ("threagile/stub.yaml", 2, 1, 1, 0),
    ("threagile/split/all.yaml", 14, 20, 5, 6),
    ("threagile/split/main.yaml", 14, 20, 5, 6),
    // Fragments that define technical assets import on their own; links to assets of other
    // fragments are reported as not mapped.
    ("threagile/split/technical_assets_servers.yaml", 5, 3, 0, 0),
    ("threagile/split/technical_assets_clients.yaml", 3, 0, 0, 0),
];

pub fn corpus_counts_match_the_source_files(corpus: &Path) {
    for &(rel, elements, flows, boundaries, threats) in EXPECTED {
        let (models, report) = import(corpus, rel);
        assert_eq!(models.len(), 1, "{rel}: one diagram");
        let m = &models[0];
        assert_eq!(
            (
                m.elements.len(),
                m.flows.len(),
                m.boundaries.len(),
                m.triage.len()
            ),
            (elements, flows, boundaries, threats),
            "{rel}: elements, flows, boundaries, threats"
        );
        assert_eq!(report.models[0].elements, elements, "{rel}: report");
        assert_valid(rel, m);
    }
}

pub fn importing_twice_gives_the_same_bytes(corpus: &Path) {
    for &(rel, ..) in EXPECTED {
        let a: Vec<String> = import(corpus, rel)
            .0
            .iter()
            .map(model::to_canonical_json)
            .collect();
        let b: Vec<String> = import(corpus, rel)
            .0
            .iter()
            .map(model::to_canonical_json)
            .collect();
        assert_eq!(a, b, "{rel}");
    }
}

pub fn threat_dragon_round_trip_keeps_everything(corpus: &Path) {
    for &(rel, ..) in EXPECTED
        .iter()
        .filter(|e| e.0.starts_with("threat-dragon/"))
    {
        let (models, _) = import(corpus, rel);
        let first = &models[0];
        let exported = serde_json::to_vec(&threat_dragon::export(first)).unwrap();
        let (again, report) = threat_dragon::import(&exported, "exported").unwrap();
        assert_eq!(again.len(), 1);
        assert!(
            report
                .unmapped
                .iter()
                .all(|u| u.item.starts_with("text block")),
            "{rel}: {:?}",
            report.unmapped
        );
        assert_eq!(
            model::to_canonical_json(first),
            model::to_canonical_json(&again[0]),
            "{rel}: export then import changes the model"
        );
    }
}

pub fn threat_dragon_threats_become_triage_decisions(corpus: &Path) {
    let (models, _) = import(corpus, "threat-dragon/v2-threat-model.json");
    let m = &models[0];
    let key = ThreatKey(
        "TD-7df716cd-a982-48a5-b4ed-800ccb670734@a25bbb4e-093f-4238-a620-31efdee452dc".into(),
    );
    let d = &m.triage[&key];
    assert_eq!(d.status, TriageStatus::Open);
    assert_eq!(d.severity_override, Some(Severity::High));
    assert!(
        d.justification
            .starts_with("Threat Dragon threat: Accessing DB credentials\n")
    );
    assert!(
        d.justification
            .contains("Type: Information disclosure (STRIDE)")
    );
    assert!(
        d.justification
            .contains("Mitigation:\nEncrypt the DB credentials")
    );
    let mitigated = m
        .triage
        .values()
        .filter(|d| d.status == TriageStatus::Mitigated)
        .count();
    // Python counts 4 Mitigated threats in this file; one is on the flow 'Web Request', which
    // is not attached at its source and is left out.
    assert_eq!(mitigated, 3);
    let store = m
        .element(ElementId(
            "a25bbb4e-093f-4238-a620-31efdee452dc".parse().unwrap(),
        ))
        .unwrap();
    assert_eq!(store.properties.get("stores_secrets"), Some(&true.into()));
}

pub fn threat_dragon_boxes_hold_their_members_and_curves_hold_none(corpus: &Path) {
    let (models, _) = import(corpus, "threat-dragon/online-game.json");
    let m = &models[0];
    let inside = |boundary: &str| {
        let b = m.boundaries.iter().find(|b| b.name == boundary).unwrap().id;
        m.elements.iter().filter(|e| e.boundary == Some(b)).count()
    };
    // Counted with Python: element centres inside each box.
    assert_eq!(inside("Player's local machine"), 4);
    assert_eq!(inside("Production network"), 7);
    assert_eq!(inside("Corp network"), 1);

    let (models, report) = import(corpus, "threat-dragon/v2-threat-model.json");
    let m = &models[0];
    assert!(m.elements.iter().all(|e| e.boundary.is_none()));
    assert_eq!(
        m.boundaries
            .iter()
            .filter(|b| m.layout.edges.contains_key(&b.id.0))
            .count(),
        3
    );
    let crossing: Vec<&str> = m
        .flows
        .iter()
        .filter(|f| f.notes.contains("Crosses the trust boundary line"))
        .map(|f| f.name.as_str())
        .collect();
    assert!(crossing.contains(&"Put Message"), "{crossing:?}");
    assert_eq!(report.notes.len(), 3);
    assert!(
        report
            .unmapped
            .iter()
            .any(|u| u.item.contains("Web Request"))
    );
}

pub fn the_malformed_threat_dragon_file_fails_clearly(corpus: &Path) {
    let path = corpus.join("threat-dragon/v2-malformed-new-model.json");
    let err = interop::import_file(&path, None, catalog::builtin_stencils()).unwrap_err();
    assert!(matches!(err, ImportError::Invalid { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("'detail' is missing"), "{msg}");
    assert!(msg.contains("details"), "{msg}");
}

pub fn tmt_example_matches_the_expected_open_threat_model(corpus: &Path) {
    let (models, _) = import(corpus, "tmt/MTMT_example.tm7");
    let m = &models[0];
    let text = std::fs::read_to_string(corpus.join("tmt/MTMT_example.expected-otm.yaml")).unwrap();
    let otm: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let list = |k: &str| otm[k].as_sequence().unwrap().clone();
    let s = |v: &serde_yaml_ng::Value, k: &str| v[k].as_str().unwrap_or("").to_string();

    // StartLeft's output has 3 trust zones: the 2 drawn boundaries (their representation ids
    // are the .tm7 guids) and "Sandbox environment", which StartLeft's mapping file adds and
    // the .tm7 does not contain.
    let zones = list("trustZones");
    assert_eq!(zones.len(), 3);
    let drawn: Vec<(String, String)> = zones
        .iter()
        .filter_map(|z| {
            let rep = z["representations"].as_sequence()?.first()?;
            Some((
                s(z, "id"),
                s(rep, "id").trim_end_matches("-representation").to_string(),
            ))
        })
        .collect();
    // The expected output was made from a slightly different drawing: its "Internet" zone's
    // representation (75605184-..., 320x311 at 332,136) is not the border boundary in this
    // .tm7 (7537441a-..., 202x281 at 386,151), so zones are matched by guid, else by name.
    let drawn: Vec<(String, String)> = drawn
        .into_iter()
        .map(|(zone, guid)| {
            let name = s(zones.iter().find(|z| s(z, "id") == zone).unwrap(), "name");
            let b = m
                .boundaries
                .iter()
                .find(|b| b.id.to_string() == guid)
                .or_else(|| m.boundaries.iter().find(|b| b.name == name))
                .unwrap_or_else(|| panic!("zone '{name}' ({guid}) not imported"));
            (zone, b.id.to_string())
        })
        .collect();
    assert_eq!(drawn.len(), 2);
    assert_eq!(m.boundaries.len(), 2);

    let components = list("components");
    assert_eq!(components.len(), 4);
    assert_eq!(m.elements.len(), 4);
    for c in &components {
        let e = m
            .elements
            .iter()
            .find(|e| e.id.to_string() == s(c, "id"))
            .unwrap_or_else(|| panic!("component {} not imported", s(c, "name")));
        assert_eq!(e.name, s(c, "name"));
        let zone = s(&c["parent"], "trustZone");
        let guid = &drawn.iter().find(|(id, _)| *id == zone).unwrap().1;
        assert_eq!(
            e.boundary.map(|b| b.to_string()).as_deref(),
            Some(guid.as_str()),
            "{}",
            e.name
        );
    }
    // A list property resolved through the knowledge base, as in the expected output.
    let mobile = m
        .elements
        .iter()
        .find(|e| e.name == "Mobile Client")
        .unwrap();
    assert!(
        mobile.notes.contains("Mobile Client Technologies: Android"),
        "{}",
        mobile.notes
    );

    let flows = list("dataflows");
    assert_eq!(flows.len(), 6);
    for f in &flows {
        let g = m
            .flows
            .iter()
            .find(|g| g.id.to_string() == s(f, "id"))
            .unwrap();
        assert_eq!(g.name, s(f, "name"));
        assert_eq!(g.source.to_string(), s(f, "source"));
        assert_eq!(g.target.to_string(), s(f, "destination"));
    }
    // 43 threats in the expected output and 43 threat instances in the file.
    assert_eq!(list("threats").len(), 43);
    assert_eq!(m.triage.len(), 43);
    assert!(m.triage.keys().all(|k| k.as_str().starts_with("TMT-")));
    assert!(m.triage.values().all(|d| d.status == TriageStatus::Open));
}

pub fn tmt_nesting_line_boundaries_and_unknown_priorities(corpus: &Path) {
    let (models, report) = import(corpus, "tmt/MTMT_nested_tz.tm7");
    let m = &models[0];
    let sandbox = m
        .boundaries
        .iter()
        .find(|b| b.name == "Sandbox environment")
        .unwrap();
    let outer = m.boundary(sandbox.parent.expect("nested")).unwrap();
    assert_eq!(outer.name, "Generic Trust Border Boundary");
    let https = m.flows.iter().find(|f| f.name == "HTTPS").unwrap();
    assert!(https.notes.contains("Internet Boundary"));
    assert!(
        https.notes.contains("Destination Authenticated: Yes"),
        "{}",
        https.notes
    );
    assert!(
        report
            .unmapped
            .iter()
            .any(|u| u.item.contains("Production data"))
    );

    // test_model.tm7 uses a custom knowledge base (generic types by GUID) and the priority
    // "highest", which has no native severity.
    let (models, _) = import(corpus, "tmt/test_model.tm7");
    assert!(models[0].triage.values().all(|d| d.severity_override.is_none()
        && d.justification.contains("Priority: highest")));
}

pub fn threagile_split_and_single_file_give_the_same_model(corpus: &Path) {
    let (split, report) = import(corpus, "threagile/split/main.yaml");
    let (single, _) = import(corpus, "threagile/split/all.yaml");
    let ids = |m: &ServiceModel| {
        let mut v: Vec<String> = m
            .elements
            .iter()
            .map(|e| format!("{} {}", e.id, e.name))
            .chain(m.flows.iter().map(|f| format!("{} {}", f.id, f.name)))
            .chain(
                m.boundaries
                    .iter()
                    .map(|b| format!("{} {} {:?}", b.id, b.name, b.parent)),
            )
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(&split[0]), ids(&single[0]));
    assert!(report.notes.iter().any(|n| n.contains("already included")));

    let m = &single[0];
    let boundary = |name: &str| m.boundaries.iter().find(|b| b.name == name).unwrap();
    let app = boundary("Application Network").id;
    for nested in ["Web DMZ", "ERP DMZ", "Auth Handling Environment"] {
        assert_eq!(boundary(nested).parent, Some(app), "{nested}");
    }
    let element = |name: &str| m.elements.iter().find(|e| e.name == name).unwrap();
    assert_eq!(element("Load Balancer").boundary, Some(app));
    assert_eq!(
        element("Apache Webserver").boundary,
        Some(boundary("Web DMZ").id)
    );

    let erp = element("Backoffice ERP System").id;
    let d = &m.triage[&ThreatKey(format!("TG-untrusted-deserialization@{erp}"))];
    assert_eq!(d.status, TriageStatus::Accepted);
    assert_eq!(d.ticket, "XYZ-1234");
    assert_eq!(d.decided_by, "John Doe");
    assert!(
        m.layout.nodes.len() == m.elements.len(),
        "a layout is generated"
    );
}

pub fn threagile_fragments_and_outputs_are_refused_by_name(corpus: &Path) {
    for rel in [
        "threagile/split/meta.yaml",
        "threagile/split/trust_boundaries.yaml",
        "threagile/split/risk_tracking.yaml",
        "threagile/split/risk-category.yaml",
    ] {
        let err =
            interop::import_file(&corpus.join(rel), None, catalog::builtin_stencils()).unwrap_err();
        assert!(err.to_string().contains("fragment"), "{rel}: {err}");
    }
    let err = interop::import_file(
        &corpus.join("threagile/split/parsed-model.yaml"),
        None,
        catalog::builtin_stencils(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("parsed-model output"), "{err}");
    let err = interop::import_file(
        &corpus.join("threagile/split/diagram_tweak.yaml"),
        Some(SourceFormat::Threagile),
        catalog::builtin_stencils(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("not a YAML mapping"), "{err}");
}

pub fn imported_corpus_models_analyse_with_threats(corpus: &Path) {
    let catalog = stridewise_core::catalog::Catalog::builtin();
    let mut models = 0;
    for &(rel, elements, ..) in EXPECTED {
        for m in import(corpus, rel).0 {
            let analysis = stridewise_core::analysis::analyze(&m, catalog);
            // every element gets at least its STRIDE-per-element baseline unless out of scope
            let in_scope = m.elements.iter().filter(|e| !e.out_of_scope).count();
            if in_scope > 0 {
                assert!(
                    !analysis.threats.is_empty(),
                    "{rel}: {elements} elements but no threat"
                );
            }
            models += 1;
        }
    }
    assert_eq!(models, EXPECTED.len());
    let pytm_path = corpus.join("pytm/input.json");
    let pytm =
        stridewise_core::interop::pytm::from_json(&std::fs::read(&pytm_path).unwrap(), &pytm_path)
            .unwrap();
    assert!(
        !stridewise_core::analysis::analyze(&pytm, catalog)
            .threats
            .is_empty()
    );
}
