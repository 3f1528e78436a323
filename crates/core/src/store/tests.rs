use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::test_server::{Place, both};
use super::*;
use crate::model::{
    BoundaryKind, DataFlow, Element, ElementKind, NodeLayout, PropertyValue, ServiceModel,
    Severity, ThreatKey, TriageDecision, TriageStatus, TrustBoundary,
};

fn sample(name: &str) -> ServiceModel {
    let mut m = ServiceModel::new(name);
    let user = Element::new(ElementKind::ExternalEntity, "Customer");
    let api = Element::new(ElementKind::Process, "API");
    let flow = DataFlow::new("Request", user.id, api.id);
    m.elements = vec![user, api];
    m.flows = vec![flow];
    m
}

fn save<'a>(app: &'a str, model: &'a ServiceModel, base: Option<RevisionId>) -> Save<'a> {
    Save {
        application: app,
        model,
        expected_head: base,
        merge_parent: None,
        author: "ana",
        message: "test",
    }
}

struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn new() -> Self {
        Dir {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

#[test]
fn create_then_open_keeps_identity_and_marks_the_header() {
    let d = Dir::new();
    let path = d.path("w.stridewise");
    let id = Workspace::create(&path).unwrap().workspace_id();
    let header = std::fs::read(&path).unwrap();
    assert_eq!(&header[68..72], &APPLICATION_ID.to_be_bytes());
    let ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.workspace_id(), id);
    assert!(ws.verify().unwrap().is_ok());
    let leftovers: Vec<_> = std::fs::read_dir(d.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn create_never_replaces_a_file() {
    let d = Dir::new();
    let path = d.path("w.stridewise");
    std::fs::write(&path, b"precious").unwrap();
    let err = Workspace::create(&path).unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"precious");
}

fn listing(path: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn assert_refused_untouched(path: &Path, expect: impl Fn(&StoreError) -> bool) {
    let before = std::fs::read(path).unwrap();
    let files = listing(path);
    let err = Workspace::open(path).unwrap_err();
    assert!(expect(&err), "unexpected error: {err}");
    assert!(err.to_string().contains("not changed"), "{err}");
    assert_eq!(std::fs::read(path).unwrap(), before, "the file changed");
    assert_eq!(listing(path), files, "no file appeared beside it");
}

#[test]
fn a_text_file_is_refused_and_left_untouched() {
    let d = Dir::new();
    let path = d.path("notes.stridewise");
    std::fs::write(&path, "these are my notes, not a database\n".repeat(10)).unwrap();
    assert_refused_untouched(
        &path,
        |e| matches!(e, StoreError::NotAWorkspace { reason, .. } if reason.contains("not a SQLite")),
    );
    let empty = d.path("empty.stridewise");
    std::fs::write(&empty, b"").unwrap();
    assert_refused_untouched(&empty, |e| matches!(e, StoreError::NotAWorkspace { .. }));
}

#[test]
fn another_programs_sqlite_file_is_refused_and_left_untouched() {
    let d = Dir::new();
    let path = d.path("other.db");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::ConnectOptions;
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("INSERT INTO t VALUES (1)")
            .execute(&mut conn)
            .await
            .unwrap();
        use sqlx::Connection;
        conn.close().await.unwrap();
    });
    assert_refused_untouched(
        &path,
        |e| matches!(e, StoreError::NotAWorkspace { reason, .. } if reason.contains("another program")),
    );
}

/// What "left untouched" compares: a file's bytes; a database's schema history and `meta`.
fn contents(place: &Place) -> Vec<String> {
    match place {
        Place::File(_) => {
            let bytes = std::fs::read(place.location().as_path().unwrap()).unwrap();
            vec![format!("{bytes:?}")]
        }
        Place::Server(url) => {
            // The workspace itself refuses to open: read with a plain connection.
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                use sqlx::Connection;
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                let mut rows: Vec<String> = sqlx::query_scalar(
                    "SELECT key || '=' || value FROM meta ORDER BY key",
                )
                .fetch_all(&mut conn)
                .await
                .unwrap();
                let versions: Vec<String> = sqlx::query_scalar(
                    "SELECT version::text || ':' || success::text FROM _sqlx_migrations ORDER BY version",
                )
                .fetch_all(&mut conn)
                .await
                .unwrap();
                rows.extend(versions);
                rows
            })
        }
    }
}

