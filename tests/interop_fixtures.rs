//! The importers on the project's own fixtures (`tests/fixtures/interop/`): one small, readable
//! file per format, written for these tests, checked for meaning (element kinds, boundaries and
//! their members, flows, imported threats with their status), not only counts. The same checks
//! over third-party files are the corpus tier (`tests/corpus/`).

use std::path::{Path, PathBuf};

use stridewise_core::catalog;
use stridewise_core::interop::{self, ImportError, ImportReport, SourceFormat, threat_dragon};
use stridewise_core::model::{
    self, BoundaryKind, DataFlow, Element, ElementKind, PropertyValue, ServiceModel, Severity,
    TriageDecision, TriageStatus, TrustBoundary,
};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/interop")
        .join(rel)
}

fn import(rel: &str) -> (ServiceModel, ImportReport) {
    let (mut models, report) =
        interop::import_file(&fixture(rel), None, catalog::builtin_stencils())
            .unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert_eq!(models.len(), 1, "{rel}: one diagram");
    let m = models.remove(0);
    let errors: Vec<_> = model::validate(&m, catalog::builtin_stencils())
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{rel}: {errors:#?}");
    (m, report)
}

fn element<'a>(m: &'a ServiceModel, name: &str) -> &'a Element {
    m.elements
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no element '{name}' in {}", m.name))
}

fn boundary<'a>(m: &'a ServiceModel, name: &str) -> &'a TrustBoundary {
    m.boundaries
        .iter()
        .find(|b| b.name == name)
        .unwrap_or_else(|| panic!("no boundary '{name}' in {}", m.name))
}

fn flow<'a>(m: &'a ServiceModel, name: &str) -> &'a DataFlow {
    m.flows
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no flow '{name}' in {}", m.name))
}

/// The element names inside a boundary, sorted.
fn members(m: &ServiceModel, name: &str) -> Vec<String> {
    let b = boundary(m, name).id;
    let mut v: Vec<String> = m
        .elements
        .iter()
        .filter(|e| e.boundary == Some(b))
        .map(|e| e.name.clone())
        .collect();
    v.sort();
    v
}

/// A flow as `source -> target`, by element names.
fn ends(m: &ServiceModel, name: &str) -> String {
    let f = flow(m, name);
    let n = |id| m.element(id).map(|e| e.name.clone()).unwrap_or_default();
    format!("{} -> {}", n(f.source), n(f.target))
}

fn prop(e: &Element, key: &str) -> Option<PropertyValue> {
    e.properties.get(key).cloned()
}

/// The imported decisions whose text mentions `title`.
fn decision<'a>(m: &'a ServiceModel, title: &str) -> &'a TriageDecision {
    let found: Vec<_> = m
        .triage
        .values()
        .filter(|d| d.justification.contains(title))
        .collect();
    assert_eq!(found.len(), 1, "one decision about '{title}': {found:#?}");
    found[0]
}

