use super::*;
use crate::catalog::builtin_stencils;
use crate::model::{BoundaryKind, DataFlow, Element, ElementKind, ElementRef, TriageStatus};

/// Two services: `web` (users -> web api -> shared cosmos, in the shared internet and stamp
/// boundaries) and `orders` (orders api -> shared cosmos; web api calls orders api through a
/// reference in web's model).
fn services() -> (ServiceModel, ServiceModel) {
    let mut web = ServiceModel::new("web");
    let mut internet = TrustBoundary::new("Internet", BoundaryKind::Internet);
    internet.shared_key = Some("internet".into());
    let mut stamp = TrustBoundary::new("Stamp", BoundaryKind::AzureRegionStamp);
    stamp.shared_key = Some("stamp".into());
    let mut user = Element::new(ElementKind::ExternalEntity, "User");
    user.boundary = Some(internet.id);
    let mut api = Element::new(ElementKind::Process, "Web API");
    api.boundary = Some(stamp.id);
    let mut db = Element::new(ElementKind::DataStore, "Catalog DB");
    db.stencil = "azure.cosmos_db".into();
    db.shared_key = Some("cosmos".into());
    db.boundary = Some(stamp.id);
    db.properties
        .insert("public_network_access".into(), false.into());
    let mut orders_ref = Element::new(ElementKind::Process, "Orders API (orders)");
    orders_ref.refers_to = Some(ElementRef {
        service: "orders".into(),
        element: Some("Orders API".into()),
        shared_key: None,
    });
    web.flows = vec![
        DataFlow::new("Browse", user.id, api.id),
        DataFlow::new("Read catalog", api.id, db.id),
        DataFlow::new("Place order", api.id, orders_ref.id),
    ];
    web.elements = vec![user, api, db, orders_ref];
    web.boundaries = vec![internet, stamp];

    let mut orders = ServiceModel::new("orders");
    let mut stamp2 = TrustBoundary::new("Region stamp", BoundaryKind::AzureRegionStamp);
    stamp2.shared_key = Some("stamp".into());
    let mut oapi = Element::new(ElementKind::Process, "Orders API");
    oapi.boundary = Some(stamp2.id);
    let mut db2 = Element::new(ElementKind::DataStore, "Cosmos");
    db2.stencil = "azure.cosmos_db".into();
    db2.shared_key = Some("cosmos".into());
    db2.boundary = Some(stamp2.id);
    // does not set public_network_access: the stencil default (true) applies
    orders.flows = vec![DataFlow::new("Write order", oapi.id, db2.id)];
    orders.elements = vec![oapi, db2];
    orders.boundaries = vec![stamp2];
    (web, orders)
}

fn run(models: &[ServiceModel]) -> Consolidation {
    consolidate("shop", models, builtin_stencils())
}

fn element<'a>(m: &'a ServiceModel, name: &str) -> &'a Element {
    m.elements
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no element '{name}'"))
}

#[test]
fn shared_resources_become_one_element_with_both_origins() {
    let (web, orders) = services();
    let c = run(&[web, orders]);
    let cosmos: Vec<_> = c
        .model
        .elements
        .iter()
        .filter(|e| e.shared_key.as_deref() == Some("cosmos"))
        .collect();
    assert_eq!(cosmos.len(), 1);
    assert_eq!(cosmos[0].origins, ["orders", "web"]);
    assert_eq!(cosmos[0].id, shared_element_id("cosmos"));
    assert_eq!(c.model.kind, ModelKind::Application);
}

#[test]
fn disagreeing_properties_are_reported_and_the_riskier_value_wins() {
    let (web, orders) = services();
    let c = run(&[web, orders]);
    let conflicts: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == ConsolidationCode::PropertyConflict)
        .collect();
    assert_eq!(conflicts.len(), 1, "{:#?}", c.diagnostics);
    let d = conflicts[0];
    assert_eq!(d.services, ["orders", "web"]);
    assert!(
        d.message.contains("'public_network_access'"),
        "{}",
        d.message
    );
    assert!(d.message.contains("'orders' says true"), "{}", d.message);
    assert!(d.message.contains("'web' says false"), "{}", d.message);
    let cosmos = element(&c.model, "Cosmos"); // the name from 'orders', first by name
    assert_eq!(
        cosmos.properties["public_network_access"],
        PropertyValue::Bool(true),
        "the less secure value"
    );
}

