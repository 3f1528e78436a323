//! Copying a whole workspace to another place: a file to a server, a server to a file, or
//! between two of either (`stridewise workspace copy`).
//!
//! Everything is copied row by row, every table of the schema ([`TABLES`]; a test checks that
//! no table is left out): applications, models (archived ones too), every revision with its
//! parents, author, time, message and document, triage with its history and obsolete flags,
//! mitigation states, reviews with their agendas, snapshots and decisions, and the kept
//! Terraform imports. The copy keeps the source's workspace id and creation time, so exports
//! made from either carry the same lineage. Row ids (triage, its history) are kept too: the
//! history refers to them.
//!
//! Nothing is half-copied. The source is read in one transaction (a snapshot); the
//! destination is written in one write transaction, after checking it holds no data. A file
//! destination is first built as a temporary file beside it, then linked into place (never
//! replacing a file); on a server, a failed copy rolls back and leaves the database as it
//! was (an empty database keeps the empty workspace schema that was created in it).
//!
//! Rows travel as text: integer columns are read as `CAST(... AS TEXT)` and written back with
//! `CAST(? AS BIGINT)`, so one row type serves every table on both backends.

use std::path::{Path, PathBuf};

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, Row as _};

use super::db::{self, Pool, Tx};
use super::{Context, Location, Result, Store, StoreError};

/// One row of any table, every column as text (NULL as `None`).
struct TextRow(Vec<Option<String>>);

impl<'r> FromRow<'r, SqliteRow> for TextRow {
    fn from_row(row: &'r SqliteRow) -> std::result::Result<Self, sqlx::Error> {
        (0..row.len())
            .map(|i| row.try_get::<Option<String>, _>(i))
            .collect::<std::result::Result<_, _>>()
            .map(TextRow)
    }
}

impl<'r> FromRow<'r, PgRow> for TextRow {
    fn from_row(row: &'r PgRow) -> std::result::Result<Self, sqlx::Error> {
        (0..row.len())
            .map(|i| row.try_get::<Option<String>, _>(i))
            .collect::<std::result::Result<_, _>>()
            .map(TextRow)
    }
}

/// How one table is read and written. The SELECT's columns are the INSERT's placeholders, in
/// order; the order of rows is one that satisfies the foreign keys.
struct Table {
    name: &'static str,
    select: &'static str,
    insert: &'static str,
}