#[test]
fn threat_dragon_elements_boundaries_flows_and_threats() {
    let (m, report) = import("threat-dragon/clinic.json");
    // One diagram: the model is named after the file's title alone.
    assert_eq!(m.name, "Clinic booking");
    assert_eq!(m.team, "Team Booking");
    assert_eq!(element(&m, "Patient").kind, ElementKind::ExternalEntity);
    assert_eq!(element(&m, "Booking API").kind, ElementKind::Process);
    let db = element(&m, "Appointments DB");
    assert_eq!(db.kind, ElementKind::DataStore);
    assert_eq!(prop(db, "encrypted_at_rest"), Some(true.into()));
    assert_eq!(prop(db, "stores_secrets"), Some(true.into()));
    assert_eq!(m.elements.len(), 3);

    // The box holds what is drawn inside it; the curve holds nothing but marks the flow that
    // crosses it.
    assert_eq!(
        members(&m, "Clinic network"),
        ["Appointments DB", "Booking API"]
    );
    assert_eq!(members(&m, "Internet edge"), Vec::<String>::new());
    assert!(
        m.layout
            .edges
            .contains_key(&boundary(&m, "Internet edge").id.0)
    );
    assert!(element(&m, "Patient").boundary.is_none());

    assert_eq!(ends(&m, "Book appointment"), "Patient -> Booking API");
    let book = flow(&m, "Book appointment");
    assert_eq!(book.protocol, "HTTPS");
    assert_eq!(book.properties.get("encrypted"), Some(&true.into()));
    assert!(
        book.notes.contains("Crosses the trust boundary line"),
        "{}",
        book.notes
    );
    assert_eq!(ends(&m, "Store booking"), "Booking API -> Appointments DB");
    assert_eq!(flow(&m, "Store booking").properties.get("encrypted"), None);
    assert!(
        !flow(&m, "Store booking")
            .notes
            .contains("Crosses the trust boundary line")
    );

    // Five threats in five places, with their status and severity.
    assert_eq!(m.triage.len(), 5);
    let spoof = decision(&m, "another patient's name");
    assert_eq!(spoof.status, TriageStatus::Open);
    assert_eq!(spoof.severity_override, Some(Severity::High));
    assert!(spoof.justification.contains("Type: Spoofing"));
    assert!(
        spoof
            .justification
            .contains("Require sign-in with the clinic's identity provider.")
    );
    assert_eq!(
        decision(&m, "altered in transit").status,
        TriageStatus::Mitigated
    );
    let secrets = decision(&m, "credentials read from the configuration");
    assert_eq!(secrets.status, TriageStatus::Open);
    assert_eq!(secrets.severity_override, Some(Severity::Critical));
    assert_eq!(
        decision(&m, "restored by anyone").status,
        TriageStatus::NotApplicable
    );
    assert_eq!(decision(&m, "flood the API").status, TriageStatus::Open);
    // Each decision names the object its threat was drawn on.
    let db_id = db.id.to_string();
    let on_db = m
        .triage
        .keys()
        .filter(|k| k.as_str().ends_with(&db_id))
        .count();
    assert_eq!(on_db, 2);

    assert_eq!(report.models[0].elements, 3);
    assert!(
        report
            .unmapped
            .iter()
            .any(|u| u.item.contains("text block")),
        "{:?}",
        report.unmapped
    );
}

#[test]
fn threat_dragon_export_then_import_gives_the_same_model() {
    let (first, _) = import("threat-dragon/clinic.json");
    let exported = serde_json::to_vec(&threat_dragon::export(&first)).unwrap();
    let (again, report) = threat_dragon::import(&exported, "exported").unwrap();
    assert_eq!(again.len(), 1);
    assert!(report.unmapped.is_empty(), "{:?}", report.unmapped);
    assert_eq!(
        model::to_canonical_json(&first),
        model::to_canonical_json(&again[0])
    );
}