fn assert_refused_unchanged(place: &Place, expect: impl Fn(&StoreError) -> bool) {
    let before = contents(place);
    let err = Workspace::open_at(&place.location()).unwrap_err();
    assert!(expect(&err), "unexpected error: {err}");
    assert_eq!(contents(place), before, "the workspace was changed");
}

fn a_newer_schema_is_refused_and_left_untouched(place: &Place) {
    {
        let ws = place.create();
        let m = sample("orders");
        ws.save(save("shop", &m, None)).unwrap();
        ws.block_on(
            db::query("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
                .execute(&ws.store().pool),
        )
        .unwrap();
    }
    assert_refused_unchanged(place, |e| {
        matches!(e, StoreError::NewerSchema { found: 999, .. })
    });
}

fn a_newer_migration_is_refused_and_left_untouched(place: &Place) {
    {
        let ws = place.create();
        let sql = if ws.store().is_server() {
            r#"INSERT INTO _sqlx_migrations
               (version, description, success, checksum, execution_time)
               VALUES (42, 'from the future', TRUE, '\x00'::bytea, 0)"#
        } else {
            r#"INSERT INTO _sqlx_migrations
               (version, description, success, checksum, execution_time)
               VALUES (42, 'from the future', 1, x'00', 0)"#
        };
        ws.block_on(db::query(sql).execute(&ws.store().pool))
            .unwrap();
    }
    assert_refused_unchanged(place, |e| {
        matches!(e, StoreError::NewerSchema { found: 42, .. })
    });
}

#[test]
fn opening_an_up_to_date_workspace_writes_nothing() {
    let d = Dir::new();
    let path = d.path("w.stridewise");
    drop(Workspace::create(&path).unwrap());
    let before = std::fs::read(&path).unwrap();
    let ws = Workspace::open(&path).unwrap();
    ws.models().unwrap();
    drop(ws);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_missing_file_is_not_found() {
    let d = Dir::new();
    let err = Workspace::open(&d.path("nope.stridewise")).unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    assert!(!d.path("nope.stridewise").exists());
}

fn saves_make_revisions_only_when_the_model_changes(place: &Place) {
    let ws = place.create();
    let mut m = sample("orders");
    let first = ws.save(save("shop", &m, None)).unwrap();
    let SaveOutcome::Saved(r1) = first else {
        panic!("first save must write: {first:?}")
    };
    assert_eq!(r1.seq, 1);
    assert!(r1.parents.is_empty());

    let again = ws.save(save("shop", &m, Some(r1.id))).unwrap();
    assert_eq!(again, SaveOutcome::Unchanged(r1.clone()));

    // Order of collections does not matter: the document is canonical.
    m.elements.reverse();
    assert!(matches!(
        ws.save(save("shop", &m, Some(r1.id))).unwrap(),
        SaveOutcome::Unchanged(_)
    ));

    m.description = "takes orders".into();
    let SaveOutcome::Saved(r2) = ws.save(save("shop", &m, Some(r1.id))).unwrap() else {
        panic!("a changed model must make a revision")
    };
    assert_eq!(r2.seq, 2);
    assert_eq!(r2.parents, vec![r1.id]);
    let history = ws.history(m.id).unwrap();
    assert_eq!(
        history.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![r2.id, r1.id]
    );
    let (_, loaded) = ws.load_head(m.id).unwrap().unwrap();
    assert_eq!(loaded.description, "takes orders");
    let (_, old) = ws.load_revision(r1.id).unwrap();
    assert_eq!(old.description, "");
}

fn a_stale_base_is_a_conflict_naming_both_revisions(place: &Place) {
    let ws = place.create();
    let mut m = sample("orders");
    let r1 = ws.save(save("shop", &m, None)).unwrap().revision().clone();
    m.description = "ours".into();
    let r2 = ws
        .save(save("shop", &m, Some(r1.id)))
        .unwrap()
        .revision()
        .clone();
    m.description = "theirs".into();
    let err = ws.save(save("shop", &m, Some(r1.id))).unwrap_err();
    match &err {
        StoreError::Conflict { based_on, head, .. } => {
            assert_eq!(*based_on, Some(r1.id));
            assert_eq!(*head, r2.id);
        }
        other => panic!("expected a conflict, got {other}"),
    }
    let text = err.to_string();
    assert!(text.contains(&r1.id.to_string()) && text.contains(&r2.id.to_string()));
    // Saving as if the model were new is a conflict too.
    assert!(matches!(
        ws.save(save("shop", &m, None)).unwrap_err(),
        StoreError::Conflict { based_on: None, .. }
    ));
    let (_, head) = ws.load_head(m.id).unwrap().unwrap();
    assert_eq!(head.description, "ours", "the losing save changed nothing");
    // A stale save that would change nothing is no conflict: the same file added twice.
    m.description = "ours".into();
    assert_eq!(
        ws.save(save("shop", &m, Some(r1.id))).unwrap(),
        SaveOutcome::Unchanged(r2.clone())
    );
}

fn a_merge_records_two_parents(place: &Place) {
    let ws = place.create();
    let mut m = sample("orders");
    let r1 = ws.save(save("shop", &m, None)).unwrap().revision().clone();
    m.team = "t".into();
    let r2 = ws
        .save(save("shop", &m, Some(r1.id)))
        .unwrap()
        .revision()
        .clone();
    m.description = "merged".into();
    let merge = Save {
        merge_parent: Some(r1.id),
        ..save("shop", &m, Some(r2.id))
    };
    let r3 = ws.save(merge).unwrap().revision().clone();
    assert_eq!(r3.parents, vec![r2.id, r1.id]);
    assert_eq!(ws.history(m.id).unwrap()[0].parents, vec![r2.id, r1.id]);
}

fn service_names_are_unique_within_an_application(place: &Place) {
    let ws = place.create();
    let a = sample("orders");
    ws.save(save("shop", &a, None)).unwrap();
    let b = sample("orders");
    let err = ws.save(save("shop", &b, None)).unwrap_err();
    assert!(matches!(err, StoreError::NameTaken { .. }), "{err}");
    // The same name in another application is fine, and then ambiguous by name alone.
    ws.save(save("bank", &b, None)).unwrap();
    assert!(matches!(
        ws.find_service("orders", None).unwrap_err(),
        StoreError::AmbiguousService { .. }
    ));
    assert_eq!(ws.find_service("orders", Some("bank")).unwrap().id, b.id);
    // A model cannot move between applications by being saved under another name.
    let err = ws.save(save("bank", &a, None)).unwrap_err();
    assert!(matches!(err, StoreError::WrongApplication { .. }), "{err}");
}

fn triage_changes_are_recorded_and_survive_reanalysis(place: &Place) {
    let ws = place.create();
    let m = sample("orders");
    ws.save(save("shop", &m, None)).unwrap();
    let scope = Scope::Service(m.id);
    let key = ThreatKey(format!("NET-DOS-01@{}", m.elements[0].id));
    let other = ThreatKey(format!("STO-ENC-01@{}", m.elements[1].id));
    let update = TriageUpdate {
        status: Some(TriageStatus::Accepted),
        justification: Some("behind the WAF".into()),
        owner: Some("ana".into()),
        severity_override: Some(Some(Severity::Low)),
        mitigations: [(
            "MIT-WAF".to_string(),
            crate::model::MitigationStatus::Implemented,
        )]
        .into(),
        ..Default::default()
    };
    ws.decide(scope, &key, &update, "ana", None).unwrap();
    ws.decide(
        scope,
        &other,
        &TriageUpdate {
            status: Some(TriageStatus::Mitigated),
            ..Default::default()
        },
        "bo",
        Some("review-1"),
    )
    .unwrap();
    // A partial update keeps the other fields.
    let changed = ws
        .decide(
            scope,
            &key,
            &TriageUpdate {
                ticket: Some("PAY-1".into()),
                ..Default::default()
            },
            "bo",
            None,
        )
        .unwrap();
    assert_eq!(changed.decision.status, TriageStatus::Accepted);
    assert_eq!(changed.decision.justification, "behind the WAF");
    assert_eq!(changed.decision.ticket, "PAY-1");
    // On a server the author is the database role (migrations-postgres/0006_roles.sql).
    assert_eq!(
        changed.decision.decided_by,
        ws.store().role().unwrap_or("bo")
    );
    let before = ws.triage(scope).unwrap();

    // Re-analysis without `key`: obsolete, state kept.
    let present: BTreeSet<ThreatKey> = [other.clone()].into();
    let report = ws.sync_threats(scope, &present, "analysis").unwrap();
    assert_eq!(report.obsoleted, vec![key.clone()]);
    assert!(report.restored.is_empty());
    let entries = ws.triage_entries(scope).unwrap();
    assert!(entries.iter().find(|e| e.key == key).unwrap().obsolete);
    assert!(!entries.iter().find(|e| e.key == other).unwrap().obsolete);
    // Syncing again changes nothing.
    assert_eq!(
        ws.sync_threats(scope, &present, "analysis").unwrap(),
        SyncReport::default()
    );

    // It fires again: restored exactly.
    let present: BTreeSet<ThreatKey> = [key.clone(), other.clone()].into();
    let report = ws.sync_threats(scope, &present, "analysis").unwrap();
    assert_eq!(report.restored, vec![key.clone()]);
    assert_eq!(ws.triage(scope).unwrap(), before);
    assert!(
        ws.triage_entries(scope)
            .unwrap()
            .iter()
            .all(|e| !e.obsolete)
    );

    let history = ws.triage_history(scope, Some(&key)).unwrap();
    let changes: Vec<HistoryChange> = history.iter().map(|h| h.change).collect();
    assert_eq!(
        changes,
        vec![
            HistoryChange::Decided,
            HistoryChange::Decided,
            HistoryChange::Obsoleted,
            HistoryChange::Restored
        ]
    );
    assert!(history[0].old.is_none());
    assert_eq!(history[1].old.as_ref().unwrap().0.ticket, "");
    assert_eq!(history[1].new.0.ticket, "PAY-1");
    assert!(history[2].new.1 && !history[3].new.1);
    let all = ws.triage_history(scope, None).unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(
        all.iter()
            .find(|h| h.key == other)
            .unwrap()
            .review_id
            .as_deref(),
        Some("review-1")
    );
}

fn application_scope_is_separate_from_service_scope(place: &Place) {
    let ws = place.create();
    let m = sample("orders");
    ws.save(save("shop", &m, None)).unwrap();
    let app = ws.applications().unwrap()[0].id;
    let key = ThreatKey::from("R@x");
    let update = TriageUpdate {
        status: Some(TriageStatus::Transferred),
        ..Default::default()
    };
    ws.decide(Scope::Application(app), &key, &update, "ana", None)
        .unwrap();
    assert_eq!(ws.triage(Scope::Application(app)).unwrap().len(), 1);
    assert!(ws.triage(Scope::Service(m.id)).unwrap().is_empty());
    let err = ws
        .decide(
            Scope::Service(crate::model::ModelId::new()),
            &key,
            &update,
            "ana",
            None,
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownModel(_)), "{err}");
}

fn export_carries_lineage_and_triage_and_import_keeps_workspace_decisions(place: &Place) {
    let ws = place.create();
    let mut m = sample("orders");
    let known = ThreatKey::from("A@1");
    let fresh = ThreatKey::from("B@2");
    m.triage.insert(
        known.clone(),
        TriageDecision {
            status: TriageStatus::Accepted,
            ..Default::default()
        },
    );
    let r1 = ws.save(save("shop", &m, None)).unwrap().revision().clone();
    let scope = Scope::Service(m.id);
    assert_eq!(
        ws.triage(scope).unwrap()[&known].status,
        TriageStatus::Accepted
    );
    // The stored document has no triage: a triage-only change is not a new revision.
    let (_, stored) = ws.load_head(m.id).unwrap().unwrap();
    assert!(stored.triage.is_empty() && stored.lineage.is_none());

    ws.decide(
        scope,
        &known,
        &TriageUpdate {
            status: Some(TriageStatus::Mitigated),
            ..Default::default()
        },
        "ana",
        None,
    )
    .unwrap();
    m.triage.insert(fresh.clone(), TriageDecision::default());
    let again = ws.save(save("shop", &m, Some(r1.id))).unwrap();
    assert!(matches!(again, SaveOutcome::Unchanged(_)));
    let triage = ws.triage(scope).unwrap();
    assert_eq!(
        triage[&known].status,
        TriageStatus::Mitigated,
        "the workspace wins"
    );
    assert!(triage.contains_key(&fresh), "new keys are imported");

    let (info, exported) = ws.export(m.id).unwrap();
    assert_eq!(info.id, r1.id);
    let lineage = exported.lineage.clone().unwrap();
    assert_eq!(lineage.workspace, ws.workspace_id());
    assert_eq!(lineage.revision, r1.id.0);
    assert_eq!(exported.triage, triage);
}

fn verify_finds_a_damaged_document(place: &Place) {
    let ws = place.create();
    let m = sample("orders");
    let r = ws.save(save("shop", &m, None)).unwrap().revision().clone();
    ws.block_on(
        db::query("UPDATE revisions SET document = replace(document, 'API', 'APX')")
            .execute(&ws.store().pool),
    )
    .unwrap();
    let report = ws.verify().unwrap();
    assert!(!report.is_ok());
    assert_eq!(report.damaged_revisions.len(), 1);
    assert!(matches!(
        ws.load_revision(r.id).unwrap_err(),
        StoreError::Damaged(_)
    ));
}

/// Two connections (two processes on one file, two people on one server).
fn two_workspaces_on_one_file_cannot_both_save_on_the_same_base(place: &Place) {
    let first = place.create();
    let second = place.open();
    let mut m = sample("orders");
    let base = first.save(save("shop", &m, None)).unwrap().revision().id;
    let mut ours = m.clone();
    ours.description = "ours".into();
    m.description = "theirs".into();
    let a = first.save(save("shop", &ours, Some(base)));
    let b = second.save(save("shop", &m, Some(base)));
    assert!(a.is_ok());
    assert!(matches!(b, Err(StoreError::Conflict { .. })));
}

// Random models: what goes in comes back out.

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9 _\\-]{1,12}",
        any::<String>().prop_map(|s| s.chars().take(16).collect()),
    ]
}