/// Every table of the workspace schema except `meta` (copied by key) and sqlx's own history,
/// in an order in which each row's references are already there. `models.head_revision` and
/// a review's closing are set afterwards (see [`copy_rows`]).
const TABLES: &[Table] = &[
    Table {
        name: "applications",
        select: "SELECT id, name, created_at FROM applications ORDER BY id",
        insert: "INSERT INTO applications (id, name, created_at) VALUES (?, ?, ?)",
    },
    Table {
        name: "models",
        select: "SELECT id, application_id, kind, name, created_at, archived_at FROM models ORDER BY id",
        insert: "INSERT INTO models (id, application_id, kind, name, created_at, archived_at) VALUES (?, ?, ?, ?, ?, ?)",
    },
    Table {
        name: "revisions",
        select: "SELECT id, model_id, CAST(seq AS TEXT), author, created_at, message, content_hash, document FROM revisions ORDER BY model_id, seq",
        insert: "INSERT INTO revisions (id, model_id, seq, author, created_at, message, content_hash, document) VALUES (?, ?, CAST(? AS BIGINT), ?, ?, ?, ?, ?)",
    },
    Table {
        name: "revision_parents",
        select: "SELECT revision_id, parent_id, CAST(position AS TEXT) FROM revision_parents ORDER BY revision_id, position",
        insert: "INSERT INTO revision_parents (revision_id, parent_id, position) VALUES (?, ?, CAST(? AS BIGINT))",
    },
    Table {
        name: "triage",
        select: "SELECT CAST(id AS TEXT), service_id, application_id, threat_key, status, CAST(obsolete AS TEXT), justification, owner, ticket, severity_override, due_sprint, decided_by, decided_at FROM triage ORDER BY id",
        insert: "INSERT INTO triage (id, service_id, application_id, threat_key, status, obsolete, justification, owner, ticket, severity_override, due_sprint, decided_by, decided_at) VALUES (CAST(? AS BIGINT), ?, ?, ?, ?, CAST(? AS BIGINT), ?, ?, ?, ?, ?, ?, ?)",
    },
    Table {
        name: "triage_mitigations",
        select: "SELECT CAST(triage_id AS TEXT), mitigation_id, status FROM triage_mitigations ORDER BY triage_id, mitigation_id",
        insert: "INSERT INTO triage_mitigations (triage_id, mitigation_id, status) VALUES (CAST(? AS BIGINT), ?, ?)",
    },
    Table {
        name: "triage_history",
        select: "SELECT CAST(id AS TEXT), CAST(triage_id AS TEXT), change, changed_by, changed_at, old_state, new_state, review_id FROM triage_history ORDER BY id",
        insert: "INSERT INTO triage_history (id, triage_id, change, changed_by, changed_at, old_state, new_state, review_id) VALUES (CAST(? AS BIGINT), CAST(? AS BIGINT), ?, ?, ?, ?, ?, ?)",
    },
    // Reviews: each is written open, then its agenda, then closed (a closed review's rows are
    // frozen by triggers); see `copy_reviews`.
    Table {
        name: "reviews",
        select: "SELECT id, application_id, sprint, CAST(seq AS TEXT), participants, notes, opened_by, opened_at, previous_id, state, closed_by, closed_at FROM reviews ORDER BY application_id, seq",
        insert: "INSERT INTO reviews (id, application_id, sprint, seq, state, participants, notes, opened_by, opened_at, previous_id) VALUES (?, ?, ?, CAST(? AS BIGINT), 'open', ?, ?, ?, ?, ?)",
    },
    Table {
        name: "review_models",
        select: "SELECT review_id, model_id, revision_id FROM review_models ORDER BY review_id, model_id",
        insert: "INSERT INTO review_models (review_id, model_id, revision_id) VALUES (?, ?, ?)",
    },
    Table {
        name: "review_threats",
        select: "SELECT review_id, model_id, threat_key, title, severity, fingerprint, status FROM review_threats ORDER BY review_id, model_id, threat_key",
        insert: "INSERT INTO review_threats (review_id, model_id, threat_key, title, severity, fingerprint, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
    },
    Table {
        name: "review_items",
        select: "SELECT review_id, model_id, threat_key, title, severity, status_before, reasons, status, justification, owner, due_sprint, ticket, decided_by, decided_at, application_key, decided_with FROM review_items ORDER BY review_id, model_id, threat_key",
        insert: "INSERT INTO review_items (review_id, model_id, threat_key, title, severity, status_before, reasons, status, justification, owner, due_sprint, ticket, decided_by, decided_at, application_key, decided_with) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    },
    Table {
        name: "terraform_imports",
        select: "SELECT model_id, revision_id, root, created_at, content_hash, document FROM terraform_imports ORDER BY model_id",
        insert: "INSERT INTO terraform_imports (model_id, revision_id, root, created_at, content_hash, document) VALUES (?, ?, ?, ?, ?, ?)",
    },
];

/// The `meta` keys that are the workspace's identity rather than the schema's.
const IDENTITY: &str =
    "SELECT key, value FROM meta WHERE key IN ('workspace_id', 'created_at') ORDER BY key";

/// What a copy moved: rows per table, in [`TABLES`] order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<(&'static str, usize)>,
}

impl CopyReport {
    /// The number of rows of `table` copied.
    pub fn rows(&self, table: &str) -> usize {
        self.tables
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| *n)
    }
}

/// Every row of every table, read in one snapshot.
struct Snapshot {
    identity: Vec<TextRow>,
    tables: Vec<Vec<TextRow>>,
    /// Each model's head revision (set once the revisions are copied).
    heads: Vec<(String, Option<String>)>,
}

/// A transaction that reads one consistent state of the workspace.
async fn begin_read(pool: &Pool) -> Result<Tx> {
    const CONTEXT: &str = "reading the workspace to copy";
    Ok(match pool {
        // In WAL mode a read transaction sees the database as of its first read.
        Pool::Sqlite(p) => Tx::Sqlite(p.begin().await.context(CONTEXT)?),
        Pool::Postgres(p) => {
            let mut tx = Tx::Postgres(p.begin().await.context(CONTEXT)?);
            db::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut tx)
                .await
                .context(CONTEXT)?;
            tx
        }
    })
}

