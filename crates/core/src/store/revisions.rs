//! Applications, models and their revisions: saving (one transaction, checked against the
//! head), loading, history and export.

use std::collections::BTreeMap;
use std::path::Path;

use super::db::{self, AsDb};

use super::{
    Application, ApplicationId, Context, ModelSummary, Result, RevisionId, RevisionInfo, Scope,
    Store, StoreError, VerifyReport, content_hash, kind_str, parse_kind, parse_uuid, time, triage,
};
use crate::model::{self, Lineage, ModelId, ServiceModel};

/// A request to save a model as a new revision.
#[derive(Clone, Debug)]
pub struct Save<'a> {
    /// The application the model belongs to; created if it does not exist yet.
    pub application: &'a str,
    pub model: &'a ServiceModel,
    /// The revision this edit was based on: the head the editor loaded, or `None` for a model
    /// that is new to the workspace. A different head is a [`StoreError::Conflict`].
    pub expected_head: Option<RevisionId>,
    /// The second parent when this save records a merge.
    pub merge_parent: Option<RevisionId>,
    pub author: &'a str,
    pub message: &'a str,
}

/// What a save did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveOutcome {
    /// A new revision was written.
    Saved(RevisionInfo),
    /// The model equals its head revision; nothing new was written.
    Unchanged(RevisionInfo),
}

impl SaveOutcome {
    pub fn revision(&self) -> &RevisionInfo {
        match self {
            SaveOutcome::Saved(r) | SaveOutcome::Unchanged(r) => r,
        }
    }
}

/// The text stored for a model: canonical JSON (collections sorted by id, so equal models give
/// equal text and equal hashes) without the triage map (kept in its own tables) and the lineage
/// (computed on export). Compact rather than indented: the 10,000-element benchmark model is
/// 6.6 MB indented and 4.7 MB compact, and every revision stores a whole copy. It stays
/// text so that it can be read with any SQLite tool and searched with `instr`.
pub fn stored_document(model: &ServiceModel) -> String {
    let mut copy = model.clone();
    copy.triage.clear();
    copy.lineage = None;
    copy.canonicalize();
    serde_json::to_string(&copy).expect("a model always serializes: its maps have string keys")
}

#[derive(sqlx::FromRow)]
struct RevisionRow {
    id: String,
    model_id: String,
    seq: i64,
    author: String,
    created_at: String,
    message: String,
    content_hash: String,
}

#[derive(sqlx::FromRow)]
struct ModelRow {
    id: String,
    kind: String,
    name: String,
    application_id: String,
    application: String,
    head_revision: Option<String>,
}