#[test]
fn agreeing_properties_are_not_conflicts() {
    let (web, mut orders) = services();
    orders.elements[1]
        .properties
        .insert("public_network_access".into(), false.into());
    let c = run(&[web, orders]);
    assert!(
        c.diagnostics
            .iter()
            .all(|d| d.code != ConsolidationCode::PropertyConflict),
        "{:#?}",
        c.diagnostics
    );
}

#[test]
fn references_become_flows_inside_the_application() {
    let (web, orders) = services();
    let c = run(&[web, orders]);
    let m = &c.model;
    assert!(m.elements.iter().all(|e| e.refers_to.is_none()));
    assert!(m.elements.iter().all(|e| e.name != "Orders API (orders)"));
    let oapi = element(m, "Orders API");
    let api = element(m, "Web API");
    let call = m.flows.iter().find(|f| f.name == "Place order").unwrap();
    assert_eq!((call.source, call.target), (api.id, oapi.id));
    assert_eq!(call.origins, ["web"]);
    assert!(
        crate::model::validate(m, builtin_stencils())
            .iter()
            .all(|d| !d.is_error())
    );
}

#[test]
fn unresolved_references_are_reported_and_kept() {
    let (mut web, orders) = services();
    web.elements[3].refers_to.as_mut().unwrap().element = Some("Billing API".into());
    let c = run(&[web, orders]);
    let d: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == ConsolidationCode::UnresolvedReference)
        .collect();
    assert_eq!(d.len(), 1);
    assert!(
        d[0].message.contains("orders/Billing API"),
        "{}",
        d[0].message
    );
    assert!(
        c.model
            .elements
            .iter()
            .any(|e| e.name == "Orders API (orders)")
    );
}

#[test]
fn reference_to_a_service_not_consolidated_is_reported() {
    let (web, _) = services();
    let c = run(&[web]);
    assert!(
        c.diagnostics
            .iter()
            .any(|d| d.code == ConsolidationCode::UnresolvedReference
                && d.message.contains("is in no model being consolidated"))
    );
}

#[test]
fn shared_boundaries_merge() {
    let (web, orders) = services();
    let c = run(&[web, orders]);
    let stamps: Vec<_> = c
        .model
        .boundaries
        .iter()
        .filter(|b| b.kind == BoundaryKind::AzureRegionStamp)
        .collect();
    assert_eq!(stamps.len(), 1);
    assert_eq!(stamps[0].origins, ["orders", "web"]);
    let oapi = element(&c.model, "Orders API");
    assert_eq!(oapi.boundary, Some(stamps[0].id));
}

#[test]
fn consolidating_the_application_model_alone_gives_it_back() {
    let (web, orders) = services();
    let once = run(&[web, orders]).model;
    let twice = run(std::slice::from_ref(&once));
    assert_eq!(twice.model, once);
    assert!(twice.diagnostics.is_empty(), "{:#?}", twice.diagnostics);
}

#[test]
fn input_order_does_not_matter() {
    let (web, orders) = services();
    let a = run(&[web.clone(), orders.clone()]);
    let b = run(&[orders, web]);
    assert_eq!(a, b);
}

