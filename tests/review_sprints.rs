//! Three sprints of threat reviews on the sample application (models/mc-*.stride.json).
//!
//! Review 1 sees everything as new. Then the stamp model changes: a new flow from the
//! internet, a removed data store, a flow whose `encrypted` property is fixed. Review 2's
//! agenda must hold exactly the new, changed, still-open, past-due and obsolete items, with
//! the expected sets computed here from the two analyses and the two model versions, not by
//! the agenda builder. Review 3 shows the trend of open threats by severity.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use stridewise_core::analysis::analyze;
use stridewise_core::app::review::{self as session, ReviewError, StartRequest};
use stridewise_core::catalog::Catalog;
use stridewise_core::model::{
    DataFlow, PropertyValue, ServiceModel, Severity, ThreatKey, TriageStatus, io,
};
use stridewise_core::review::{AgendaReason, ReviewId, StoredItem, progress};
use stridewise_core::store::{Save, Scope, StoreError, TriageUpdate, Workspace};

type Item = (String, String); // (service, threat key)

fn models() -> Vec<ServiceModel> {
    ["mc-global", "mc-operations", "mc-stamp"]
        .iter()
        .map(|n| {
            io::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("models/{n}.stride.json")))
                .expect("sample model loads")
        })
        .collect()
}

fn workspace(dir: &Path, models: &[ServiceModel]) -> Workspace {
    let ws = Workspace::create(&dir.join("mc.stridewise")).unwrap();
    for m in models {
        ws.save(Save {
            application: "mc",
            model: m,
            expected_head: None,
            merge_parent: None,
            author: "test",
            message: "first version",
        })
        .unwrap();
    }
    ws
}

fn start(ws: &Workspace, sprint: &str) -> ReviewId {
    ws.block_on(session::start(
        ws.store(),
        Catalog::builtin(),
        &StartRequest {
            application: Some("mc"),
            services: &[],
            sprint,
            participants: &["ana".to_string(), "bo".to_string()],
            author: "ana",
        },
    ))
    .unwrap()
}

fn items(ws: &Workspace, id: ReviewId) -> Vec<StoredItem> {
    ws.block_on(ws.store().review_items(id)).unwrap()
}

fn decide(ws: &Workspace, id: ReviewId, item: &Item, status: TriageStatus, due: &str) {
    ws.block_on(session::decide(
        ws.store(),
        id,
        &session::DecideRequest {
            item: &item.1,
            service: Some(&item.0),
            ..Default::default()
        },
        &TriageUpdate {
            status: Some(status),
            owner: Some("ana".into()),
            due_sprint: Some(due.into()),
            justification: Some("decided in the test".into()),
            ..TriageUpdate::default()
        },
        "ana",
    ))
    .unwrap();
}

/// The rows of the agenda (service and threat) that have a decision.
fn decided_rows(items: &[StoredItem]) -> usize {
    items.iter().filter(|i| i.decision.is_some()).count()
}

/// Every threat of every model: (service, key) -> severity.
fn threats(models: &[ServiceModel]) -> BTreeMap<Item, Severity> {
    let mut out = BTreeMap::new();
    for m in models {
        for t in analyze(m, Catalog::builtin()).threats {
            out.insert((m.name.clone(), t.key.to_string()), t.severity);
        }
    }
    out
}

/// The element or flow `id` of `m` as JSON, without notes and origins (which do not count as
/// a change of what a threat is about).
fn object(m: &ServiceModel, id: &str) -> Option<serde_json::Value> {
    let strip = |mut v: serde_json::Value| {
        if let Some(o) = v.as_object_mut() {
            o.remove("notes");
            o.remove("origins");
        }
        v
    };
    m.elements
        .iter()
        .find(|e| e.id.to_string() == id)
        .map(|e| strip(serde_json::to_value(e).unwrap()))
        .or_else(|| {
            m.flows
                .iter()
                .find(|f| f.id.to_string() == id)
                .map(|f| strip(serde_json::to_value(f).unwrap()))
        })
}

fn with(items: &[StoredItem], reason: AgendaReason) -> BTreeSet<Item> {
    items
        .iter()
        .filter(|i| i.item.reasons.contains(&reason))
        .map(|i| (i.service.clone(), i.item.key.to_string()))
        .collect()
}

