//! Sprint reviews in the workspace: the review record, the models and revisions it looked at,
//! the snapshot of the threats it saw, and its agenda with the decisions taken.
//!
//! The agenda and the records' types are `crate::review`'s; this file only stores and reads
//! them. A
//! decision goes through [`Store::decide`] with the review's id, so the triage history says
//! which review decided it. A closed review is frozen here (state checks) and in the schema
//! (triggers of migration 0002).

use std::collections::BTreeMap;

use super::db;
use super::{Context, Result, Scope, Store, StoreError, parse_uuid, time};
use crate::model::{ApplicationId, ModelId, RevisionId, Severity, ThreatKey, TriageStatus};
use crate::review::{
    AgendaItem, AgendaReason, ItemDecision, ReviewId, ReviewInfo, ReviewState, ReviewedModel,
    SeenThreat, SnapshotThreat, StoredItem, TrendPoint,
};

/// Everything a new review is created with, in one transaction.
#[derive(Clone, Debug)]
pub struct NewReview<'a> {
    pub application: ApplicationId,
    pub sprint: &'a str,
    pub participants: &'a [String],
    pub author: &'a str,
    pub previous: Option<ReviewId>,
    pub models: &'a [(ModelId, RevisionId)],
    pub snapshot: &'a [SnapshotThreat],
    pub items: &'a [(ModelId, AgendaItem)],
}

#[derive(sqlx::FromRow)]
struct ReviewRow {
    id: String,
    application_id: String,
    application: String,
    seq: i64,
    sprint: String,
    state: String,
    participants: String,
    notes: String,
    opened_by: String,
    opened_at: String,
    closed_by: Option<String>,
    closed_at: Option<String>,
    previous_id: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    model_id: String,
    service: String,
    threat_key: String,
    title: String,
    severity: String,
    status_before: Option<String>,
    reasons: String,
    status: Option<String>,
    justification: String,
    owner: String,
    due_sprint: String,
    ticket: String,
    decided_by: Option<String>,
    decided_at: Option<String>,
    application_key: Option<String>,
    decided_with: Option<String>,
}

fn closed(info: ReviewInfo) -> StoreError {
    StoreError::ReviewClosed {
        application: info.application,
        seq: info.seq,
        sprint: info.sprint,
    }
}

fn severity(s: &str) -> Result<Severity> {
    Severity::parse(s).ok_or_else(|| StoreError::Damaged(format!("unknown severity '{s}'")))
}

fn status(s: &str) -> Result<TriageStatus> {
    TriageStatus::parse(s)
        .ok_or_else(|| StoreError::Damaged(format!("unknown triage status '{s}'")))
}