fn property_value() -> impl Strategy<Value = PropertyValue> {
    prop_oneof![
        any::<bool>().prop_map(PropertyValue::Bool),
        any::<i64>().prop_map(PropertyValue::from),
        (-1.0e9f64..1.0e9).prop_map(PropertyValue::number),
        text().prop_map(PropertyValue::Text),
    ]
}

fn arb_model() -> impl Strategy<Value = ServiceModel> {
    let elements = prop::collection::vec(
        (
            prop::sample::select(ElementKind::ALL.to_vec()),
            text(),
            prop::collection::btree_map("[a-z_]{1,8}", property_value(), 0..4),
            any::<bool>(),
        ),
        0..12,
    );
    let boundaries = prop::collection::vec(
        (text(), prop::sample::select(BoundaryKind::ALL.to_vec())),
        0..4,
    );
    (
        text(),
        text(),
        elements,
        boundaries,
        prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                any::<prop::sample::Index>(),
                text(),
                any::<bool>(),
            ),
            0..16,
        ),
        prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                -1.0e6f64..1.0e6,
                0.0f64..500.0,
            ),
            0..6,
        ),
    )
        .prop_map(|(name, team, elements, boundaries, flows, layout)| {
            let mut m = ServiceModel::new(if name.is_empty() { "svc".into() } else { name });
            m.team = team;
            m.boundaries = boundaries
                .into_iter()
                .map(|(n, k)| TrustBoundary::new(n, k))
                .collect();
            for (i, (kind, name, properties, out)) in elements.into_iter().enumerate() {
                let mut e = Element::new(kind, name);
                e.properties = properties;
                e.out_of_scope = out;
                if out {
                    e.out_of_scope_reason = "not ours".into();
                }
                if !m.boundaries.is_empty() && i % 2 == 0 {
                    e.boundary = Some(m.boundaries[i % m.boundaries.len()].id);
                }
                m.elements.push(e);
            }
            if !m.elements.is_empty() {
                for (s, t, name, bidi) in flows {
                    let mut f = DataFlow::new(name, s.get(&m.elements).id, t.get(&m.elements).id);
                    f.bidirectional = bidi;
                    f.protocol = "HTTPS".into();
                    m.flows.push(f);
                }
                for (i, x, w) in layout {
                    let id = i.get(&m.elements).id.0;
                    m.layout.nodes.insert(
                        id,
                        NodeLayout {
                            x,
                            y: -x / 3.0,
                            width: w,
                            height: w / 2.0,
                        },
                    );
                }
            }
            m
        })
}

