//! Triage state: one decision per (scope, threat key), the status of each threat-mitigation
//! link, and the history of every change.
//!
//! Decisions outlive the threats they are about: [`Store::sync_threats`] is called with the
//! keys an analysis produced, flags the decisions whose threat is gone as obsolete and clears
//! the flag of those that came back, so a threat that fires again finds its decision intact.

use std::collections::{BTreeMap, BTreeSet};

use super::db::{self, AsDb};
use serde::{Deserialize, Serialize};

use super::{Context, Result, Scope, Store, StoreError, time};
use crate::model::{MitigationStatus, Severity, ThreatKey, TriageDecision, TriageStatus};

/// A stored decision and whether its threat is currently obsolete.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TriageEntry {
    pub key: ThreatKey,
    pub decision: TriageDecision,
    /// The threat did not come up in the last analysis; the decision is kept for when it does.
    pub obsolete: bool,
}

/// A change to some fields of a decision; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TriageUpdate {
    pub status: Option<TriageStatus>,
    pub justification: Option<String>,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    /// `Some(None)` clears the override.
    pub severity_override: Option<Option<Severity>>,
    pub due_sprint: Option<String>,
    /// Mitigation statuses to set, by mitigation id; others are kept.
    pub mitigations: BTreeMap<String, MitigationStatus>,
}

impl TriageUpdate {
    /// The status this update sets without the justification it needs (see
    /// [`TriageStatus::needs_justification`]), when neither the update nor the decision it
    /// changes gives one.
    pub fn missing_justification(&self, current: Option<&TriageDecision>) -> Option<TriageStatus> {
        let status = self.status?;
        let given = |j: Option<&str>| j.is_some_and(|j| !j.trim().is_empty());
        let kept = self.justification.is_none() && given(current.map(|d| d.justification.as_str()));
        (status.needs_justification() && !given(self.justification.as_deref()) && !kept)
            .then_some(status)
    }

    /// The decision after this update.
    pub fn apply(&self, old: &TriageDecision) -> TriageDecision {
        let mut new = old.clone();
        if let Some(s) = self.status {
            new.status = s;
        }
        let set = |field: &mut String, value: &Option<String>| {
            if let Some(v) = value {
                field.clone_from(v);
            }
        };
        set(&mut new.justification, &self.justification);
        set(&mut new.owner, &self.owner);
        set(&mut new.ticket, &self.ticket);
        set(&mut new.due_sprint, &self.due_sprint);
        if let Some(s) = self.severity_override {
            new.severity_override = s;
        }
        for (m, s) in &self.mitigations {
            new.mitigations.insert(m.clone(), *s);
        }
        new
    }
}

/// What kind of change a history entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryChange {
    /// Someone set or changed the decision.
    Decided,
    /// The threat stopped coming up in analysis.
    Obsoleted,
    /// The threat came up again; the decision is back in force.
    Restored,
    /// The decision came in with a model file.
    Imported,
}

impl HistoryChange {
    fn as_str(self) -> &'static str {
        match self {
            HistoryChange::Decided => "decided",
            HistoryChange::Obsoleted => "obsoleted",
            HistoryChange::Restored => "restored",
            HistoryChange::Imported => "imported",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "decided" => HistoryChange::Decided,
            "obsoleted" => HistoryChange::Obsoleted,
            "restored" => HistoryChange::Restored,
            "imported" => HistoryChange::Imported,
            other => {
                return Err(StoreError::Damaged(format!(
                    "unknown triage change '{other}'"
                )));
            }
        })
    }
}

/// The state stored in history rows, as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct State {
    #[serde(flatten)]
    decision: TriageDecision,
    #[serde(default)]
    obsolete: bool,
}

/// One change to one decision.
#[derive(Clone, Debug, PartialEq)]
pub struct TriageHistoryEntry {
    pub key: ThreatKey,
    pub change: HistoryChange,
    pub changed_by: String,
    pub changed_at: String,
    /// Before the change; `None` when the decision was new.
    pub old: Option<(TriageDecision, bool)>,
    /// After the change: the decision and the obsolete flag.
    pub new: (TriageDecision, bool),
    /// The sprint review that took the decision, when there was one.
    pub review_id: Option<String>,
}

/// A history row: key, change, by, at, old state, new state, review.
type HistoryRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
);

/// What [`Store::sync_threats`] changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Decisions whose threat no longer comes up.
    pub obsoleted: Vec<ThreatKey>,
    /// Decisions whose threat came back.
    pub restored: Vec<ThreatKey>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    threat_key: String,
    status: String,
    obsolete: i64,
    justification: String,
    owner: String,
    ticket: String,
    severity_override: Option<String>,
    due_sprint: String,
    decided_by: String,
    decided_at: String,
}