async fn read_all(store: &Store) -> Result<Snapshot> {
    const CONTEXT: &str = "reading the workspace to copy";
    let mut tx = begin_read(&store.pool).await?;
    let identity = db::query(IDENTITY)
        .fetch_all(&mut tx)
        .await
        .context(CONTEXT)?;
    let mut tables = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        tables.push(
            db::query(table.select)
                .fetch_all(&mut tx)
                .await
                .context(CONTEXT)?,
        );
    }
    let heads = db::query("SELECT id, head_revision FROM models ORDER BY id")
        .fetch_all(&mut tx)
        .await
        .context(CONTEXT)?;
    drop(tx);
    Ok(Snapshot {
        identity,
        tables,
        heads,
    })
}

fn bound(sql: &'static str, row: &TextRow, columns: usize) -> db::Query {
    row.0[..columns]
        .iter()
        .fold(db::query(sql), |q, v| q.bind(v.clone()))
}

/// The rows of `snapshot` into `tx`, in an order the foreign keys and the triggers accept.
async fn copy_rows(tx: &mut Tx, snapshot: &Snapshot, postgres: bool) -> Result<CopyReport> {
    const CONTEXT: &str = "writing the copy";
    for row in &snapshot.identity {
        db::query("UPDATE meta SET value = ? WHERE key = ?")
            .bind(row.0[1].clone())
            .bind(row.0[0].clone())
            .execute(&mut *tx)
            .await
            .context(CONTEXT)?;
    }
    let rows = |name: &str| {
        let i = TABLES.iter().position(|t| t.name == name).expect("a table");
        (&TABLES[i], &snapshot.tables[i])
    };
    for name in [
        "applications",
        "models",
        "revisions",
        "revision_parents",
        "triage",
        "triage_mitigations",
        "triage_history",
    ] {
        let (table, rows) = rows(name);
        for row in rows {
            bound(table.insert, row, row.0.len())
                .execute(&mut *tx)
                .await
                .context(CONTEXT)?;
        }
    }
    // A model's head, once its revisions are there.
    for (id, head) in &snapshot.heads {
        db::query("UPDATE models SET head_revision = ? WHERE id = ?")
            .bind(head)
            .bind(id)
            .execute(&mut *tx)
            .await
            .context(CONTEXT)?;
    }
    copy_reviews(tx, &rows).await?;
    let (table, import_rows) = rows("terraform_imports");
    for row in import_rows {
        bound(table.insert, row, row.0.len())
            .execute(&mut *tx)
            .await
            .context(CONTEXT)?;
    }
    if postgres {
        // Identity columns: new rows continue after the copied ids.
        for sql in [
            "SELECT setval(pg_get_serial_sequence('triage', 'id'), COALESCE((SELECT MAX(id) FROM triage), 0) + 1, false)",
            "SELECT setval(pg_get_serial_sequence('triage_history', 'id'), COALESCE((SELECT MAX(id) FROM triage_history), 0) + 1, false)",
        ] {
            db::query(sql).execute(&mut *tx).await.context(CONTEXT)?;
        }
    }
    Ok(CopyReport {
        tables: TABLES
            .iter()
            .zip(&snapshot.tables)
            .map(|(t, rows)| (t.name, rows.len()))
            .collect(),
    })
}

async fn copy_reviews<'s>(
    tx: &mut Tx,
    rows: &impl Fn(&str) -> (&'static Table, &'s Vec<TextRow>),
) -> Result<()> {
    const CONTEXT: &str = "writing the copy";
    let (reviews, review_rows) = rows("reviews");
    for review in review_rows {
        let id = review.0[0].as_deref();
        // Open first (the insert's 9 columns), so that its agenda can be written.
        bound(reviews.insert, review, 9)
            .execute(&mut *tx)
            .await
            .context(CONTEXT)?;
        for name in ["review_models", "review_threats", "review_items"] {
            let (table, rows) = rows(name);
            for row in rows.iter().filter(|r| r.0[0].as_deref() == id) {
                bound(table.insert, row, row.0.len())
                    .execute(&mut *tx)
                    .await
                    .context(CONTEXT)?;
            }
        }
        // Then its own state: closed, by whom and when.
        db::query("UPDATE reviews SET state = ?, closed_by = ?, closed_at = ? WHERE id = ?")
            .bind(review.0[9].clone())
            .bind(review.0[10].clone())
            .bind(review.0[11].clone())
            .bind(review.0[0].clone())
            .execute(&mut *tx)
            .await
            .context(CONTEXT)?;
    }
    Ok(())
}

