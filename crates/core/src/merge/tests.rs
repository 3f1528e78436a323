//! Merge and diff cases, each a small model edited on two sides.

mod props;

use serde_json::json;
use uuid::Uuid;

use super::{diff, kind, merge, render};
use crate::model::{
    BoundaryId, BoundaryKind, DataFlow, Element, ElementId, ElementKind, FlowId, MergeConflict,
    NodeLayout, ServiceModel, StencilSet, ThreatKey, TriageDecision, TriageStatus, TrustBoundary,
    validate,
};

fn eid(n: u128) -> ElementId {
    ElementId(Uuid::from_u128(n))
}
fn fid(n: u128) -> FlowId {
    FlowId(Uuid::from_u128(0x100 + n))
}
fn bid(n: u128) -> BoundaryId {
    BoundaryId(Uuid::from_u128(0x200 + n))
}

/// Customer -> Orders API -> Orders DB, the API and the database in a virtual network.
fn base() -> ServiceModel {
    let mut m = ServiceModel::new("orders");
    m.id = crate::model::ModelId(Uuid::from_u128(0xabc));
    let mut vnet = TrustBoundary::new("VNet", BoundaryKind::VirtualNetwork);
    vnet.id = bid(1);
    let mut internet = TrustBoundary::new("Internet", BoundaryKind::Internet);
    internet.id = bid(2);
    let mut customer = Element::new(ElementKind::ExternalEntity, "Customer");
    customer.id = eid(1);
    customer.boundary = Some(bid(2));
    let mut api = Element::new(ElementKind::Process, "Orders API");
    api.id = eid(2);
    api.boundary = Some(bid(1));
    let mut db = Element::new(ElementKind::DataStore, "Orders DB");
    db.id = eid(3);
    db.boundary = Some(bid(1));
    db.properties
        .insert("encrypted_at_rest".into(), false.into());
    let mut f1 = DataFlow::new("Place order", eid(1), eid(2));
    f1.id = fid(1);
    f1.protocol = "HTTPS".into();
    let mut f2 = DataFlow::new("Store order", eid(2), eid(3));
    f2.id = fid(2);
    m.boundaries = vec![vnet, internet];
    m.elements = vec![customer, api, db];
    m.flows = vec![f1, f2];
    for (i, e) in m.elements.iter().enumerate() {
        m.layout.nodes.insert(
            e.id.0,
            NodeLayout {
                x: 100.0 * i as f64,
                y: 0.0,
                width: 80.0,
                height: 40.0,
            },
        );
    }
    m.triage.insert(
        ThreatKey::from("NET-DOS-01@x"),
        TriageDecision {
            status: TriageStatus::Open,
            ..TriageDecision::default()
        },
    );
    m
}

fn element(m: &mut ServiceModel, id: ElementId) -> &mut Element {
    m.elements
        .iter_mut()
        .find(|e| e.id == id)
        .expect("fixture element")
}

/// Merges, checks that the result is structurally valid and that the model records exactly
/// the returned conflicts, and returns both.
fn check(
    base: &ServiceModel,
    ours: &ServiceModel,
    theirs: &ServiceModel,
) -> (ServiceModel, Vec<MergeConflict>) {
    let (merged, conflicts) = merge(base, ours, theirs);
    let errors: Vec<_> = validate(&merged, &StencilSet::default())
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "merged model is invalid: {errors:?}");
    assert_eq!(merged.conflicts, conflicts);
    (merged, conflicts)
}

fn kinds(conflicts: &[MergeConflict]) -> Vec<(&str, &str)> {
    conflicts
        .iter()
        .map(|c| (c.kind.as_str(), c.path.as_str()))
        .collect()
}

#[test]
fn edits_to_different_fields_of_one_element_merge_cleanly() {
    let b = base();
    let mut ours = b.clone();
    element(&mut ours, eid(3)).name = "Orders database".into();
    let mut theirs = b.clone();
    element(&mut theirs, eid(3))
        .properties
        .insert("encrypted_at_rest".into(), true.into());
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert!(conflicts.is_empty(), "{conflicts:?}");
    let db = m.element(eid(3)).unwrap();
    assert_eq!(db.name, "Orders database");
    assert_eq!(db.properties["encrypted_at_rest"], true.into());
}