thread_local! {
    /// The round-trip property's workspaces, one per backend, shared by its cases (a database
    /// per case would be slow); each case saves under an application of its own.
    static ROUND_TRIP: Vec<(Place, Workspace)> = {
        let mut places = vec![Place::file()];
        places.extend(Place::server());
        places.into_iter().map(|p| { let ws = p.create(); (p, ws) }).collect()
    };
}

fn round_trip(ws: &Workspace, models: &[ServiceModel]) -> std::result::Result<(), TestCaseError> {
    let app = format!("app-{}", uuid::Uuid::new_v4());
    let mut heads = Vec::new();
    for (i, m) in models.iter().enumerate() {
        let mut m = m.clone();
        m.name = format!("{}-{i}", m.name);
        let r = ws.save(save(&app, &m, None)).unwrap();
        heads.push((m, r.revision().id));
    }
    for (m, rev) in &heads {
        let (_, loaded) = ws.load_revision(*rev).unwrap();
        let mut expected = m.clone();
        expected.canonicalize();
        prop_assert_eq!(&loaded, &expected);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// On every backend.
    #[test]
    fn save_then_load_gives_back_an_equal_model(models in prop::collection::vec(arb_model(), 1..4)) {
        ROUND_TRIP.with(|list| {
            for (_, ws) in list {
                round_trip(ws, &models)?;
            }
            Ok::<(), TestCaseError>(())
        })?;
    }
}

fn an_archived_model_leaves_the_lists_keeps_its_history_and_comes_back_when_saved(place: &Place) {
    let ws = place.create();
    let m = sample("payments");
    let first = ws.save(save("shop", &m, None)).unwrap();
    ws.archive_model(m.id).unwrap();
    assert!(ws.models().unwrap().is_empty());
    assert!(matches!(
        ws.find_service("payments", None),
        Err(StoreError::UnknownService { .. })
    ));
    assert!(matches!(
        ws.archive_model(m.id),
        Err(StoreError::UnknownModel(_))
    ));
    // The name is free for a new service; the archive keeps its revisions.
    ws.save(save("shop", &sample("payments"), None)).unwrap();
    assert_eq!(ws.history(m.id).unwrap().len(), 1);
    assert!(ws.verify().unwrap().is_ok());
    // Saving the archived model again (an exported copy added back) restores it.
    let mut back = m.clone();
    back.name = "payments (restored)".into();
    ws.save(save("shop", &back, Some(first.revision().id)))
        .unwrap();
    let names: Vec<_> = ws.models().unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["payments", "payments (restored)"]);
}