/// The tables of `store` that hold rows, for the refusal of a destination that is not empty.
async fn tables_with_rows(store: &Store) -> Result<Vec<&'static str>> {
    let mut found = Vec::new();
    for table in TABLES {
        let n: i64 = db::query_scalar(match table.name {
            "applications" => "SELECT COUNT(*) FROM applications",
            "models" => "SELECT COUNT(*) FROM models",
            "revisions" => "SELECT COUNT(*) FROM revisions",
            "revision_parents" => "SELECT COUNT(*) FROM revision_parents",
            "triage" => "SELECT COUNT(*) FROM triage",
            "triage_mitigations" => "SELECT COUNT(*) FROM triage_mitigations",
            "triage_history" => "SELECT COUNT(*) FROM triage_history",
            "reviews" => "SELECT COUNT(*) FROM reviews",
            "review_models" => "SELECT COUNT(*) FROM review_models",
            "review_threats" => "SELECT COUNT(*) FROM review_threats",
            "review_items" => "SELECT COUNT(*) FROM review_items",
            "terraform_imports" => "SELECT COUNT(*) FROM terraform_imports",
            other => unreachable!("no count for table {other}"),
        })
        .fetch_one(&store.pool)
        .await
        .context("checking that the destination is empty")?;
        if n > 0 {
            found.push(table.name);
        }
    }
    Ok(found)
}

/// Writes the snapshot into `dest` (an open, empty workspace) in one write transaction.
async fn write_into(dest: &Store, snapshot: &Snapshot) -> Result<CopyReport> {
    let mut tx = dest.begin_write("writing the copy").await?;
    if dest.is_server() {
        // The server's triggers record the writing role as every author; a copy by the owner
        // of the tables keeps the authors it copies (migrations-postgres/0006_roles.sql).
        db::query("SET LOCAL stridewise.copy = 'on'")
            .execute(&mut tx)
            .await
            .context("writing the copy")?;
    }
    let report = copy_rows(&mut tx, snapshot, dest.is_server()).await?;
    tx.commit().await.context("committing the copy")?;
    Ok(report)
}

/// Copies the workspace at `from` into `to`: a new file, or an empty database (or a database
/// holding an empty workspace). A destination holding anything is refused
/// ([`StoreError::NotEmpty`]) and left as it was.
pub(crate) async fn copy(from: &Location, to: &Location) -> Result<CopyReport> {
    let source = Store::open_at(from).await?;
    let outcome = async {
        if from == to {
            return Err(StoreError::NotEmpty {
                path: PathBuf::from(to.to_string()),
                tables: "it is the source itself".into(),
            });
        }
        let snapshot = read_all(&source).await?;
        match to {
            Location::File(path) => copy_to_file(&snapshot, path).await,
            Location::Server(_) => {
                let dest = match Store::create_at(to).await {
                    Ok(store) => store,
                    Err(StoreError::AlreadyExists { .. }) => Store::open_at(to).await?,
                    Err(e) => return Err(e),
                };
                let outcome = async {
                    refuse_unless_empty(&dest).await?;
                    write_into(&dest, &snapshot).await
                }
                .await;
                dest.close().await;
                outcome
            }
        }
    }
    .await;
    source.close().await;
    outcome
}

async fn refuse_unless_empty(dest: &Store) -> Result<()> {
    let full = tables_with_rows(dest).await?;
    if full.is_empty() {
        return Ok(());
    }
    Err(StoreError::NotEmpty {
        path: dest.path().to_path_buf(),
        tables: format!("its tables {} hold rows", full.join(", ")),
    })
}