#[test]
fn tmt_stencils_boundaries_flow_across_and_threat_instances() {
    let (m, report) = import("tmt/clinic.tm7");
    assert_eq!(m.name, "Clinic booking");
    assert_eq!(m.team, "Team Booking");
    let kinds: Vec<(&str, ElementKind)> = m
        .elements
        .iter()
        .map(|e| (e.name.as_str(), e.kind))
        .collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    assert_eq!(
        element(&m, "Patient browser").kind,
        ElementKind::ExternalEntity
    );
    assert_eq!(element(&m, "Booking web app").kind, ElementKind::Process);
    assert_eq!(element(&m, "Appointments DB").kind, ElementKind::DataStore);
    // "Implements or Uses an Authentication Mechanism: Yes" is a native property.
    assert_eq!(
        prop(element(&m, "Booking web app"), "authenticates_callers"),
        Some(true.into())
    );

    // Two border boundaries: the browser in "Internet", the rest in the Azure subscription.
    assert_eq!(m.boundaries.len(), 2);
    assert_eq!(members(&m, "Internet"), ["Patient browser"]);
    assert_eq!(
        members(&m, "Clinic Azure subscription"),
        ["Appointments DB", "Booking web app"]
    );

    // The booking flow crosses from the internet box into the subscription.
    assert_eq!(
        ends(&m, "Book appointment"),
        "Patient browser -> Booking web app"
    );
    let book = flow(&m, "Book appointment");
    assert_eq!(book.protocol, "HTTPS");
    assert_eq!(book.properties.get("encrypted"), Some(&true.into()));
    assert_ne!(
        element(&m, "Patient browser").boundary,
        element(&m, "Booking web app").boundary
    );
    assert_eq!(
        ends(&m, "Store booking"),
        "Booking web app -> Appointments DB"
    );

    // Three threat instances, keyed by TMT's interaction, each with its state and priority.
    assert_eq!(m.triage.len(), 3);
    let spoof = decision(&m, "spoof the patient");
    assert_eq!(spoof.status, TriageStatus::Open);
    assert_eq!(spoof.severity_override, Some(Severity::High));
    assert!(spoof.justification.contains("Category: Spoofing"));
    let replay = decision(&m, "replayed");
    assert_eq!(replay.status, TriageStatus::Mitigated);
    assert!(replay.justification.contains("carry a nonce"));
    let files = decision(&m, "database files");
    assert_eq!(files.status, TriageStatus::NotApplicable);
    assert_eq!(files.severity_override, Some(Severity::Low));
    let book_id = book.id.to_string();
    assert_eq!(
        m.triage
            .keys()
            .filter(|k| k.as_str().starts_with("TMT-") && k.as_str().contains(&book_id))
            .count(),
        2
    );
    assert!(report.unmapped.is_empty(), "{:?}", report.unmapped);
}