#[test]
fn the_same_field_set_differently_is_a_conflict_that_keeps_ours() {
    let b = base();
    let mut ours = b.clone();
    element(&mut ours, eid(2)).name = "Order service".into();
    let mut theirs = b.clone();
    element(&mut theirs, eid(2)).name = "Checkout API".into();
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert_eq!(
        kinds(&conflicts),
        [(
            kind::EDIT_EDIT,
            "/elements/00000000-0000-0000-0000-000000000002/name"
        )]
    );
    let c = &conflicts[0];
    assert_eq!(c.base, Some(json!("Orders API")));
    assert_eq!(c.ours, Some(json!("Order service")));
    assert_eq!(c.theirs, Some(json!("Checkout API")));
    assert!(c.message.contains("'Order service'") || c.message.contains("Order service"));
    assert_eq!(m.element(eid(2)).unwrap().name, "Order service");
}

#[test]
fn a_property_set_differently_is_a_conflict_on_that_property() {
    let b = base();
    let mut ours = b.clone();
    element(&mut ours, eid(3))
        .properties
        .insert("encrypted_at_rest".into(), true.into());
    let mut theirs = b.clone();
    element(&mut theirs, eid(3))
        .properties
        .remove("encrypted_at_rest");
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert_eq!(
        kinds(&conflicts),
        [(
            kind::EDIT_EDIT,
            "/elements/00000000-0000-0000-0000-000000000003/properties/encrypted_at_rest"
        )]
    );
    assert_eq!(conflicts[0].theirs, None);
    assert_eq!(
        m.element(eid(3)).unwrap().properties["encrypted_at_rest"],
        true.into()
    );
}

#[test]
fn the_same_change_on_both_sides_is_no_conflict() {
    let b = base();
    let mut ours = b.clone();
    element(&mut ours, eid(2)).notes = "reviewed".into();
    let theirs = ours.clone();
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert!(conflicts.is_empty());
    assert_eq!(m.element(eid(2)).unwrap().notes, "reviewed");
}

#[test]
fn delete_against_edit_keeps_the_edited_object() {
    let b = base();
    let mut ours = b.clone();
    ours.flows.retain(|f| f.id != fid(2));
    let mut theirs = b.clone();
    theirs.flows[1].protocol = "TDS".into();
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert_eq!(
        kinds(&conflicts),
        [(
            kind::DELETE_EDIT,
            "/flows/00000000-0000-0000-0000-000000000102"
        )]
    );
    assert_eq!(conflicts[0].ours, None);
    assert!(conflicts[0].message.contains("deleted by ours"));
    assert_eq!(m.flow(fid(2)).unwrap().protocol, "TDS");
}

#[test]
fn deleting_an_element_the_other_side_adds_a_flow_to_keeps_the_element() {
    let b = base();
    // Ours deletes the database and its flow.
    let mut ours = b.clone();
    ours.elements.retain(|e| e.id != eid(3));
    ours.flows.retain(|f| f.target != eid(3));
    ours.layout.nodes.remove(&eid(3).0);
    // Theirs adds a flow from the customer to the database.
    let mut theirs = b.clone();
    let mut f = DataFlow::new("Read receipts", eid(1), eid(3));
    f.id = fid(9);
    theirs.flows.push(f);
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert_eq!(
        kinds(&conflicts),
        [(
            kind::DELETE_NEW_FLOW,
            "/elements/00000000-0000-0000-0000-000000000003"
        )]
    );
    assert!(m.element(eid(3)).is_some());
    assert!(m.flow(fid(9)).is_some());
    // Ours' deletion of the unchanged old flow stands.
    assert!(m.flow(fid(2)).is_none());
    // The kept element keeps its place on the canvas.
    assert!(m.layout.nodes.contains_key(&eid(3).0));
}

#[test]
fn deleting_a_boundary_the_other_side_moves_an_element_into_keeps_it() {
    let mut b = base();
    let mut empty = TrustBoundary::new("Subnet", BoundaryKind::Subnet);
    empty.id = bid(3);
    b.boundaries.push(empty);
    let mut ours = b.clone();
    ours.boundaries.retain(|x| x.id != bid(3));
    let mut theirs = b.clone();
    element(&mut theirs, eid(3)).boundary = Some(bid(3));
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert_eq!(
        kinds(&conflicts),
        [(
            kind::DELETE_NEW_MEMBER,
            "/boundaries/00000000-0000-0000-0000-000000000203"
        )]
    );
    assert_eq!(m.element(eid(3)).unwrap().boundary, Some(bid(3)));
}