#[test]
fn accepting_not_applicable_and_transferring_need_a_justification_given_or_kept() {
    let set = |status, justification: Option<&str>| TriageUpdate {
        status: Some(status),
        justification: justification.map(str::to_string),
        ..Default::default()
    };
    let justified = TriageDecision {
        justification: "behind the private endpoint".into(),
        ..Default::default()
    };
    for status in [
        TriageStatus::Accepted,
        TriageStatus::NotApplicable,
        TriageStatus::Transferred,
    ] {
        assert_eq!(set(status, None).missing_justification(None), Some(status));
        assert_eq!(
            set(status, Some("  ")).missing_justification(None),
            Some(status)
        );
        assert_eq!(set(status, Some("why")).missing_justification(None), None);
        // Kept from the decision it changes, unless the update clears it.
        assert_eq!(
            set(status, None).missing_justification(Some(&justified)),
            None
        );
        assert_eq!(
            set(status, Some("")).missing_justification(Some(&justified)),
            Some(status)
        );
    }
    for status in [
        TriageStatus::Open,
        TriageStatus::NeedsInvestigation,
        TriageStatus::Mitigated,
    ] {
        assert_eq!(set(status, None).missing_justification(None), None);
    }
    assert_eq!(TriageUpdate::default().missing_justification(None), None);
}