fn scope_columns(scope: Scope) -> (Option<String>, Option<String>) {
    match scope {
        Scope::Service(m) => (Some(m.to_string()), None),
        Scope::Application(a) => (None, Some(a.to_string())),
    }
}

fn to_entry(row: Row, mitigations: BTreeMap<String, MitigationStatus>) -> Result<TriageEntry> {
    let status = TriageStatus::parse(&row.status)
        .ok_or_else(|| StoreError::Damaged(format!("unknown triage status '{}'", row.status)))?;
    let severity_override = match row.severity_override.as_deref() {
        None => None,
        Some(s) => Some(
            Severity::parse(s)
                .ok_or_else(|| StoreError::Damaged(format!("unknown severity '{s}'")))?,
        ),
    };
    Ok(TriageEntry {
        key: ThreatKey(row.threat_key),
        decision: TriageDecision {
            status,
            justification: row.justification,
            owner: row.owner,
            ticket: row.ticket,
            severity_override,
            due_sprint: row.due_sprint,
            decided_by: row.decided_by,
            decided_at: row.decided_at,
            mitigations,
        },
        obsolete: row.obsolete != 0,
    })
}

async fn mitigations_of(
    conn: &mut impl AsDb,
    triage_id: i64,
) -> Result<BTreeMap<String, MitigationStatus>> {
    let rows: Vec<(String, String)> =
        db::query("SELECT mitigation_id, status FROM triage_mitigations WHERE triage_id = ?")
            .bind(triage_id)
            .fetch_all(&mut *conn)
            .await
            .context("reading mitigation statuses")?;
    rows.into_iter()
        .map(|(m, s)| {
            let status = MitigationStatus::parse(&s)
                .ok_or_else(|| StoreError::Damaged(format!("unknown mitigation status '{s}'")))?;
            Ok((m, status))
        })
        .collect()
}

async fn find(
    conn: &mut impl AsDb,
    scope: Scope,
    key: &ThreatKey,
) -> Result<Option<(i64, TriageEntry)>> {
    let (service, application) = scope_columns(scope);
    let row: Option<Row> = db::query(
        r#"SELECT id, threat_key, status, obsolete, justification, owner, ticket,
                  severity_override, due_sprint, decided_by, decided_at
           FROM triage WHERE (service_id = ? OR application_id = ?) AND threat_key = ?"#,
    )
    .bind(service)
    .bind(application)
    .bind(key.as_str())
    .fetch_optional(&mut *conn)
    .await
    .context("reading a triage decision")?;
    match row {
        None => Ok(None),
        Some(row) => {
            let id = row.id;
            let mitigations = mitigations_of(conn, id).await?;
            Ok(Some((id, to_entry(row, mitigations)?)))
        }
    }
}

async fn check_scope(conn: &mut impl AsDb, scope: Scope) -> Result<()> {
    let found: Option<i64> = match scope {
        Scope::Service(m) => db::query_scalar("SELECT CAST(1 AS BIGINT) FROM models WHERE id = ?")
            .bind(m.to_string())
            .fetch_optional(&mut *conn)
            .await
            .context("checking the triage scope")?,
        Scope::Application(a) => {
            db::query_scalar("SELECT CAST(1 AS BIGINT) FROM applications WHERE id = ?")
                .bind(a.to_string())
                .fetch_optional(&mut *conn)
                .await
                .context("checking the triage scope")?
        }
    };
    match (found, scope) {
        (Some(_), _) => Ok(()),
        (None, Scope::Service(m)) => Err(StoreError::UnknownModel(m)),
        (None, Scope::Application(a)) => Err(StoreError::UnknownApplication(a.to_string())),
    }
}