impl Store {
    /// Creates a review with its scope, snapshot and agenda. Refused while the application has
    /// an open review.
    pub async fn create_review(&self, new: NewReview<'_>) -> Result<ReviewId> {
        let new = NewReview {
            author: self.author(new.author),
            ..new
        };
        let mut tx = self.begin_write("starting a review").await?;
        let app = new.application.to_string();
        let open: Option<(i64, String, String)> = db::query(
            r#"SELECT r.seq, r.sprint, a.name FROM reviews r JOIN applications a ON a.id = r.application_id
               WHERE r.application_id = ? AND r.state = 'open'"#,
        )
        .bind(&app)
        .fetch_optional(&mut tx)
        .await
        .context("looking for an open review")?;
        if let Some((seq, sprint, application)) = open {
            return Err(StoreError::ReviewOpen {
                application,
                seq,
                sprint,
            });
        }
        let seq: i64 = db::query_scalar(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM reviews WHERE application_id = ?",
        )
        .bind(&app)
        .fetch_one(&mut tx)
        .await
        .context("numbering the review")?;
        let id = ReviewId::new();
        let rid = id.to_string();
        let participants =
            serde_json::to_string(new.participants).expect("a list of names always serializes");
        db::query(
            r#"INSERT INTO reviews (id, application_id, sprint, seq, state, participants,
                   opened_by, opened_at, previous_id)
               VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?)"#,
        )
        .bind(&rid)
        .bind(&app)
        .bind(new.sprint)
        .bind(seq)
        .bind(participants)
        .bind(new.author)
        .bind(time::now())
        .bind(new.previous.map(|p| p.to_string()))
        .execute(&mut tx)
        .await
        .context("writing the review")?;
        for (model, revision) in new.models {
            db::query(
                "INSERT INTO review_models (review_id, model_id, revision_id) VALUES (?, ?, ?)",
            )
            .bind(&rid)
            .bind(model.to_string())
            .bind(revision.to_string())
            .execute(&mut tx)
            .await
            .context("writing the review's models")?;
        }
        for s in new.snapshot {
            db::query(
                r#"INSERT INTO review_threats (review_id, model_id, threat_key, title,
                       severity, fingerprint, status)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT DO NOTHING"#,
            )
            .bind(&rid)
            .bind(s.model.to_string())
            .bind(s.threat.key.as_str())
            .bind(&s.threat.title)
            .bind(s.threat.severity.as_str())
            .bind(&s.threat.fingerprint)
            .bind(s.status.as_str())
            .execute(&mut tx)
            .await
            .context("writing the review's snapshot")?;
        }
        for (model, item) in new.items {
            let reasons: Vec<&str> = item.reasons.iter().map(|r| r.as_str()).collect();
            db::query(
                r#"INSERT INTO review_items (review_id, model_id, threat_key, title,
                       severity, status_before, reasons, application_key)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT DO NOTHING"#,
            )
            .bind(&rid)
            .bind(model.to_string())
            .bind(item.key.as_str())
            .bind(&item.title)
            .bind(item.severity.as_str())
            .bind(item.status.map(|s| s.as_str()))
            .bind(reasons.join(","))
            .bind(item.application_key.as_str())
            .execute(&mut tx)
            .await
            .context("writing the agenda")?;
        }
        tx.commit().await.context("committing the review")?;
        Ok(id)
    }

    async fn review_rows(
        &self,
        application: Option<String>,
        id: Option<String>,
    ) -> Result<Vec<ReviewInfo>> {
        let rows: Vec<ReviewRow> = db::query(
            r#"SELECT r.id, r.application_id, a.name AS application, r.seq, r.sprint, r.state,
                      r.participants, r.notes, r.opened_by, r.opened_at, r.closed_by,
                      r.closed_at, r.previous_id
               FROM reviews r JOIN applications a ON a.id = r.application_id
               WHERE (?1 IS NULL OR r.application_id = ?1) AND (?2 IS NULL OR r.id = ?2)
               ORDER BY a.name, r.seq"#,
        )
        .bind(application)
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .context("reading reviews")?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let models: Vec<(String, String, String, i64)> = db::query(
                r#"SELECT rm.model_id, m.name, rm.revision_id, v.seq
                   FROM review_models rm JOIN models m ON m.id = rm.model_id
                   JOIN revisions v ON v.id = rm.revision_id
                   WHERE rm.review_id = ? ORDER BY m.name"#,
            )
            .bind(&row.id)
            .fetch_all(&self.pool)
            .await
            .context("reading a review's models")?;
            let models = models
                .into_iter()
                .map(|(m, name, r, seq)| {
                    Ok(ReviewedModel {
                        model: parse_uuid(&m, "model id")?,
                        name,
                        revision: parse_uuid(&r, "revision id")?,
                        seq,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            out.push(ReviewInfo {
                id: parse_uuid(&row.id, "review id")?,
                application_id: parse_uuid(&row.application_id, "application id")?,
                application: row.application,
                seq: row.seq,
                sprint: row.sprint,
                state: match row.state.as_str() {
                    "open" => ReviewState::Open,
                    "closed" => ReviewState::Closed,
                    other => {
                        return Err(StoreError::Damaged(format!(
                            "unknown review state '{other}'"
                        )));
                    }
                },
                participants: serde_json::from_str(&row.participants).map_err(|e| {
                    StoreError::Damaged(format!("participants of review {}: {e}", row.id))
                })?,
                notes: row.notes,
                opened_by: row.opened_by,
                opened_at: row.opened_at,
                closed_by: row.closed_by,
                closed_at: row.closed_at,
                previous: row
                    .previous_id
                    .as_deref()
                    .map(|p| parse_uuid(p, "review id"))
                    .transpose()?,
                models,
            });
        }
        Ok(out)
    }

    /// Every review, by application and number; of one application when given.
    pub async fn reviews(&self, application: Option<ApplicationId>) -> Result<Vec<ReviewInfo>> {
        self.review_rows(application.map(|a| a.to_string()), None)
            .await
    }

    /// One review.
    pub async fn review(&self, id: ReviewId) -> Result<ReviewInfo> {
        self.review_rows(None, Some(id.to_string()))
            .await?
            .into_iter()
            .next()
            .ok_or(StoreError::UnknownReview(id))
    }

    /// What a review saw: its snapshot of threats, by service and key.
    pub async fn review_snapshot(&self, id: ReviewId) -> Result<Vec<SnapshotThreat>> {
        let rows: Vec<(String, String, String, String, String, String)> = db::query(
            r#"SELECT model_id, threat_key, title, severity, fingerprint, status
               FROM review_threats WHERE review_id = ? ORDER BY model_id, threat_key"#,
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await
        .context("reading a review's snapshot")?;
        rows.into_iter()
            .map(|(m, key, title, sev, fp, st)| {
                Ok(SnapshotThreat {
                    model: parse_uuid(&m, "model id")?,
                    threat: SeenThreat {
                        key: ThreatKey(key),
                        title,
                        severity: severity(&sev)?,
                        fingerprint: fp,
                    },
                    status: status(&st)?,
                })
            })
            .collect()
    }

    /// A review's agenda with its decisions, ordered by severity (highest first), then service
    /// and key.
    pub async fn review_items(&self, id: ReviewId) -> Result<Vec<StoredItem>> {
        let rows: Vec<ItemRow> = db::query(
            r#"SELECT i.model_id, m.name AS service, i.threat_key, i.title, i.severity,
                      i.status_before, i.reasons, i.status, i.justification, i.owner,
                      i.due_sprint, i.ticket, i.decided_by, i.decided_at, i.application_key,
                      i.decided_with
               FROM review_items i JOIN models m ON m.id = i.model_id
               WHERE i.review_id = ?"#,
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await
        .context("reading a review's agenda")?;
        let mut items = rows
            .into_iter()
            .map(|r| {
                let reasons = r
                    .reasons
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        AgendaReason::parse(s).ok_or_else(|| {
                            StoreError::Damaged(format!("unknown agenda reason '{s}'"))
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                let decision = match r.status.as_deref() {
                    None => None,
                    Some(s) => Some(ItemDecision {
                        status: status(s)?,
                        justification: r.justification,
                        owner: r.owner,
                        due_sprint: r.due_sprint,
                        ticket: r.ticket,
                        decided_by: r.decided_by.unwrap_or_default(),
                        decided_at: r.decided_at.unwrap_or_default(),
                    }),
                };
                Ok(StoredItem {
                    model: parse_uuid(&r.model_id, "model id")?,
                    service: r.service,
                    item: AgendaItem {
                        application_key: ThreatKey(
                            r.application_key.unwrap_or_else(|| r.threat_key.clone()),
                        ),
                        key: ThreatKey(r.threat_key),
                        title: r.title,
                        severity: severity(&r.severity)?,
                        status: r.status_before.as_deref().map(status).transpose()?,
                        reasons,
                    },
                    decision,
                    decided_with: r.decided_with,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        items.sort_by(StoredItem::agenda_order);
        Ok(items)
    }

    /// Records the decision about one agenda item: the triage decision of the item's service
    /// (with history linked to the review), then the item itself, with the group whose
    /// decision it is (`None` for a decision about the item on its own). Refused when the
    /// review is closed or the item is not on its agenda.
    pub async fn decide_review_item(
        &self,
        review: ReviewId,
        model: ModelId,
        key: &ThreatKey,
        update: &super::TriageUpdate,
        author: &str,
        decided_with: Option<&str>,
    ) -> Result<super::TriageEntry> {
        let author = self.author(author);
        let info = self.review(review).await?;
        if info.state == ReviewState::Closed {
            return Err(closed(info));
        }
        let on_agenda: Option<i64> = db::query_scalar(
            "SELECT CAST(1 AS BIGINT) FROM review_items WHERE review_id = ? AND model_id = ? AND threat_key = ?",
        )
        .bind(review.to_string())
        .bind(model.to_string())
        .bind(key.as_str())
        .fetch_optional(&self.pool)
        .await
        .context("looking up an agenda item")?;
        if on_agenda.is_none() {
            return Err(StoreError::NotOnAgenda {
                key: key.clone(),
                seq: info.seq,
                sprint: info.sprint,
            });
        }
        let rid = review.to_string();
        let entry = self
            .decide(Scope::Service(model), key, update, author, Some(&rid))
            .await?;
        let d = &entry.decision;
        db::query(
            r#"UPDATE review_items SET status = ?, justification = ?, owner = ?, due_sprint = ?,
                   ticket = ?, decided_by = ?, decided_at = ?, decided_with = ?
               WHERE review_id = ? AND model_id = ? AND threat_key = ?"#,
        )
        .bind(d.status.as_str())
        .bind(&d.justification)
        .bind(&d.owner)
        .bind(&d.due_sprint)
        .bind(&d.ticket)
        .bind(&d.decided_by)
        .bind(&d.decided_at)
        .bind(decided_with)
        .bind(&rid)
        .bind(model.to_string())
        .bind(key.as_str())
        .execute(&self.pool)
        .await
        .context("recording the agenda decision")?;
        Ok(entry)
    }

    /// Closes a review: freezes the snapshot's statuses as triage has them now, stores the
    /// notes and who closed it. Refused when it is already closed.
    pub async fn close_review(&self, review: ReviewId, notes: &str, author: &str) -> Result<()> {
        let author = self.author(author);
        let info = self.review(review).await?;
        if info.state == ReviewState::Closed {
            return Err(closed(info));
        }
        let rid = review.to_string();
        let mut tx = self.begin_write("closing a review").await?;
        db::query(
            r#"UPDATE review_threats SET status = COALESCE(
                   (SELECT t.status FROM triage t
                    WHERE t.service_id = review_threats.model_id
                      AND t.threat_key = review_threats.threat_key), 'open')
               WHERE review_id = ?"#,
        )
        .bind(&rid)
        .execute(&mut tx)
        .await
        .context("freezing the review's snapshot")?;
        db::query(
            r#"UPDATE reviews SET state = 'closed', notes = ?, closed_by = ?, closed_at = ?
               WHERE id = ? AND state = 'open'"#,
        )
        .bind(notes)
        .bind(author)
        .bind(time::now())
        .bind(&rid)
        .execute(&mut tx)
        .await
        .context("closing a review")?;
        super::Change {
            kind: super::ChangeKind::ReviewClosed,
            application: info.application.clone(),
            service: None,
            model: None,
            detail: format!("review {} (sprint {})", info.seq, info.sprint),
            author: author.to_string(),
            role: String::new(),
        }
        .send(&mut tx)
        .await?;
        tx.commit().await.context("committing the review's close")?;
        Ok(())
    }

    /// Open threats by severity in each review of an application, oldest first.
    pub async fn review_trend(&self, application: ApplicationId) -> Result<Vec<TrendPoint>> {
        let reviews = self.reviews(Some(application)).await?;
        let rows: Vec<(String, String, String)> = db::query(
            r#"SELECT rt.review_id, rt.severity,
                      CASE WHEN r.state = 'open' THEN COALESCE(t.status, 'open')
                           ELSE rt.status END
               FROM review_threats rt JOIN reviews r ON r.id = rt.review_id
               LEFT JOIN triage t ON t.service_id = rt.model_id AND t.threat_key = rt.threat_key
               WHERE r.application_id = ?"#,
        )
        .bind(application.to_string())
        .fetch_all(&self.pool)
        .await
        .context("reading the review trend")?;
        let mut counts: BTreeMap<String, BTreeMap<Severity, usize>> = BTreeMap::new();
        for (review, sev, st) in rows {
            if status(&st)?.is_unresolved() {
                *counts
                    .entry(review)
                    .or_default()
                    .entry(severity(&sev)?)
                    .or_default() += 1;
            }
        }
        Ok(reviews
            .into_iter()
            .map(|r| TrendPoint {
                open: counts.remove(&r.id.to_string()).unwrap_or_default(),
                review: r.id,
                seq: r.seq,
                sprint: r.sprint,
                state: r.state,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::model::{DataFlow, Element, ElementKind, ServiceModel};
    // The reviews these tests need are started the way users start them.
    use crate::app::review::{self as session, StartRequest};
    use crate::review::progress;
    use crate::store::test_server::{Place, both};
    use crate::store::{Save, Workspace};

    fn workspace(place: &Place) -> Workspace {
        let mut m = ServiceModel::new("orders");
        let user = Element::new(ElementKind::ExternalEntity, "User");
        let api = Element::new(ElementKind::Process, "API");
        let db = Element::new(ElementKind::DataStore, "DB");
        m.flows = vec![
            DataFlow::new("order", user.id, api.id),
            DataFlow::new("write", api.id, db.id),
        ];
        m.elements = vec![user, api, db];
        let ws = place.create();
        ws.save(Save {
            application: "shop",
            model: &m,
            expected_head: None,
            merge_parent: None,
            author: "t",
            message: "m",
        })
        .unwrap();
        ws
    }

    both!(
        the_schema_refuses_changes_to_a_closed_review,
        a_second_review_compares_with_the_closed_one
    );

    fn the_schema_refuses_changes_to_a_closed_review(place: &Place) {
        let ws = workspace(place);
        let id = ws
            .block_on(session::start(
                ws.store(),
                Catalog::builtin(),
                &StartRequest {
                    sprint: "1",
                    author: "ana",
                    ..StartRequest::default()
                },
            ))
            .unwrap();
        let items = ws.block_on(ws.store().review_items(id)).unwrap();
        assert!(!items.is_empty());
        let progress = progress(&items);
        assert_eq!(
            (progress.decided, progress.total, progress.threats),
            (0, crate::review::group_agenda(&items).len(), items.len())
        );
        ws.block_on(session::close(ws.store(), id, "n", "ana"))
            .unwrap();
        let pool = &ws.store().pool;
        for sql in [
            "UPDATE review_items SET owner = 'mallory'",
            "UPDATE review_threats SET status = 'mitigated'",
            "UPDATE reviews SET notes = 'rewritten'",
        ] {
            let err = ws
                .block_on(db::query(sql).execute(pool))
                .expect_err(sql)
                .to_string();
            assert!(err.contains("is closed"), "{sql}: {err}");
        }
        let info = ws.block_on(ws.store().review(id)).unwrap();
        assert_eq!(info.notes, "n");
        assert_eq!(info.state, ReviewState::Closed);
        // The snapshot was frozen with every threat's status at close.
        let snapshot = ws.block_on(ws.store().review_snapshot(id)).unwrap();
        assert_eq!(snapshot.len(), items.len());
        assert!(snapshot.iter().all(|s| s.status == TriageStatus::Open));
    }

    fn a_second_review_compares_with_the_closed_one(place: &Place) {
        let ws = workspace(place);
        let req = StartRequest {
            sprint: "1",
            author: "ana",
            ..StartRequest::default()
        };
        let first = ws
            .block_on(session::start(ws.store(), Catalog::builtin(), &req))
            .unwrap();
        let items = ws.block_on(ws.store().review_items(first)).unwrap();
        for i in &items {
            ws.block_on(session::decide(
                ws.store(),
                first,
                &session::DecideRequest {
                    item: i.item.key.as_str(),
                    ..Default::default()
                },
                &crate::store::TriageUpdate {
                    status: Some(TriageStatus::Mitigated),
                    ..Default::default()
                },
                "ana",
            ))
            .unwrap();
        }
        let done = progress(&ws.block_on(ws.store().review_items(first)).unwrap());
        assert_eq!((done.decided, done.threats), (done.total, items.len()));
        ws.block_on(session::close(ws.store(), first, "", "ana"))
            .unwrap();
        // Nothing changed and everything is mitigated: an empty agenda.
        let second = ws
            .block_on(session::start(
                ws.store(),
                Catalog::builtin(),
                &StartRequest { sprint: "2", ..req },
            ))
            .unwrap();
        assert!(
            ws.block_on(ws.store().review_items(second))
                .unwrap()
                .is_empty()
        );
        let info = ws.block_on(ws.store().review(second)).unwrap();
        assert_eq!((info.seq, info.previous), (2, Some(first)));
        let trend = ws
            .block_on(ws.store().review_trend(info.application_id))
            .unwrap();
        assert_eq!(trend.len(), 2);
        assert!(trend.iter().all(|t| t.open.is_empty()));
    }
}