// Issue 20: stale logs, read-only access and look-alike files.

fn side(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

// Issue 20, 1: `init` after a crash and the deletion of only the workspace file opened the new
// file beside the old `-wal` and `-shm`, and SQLite replayed the old log into it.
#[test]
fn issue_20_init_refuses_the_stale_log_of_a_deleted_workspace() {
    let d = Dir::new();
    let path = d.path("w.stridewise");
    let (wal, shm) = (side(&path, "-wal"), side(&path, "-shm"));
    {
        let ws = Workspace::create(&path).unwrap();
        ws.save(save("shop", &sample("deleted-service"), None))
            .unwrap();
        // What a killed process leaves: the log and its index, committed but not folded back.
        std::fs::copy(&wal, d.path("crash-wal")).unwrap();
        std::fs::copy(&shm, d.path("crash-shm")).unwrap();
    }
    std::fs::remove_file(&path).unwrap();
    std::fs::rename(d.path("crash-wal"), &wal).unwrap();
    std::fs::rename(d.path("crash-shm"), &shm).unwrap();
    let log = std::fs::read(&wal).unwrap();
    assert!(!log.is_empty(), "the crash image holds the save");

    let err = Workspace::create(&path).unwrap_err();
    assert!(matches!(err, StoreError::StaleLog { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("w.stridewise-wal"), "{text}");
    assert!(text.contains("w.stridewise-shm"), "{text}");
    assert!(text.contains("move or delete them"), "{text}");
    assert!(!path.exists(), "nothing was created");
    assert_eq!(std::fs::read(&wal).unwrap(), log, "the old log was kept");

    // The way out the message gives.
    std::fs::remove_file(&wal).unwrap();
    std::fs::remove_file(&shm).unwrap();
    let ws = Workspace::create(&path).unwrap();
    assert!(ws.models().unwrap().is_empty());
    assert!(ws.verify().unwrap().is_ok());
}

// Issue 20, 2: a user who may only read the workspace left `-wal` and `-shm` of their own
// beside it. Opened read-only, nothing appears beside the file, reads work and writes are
// refused with the reason. (The same through the real binary as another user, where the
// open decides by itself: tests/reliability.rs.)
#[test]
fn issue_20_a_read_only_workspace_reads_without_side_files_and_refuses_writes() {
    let d = Dir::new();
    let path = d.path("w.stridewise");
    let m = sample("orders");
    drop(
        Workspace::create(&path)
            .unwrap()
            .save(save("shop", &m, None)),
    );
    let files = listing(&path);
    let before = std::fs::read(&path).unwrap();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = Store::open_read_only(&path).await.unwrap();
        assert_eq!(store.models().await.unwrap().len(), 1);
        assert_eq!(listing(&path), files, "no file appeared beside it");
        let mut changed = m.clone();
        changed.description = "changed".into();
        let head = store.head(m.id).await.unwrap().map(|h| h.id);
        let err = store.save(save("shop", &changed, head)).await.unwrap_err();
        assert!(matches!(err, StoreError::ReadOnly { .. }), "{err}");
        assert!(err.to_string().contains("reading it still works"), "{err}");
        store.close().await;
    });
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(listing(&path), files);
}

// Issue 20, 12: a file that passed the header and `meta` checks but was no workspace was
// switched to WAL and given a migration table before the migrations failed on it.
#[test]
fn issue_20_a_look_alike_workspace_is_refused_and_left_untouched() {
    let d = Dir::new();
    let path = d.path("look-alike.stridewise");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::{ConnectOptions, Connection};
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        for sql in [
            "PRAGMA application_id = 1398035031",
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "INSERT INTO meta VALUES ('format', 'stridewise-workspace'), ('schema_version', '1')",
        ] {
            sqlx::query(sql).execute(&mut conn).await.unwrap();
        }
        conn.close().await.unwrap();
    });
    assert_refused_untouched(
        &path,
        |e| matches!(e, StoreError::NotAWorkspace { reason, .. } if reason.contains("schema history")),
    );
}