/// Writes a decision and its history row. `old` is the row as it was, when there was one.
#[allow(clippy::too_many_arguments)]
async fn write(
    conn: &mut impl AsDb,
    scope: Scope,
    key: &ThreatKey,
    old: Option<(i64, TriageEntry)>,
    new: &TriageDecision,
    obsolete: bool,
    change: HistoryChange,
    who: &str,
    when: &str,
    review_id: Option<&str>,
) -> Result<()> {
    let (service, application) = scope_columns(scope);
    let id = match &old {
        Some((id, _)) => {
            db::query(
                r#"UPDATE triage SET status = ?, obsolete = ?, justification = ?, owner = ?,
                       ticket = ?, severity_override = ?, due_sprint = ?, decided_by = ?,
                       decided_at = ?
                   WHERE id = ?"#,
            )
            .bind(new.status.as_str())
            .bind(i64::from(obsolete))
            .bind(&new.justification)
            .bind(&new.owner)
            .bind(&new.ticket)
            .bind(new.severity_override.map(|s| s.as_str()))
            .bind(&new.due_sprint)
            .bind(&new.decided_by)
            .bind(&new.decided_at)
            .bind(id)
            .execute(&mut *conn)
            .await
            .context("writing a triage decision")?;
            db::query("DELETE FROM triage_mitigations WHERE triage_id = ?")
                .bind(id)
                .execute(&mut *conn)
                .await
                .context("writing mitigation statuses")?;
            *id
        }
        None => db::query_scalar(
            r#"INSERT INTO triage (service_id, application_id, threat_key, status, obsolete,
                   justification, owner, ticket, severity_override, due_sprint, decided_by,
                   decided_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               RETURNING id"#,
        )
        .bind(service)
        .bind(application)
        .bind(key.as_str())
        .bind(new.status.as_str())
        .bind(i64::from(obsolete))
        .bind(&new.justification)
        .bind(&new.owner)
        .bind(&new.ticket)
        .bind(new.severity_override.map(|s| s.as_str()))
        .bind(&new.due_sprint)
        .bind(&new.decided_by)
        .bind(&new.decided_at)
        .fetch_one(&mut *conn)
        .await
        .context("writing a triage decision")?,
    };
    for (mitigation, status) in &new.mitigations {
        db::query(
            "INSERT INTO triage_mitigations (triage_id, mitigation_id, status) VALUES (?, ?, ?)",
        )
        .bind(id)
        .bind(mitigation)
        .bind(status.as_str())
        .execute(&mut *conn)
        .await
        .context("writing mitigation statuses")?;
    }
    let state = |decision: &TriageDecision, obsolete: bool| {
        serde_json::to_string(&State {
            decision: decision.clone(),
            obsolete,
        })
        .expect("a triage state always serializes")
    };
    let old_state = old.as_ref().map(|(_, e)| state(&e.decision, e.obsolete));
    db::query(
        r#"INSERT INTO triage_history (triage_id, change, changed_by, changed_at, old_state,
               new_state, review_id)
           VALUES (?, ?, ?, ?, ?, ?, ?)"#,
    )
    .bind(id)
    .bind(change.as_str())
    .bind(who)
    .bind(when)
    .bind(old_state)
    .bind(state(new, obsolete))
    .bind(review_id)
    .execute(&mut *conn)
    .await
    .context("writing triage history")?;
    Ok(())
}

/// Imports decisions carried by a model file for keys the workspace has no decision for.
pub(super) async fn import(
    conn: &mut impl AsDb,
    scope: Scope,
    decisions: &BTreeMap<ThreatKey, TriageDecision>,
    who: &str,
    when: &str,
) -> Result<usize> {
    let mut imported = 0;
    for (key, decision) in decisions {
        if find(conn, scope, key).await?.is_none() {
            write(
                conn,
                scope,
                key,
                None,
                decision,
                false,
                HistoryChange::Imported,
                who,
                when,
                None,
            )
            .await?;
            imported += 1;
        }
    }
    Ok(imported)
}

impl Store {
    /// Every decision of a scope by threat key, obsolete ones included (their threats simply
    /// do not come up). Threats with no decision are `open`.
    pub async fn triage(&self, scope: Scope) -> Result<BTreeMap<ThreatKey, TriageDecision>> {
        Ok(self
            .triage_entries(scope)
            .await?
            .into_iter()
            .map(|e| (e.key, e.decision))
            .collect())
    }

    /// Every decision of a scope with its obsolete flag, by threat key.
    pub async fn triage_entries(&self, scope: Scope) -> Result<Vec<TriageEntry>> {
        let (service, application) = scope_columns(scope);
        let rows: Vec<Row> = db::query(
            r#"SELECT id, threat_key, status, obsolete, justification, owner, ticket,
                      severity_override, due_sprint, decided_by, decided_at
               FROM triage WHERE (service_id = ? OR application_id = ?)
               ORDER BY threat_key"#,
        )
        .bind(&service)
        .bind(&application)
        .fetch_all(&self.pool)
        .await
        .context("reading triage decisions")?;
        let links: Vec<(i64, String, String)> = db::query(
            r#"SELECT tm.triage_id, tm.mitigation_id, tm.status
               FROM triage_mitigations tm JOIN triage t ON t.id = tm.triage_id
               WHERE (t.service_id = ? OR t.application_id = ?)"#,
        )
        .bind(&service)
        .bind(&application)
        .fetch_all(&self.pool)
        .await
        .context("reading mitigation statuses")?;
        let mut by_row: BTreeMap<i64, BTreeMap<String, MitigationStatus>> = BTreeMap::new();
        for (id, m, s) in links {
            let status = MitigationStatus::parse(&s)
                .ok_or_else(|| StoreError::Damaged(format!("unknown mitigation status '{s}'")))?;
            by_row.entry(id).or_default().insert(m, status);
        }
        rows.into_iter()
            .map(|row| {
                let m = by_row.remove(&row.id).unwrap_or_default();
                to_entry(row, m)
            })
            .collect()
    }