#[test]
fn parent_edits_that_would_nest_boundaries_in_a_cycle_keep_ours() {
    let b = base();
    let mut ours = b.clone();
    ours.boundaries[0].parent = Some(bid(2)); // VNet in Internet
    let mut theirs = b.clone();
    theirs.boundaries[1].parent = Some(bid(1)); // Internet in VNet
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert_eq!(
        kinds(&conflicts),
        [(
            kind::BOUNDARY_CYCLE,
            "/boundaries/00000000-0000-0000-0000-000000000202/parent"
        )]
    );
    assert_eq!(m.boundary(bid(1)).unwrap().parent, Some(bid(2)));
    assert_eq!(m.boundary(bid(2)).unwrap().parent, None);
}

#[test]
fn endpoint_edits_that_would_make_a_self_flow_keep_ours() {
    let b = base();
    let mut ours = b.clone();
    ours.flows[0].source = eid(3); // DB -> API
    let mut theirs = b.clone();
    theirs.flows[0].target = eid(3); // Customer -> DB
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert_eq!(
        kinds(&conflicts),
        [(
            kind::SELF_FLOW,
            "/flows/00000000-0000-0000-0000-000000000101"
        )]
    );
    let f = m.flow(fid(1)).unwrap();
    assert_eq!((f.source, f.target), (eid(3), eid(2)));
}

#[test]
fn layout_clashes_merge_without_conflict_preferring_ours() {
    let b = base();
    let place = |x| NodeLayout {
        x,
        y: 5.0,
        width: 80.0,
        height: 40.0,
    };
    let mut ours = b.clone();
    ours.layout.nodes.insert(eid(1).0, place(11.0));
    ours.layout.nodes.insert(eid(2).0, place(12.0));
    let mut theirs = b.clone();
    theirs.layout.nodes.insert(eid(2).0, place(22.0));
    theirs.layout.nodes.insert(eid(3).0, place(23.0));
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert!(conflicts.is_empty());
    assert_eq!(m.layout.nodes[&eid(1).0].x, 11.0);
    assert_eq!(m.layout.nodes[&eid(2).0].x, 12.0);
    assert_eq!(m.layout.nodes[&eid(3).0].x, 23.0);
}

#[test]
fn triage_decisions_merge_field_by_field_and_clash_on_status() {
    let b = base();
    let key = ThreatKey::from("NET-DOS-01@x");
    let mut ours = b.clone();
    ours.triage.get_mut(&key).unwrap().owner = "ana".into();
    let mut theirs = b.clone();
    theirs.triage.get_mut(&key).unwrap().ticket = "PAY-1".into();
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert!(conflicts.is_empty());
    assert_eq!(m.triage[&key].owner, "ana");
    assert_eq!(m.triage[&key].ticket, "PAY-1");

    ours.triage.get_mut(&key).unwrap().status = TriageStatus::Accepted;
    theirs.triage.get_mut(&key).unwrap().status = TriageStatus::Mitigated;
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert_eq!(
        kinds(&conflicts),
        [(kind::EDIT_EDIT, "/triage/NET-DOS-01@x/status")]
    );
    assert_eq!(m.triage[&key].status, TriageStatus::Accepted);
}

#[test]
fn the_same_threat_triaged_on_both_sides_is_an_add_add_conflict() {
    let b = base();
    let key = ThreatKey::from("SPOOF-01@y");
    let decision = |status| TriageDecision {
        status,
        owner: "ana".into(),
        ..TriageDecision::default()
    };
    let mut ours = b.clone();
    ours.triage
        .insert(key.clone(), decision(TriageStatus::Accepted));
    let mut theirs = b.clone();
    theirs
        .triage
        .insert(key.clone(), decision(TriageStatus::NotApplicable));
    let (_, conflicts) = check(&b, &ours, &theirs);
    assert_eq!(
        kinds(&conflicts),
        [(kind::ADD_ADD, "/triage/SPOOF-01@y/status")]
    );
}

#[test]
fn model_fields_conflict_and_conflicts_from_earlier_merges_are_carried() {
    let b = base();
    let mut ours = b.clone();
    ours.name = "orders-v2".into();
    let mut theirs = b.clone();
    theirs.name = "ordering".into();
    let (m1, conflicts) = check(&b, &ours, &theirs);
    assert_eq!(kinds(&conflicts), [(kind::EDIT_EDIT, "/name")]);
    // A later clean merge keeps the unresolved conflict recorded.
    let mut later = m1.clone();
    later.description = "payments".into();
    let (m2, new) = merge(&m1, &m1, &later);
    assert!(new.is_empty());
    assert_eq!(m2.conflicts.len(), 1);
}