/// A new file: built beside the target under a temporary name, then linked into place.
async fn copy_to_file(snapshot: &Snapshot, path: &Path) -> Result<CopyReport> {
    if path.symlink_metadata().is_ok() {
        return Err(StoreError::AlreadyExists {
            path: path.to_path_buf(),
        });
    }
    let tmp = super::open::temp_beside(path, "copy");
    let outcome = async {
        let dest = Store::create(&tmp).await?;
        let written = write_into(&dest, snapshot).await;
        // Closing folds the log into the file before it is linked into place.
        dest.close().await;
        let report = written?;
        super::open::link_into_place(&tmp, path)?;
        Ok(report)
    }
    .await;
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut side = tmp.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Workspace;
    use crate::store::test_server::{Place, both};

    /// Every row of every table, as text, with `meta`'s identity: what a copy must keep.
    fn dump(ws: &Workspace) -> Vec<(String, Vec<Vec<Option<String>>>)> {
        let snapshot = ws.block_on(read_all(ws.store())).unwrap();
        let mut out = vec![(
            "meta".to_string(),
            snapshot.identity.into_iter().map(|r| r.0).collect(),
        )];
        out.extend(
            TABLES
                .iter()
                .zip(snapshot.tables)
                .map(|(t, rows)| (t.name.to_string(), rows.into_iter().map(|r| r.0).collect())),
        );
        out.push((
            "models.head_revision".into(),
            snapshot
                .heads
                .into_iter()
                .map(|(a, b)| vec![Some(a), b])
                .collect(),
        ));
        out
    }

    /// The copy covers the schema: every table but `meta` and sqlx's own is in [`TABLES`].
    fn every_table_is_copied(place: &Place) {
        let ws = place.create();
        let sql = if ws.store().is_server() {
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
        } else {
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
        };
        let mut tables: Vec<String> = ws
            .block_on(db::query_scalar(sql).fetch_all(&ws.store().pool))
            .unwrap();
        // `meta` is copied by key; the schema history is each backend's own; who may do what
        // on a server (its roles) belongs to that server's administrator, not to the content.
        tables.retain(|t| {
            ![
                "meta",
                "_sqlx_migrations",
                "workspace_roles",
                "team_services",
            ]
            .contains(&t.as_str())
        });
        let mut copied: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        copied.sort();
        assert_eq!(tables, copied);
    }

    both!(every_table_is_copied);

    #[test]
    fn a_destination_that_is_not_empty_is_refused_and_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let src = Location::File(dir.path().join("a.stridewise"));
        let dst = Location::File(dir.path().join("b.stridewise"));
        Workspace::create_at(&src).unwrap();
        std::fs::write(dst.as_path().unwrap(), b"precious").unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let err = rt.block_on(copy(&src, &dst)).unwrap_err();
        assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err}");
        assert_eq!(std::fs::read(dst.as_path().unwrap()).unwrap(), b"precious");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    /// A workspace with something in every table: revisions with a merge, two applications,
    /// an archived service, triage with mitigations, history and an obsolete decision,
    /// application triage, a closed review with decisions and an open one, a kept import.
    fn rich(place: &Place) -> Workspace {
        use crate::app::review::{self as session, DecideRequest, StartRequest};
        use crate::catalog::Catalog;
        use crate::model::{
            DataFlow, Element, ElementKind, MitigationStatus, ServiceModel, ThreatKey, TriageStatus,
        };
        use crate::store::{Save, Scope, TriageUpdate};
        let ws = place.create();
        let mut m = ServiceModel::new("orders");
        let user = Element::new(ElementKind::ExternalEntity, "User");
        let api = Element::new(ElementKind::Process, "API");
        let db = Element::new(ElementKind::DataStore, "DB");
        m.flows = vec![
            DataFlow::new("order", user.id, api.id),
            DataFlow::new("write", api.id, db.id),
        ];
        m.elements = vec![user, api, db];
        let save = |m: &ServiceModel, app: &'static str, base, merge, author: &'static str| {
            ws.save(Save {
                application: app,
                model: m,
                expected_head: base,
                merge_parent: merge,
                author,
                message: "a change",
            })
            .unwrap()
            .revision()
            .clone()
        };
        let r1 = save(&m, "shop", None, None, "ana");
        m.team = "payments".into();
        let r2 = save(&m, "shop", Some(r1.id), None, "bo");
        m.description = "merged".into();
        let r3 = save(&m, "shop", Some(r2.id), Some(r1.id), "cy");
        ws.keep_terraform_import(&m, r3.id, "infra").unwrap();
        let old = ServiceModel::new("legacy");
        save(&old, "bank", None, None, "ana");
        ws.archive_model(old.id).unwrap();

        let scope = Scope::Service(m.id);
        let key = ThreatKey(format!("NET-DOS-01@{}", m.elements[0].id));
        ws.decide(
            scope,
            &key,
            &TriageUpdate {
                status: Some(TriageStatus::Accepted),
                justification: Some("behind the WAF".into()),
                mitigations: [("MIT-WAF".to_string(), MitigationStatus::Implemented)].into(),
                ..Default::default()
            },
            "ana",
            None,
        )
        .unwrap();
        ws.sync_threats(scope, &Default::default(), "analysis")
            .unwrap();
        let app = ws.applications().unwrap()[1].id;
        ws.decide(
            Scope::Application(app),
            &key,
            &TriageUpdate {
                status: Some(TriageStatus::Mitigated),
                ..Default::default()
            },
            "dee",
            None,
        )
        .unwrap();

        let req = StartRequest {
            application: Some("shop"),
            sprint: "1",
            author: "ana",
            ..StartRequest::default()
        };
        let first = ws
            .block_on(session::start(ws.store(), Catalog::builtin(), &req))
            .unwrap();
        let items = ws.block_on(ws.store().review_items(first)).unwrap();
        ws.block_on(session::decide(
            ws.store(),
            first,
            &DecideRequest {
                item: items[0].item.key.as_str(),
                ..Default::default()
            },
            &TriageUpdate {
                status: Some(TriageStatus::Mitigated),
                ..Default::default()
            },
            "eve",
        ))
        .unwrap();
        ws.block_on(session::close(ws.store(), first, "done", "eve"))
            .unwrap();
        ws.block_on(session::start(
            ws.store(),
            Catalog::builtin(),
            &StartRequest { sprint: "2", ..req },
        ))
        .unwrap();
        ws
    }

    fn run(from: &Location, to: &Location) -> Result<CopyReport> {
        Workspace::copy(from, to)
    }

    /// File → server → file: every table, history included, comes back as it was, and the
    /// copies work as workspaces (a save continues the history, a decision the triage ids).
    #[test]
    fn a_workspace_goes_from_a_file_to_a_server_and_back_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let original = Place::file();
        let before = dump(&rich(&original));
        for (table, rows) in &before {
            assert!(!rows.is_empty(), "the test workspace has no {table} rows");
        }
        let Some(server) = Place::server() else {
            // Without a server, at least file → file.
            let copy = Location::File(dir.path().join("copy.stridewise"));
            run(&original.location(), &copy).unwrap();
            assert_eq!(dump(&Workspace::open_at(&copy).unwrap()), before);
            return;
        };
        let report = run(&original.location(), &server.location()).unwrap();
        assert_eq!(report.rows("revisions"), 4);
        let on_server = Workspace::open_at(&server.location()).unwrap();
        assert_eq!(dump(&on_server), before);
        assert!(on_server.verify().unwrap().is_ok());
        drop(on_server);
        let back = Location::File(dir.path().join("back.stridewise"));
        run(&server.location(), &back).unwrap();
        let ws = Workspace::open_at(&back).unwrap();
        assert_eq!(dump(&ws), before);
        assert!(ws.verify().unwrap().is_ok());
        // The copy on the server goes on: new triage rows get new ids.
        let ws = Workspace::open_at(&server.location()).unwrap();
        let svc = ws.find_service("orders", None).unwrap();
        ws.decide(
            crate::store::Scope::Service(svc.id),
            &crate::model::ThreatKey("X-1@y".into()),
            &crate::store::TriageUpdate {
                status: Some(crate::model::TriageStatus::Mitigated),
                ..Default::default()
            },
            "ana",
            None,
        )
        .unwrap();
        // Copying into it again is refused: it holds data now, and is left as it was.
        let now = dump(&ws);
        let err = run(&original.location(), &server.location()).unwrap_err();
        assert!(matches!(err, StoreError::NotEmpty { .. }), "{err}");
        assert!(err.to_string().contains("applications"), "{err}");
        if let Place::Server(url) = &server {
            let password = url.split(['@', ':']).nth(2).unwrap();
            assert!(!err.to_string().contains(password), "{err}");
        }
        assert_eq!(dump(&ws), now);
    }
}