    /// Changes the decision about one threat (creating it, as `open` plus the update, when
    /// there is none) in one transaction, and records the change in the history. The author
    /// and the time are recorded as `decided_by` and `decided_at`.
    pub async fn decide(
        &self,
        scope: Scope,
        key: &ThreatKey,
        update: &TriageUpdate,
        author: &str,
        review_id: Option<&str>,
    ) -> Result<TriageEntry> {
        let author = self.author(author);
        let mut tx = self.begin_write("starting a triage change").await?;
        check_scope(&mut tx, scope).await?;
        let now = time::now();
        let old = find(&mut tx, scope, key).await?;
        let (base, obsolete) = match &old {
            Some((_, e)) => (e.decision.clone(), e.obsolete),
            None => (TriageDecision::default(), false),
        };
        let mut new = update.apply(&base);
        new.decided_by = author.to_string();
        new.decided_at = now.clone();
        write(
            &mut tx,
            scope,
            key,
            old,
            &new,
            obsolete,
            HistoryChange::Decided,
            author,
            &now,
            review_id,
        )
        .await?;
        let detail = format!("'{key}' as {}", new.status.as_str());
        super::Change::in_scope(&mut tx, scope, super::ChangeKind::Triaged, detail, author)
            .await?
            .send(&mut tx)
            .await?;
        tx.commit().await.context("committing a triage change")?;
        Ok(TriageEntry {
            key: key.clone(),
            decision: new,
            obsolete,
        })
    }

    /// The history of a scope's decisions (of one key when given), oldest first.
    pub async fn triage_history(
        &self,
        scope: Scope,
        key: Option<&ThreatKey>,
    ) -> Result<Vec<TriageHistoryEntry>> {
        let (service, application) = scope_columns(scope);
        let rows: Vec<HistoryRow> = db::query(
            r#"SELECT t.threat_key, h.change, h.changed_by, h.changed_at, h.old_state,
                          h.new_state, h.review_id
                   FROM triage_history h JOIN triage t ON t.id = h.triage_id
                   WHERE (t.service_id = ? OR t.application_id = ?)
                     AND (? IS NULL OR t.threat_key = ?)
                   ORDER BY h.id"#,
        )
        .bind(service)
        .bind(application)
        .bind(key.map(|k| k.as_str()))
        .bind(key.map(|k| k.as_str()))
        .fetch_all(&self.pool)
        .await
        .context("reading triage history")?;
        let parse = |text: &str| -> Result<(TriageDecision, bool)> {
            let s: State = serde_json::from_str(text)
                .map_err(|e| StoreError::Damaged(format!("triage history state: {e}")))?;
            Ok((s.decision, s.obsolete))
        };
        rows.into_iter()
            .map(|(key, change, by, at, old, new, review)| {
                Ok(TriageHistoryEntry {
                    key: ThreatKey(key),
                    change: HistoryChange::parse(&change)?,
                    changed_by: by,
                    changed_at: at,
                    old: old.as_deref().map(parse).transpose()?,
                    new: parse(&new)?,
                    review_id: review,
                })
            })
            .collect()
    }

    /// Tells the workspace which threats the latest analysis of `scope` produced. Decisions
    /// about threats not in `present` become obsolete; obsolete decisions whose threat is back
    /// are restored unchanged. Each flip is a history entry by `author`. One transaction.
    pub async fn sync_threats(
        &self,
        scope: Scope,
        present: &BTreeSet<ThreatKey>,
        author: &str,
    ) -> Result<SyncReport> {
        let author = self.author(author);
        let entries = self.triage_entries(scope).await?;
        let flips: Vec<&TriageEntry> = entries
            .iter()
            .filter(|e| e.obsolete == present.contains(&e.key))
            .collect();
        let mut report = SyncReport::default();
        if flips.is_empty() {
            return Ok(report);
        }
        let mut tx = self.begin_write("starting a threat sync").await?;
        let now = time::now();
        for entry in flips {
            // Re-read inside the transaction: another writer may have changed it meanwhile.
            let Some((id, current)) = find(&mut tx, scope, &entry.key).await? else {
                continue;
            };
            let back = present.contains(&current.key);
            if current.obsolete != back {
                continue;
            }
            let decision = current.decision.clone();
            let change = if back {
                report.restored.push(current.key.clone());
                HistoryChange::Restored
            } else {
                report.obsoleted.push(current.key.clone());
                HistoryChange::Obsoleted
            };
            let key = current.key.clone();
            write(
                &mut tx,
                scope,
                &key,
                Some((id, current)),
                &decision,
                !back,
                change,
                author,
                &now,
                None,
            )
            .await?;
        }
        tx.commit().await.context("committing a threat sync")?;
        Ok(report)
    }
}