/// Unresolved threats by severity, from the threats and the resolved set.
fn open_by_severity(
    threats: &BTreeMap<Item, Severity>,
    resolved: &BTreeSet<Item>,
) -> BTreeMap<Severity, usize> {
    let mut out = BTreeMap::new();
    for (item, sev) in threats {
        if !resolved.contains(item) {
            *out.entry(*sev).or_default() += 1;
        }
    }
    out
}

/// The stamp model of sprint 2: a new flow from the internet to HealthService, the static
/// website storage removed, and fixed properties: the ingress-to-CatalogService flow is now
/// encrypted and CatalogService now writes audit logs.
fn change_stamp(m: &ServiceModel) -> ServiceModel {
    let mut m = m.clone();
    let id = |name: &str| m.elements.iter().find(|e| e.name == name).unwrap().id;
    let (users, health, storage) = (
        id("Internet users"),
        id("HealthService"),
        id("Static website storage"),
    );
    let ingress = id("Ingress controller");
    let catalog = id("CatalogService");
    let mut flow = DataFlow::new("health probe", users, health);
    flow.properties
        .insert("authentication".into(), PropertyValue::Text("none".into()));
    flow.properties.insert("encrypted".into(), false.into());
    m.flows.push(flow);
    let gone: Vec<_> = m
        .flows
        .iter()
        .filter(|f| f.source == storage || f.target == storage)
        .map(|f| f.id)
        .collect();
    m.flows.retain(|f| !gone.contains(&f.id));
    for f in &gone {
        m.layout.edges.remove(&f.0);
    }
    m.elements.retain(|e| e.id != storage);
    m.layout.nodes.remove(&storage.0);
    let fixed = m
        .flows
        .iter_mut()
        .find(|f| f.source == ingress && f.target == catalog)
        .unwrap();
    assert_eq!(fixed.properties.get("encrypted"), Some(&false.into()));
    fixed.properties.insert("encrypted".into(), true.into());
    let service = m.elements.iter_mut().find(|e| e.id == catalog).unwrap();
    assert_eq!(service.properties.get("audit_logging"), Some(&false.into()));
    service
        .properties
        .insert("audit_logging".into(), true.into());
    m
}