#[test]
fn diff_reports_additions_changes_moves_triage_and_layout_apart() {
    let a = base();
    let mut b = a.clone();
    element(&mut b, eid(3)).boundary = None;
    element(&mut b, eid(2))
        .properties
        .insert("authenticated".into(), true.into());
    let mut cache = Element::new(ElementKind::DataStore, "Cache");
    cache.id = eid(4);
    b.elements.push(cache);
    b.flows.retain(|f| f.id != fid(1));
    b.triage
        .get_mut(&ThreatKey::from("NET-DOS-01@x"))
        .unwrap()
        .status = TriageStatus::Mitigated;
    b.layout.nodes.get_mut(&eid(1).0).unwrap().x = 999.0;
    b.name = "orders2".into();

    let d = diff(&a, &b);
    assert_eq!(d.metadata.len(), 1);
    assert_eq!(d.elements.added.len(), 1);
    assert_eq!(
        d.elements.changed.len(),
        1,
        "the move is not a field change"
    );
    assert_eq!(
        d.elements.changed[0].fields[0].field,
        "properties/authenticated"
    );
    assert_eq!(d.moves.len(), 1);
    assert_eq!(d.moves[0].from_name.as_deref(), Some("VNet"));
    assert_eq!(d.moves[0].to, None);
    assert_eq!(d.flows.removed.len(), 1);
    assert_eq!(d.triage.changed.len(), 1);
    assert_eq!(d.layout.nodes.len(), 1);
    assert!(!d.is_semantically_empty());

    let text = render::diff_text(&d);
    for line in [
        "  name: \"orders\" -> \"orders2\"",
        "  + data store 'Cache' 00000000-0000-0000-0000-000000000004",
        "      properties/authenticated: (unset) -> true",
        "  > 'Orders DB' 00000000-0000-0000-0000-000000000003: 'VNet' -> (no boundary)",
        "  - flow 'Customer' -> 'Orders API' 'Place order'",
        "      status: \"open\" -> \"mitigated\"",
        "layout only: 1 node(s) and 0 edge(s) redrawn",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }

    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["moves"][0]["from_name"], "VNet");
}

#[test]
fn diff_of_a_redrawing_is_layout_only() {
    let a = base();
    let mut b = a.clone();
    b.layout.nodes.get_mut(&eid(2).0).unwrap().y = 42.0;
    let d = diff(&a, &b);
    assert!(d.is_semantically_empty());
    assert!(!d.is_empty());
    assert!(diff(&a, &a).is_empty());
    assert_eq!(render::diff_text(&diff(&a, &a)), "");
}

#[test]
fn a_conflict_resolved_on_one_side_stays_resolved() {
    let b = base();
    let mut ours = b.clone();
    ours.name = "orders-v2".into();
    let mut theirs = b.clone();
    theirs.name = "ordering".into();
    let (conflicted, _) = check(&b, &ours, &theirs);
    // Ours decides (drops the conflict); theirs meanwhile edits something else.
    let mut decided = conflicted.clone();
    decided.conflicts.clear();
    let mut other = conflicted.clone();
    element(&mut other, eid(1)).notes = "partner".into();
    let (m, new) = check(&conflicted, &decided, &other);
    assert!(new.is_empty());
    assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
    assert_eq!(m.element(eid(1)).unwrap().notes, "partner");
}

#[test]
fn conflicts_render_one_per_line_with_path_and_kind() {
    let b = base();
    let mut ours = b.clone();
    element(&mut ours, eid(2)).name = "A".into();
    let mut theirs = b.clone();
    element(&mut theirs, eid(2)).name = "B".into();
    let (_, conflicts) = check(&b, &ours, &theirs);
    assert_eq!(
        render::conflicts_text(&conflicts),
        "/elements/00000000-0000-0000-0000-000000000002/name [edit/edit] process 'A': name was \
         changed to \"A\" by ours and to \"B\" by theirs (was \"Orders API\"); kept ours\n"
    );
}