async fn revision_info(conn: &mut impl AsDb, id: RevisionId) -> Result<RevisionInfo> {
    let row: Option<RevisionRow> = db::query(
        r#"SELECT id, model_id, seq, author, created_at, message, content_hash
           FROM revisions WHERE id = ?"#,
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await
    .context("reading a revision")?;
    let row = row.ok_or(StoreError::UnknownRevision(id))?;
    let parents: Vec<String> = db::query_scalar(
        "SELECT parent_id FROM revision_parents WHERE revision_id = ? ORDER BY position",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await
    .context("reading a revision's parents")?;
    to_info(row, &parents)
}

fn to_info(row: RevisionRow, parents: &[String]) -> Result<RevisionInfo> {
    Ok(RevisionInfo {
        id: parse_uuid(&row.id, "revision id")?,
        model: parse_uuid(&row.model_id, "model id")?,
        seq: row.seq,
        author: row.author,
        created_at: row.created_at,
        message: row.message,
        content_hash: row.content_hash,
        parents: parents
            .iter()
            .map(|p| parse_uuid(p, "parent revision id"))
            .collect::<Result<_>>()?,
    })
}

impl Store {
    /// Saves `save.model` as a new revision of its model, in one `BEGIN IMMEDIATE`
    /// transaction: the head check and the write cannot interleave with another writer.
    ///
    /// The model is identified by its id; its name must be unique among the application's
    /// models of the same kind. Triage decisions carried in the document are imported for
    /// threat keys the workspace has no decision for; decisions already in the workspace win.
    ///
    /// A model whose ids are not unique or whose references dangle
    /// ([`model::structural_errors`]) is refused: analysis, triage and merges of every
    /// later command go by id.
    pub async fn save(&self, save: Save<'_>) -> Result<SaveOutcome> {
        let save = Save {
            author: self.author(save.author),
            ..save
        };
        let broken = model::structural_errors(save.model);
        if !broken.is_empty() {
            return Err(StoreError::BrokenModel {
                name: save.model.name.clone(),
                problems: broken
                    .iter()
                    .map(|d| format!("{} ({})", d.message, d.pointer))
                    .collect::<Vec<_>>()
                    .join("; "),
            });
        }
        // The expensive part (serialising and hashing megabytes) happens before the write lock.
        let document = stored_document(save.model);
        let hash = content_hash(&document);
        let model = save.model;
        let id = model.id.to_string();
        let kind = kind_str(model.kind);

        let mut tx = self.begin_write("starting a save").await?;
        let now = time::now();

        let app_id = ensure_application(&mut tx, save.application, &now).await?;
        let existing: Option<ModelRow> = db::query(
            r#"SELECT m.id, m.kind, m.name, m.application_id, a.name AS application, m.head_revision
               FROM models m JOIN applications a ON a.id = m.application_id
               WHERE m.id = ?"#,
        )
        .bind(&id)
        .fetch_optional(&mut tx)
        .await
        .context("reading the model")?;
        if let Some(row) = &existing {
            if row.application_id != app_id.to_string() {
                return Err(StoreError::WrongApplication {
                    id: model.id,
                    name: model.name.clone(),
                    actual: row.application.clone(),
                    requested: save.application.to_string(),
                });
            }
            if row.kind != kind {
                return Err(StoreError::WrongKind {
                    id: model.id,
                    name: model.name.clone(),
                    stored: row.kind.clone(),
                    document: kind.to_string(),
                });
            }
        }
        let holder: Option<String> = db::query_scalar(
            "SELECT id FROM models WHERE application_id = ? AND kind = ? AND name = ? AND id <> ?",
        )
        .bind(app_id.to_string())
        .bind(kind)
        .bind(&model.name)
        .bind(&id)
        .fetch_optional(&mut tx)
        .await
        .context("checking the model's name")?;
        if let Some(holder) = holder {
            return Err(StoreError::NameTaken {
                application: save.application.to_string(),
                kind,
                name: model.name.clone(),
                existing: parse_uuid(&holder, "model id")?,
                incoming: model.id,
            });
        }

        let head: Option<RevisionId> = match &existing {
            Some(row) => row
                .head_revision
                .as_deref()
                .map(|h| parse_uuid(h, "head revision"))
                .transpose()?,
            None => None,
        };
        let head_info = match head {
            Some(h) => Some(revision_info(&mut tx, h).await?),
            None => None,
        };
        // A document equal to the head changes nothing, whatever it was based on (the same
        // exported file added twice); only a save that would change the head is checked.
        let same_as_head = head_info
            .as_ref()
            .is_some_and(|info| info.content_hash == hash && save.merge_parent.is_none());
        if head != save.expected_head && !same_as_head {
            // Without a head, the save names a base of a model the workspace does not have.
            let Some(info) = head_info else {
                return Err(StoreError::UnknownBase {
                    id: model.id,
                    name: model.name.clone(),
                    base: save.expected_head.unwrap_or_default(),
                });
            };
            return Err(StoreError::Conflict {
                model: model.name.clone(),
                based_on: save.expected_head,
                head: info.id,
                head_author: info.author,
                head_time: info.created_at,
            });
        }

        let outcome = match head_info {
            Some(info) if same_as_head => SaveOutcome::Unchanged(info),
            _ => {
                if existing.is_none() {
                    db::query(
                        r#"INSERT INTO models (id, application_id, kind, name, head_revision, created_at)
                           VALUES (?, ?, ?, ?, NULL, ?)"#,
                    )
                    .bind(&id)
                    .bind(app_id.to_string())
                    .bind(kind)
                    .bind(&model.name)
                    .bind(&now)
                    .execute(&mut tx)
                    .await
                    .context("adding the model")?;
                }
                let seq: i64 = db::query_scalar(
                    "SELECT COALESCE(MAX(seq), 0) + 1 FROM revisions WHERE model_id = ?",
                )
                .bind(&id)
                .fetch_one(&mut tx)
                .await
                .context("numbering the revision")?;
                let rev = RevisionId::new();
                db::query(
                    r#"INSERT INTO revisions (id, model_id, seq, author, created_at, message, content_hash, document)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?)"#,
                )
                .bind(rev.to_string())
                .bind(&id)
                .bind(seq)
                .bind(save.author)
                .bind(&now)
                .bind(save.message)
                .bind(&hash)
                .bind(&document)
                .execute(&mut tx)
                .await
                .context("writing the revision")?;
                let parents: Vec<RevisionId> = head.into_iter().chain(save.merge_parent).collect();
                for (position, parent) in parents.iter().enumerate() {
                    db::query(
                        "INSERT INTO revision_parents (revision_id, parent_id, position) VALUES (?, ?, ?)",
                    )
                    .bind(rev.to_string())
                    .bind(parent.to_string())
                    .bind(position as i64)
                    .execute(&mut tx)
                    .await
                    .context("linking the revision to its parents")?;
                }
                db::query(
                    "UPDATE models SET head_revision = ?, name = ?, archived_at = NULL WHERE id = ?",
                )
                    .bind(rev.to_string())
                    .bind(&model.name)
                    .bind(&id)
                    .execute(&mut tx)
                    .await
                    .context("moving the model's head")?;
                SaveOutcome::Saved(RevisionInfo {
                    id: rev,
                    model: model.id,
                    seq,
                    author: save.author.to_string(),
                    created_at: now.clone(),
                    message: save.message.to_string(),
                    content_hash: hash,
                    parents,
                })
            }
        };
        if !model.triage.is_empty() && model.kind == crate::model::ModelKind::Service {
            triage::import(
                &mut tx,
                Scope::Service(model.id),
                &model.triage,
                save.author,
                &now,
            )
            .await?;
        }
        if let SaveOutcome::Saved(info) = &outcome {
            super::Change {
                kind: super::ChangeKind::Saved,
                application: save.application.to_string(),
                service: Some(model.name.clone()),
                model: Some(id.clone()),
                detail: format!("revision {}", info.seq),
                author: save.author.to_string(),
                role: String::new(),
            }
            .send(&mut tx)
            .await?;
        }
        tx.commit().await.context("committing the save")?;
        Ok(outcome)
    }

    /// Every application, by name.
    pub async fn applications(&self) -> Result<Vec<Application>> {
        let rows: Vec<(String, String, String)> =
            db::query("SELECT id, name, created_at FROM applications ORDER BY name")
                .fetch_all(&self.pool)
                .await
                .context("listing applications")?;
        rows.into_iter()
            .map(|(id, name, created_at)| {
                Ok(Application {
                    id: parse_uuid(&id, "application id")?,
                    name,
                    created_at,
                })
            })
            .collect()
    }

    /// Finds an application by name.
    pub async fn application(&self, name: &str) -> Result<Application> {
        self.applications()
            .await?
            .into_iter()
            .find(|a| a.name == name)
            .ok_or_else(|| StoreError::UnknownApplication(name.to_string()))
    }

    /// Every model with its head, by application, kind and name.
    pub async fn models(&self) -> Result<Vec<ModelSummary>> {
        let rows: Vec<ModelRow> = db::query(
            r#"SELECT m.id, m.kind, m.name, m.application_id, a.name AS application, m.head_revision
               FROM models m JOIN applications a ON a.id = m.application_id
               WHERE m.archived_at IS NULL
               ORDER BY a.name, m.kind DESC, m.name"#,
        )
        .fetch_all(&self.pool)
        .await
        .context("listing models")?;
        let mut conn = self.pool.acquire().await.context("listing models")?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let head = match &row.head_revision {
                Some(h) => Some(revision_info(&mut conn, parse_uuid(h, "head revision")?).await?),
                None => None,
            };
            let revisions: i64 =
                db::query_scalar("SELECT COUNT(*) FROM revisions WHERE model_id = ?")
                    .bind(&row.id)
                    .fetch_one(&mut conn)
                    .await
                    .context("counting revisions")?;
            out.push(ModelSummary {
                id: parse_uuid(&row.id, "model id")?,
                kind: parse_kind(&row.kind)?,
                name: row.name,
                application: row.application,
                application_id: parse_uuid(&row.application_id, "application id")?,
                head,
                revisions,
            });
        }
        Ok(out)
    }

    /// Finds a service model by name, within `application` when given.
    pub async fn find_service(
        &self,
        name: &str,
        application: Option<&str>,
    ) -> Result<ModelSummary> {
        if let Some(app) = application {
            self.application(app).await?;
        }
        let matches: Vec<ModelSummary> = self
            .models()
            .await?
            .into_iter()
            .filter(|m| m.kind == crate::model::ModelKind::Service && m.name == name)
            .filter(|m| application.is_none_or(|a| m.application == a))
            .collect();
        match matches.len() {
            0 => Err(StoreError::UnknownService {
                name: name.to_string(),
                application: application.map(str::to_string),
            }),
            1 => Ok(matches.into_iter().next().expect("one match")),
            _ => Err(StoreError::AmbiguousService {
                name: name.to_string(),
                applications: matches.into_iter().map(|m| m.application).collect(),
            }),
        }
    }

    /// The head revision of a model (without its document).
    pub async fn head(&self, model: ModelId) -> Result<Option<RevisionInfo>> {
        let head: Option<Option<String>> =
            db::query_scalar("SELECT head_revision FROM models WHERE id = ?")
                .bind(model.to_string())
                .fetch_optional(&self.pool)
                .await
                .context("reading the head")?;
        let head = head.ok_or(StoreError::UnknownModel(model))?;
        match head {
            None => Ok(None),
            Some(h) => {
                let mut conn = self.pool.acquire().await.context("reading the head")?;
                Ok(Some(
                    revision_info(&mut conn, parse_uuid(&h, "head revision")?).await?,
                ))
            }
        }
    }

    /// Loads one revision's model. The document is checked against its hash first, so a
    /// damaged revision is reported, never returned.
    pub async fn load_revision(&self, id: RevisionId) -> Result<(RevisionInfo, ServiceModel)> {
        let mut conn = self.pool.acquire().await.context("loading a revision")?;
        let info = revision_info(&mut conn, id).await?;
        let document: String = db::query_scalar("SELECT document FROM revisions WHERE id = ?")
            .bind(id.to_string())
            .fetch_one(&mut conn)
            .await
            .context("loading a revision")?;
        drop(conn);
        let model = parse_document(&info, &document)?;
        Ok((info, model))
    }

    /// Loads a model's head revision; `None` when it has none yet.
    pub async fn load_head(&self, model: ModelId) -> Result<Option<(RevisionInfo, ServiceModel)>> {
        match self.head(model).await? {
            Some(head) => Ok(Some(self.load_revision(head.id).await?)),
            None => Ok(None),
        }
    }

    /// A model's revisions, newest first.
    pub async fn history(&self, model: ModelId) -> Result<Vec<RevisionInfo>> {
        let sql = "SELECT id, model_id, seq, author, created_at, message, content_hash \
                   FROM revisions WHERE model_id = ? ORDER BY seq DESC";
        let rows: Vec<RevisionRow> = db::query(sql)
            .bind(model.to_string())
            .fetch_all(&self.pool)
            .await
            .context("reading the history")?;
        let links: Vec<(String, String)> = db::query(
            r#"SELECT p.revision_id, p.parent_id FROM revision_parents p
               JOIN revisions r ON r.id = p.revision_id
               WHERE r.model_id = ? ORDER BY p.revision_id, p.position"#,
        )
        .bind(model.to_string())
        .fetch_all(&self.pool)
        .await
        .context("reading the history")?;
        let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (rev, parent) in links {
            parents.entry(rev).or_default().push(parent);
        }
        rows.into_iter()
            .map(|row| {
                let p = parents.remove(&row.id).unwrap_or_default();
                to_info(row, &p)
            })
            .collect()
    }

    /// The head of a model as a file: its document plus the lineage (this workspace and the
    /// head revision) and every triage decision of the service, obsolete ones included, so
    /// that a later import can find the common ancestor and no decision is lost.
    pub async fn export(&self, model: ModelId) -> Result<(RevisionInfo, ServiceModel)> {
        let (info, mut doc) = self
            .load_head(model)
            .await?
            .ok_or(StoreError::UnknownModel(model))?;
        doc.lineage = Some(Lineage {
            workspace: self.workspace_id,
            revision: info.id.0,
        });
        if doc.kind == crate::model::ModelKind::Service {
            doc.triage = self.triage(Scope::Service(model)).await?;
        }
        Ok((info, doc))
    }

    /// Archives a model: it leaves every list, consolidation and report, while its revisions,
    /// triage and review records stay in the file. The row is renamed "<name> (deleted
    /// <time>)" so the name is free again; saving the model again restores it.
    pub async fn archive_model(&self, model: ModelId) -> Result<()> {
        let mut tx = self.begin_write("starting to archive a model").await?;
        let name: Option<String> =
            db::query_scalar("SELECT name FROM models WHERE id = ? AND archived_at IS NULL")
                .bind(model.to_string())
                .fetch_optional(&mut tx)
                .await
                .context("reading the model")?;
        let Some(name) = name else {
            return Err(StoreError::UnknownModel(model));
        };
        let now = time::now();
        db::query("UPDATE models SET archived_at = ?, name = ? WHERE id = ?")
            .bind(&now)
            .bind(format!("{name} (deleted {now})"))
            .bind(model.to_string())
            .execute(&mut tx)
            .await
            .context("archiving the model")?;
        let mut change = super::Change::in_scope(
            &mut tx,
            Scope::Service(model),
            super::ChangeKind::Deleted,
            String::new(),
            "",
        )
        .await?;
        change.service = Some(name);
        change.send(&mut tx).await?;
        tx.commit().await.context("committing the archive")
    }

    /// Service models whose head document mentions `needle` (an element or flow id), cheaply:
    /// SQLite searches the text, and only the candidates are parsed.
    pub async fn services_mentioning(
        &self,
        needle: &str,
    ) -> Result<Vec<(ModelSummary, ServiceModel)>> {
        let ids: Vec<String> = db::query_scalar(if self.pool.is_postgres() {
            r#"SELECT m.id FROM models m JOIN revisions r ON r.id = m.head_revision
               WHERE m.kind = 'service' AND strpos(r.document, ?) > 0"#
        } else {
            r#"SELECT m.id FROM models m JOIN revisions r ON r.id = m.head_revision
               WHERE m.kind = 'service' AND instr(r.document, ?) > 0"#
        })
        .bind(needle)
        .fetch_all(&self.pool)
        .await
        .context("searching the models")?;
        let models = self.models().await?;
        let mut out = Vec::new();
        for id in ids {
            let id: ModelId = parse_uuid(&id, "model id")?;
            if let Some(summary) = models.iter().find(|m| m.id == id)
                && let Some((_, doc)) = self.load_head(id).await?
            {
                out.push((summary.clone(), doc));
            }
        }
        Ok(out)
    }

    /// SQLite's own check of the file's structure: `["ok"]` when it is sound.
    ///
    /// A PostgreSQL server checks its pages itself as it reads them (with data checksums
    /// when the cluster has them) and a client cannot run a whole-database check; there the
    /// answer is `["ok"]` when the server answers, and [`Store::verify`] reads every revision,
    /// which surfaces a damaged page as an error.
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        if self.pool.is_postgres() {
            return db::query_scalar("SELECT 'ok'")
                .fetch_all(&self.pool)
                .await
                .context("checking integrity");
        }
        db::query_scalar("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await
            .context("checking integrity")
    }

    /// Checks the whole file: SQLite's integrity check, foreign keys, and every revision's
    /// document against its hash.
    pub async fn verify(&self) -> Result<VerifyReport> {
        let integrity = self.integrity_check().await?;
        // PostgreSQL enforces foreign keys on every write; only a constraint added `NOT VALID`
        // (by hand) could hide rows that break it.
        let fk: Vec<(String, Option<i64>, String, i64)> = if self.pool.is_postgres() {
            db::query(
                r#"SELECT conrelid::regclass::text, CAST(NULL AS BIGINT), confrelid::regclass::text, CAST(0 AS BIGINT)
                   FROM pg_constraint WHERE contype = 'f' AND NOT convalidated"#,
            )
            .fetch_all(&self.pool)
            .await
            .context("checking foreign keys")?
        } else {
            db::query("PRAGMA foreign_key_check")
                .fetch_all(&self.pool)
                .await
                .context("checking foreign keys")?
        };
        let foreign_keys = fk
            .into_iter()
            .map(|(table, rowid, parent, _)| {
                format!(
                    "{table} row {} points to a missing {parent}",
                    rowid.unwrap_or(-1)
                )
            })
            .collect();
        let rows: Vec<(String, String, String)> =
            db::query("SELECT id, content_hash, document FROM revisions")
                .fetch_all(&self.pool)
                .await
                .context("reading revisions")?;
        let mut damaged_revisions = Vec::new();
        for (id, hash, document) in &rows {
            if content_hash(document) != *hash {
                damaged_revisions.push(format!(
                    "revision {id}: the document does not match its hash"
                ));
            } else {
                match model::from_json(document.as_bytes(), Path::new(id)) {
                    Err(err) => damaged_revisions.push(format!("revision {id}: {err}")),
                    Ok(doc) => {
                        for d in model::structural_errors(&doc) {
                            damaged_revisions.push(format!("revision {id}: {d}"));
                        }
                    }
                }
            }
        }
        Ok(VerifyReport {
            integrity,
            foreign_keys,
            damaged_revisions,
            revisions_checked: rows.len(),
        })
    }
}

fn parse_document(info: &RevisionInfo, document: &str) -> Result<ServiceModel> {
    if content_hash(document) != info.content_hash {
        return Err(StoreError::Damaged(format!(
            "revision {} does not match its hash",
            info.id
        )));
    }
    model::from_json(
        document.as_bytes(),
        Path::new(&format!("revision {}", info.id)),
    )
    .map_err(|err| StoreError::Damaged(err.to_string()))
}

async fn ensure_application(conn: &mut impl AsDb, name: &str, now: &str) -> Result<ApplicationId> {
    let found: Option<String> = db::query_scalar("SELECT id FROM applications WHERE name = ?")
        .bind(name)
        .fetch_optional(&mut *conn)
        .await
        .context("reading the application")?;
    if let Some(id) = found {
        return parse_uuid(&id, "application id");
    }
    if name.trim().is_empty() {
        return Err(StoreError::EmptyApplicationName);
    }
    let id = ApplicationId::new();
    db::query("INSERT INTO applications (id, name, created_at) VALUES (?, ?, ?)")
        .bind(id.to_string())
        .bind(name)
        .bind(now)
        .execute(&mut *conn)
        .await
        .context("adding the application")?;
    Ok(id)
}