#[test]
fn three_sprints() {
    let dir = tempfile::tempdir().unwrap();
    let sprint1 = models();
    let ws = workspace(dir.path(), &sprint1);
    let threats1 = threats(&sprint1);

    // Review 1: everything is new and open.
    let r1 = start(&ws, "2026.1");
    let agenda1 = items(&ws, r1);
    let all1: BTreeSet<Item> = threats1.keys().cloned().collect();
    assert_eq!(with(&agenda1, AgendaReason::New), all1);
    assert_eq!(with(&agenda1, AgendaReason::StillOpen), all1);
    assert!(with(&agenda1, AgendaReason::Obsolete).is_empty());

    // Decisions: the first five stamp items mitigated, the next one under investigation
    // with a due sprint that will have passed by review 2.
    let stamp: Vec<Item> = agenda1
        .iter()
        .filter(|i| i.service == "mc-stamp")
        .map(|i| (i.service.clone(), i.item.key.to_string()))
        .collect();
    let mut resolved: BTreeSet<Item> = BTreeSet::new();
    for item in &stamp[..5] {
        decide(&ws, r1, item, TriageStatus::Mitigated, "");
        resolved.insert(item.clone());
    }
    let late = stamp[5].clone();
    decide(&ws, r1, &late, TriageStatus::NeedsInvestigation, "2026.1");
    let p = progress(&items(&ws, r1));
    assert_eq!(p.threats, all1.len());
    assert!(p.total < p.threats, "threats of one rule are one item");
    assert_eq!(decided_rows(&items(&ws, r1)), 6);
    ws.block_on(session::close(ws.store(), r1, "first review", "ana"))
        .unwrap();

    // The stamp changes.
    let stamp1 = sprint1.iter().find(|m| m.name == "mc-stamp").unwrap();
    let stamp2 = change_stamp(stamp1);
    let head = ws.head(stamp1.id).unwrap().unwrap();
    ws.save(Save {
        application: "mc",
        model: &stamp2,
        expected_head: Some(head.id),
        merge_parent: None,
        author: "test",
        message: "sprint 2 changes",
    })
    .unwrap();
    let sprint2: Vec<ServiceModel> = sprint1
        .iter()
        .map(|m| {
            if m.name == "mc-stamp" {
                stamp2.clone()
            } else {
                m.clone()
            }
        })
        .collect();
    let threats2 = threats(&sprint2);

    // Review 2: the expected sets, computed from the two analyses and the two models.
    let r2 = start(&ws, "2026.2");
    let agenda2 = items(&ws, r2);
    let all2: BTreeSet<Item> = threats2.keys().cloned().collect();
    let new: BTreeSet<Item> = all2.difference(&all1).cloned().collect();
    let obsolete: BTreeSet<Item> = all1.difference(&all2).cloned().collect();
    let changed: BTreeSet<Item> = all1
        .intersection(&all2)
        .filter(|(service, key)| {
            let before = sprint1.iter().find(|m| &m.name == service).unwrap();
            let after = sprint2.iter().find(|m| &m.name == service).unwrap();
            key.split('@')
                .skip(1)
                .any(|id| object(before, id) != object(after, id))
        })
        .cloned()
        .collect();
    let still_open: BTreeSet<Item> = all2.difference(&resolved).cloned().collect();
    assert!(!new.is_empty(), "the new internet flow brings new threats");
    assert!(!obsolete.is_empty(), "the removed store takes threats away");
    assert!(!changed.is_empty(), "the fixed flow changes its threats");
    assert_eq!(with(&agenda2, AgendaReason::New), new);
    assert_eq!(with(&agenda2, AgendaReason::Obsolete), obsolete);
    assert_eq!(with(&agenda2, AgendaReason::Changed), changed);
    assert_eq!(with(&agenda2, AgendaReason::StillOpen), still_open);
    assert_eq!(
        with(&agenda2, AgendaReason::PastDue),
        BTreeSet::from([late.clone()])
    );
    // Nothing else is on the agenda: mitigated, unchanged threats are not.
    let listed: BTreeSet<Item> = agenda2
        .iter()
        .map(|i| (i.service.clone(), i.item.key.to_string()))
        .collect();
    let expected: BTreeSet<Item> = new
        .iter()
        .chain(&obsolete)
        .chain(&changed)
        .chain(&still_open)
        .cloned()
        .collect();
    assert_eq!(listed, expected);
    // Ordered by severity, highest first.
    assert!(
        agenda2
            .windows(2)
            .all(|w| w[0].item.severity >= w[1].item.severity)
    );

    // Review 2 decides every new item: mitigated.
    for item in &new {
        decide(&ws, r2, item, TriageStatus::Mitigated, "");
        resolved.insert(item.clone());
    }
    ws.block_on(session::close(ws.store(), r2, "new flow reviewed", "bo"))
        .unwrap();

    // Review 3: the trend of open threats by severity.
    let r3 = start(&ws, "2026.3");
    let app = ws.block_on(ws.store().application("mc")).unwrap();
    let trend = ws.block_on(ws.store().review_trend(app.id)).unwrap();
    assert_eq!(
        trend.iter().map(|t| t.review).collect::<Vec<_>>(),
        vec![r1, r2, r3]
    );
    let resolved1: BTreeSet<Item> = stamp[..5].iter().cloned().collect();
    assert_eq!(trend[0].open, open_by_severity(&threats1, &resolved1));
    assert_eq!(trend[1].open, open_by_severity(&threats2, &resolved));
    assert_eq!(trend[2].open, trend[1].open);
    let total = |m: &BTreeMap<Severity, usize>| m.values().sum::<usize>();
    assert!(total(&trend[1].open) < total(&trend[0].open) + new.len());

    // Review 3's agenda: nothing new or changed, the open ones and the one past due.
    let agenda3 = items(&ws, r3);
    assert!(with(&agenda3, AgendaReason::New).is_empty());
    assert!(with(&agenda3, AgendaReason::Changed).is_empty());
    assert!(with(&agenda3, AgendaReason::Obsolete).is_empty());
    assert_eq!(
        with(&agenda3, AgendaReason::StillOpen),
        all2.difference(&resolved).cloned().collect()
    );

    // The report renders every section and the three bars.
    let data = ws.block_on(session::report_data(ws.store(), r3)).unwrap();
    let html = stridewise_core::report::review::render(&data).unwrap();
    for needle in [
        "Open threats across reviews",
        "What changed since the last review",
        "Decisions taken",
        "Open actions by owner",
        "#1 2026.1",
        "#2 2026.2",
        "#3 2026.3 (open)",
    ] {
        assert!(html.contains(needle), "report lacks {needle}");
    }
    assert!(!html.contains("<script"));
}