/// A hand-written threat on the Orders DB, with a decision.
fn with_threat(mut m: ServiceModel) -> (ServiceModel, crate::model::ManualThreat) {
    use crate::model::{ManualThreat, Stride, ThreatId, ThreatTarget};
    let mut t = ManualThreat::new(
        "Backups copied off-site unencrypted",
        Stride::InformationDisclosure,
        ThreatTarget::Element(eid(3)),
    );
    t.id = ThreatId(Uuid::from_u128(0x300));
    t.author = "ana".into();
    m.triage.insert(t.key(), TriageDecision::default());
    m.threats.push(t.clone());
    (m, t)
}

#[test]
fn a_hand_written_threat_merges_field_by_field() {
    use crate::model::Rating;
    let (b, t) = with_threat(base());
    let mut ours = b.clone();
    ours.threats[0].impact = Rating::High;
    let mut theirs = b.clone();
    theirs.threats[0].custom_mitigations = vec!["Encrypt the backup vault".into()];
    theirs.triage.get_mut(&t.key()).unwrap().status = TriageStatus::Mitigated;
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert!(conflicts.is_empty(), "{conflicts:?}");
    let merged = m.threat(t.id).unwrap();
    assert_eq!(merged.impact, Rating::High);
    assert_eq!(merged.custom_mitigations, ["Encrypt the backup vault"]);
    assert_eq!(m.triage[&t.key()].status, TriageStatus::Mitigated);

    // The same field set differently is a conflict like any other, and keeps ours.
    let mut theirs = b.clone();
    theirs.threats[0].impact = Rating::Low;
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert_eq!(
        kinds(&conflicts),
        [(
            kind::EDIT_EDIT,
            "/threats/00000000-0000-0000-0000-000000000300/impact"
        )]
    );
    assert!(
        conflicts[0]
            .message
            .starts_with("threat 'Backups copied off-site unencrypted': impact"),
        "{}",
        conflicts[0].message
    );
    assert_eq!(m.threat(t.id).unwrap().impact, Rating::High);
    let d = diff(&b, &m);
    assert_eq!(d.threats.changed.len(), 1);
    assert!(
        render::diff_text(&d).contains("threats (+0 -0 ~1)"),
        "{}",
        render::diff_text(&d)
    );
}

#[test]
fn a_threat_added_on_one_side_survives_and_its_target_is_kept() {
    let (with, t) = with_threat(base());
    let b = base();
    // Theirs writes the threat; ours deletes the database (and its flow).
    let mut ours = b.clone();
    ours.elements.retain(|e| e.id != eid(3));
    ours.flows.retain(|f| f.id != fid(2));
    let (m, conflicts) = check(&b, &ours, &with);
    assert_eq!(
        m.threat(t.id).map(|x| x.title.as_str()),
        Some(t.title.as_str())
    );
    assert!(m.element(eid(3)).is_some(), "the threat's element is kept");
    assert_eq!(
        kinds(&conflicts),
        [(
            kind::DELETE_NEW_THREAT,
            "/elements/00000000-0000-0000-0000-000000000003"
        )]
    );
    assert!(m.triage.contains_key(&t.key()));
}

#[test]
fn a_decision_follows_a_threat_the_other_side_moved() {
    use crate::model::ThreatTarget;
    let (b, t) = with_threat(base());
    let mut ours = b.clone();
    ours.threats[0].target = ThreatTarget::Flow(fid(2));
    let moved = ours.threats[0].key();
    ours.rekey_manual_triage();
    let mut theirs = b.clone();
    theirs.triage.get_mut(&t.key()).unwrap().status = TriageStatus::Accepted;
    theirs.triage.get_mut(&t.key()).unwrap().justification = "backups stay in the region".into();
    let (m, _) = check(&b, &ours, &theirs);
    assert_eq!(m.threat(t.id).unwrap().target, ThreatTarget::Flow(fid(2)));
    assert_eq!(m.triage[&moved].status, TriageStatus::Accepted);
    assert!(!m.triage.contains_key(&t.key()));
}