// Issue 20, 4: the desktop's import stored a model with a duplicated id, and every later
// analysis of the workspace panicked on it; `verify` did not notice such a document.
fn issue_20_a_model_with_broken_structure_is_not_stored_and_verify_finds_one(place: &Place) {
    let ws = place.create();
    let mut broken = sample("orders");
    let twin = broken.elements[1].clone();
    broken.elements.push(twin);
    let err = ws.save(save("shop", &broken, None)).unwrap_err();
    assert!(
        matches!(&err, StoreError::BrokenModel { problems, .. } if problems.contains("already has")),
        "{err}"
    );
    assert!(ws.models().unwrap().is_empty());

    // A document made broken behind the store's back (another tool, an old version).
    let m = sample("orders");
    ws.save(save("shop", &m, None)).unwrap();
    assert!(ws.verify().unwrap().is_ok());
    let mut doctored = m.clone();
    doctored.flows[0].target = crate::model::ElementId::new();
    let document = stored_document(&doctored);
    ws.block_on(
        db::query("UPDATE revisions SET document = ?, content_hash = ?")
            .bind(&document)
            .bind(content_hash(&document))
            .execute(&ws.store().pool),
    )
    .unwrap();
    let report = ws.verify().unwrap();
    assert!(!report.is_ok());
    assert_eq!(report.damaged_revisions.len(), 1, "{report:?}");
    assert!(report.damaged_revisions[0].contains("unknown-element"));
}