#[test]
fn closed_reviews_are_frozen_and_decisions_reach_triage() {
    let dir = tempfile::tempdir().unwrap();
    let ms = models();
    let ws = workspace(dir.path(), &ms);
    let r1 = start(&ws, "7");
    let first = items(&ws, r1)
        .into_iter()
        .find(|i| i.service == "mc-operations")
        .unwrap();
    let item = (first.service.clone(), first.item.key.to_string());

    // Only one open review per application.
    let again = ws.block_on(session::start(
        ws.store(),
        Catalog::builtin(),
        &StartRequest {
            application: Some("mc"),
            sprint: "8",
            author: "ana",
            ..StartRequest::default()
        },
    ));
    assert!(
        matches!(&again, Err(ReviewError::Store(StoreError::ReviewOpen { application, seq: 1, .. })) if application == "mc"),
        "{again:?}"
    );

    // A key that is not on the agenda is refused by name.
    let missing = ws.block_on(session::decide(
        ws.store(),
        r1,
        &session::DecideRequest {
            item: "NOPE@1",
            ..Default::default()
        },
        &TriageUpdate::default(),
        "ana",
    ));
    assert!(matches!(missing, Err(ReviewError::NotOnAgenda { .. })));

    decide(&ws, r1, &item, TriageStatus::Accepted, "9");
    assert_eq!(decided_rows(&items(&ws, r1)), 1);

    // The decision is the service's triage, and its history names the review.
    let service = ws.find_service("mc-operations", Some("mc")).unwrap();
    let history = ws
        .triage_history(Scope::Service(service.id), Some(&ThreatKey(item.1.clone())))
        .unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.new.0.status, TriageStatus::Accepted);
    assert_eq!(last.new.0.due_sprint, "9");
    assert_eq!(last.review_id.as_deref(), Some(r1.to_string().as_str()));

    ws.block_on(session::close(ws.store(), r1, "done", "ana"))
        .unwrap();
    let info = ws.block_on(ws.store().review(r1)).unwrap();
    assert_eq!(info.notes, "done");
    assert_eq!(info.closed_by.as_deref(), Some("ana"));

    // Later decisions and a second close are refused with the review named.
    let late = ws.block_on(session::decide(
        ws.store(),
        r1,
        &session::DecideRequest {
            item: &item.1,
            service: Some(&item.0),
            ..Default::default()
        },
        &TriageUpdate {
            status: Some(TriageStatus::Open),
            ..TriageUpdate::default()
        },
        "bo",
    ));
    match late {
        Err(e @ ReviewError::Closed { .. }) => {
            assert!(
                e.to_string()
                    .contains("review 1 (sprint 7) of 'mc' is closed"),
                "{e}"
            )
        }
        other => panic!("expected a closed-review error, got {other:?}"),
    }
    assert!(matches!(
        ws.block_on(session::close(ws.store(), r1, "", "bo")),
        Err(ReviewError::Closed { .. })
    ));
    // The store refuses too, below the session layer.
    assert!(
        ws.block_on(ws.store().decide_review_item(
            r1,
            service.id,
            &ThreatKey(item.1.clone()),
            &TriageUpdate::default(),
            "bo",
            None
        ))
        .is_err()
    );
    // The triage was not changed by the refused decision.
    let now = ws.triage(Scope::Service(service.id)).unwrap();
    assert_eq!(now[&ThreatKey(item.1)].status, TriageStatus::Accepted);
}

#[test]
fn a_review_of_some_services_and_unknown_names() {
    let dir = tempfile::tempdir().unwrap();
    let ms = models();
    let ws = workspace(dir.path(), &ms);
    let only = ["mc-global".to_string()];
    let id = ws
        .block_on(session::start(
            ws.store(),
            Catalog::builtin(),
            &StartRequest {
                application: None,
                services: &only,
                sprint: "1",
                participants: &[],
                author: "ana",
            },
        ))
        .unwrap();
    let info = ws.block_on(ws.store().review(id)).unwrap();
    assert_eq!(
        info.models
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        ["mc-global"]
    );
    assert!(items(&ws, id).iter().all(|i| i.service == "mc-global"));
    let bad = ["nope".to_string()];
    let err = ws
        .block_on(session::start(
            ws.store(),
            Catalog::builtin(),
            &StartRequest {
                application: Some("mc"),
                services: &bad,
                sprint: "1",
                participants: &[],
                author: "ana",
            },
        ))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "no service named 'nope' in application 'mc'"
    );
}