#[test]
fn triage_follows_its_threat_to_the_merged_ids() {
    let (mut web, mut orders) = services();
    let web_db = web.elements[2].id;
    let orders_db = orders.elements[1].id;
    web.triage.insert(
        ThreatKey(format!("DATA-01@{web_db}")),
        TriageDecision {
            status: TriageStatus::Mitigated,
            ..Default::default()
        },
    );
    orders.triage.insert(
        ThreatKey(format!("DATA-01@{orders_db}")),
        TriageDecision {
            status: TriageStatus::Accepted,
            ..Default::default()
        },
    );
    let c = run(&[web, orders]);
    let key = ThreatKey(format!("DATA-01@{}", shared_element_id("cosmos")));
    assert_eq!(c.model.triage.len(), 1);
    // services are taken in name order: 'orders' before 'web'
    assert_eq!(c.model.triage[&key].status, TriageStatus::Accepted);
    assert!(c
        .diagnostics
        .iter()
        .any(|d| d.code == ConsolidationCode::TriageConflict && d.services == ["orders", "web"]));
}

#[test]
fn the_same_call_drawn_in_both_services_is_one_flow() {
    let (mut web, mut orders) = services();
    // orders draws the call from web's API through a reference of its own
    let mut web_ref = Element::new(ElementKind::Process, "Web API (web)");
    web_ref.refers_to = Some(ElementRef {
        service: "web".into(),
        element: Some("Web API".into()),
        shared_key: None,
    });
    let oapi = orders.elements[0].id;
    orders
        .flows
        .push(DataFlow::new("Place order", web_ref.id, oapi));
    orders.elements.push(web_ref);
    web.description = "web shop".into();
    let c = run(&[web, orders]);
    let calls: Vec<_> = c
        .model
        .flows
        .iter()
        .filter(|f| f.name == "Place order")
        .collect();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].origins, ["orders", "web"]);
}

#[test]
fn hand_written_threats_follow_their_objects_into_the_application_model() {
    use crate::model::{ManualThreat, Stride, ThreatTarget, TriageDecision};
    let (mut web, mut orders) = services();
    let web_db = element(&web, "Catalog DB").id;
    let place = web
        .flows
        .iter()
        .find(|f| f.name == "Place order")
        .unwrap()
        .id;
    let stamp = web
        .boundaries
        .iter()
        .find(|b| b.name == "Stamp")
        .unwrap()
        .id;
    let on_db = ManualThreat::new(
        "Catalog poisoning",
        Stride::Tampering,
        ThreatTarget::Element(web_db),
    );
    let on_flow = ManualThreat::new("Order replay", Stride::Spoofing, ThreatTarget::Flow(place));
    let on_stamp = ManualThreat::new(
        "Stamp takeover",
        Stride::ElevationOfPrivilege,
        ThreatTarget::Boundary(stamp),
    );
    let whole = ManualThreat::new("Insider", Stride::Repudiation, ThreatTarget::Model);
    web.triage.insert(
        on_db.key(),
        TriageDecision {
            status: TriageStatus::Mitigated,
            ..Default::default()
        },
    );
    web.threats = vec![on_db.clone(), on_flow.clone(), on_stamp.clone()];
    orders.threats = vec![whole.clone()];

    let c = run(&[web, orders]);
    let m = &c.model;
    assert_eq!(m.threats.len(), 4);
    let cosmos = shared_element_id("cosmos");
    let t = m.threat(on_db.id).unwrap();
    assert_eq!(
        t.target,
        ThreatTarget::Element(cosmos),
        "remapped to the merged element"
    );
    assert_eq!(t.origins, ["web"]);
    // The decision follows the threat to its new key.
    assert_eq!(m.triage[&t.key()].status, TriageStatus::Mitigated);
    assert!(!m.triage.contains_key(&on_db.key()));
    assert_eq!(
        m.threat(on_stamp.id).unwrap().target,
        ThreatTarget::Boundary(shared_boundary_id("stamp"))
    );
    assert_eq!(m.threat(whole.id).unwrap().origins, ["orders"]);
    assert_eq!(m.threat(whole.id).unwrap().target, ThreatTarget::Model);
    let flow = m.threat(on_flow.id).unwrap().target;
    assert!(flow.exists_in(m), "{flow}");
    let errors: Vec<_> = crate::model::validate(m, builtin_stencils())
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    // Consolidating the application model alone gives it back, threats included.
    let again = run(std::slice::from_ref(m));
    assert_eq!(again.model.threats, m.threats);
}