fn the_last_terraform_import_is_kept_replaced_and_checked(place: &Place) {
    let ws = place.create();
    let mut m = sample("orders");
    let r1 = ws.save(save("shop", &m, None)).unwrap().revision().clone();
    assert_eq!(ws.last_terraform_import(m.id).unwrap(), None);
    ws.keep_terraform_import(&m, r1.id, "infra").unwrap();
    m.description = "second import".into();
    let r2 = ws
        .save(save("shop", &m, Some(r1.id)))
        .unwrap()
        .revision()
        .clone();
    ws.keep_terraform_import(&m, r2.id, "infra").unwrap();
    let kept = ws.last_terraform_import(m.id).unwrap().unwrap();
    assert_eq!(kept.description, "second import");
    ws.block_on(
        db::query("UPDATE terraform_imports SET document = replace(document, 'API', 'APX')")
            .execute(&ws.store().pool),
    )
    .unwrap();
    assert!(matches!(
        ws.last_terraform_import(m.id),
        Err(StoreError::Damaged(_))
    ));
}

both!(
    the_last_terraform_import_is_kept_replaced_and_checked,
    a_newer_schema_is_refused_and_left_untouched,
    a_newer_migration_is_refused_and_left_untouched,
    saves_make_revisions_only_when_the_model_changes,
    a_stale_base_is_a_conflict_naming_both_revisions,
    a_merge_records_two_parents,
    service_names_are_unique_within_an_application,
    triage_changes_are_recorded_and_survive_reanalysis,
    application_scope_is_separate_from_service_scope,
    export_carries_lineage_and_triage_and_import_keeps_workspace_decisions,
    verify_finds_a_damaged_document,
    two_workspaces_on_one_file_cannot_both_save_on_the_same_base,
    an_archived_model_leaves_the_lists_keeps_its_history_and_comes_back_when_saved,
    issue_20_a_model_with_broken_structure_is_not_stored_and_verify_finds_one,
);

/// A schema version means the same in a file and on a server: both backends have the same
/// migrations by number (a migration added to one must be mirrored in the other).
#[test]
fn both_backends_have_the_same_migrations() {
    let file: Vec<i64> = open::MIGRATOR.iter().map(|m| m.version).collect();
    let server: Vec<i64> = server::MIGRATOR.iter().map(|m| m.version).collect();
    assert_eq!(file, server);
}