// Issue 20, 12: theirs deleted the database with its flow, ours edited the database: the
// element was kept (a conflict) but its flow vanished without a word.
#[test]
fn issue_20_a_kept_element_names_the_flows_deleted_with_it() {
    let b = base();
    let mut ours = b.clone();
    element(&mut ours, eid(3)).notes = "holds card data".into();
    let mut theirs = b.clone();
    theirs.elements.retain(|e| e.id != eid(3));
    theirs.flows.retain(|f| f.target != eid(3));
    theirs.layout.nodes.remove(&eid(3).0);
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert_eq!(
        kinds(&conflicts),
        [(
            kind::DELETE_EDIT,
            "/elements/00000000-0000-0000-0000-000000000003"
        )]
    );
    assert!(m.element(eid(3)).is_some());
    assert!(m.flow(fid(2)).is_none());
    assert!(
        conflicts[0]
            .message
            .contains("flow 'Store order' stays deleted"),
        "{}",
        conflicts[0].message
    );
}

#[test]
fn a_conflict_is_resolved_by_taking_a_side_and_leaves_the_list() {
    use super::{ResolveError, Side, resolve};
    let b = base();
    let mut ours = b.clone();
    element(&mut ours, eid(2)).name = "Order service".into();
    element(&mut ours, eid(3))
        .properties
        .insert("encrypted_at_rest".into(), true.into());
    let mut theirs = b.clone();
    element(&mut theirs, eid(2)).name = "Checkout API".into();
    element(&mut theirs, eid(3))
        .properties
        .remove("encrypted_at_rest");
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert_eq!(conflicts.len(), 2);
    let name = conflicts
        .iter()
        .position(|c| c.path.ends_with("/name"))
        .unwrap();

    let t = resolve(&m, name, Side::Theirs).unwrap();
    assert_eq!(t.element(eid(2)).unwrap().name, "Checkout API");
    assert_eq!(t.conflicts.len(), 1);
    assert!(!t.conflicts[0].path.ends_with("/name"));
    // Theirs removed the property: taking theirs removes it.
    let t = resolve(&t, 0, Side::Theirs).unwrap();
    assert!(
        !t.element(eid(3))
            .unwrap()
            .properties
            .contains_key("encrypted_at_rest")
    );
    assert!(t.conflicts.is_empty());
    assert!(
        validate(&t, &StencilSet::default())
            .iter()
            .all(|d| !d.is_error())
    );

    let o = resolve(&m, name, Side::Ours).unwrap();
    assert_eq!(o.element(eid(2)).unwrap().name, "Order service");
    assert_eq!(
        resolve(&o, 5, Side::Ours).unwrap_err(),
        ResolveError::NoSuchConflict {
            number: 6,
            count: 1
        }
    );
    let mut bad = m.clone();
    bad.conflicts[0].path = "/elements/nobody/name".into();
    assert!(matches!(
        resolve(&bad, 0, Side::Theirs).unwrap_err(),
        ResolveError::BadPath { number: 1, .. }
    ));
}

#[test]
fn taking_the_deleting_side_of_a_delete_edit_conflict_deletes_the_object() {
    use super::{Side, resolve};
    let b = base();
    let mut ours = b.clone();
    ours.flows.retain(|f| f.id != fid(2));
    let mut theirs = b.clone();
    theirs.flows[1].protocol = "TDS".into();
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert_eq!(conflicts.len(), 1);
    let deleted = resolve(&m, 0, Side::Ours).unwrap();
    assert!(deleted.flow(fid(2)).is_none());
    let kept = resolve(&m, 0, Side::Theirs).unwrap();
    assert_eq!(kept.flow(fid(2)).unwrap().protocol, "TDS");
    assert!(kept.conflicts.is_empty());
}

#[test]
fn a_conflict_is_resolved_with_a_value_of_ones_own_and_a_value_that_breaks_the_model_is_refused() {
    use super::{Resolution, ResolveError, resolve_as};
    let b = base();
    let mut ours = b.clone();
    element(&mut ours, eid(2)).name = "Order service".into();
    let mut theirs = b.clone();
    element(&mut theirs, eid(2)).name = "Checkout API".into();
    let (m, conflicts) = check(&b, &ours, &theirs);
    assert_eq!(conflicts.len(), 1);

    let own = resolve_as(&m, 0, Resolution::Value("Checkout service".into())).unwrap();
    assert_eq!(own.element(eid(2)).unwrap().name, "Checkout service");
    assert!(own.conflicts.is_empty());

    let err = resolve_as(
        &m,
        0,
        Resolution::Value(serde_json::json!({"not": "a name"})),
    )
    .unwrap_err();
    assert!(
        matches!(&err, ResolveError::Invalid { number: 1, taking, .. } if taking == "putting the given value"),
        "{err:?}"
    );
}