#[test]
fn threat_dragon_several_diagrams_and_nested_boxes() {
    let cell = |shape: &str, id: &str, x: f64, y: f64, w: f64, h: f64| {
        serde_json::json!({"shape": shape, "id": id, "position": {"x": x, "y": y},
            "size": {"width": w, "height": h}, "data": {"name": id}})
    };
    let diagram = |id: u32| {
        serde_json::json!({"id": id, "title": format!("D{id}"), "cells": [
            cell("trust-boundary-box", "outer", 0.0, 0.0, 500.0, 500.0),
            cell("trust-boundary-box", "inner", 50.0, 50.0, 200.0, 200.0),
            cell("process", "api", 100.0, 100.0, 50.0, 50.0),
            cell("actor", "user", 600.0, 100.0, 50.0, 50.0),
            cell("store", "db", 300.0, 300.0, 50.0, 50.0),
            {"shape": "flow", "id": "f1", "source": {"cell": "user"}, "target": {"cell": "api"},
             "vertices": [{"x": 400, "y": 20}], "data": {"name": "call", "isEncrypted": true}},
        ]})
    };
    let doc = serde_json::json!({"version": "2.3.0", "summary": {"title": "Two"},
        "detail": {"diagrams": [diagram(1), diagram(2)]}});
    let bytes = serde_json::to_vec(&doc).unwrap();
    let (models, report) = threat_dragon::import(&bytes, "two.json").unwrap();
    assert_eq!(models.len(), 2);
    assert_eq!(report.models.len(), 2);
    assert_ne!(models[0].id, models[1].id);
    assert_eq!(models[0].name, "Two - D1");
    let m = &models[0];
    let id = |n: &str| m.boundaries.iter().find(|b| b.name == n).unwrap().id;
    assert_eq!(m.boundary(id("inner")).unwrap().parent, Some(id("outer")));
    let e = |n: &str| m.elements.iter().find(|e| e.name == n).unwrap();
    assert_eq!(e("api").boundary, Some(id("inner")));
    assert_eq!(e("db").boundary, Some(id("outer")));
    assert_eq!(e("user").boundary, None);
    assert_eq!(m.flows[0].properties.get("encrypted"), Some(&true.into()));
    assert_eq!(m.layout.edges[&m.flows[0].id.0].waypoints.len(), 1);
    let errors: Vec<_> = model::validate(m, catalog::builtin_stencils())
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn tmt_several_drawing_surfaces_give_several_models() {
    let text = std::fs::read_to_string(fixture("tmt/clinic.tm7")).unwrap();
    let start = text.find("<DrawingSurfaceModel").unwrap();
    let end = text.find("</DrawingSurfaceModel>").unwrap() + "</DrawingSurfaceModel>".len();
    let copy = text[start..end]
        .replace(
            "5a1e0000-0000-4000-8000-000000000001",
            "5a1e0000-0000-4000-8000-000000000002",
        )
        .replace("z:Id=\"i1\"", "z:Id=\"i9001\"");
    let two = format!("{}{}{}", &text[..end], copy, &text[end..]);
    let (models, report) =
        interop::tmt::import(two.as_bytes(), "two.tm7", catalog::builtin_stencils()).unwrap();
    assert_eq!(models.len(), 2);
    assert_ne!(models[0].id, models[1].id);
    for m in &models {
        assert_eq!(
            (m.elements.len(), m.flows.len(), m.boundaries.len()),
            (3, 2, 2)
        );
    }
    // Threat instances name the first surface.
    assert_eq!((models[0].triage.len(), models[1].triage.len()), (3, 0));
    assert_eq!(report.models.len(), 2);
}

#[test]
fn threagile_assets_links_boundaries_and_risk_tracking() {
    let (m, _) = import("threagile/clinic.yaml");
    assert_eq!(m.name, "Clinic booking");
    let browser = element(&m, "Patient browser");
    assert_eq!(browser.kind, ElementKind::ExternalEntity);
    assert_eq!(prop(browser, "role"), Some("user".into()));
    let api = element(&m, "Booking API");
    assert_eq!(api.kind, ElementKind::Process);
    assert_eq!(prop(api, "handles_sensitive_data"), Some(true.into()));
    let db = element(&m, "Appointments DB");
    assert_eq!(db.kind, ElementKind::DataStore);
    assert_eq!(prop(db, "encrypted_at_rest"), Some(true.into()));
    assert_eq!(prop(db, "data_classification"), Some("confidential".into()));

    // Nested boundaries, each asset in the innermost one that lists it.
    let cloud = boundary(&m, "Clinic cloud");
    let subnet = boundary(&m, "Database subnet");
    assert_eq!(subnet.parent, Some(cloud.id));
    assert_eq!(subnet.kind, BoundaryKind::Subnet);
    assert_eq!(members(&m, "Clinic cloud"), ["Booking API"]);
    assert_eq!(members(&m, "Database subnet"), ["Appointments DB"]);

    assert_eq!(
        ends(&m, "Book appointment"),
        "Patient browser -> Booking API"
    );
    let book = flow(&m, "Book appointment");
    assert_eq!(book.properties.get("encrypted"), Some(&true.into()));
    assert_eq!(
        book.properties.get("authentication"),
        Some(&"password".into())
    );
    assert_eq!(
        // The most sensitive data sent: Threagile's "restricted" is the native "confidential".
        book.properties.get("data_classification"),
        Some(&"confidential".into())
    );
    assert_eq!(ends(&m, "Store booking"), "Booking API -> Appointments DB");
    assert_eq!(flow(&m, "Store booking").properties.get("encrypted"), None);

    // Risk tracking: keys name the elements by id, with status, ticket and who checked.
    assert_eq!(m.triage.len(), 2);
    let injection = m
        .triage
        .iter()
        .find(|(k, _)| k.as_str() == format!("TG-sql-nosql-injection@{}@{}", api.id, db.id))
        .map(|(_, d)| d)
        .expect("the injection decision names the API and the database");
    assert_eq!(injection.status, TriageStatus::Accepted);
    assert_eq!(injection.ticket, "BOOK-17");
    assert_eq!(injection.decided_by, "Ana Lopez");
    assert!(injection.justification.contains("parameterised"));
    assert_eq!(
        decision(&m, "the rule reads the database link").status,
        TriageStatus::NotApplicable
    );
    assert_eq!(
        m.layout.nodes.len(),
        m.elements.len(),
        "a layout is generated"
    );
}

#[test]
fn threagile_split_over_includes_is_the_single_file() {
    let (split, report) = import("threagile/split/main.yaml");
    let (single, _) = import("threagile/clinic.yaml");
    assert_eq!(
        model::to_canonical_json(&split),
        model::to_canonical_json(&single)
    );
    assert!(report.notes.iter().any(|n| n.contains("already included")));
}

#[test]
fn threagile_fragments_outputs_and_lists_are_refused_by_name() {
    for rel in [
        "threagile/split/boundaries.yaml",
        "threagile/split/risk_tracking.yaml",
    ] {
        let err =
            interop::import_file(&fixture(rel), None, catalog::builtin_stencils()).unwrap_err();
        assert!(err.to_string().contains("fragment"), "{rel}: {err}");
    }
    let err = interop::import_file(
        &fixture("threagile/parsed-model.yaml"),
        None,
        catalog::builtin_stencils(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("parsed-model output"), "{err}");
    let err = interop::import_file(
        &fixture("threagile/list.yaml"),
        Some(SourceFormat::Threagile),
        catalog::builtin_stencils(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("not a YAML mapping"), "{err}");
}

#[test]
fn the_malformed_threat_dragon_file_fails_clearly() {
    let err = interop::import_file(
        &fixture("threat-dragon/missing-detail.json"),
        None,
        catalog::builtin_stencils(),
    )
    .unwrap_err();
    assert!(matches!(err, ImportError::Invalid { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("'detail' is missing"), "{msg}");
    assert!(msg.contains("details"), "{msg}");
}

#[test]
fn pytm_elements_boundaries_and_flows() {
    let path = fixture("pytm/clinic.json");
    let m = interop::pytm::from_json(&std::fs::read(&path).unwrap(), &path).unwrap();
    assert_eq!(m.name, "Clinic booking");
    assert_eq!(element(&m, "Patient").kind, ElementKind::ExternalEntity);
    assert_eq!(element(&m, "Web server").kind, ElementKind::Process);
    let api = element(&m, "Booking API");
    assert_eq!(api.kind, ElementKind::Process);
    assert_eq!(prop(api, "authenticates_callers"), Some(true.into()));
    assert_eq!(prop(api, "validates_input"), Some(true.into()));
    let db = element(&m, "Appointments DB");
    assert_eq!(db.kind, ElementKind::DataStore);
    assert_eq!(prop(db, "encrypted_at_rest"), Some(true.into()));

    assert_eq!(boundary(&m, "Internet").kind, BoundaryKind::Internet);
    assert_eq!(members(&m, "Internet"), ["Patient"]);
    assert_eq!(
        members(&m, "Clinic cloud"),
        ["Appointments DB", "Booking API", "Web server"]
    );
    assert_eq!(ends(&m, "Book appointment"), "Patient -> Web server");
    let book = flow(&m, "Book appointment");
    assert_eq!(book.protocol, "HTTPS");
    assert_eq!(book.properties.get("encrypted"), Some(&true.into()));
    assert_eq!(ends(&m, "Store booking"), "Booking API -> Appointments DB");
    assert_eq!(m.flows.len(), 3);
}

#[test]
fn importing_twice_gives_the_same_bytes() {
    for rel in [
        "threat-dragon/clinic.json",
        "tmt/clinic.tm7",
        "threagile/clinic.yaml",
        "threagile/split/main.yaml",
    ] {
        let a = model::to_canonical_json(&import(rel).0);
        let b = model::to_canonical_json(&import(rel).0);
        assert_eq!(a, b, "{rel}");
    }
}

#[test]
fn imported_fixtures_analyse_with_threats_on_every_element() {
    let catalog = catalog::Catalog::builtin();
    for rel in [
        "threat-dragon/clinic.json",
        "tmt/clinic.tm7",
        "threagile/clinic.yaml",
    ] {
        let (m, _) = import(rel);
        let analysis = stridewise_core::analysis::analyze(&m, catalog);
        for e in &m.elements {
            let id = e.id.to_string();
            assert!(
                analysis
                    .threats
                    .iter()
                    .any(|t| t.key.as_str().contains(&id)),
                "{rel}: no threat on '{}'",
                e.name
            );
        }
    }
}
