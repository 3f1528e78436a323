//! Review sessions over a workspace: start (build and store the agenda), decide, progress,
//! close. These are thin async functions over [`Store`], so the desktop shell can call them
//! directly and the CLI through `Workspace::block_on`.

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::analyze;
use crate::catalog::Catalog;
use crate::consolidate::application_keys;
use crate::model::{ModelId, ModelKind, ThreatKey, TriageStatus};
use crate::review::{
    Agenda, CurrentThreat, ReviewId, ReviewInfo, ReviewReport, ReviewState, SeenThreat,
    SnapshotThreat, StoredItem, build_agenda, fingerprint, group_agenda, progress_of,
};
use crate::store::{NewReview, Scope, Store, StoreError, TriageEntry, TriageUpdate};

/// How far a review's decisions have come (the list of reviews and the desktop show it).
pub use crate::review::{Progress, progress};

/// Why a review operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The workspace could not be read or written, or refused the change.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The workspace has no application to review.
    #[error("the workspace has no application; add service models first")]
    NoApplication,
    /// Several applications and none named.
    #[error("the workspace has several applications ({}); name one", .0.join(", "))]
    SeveralApplications(Vec<String>),
    /// The scope holds no service with a saved model.
    #[error("application '{0}' has no service model to review")]
    NoServices(String),
    /// No review is open.
    #[error("no open review{}; start one with `review start`", .0.as_ref().map(|a| format!(" of application '{a}'")).unwrap_or_default())]
    NoOpenReview(Option<String>),
    /// Several applications have an open review.
    #[error("several reviews are open ({}); name the application or the review", .0.join(", "))]
    SeveralOpen(Vec<String>),
    /// The threat key is not on the agenda.
    #[error("'{key}' is not on the agenda of review {seq} (sprint {sprint})")]
    NotOnAgenda {
        key: ThreatKey,
        seq: i64,
        sprint: String,
    },
    /// A group decision limited to a service that has none of the group's threats.
    #[error("agenda item '{item}' has no threat of service '{service}'")]
    NotInService { item: String, service: String },
    /// An exception named for a group decision is not a member of the group.
    #[error("'{key}' is not a threat of agenda item '{group}'; `review agenda` lists its members")]
    NotInGroup { key: ThreatKey, group: String },
    /// The key is on the agenda for several services.
    #[error("'{key}' is on the agenda for several services ({}); name the service", services.join(", "))]
    AmbiguousKey {
        key: ThreatKey,
        services: Vec<String>,
    },
    /// The decision sets a status that needs a justification without one.
    #[error("{}", super::triage::justification_message(key, *status))]
    JustificationRequired {
        key: ThreatKey,
        status: TriageStatus,
    },
    /// A decision or a close on a closed review.
    #[error(
        "review {seq} (sprint {sprint}) of '{application}' is closed; its record is frozen, start a new review to revisit it"
    )]
    Closed {
        seq: i64,
        sprint: String,
        application: String,
    },
}

pub type Result<T, E = ReviewError> = std::result::Result<T, E>;

/// The application layer's code of a review refusal (a store error has the store's code).
pub(crate) fn review_code(err: &ReviewError) -> super::ErrorCode {
    use super::ErrorCode as C;
    match err {
        ReviewError::Store(_) => C::Internal,
        ReviewError::NoOpenReview(_)
        | ReviewError::NotOnAgenda { .. }
        | ReviewError::NotInGroup { .. }
        | ReviewError::NotInService { .. }
        | ReviewError::NoApplication
        | ReviewError::NoServices(_) => C::NotFound,
        ReviewError::Closed { .. } => C::ReviewClosed,
        ReviewError::JustificationRequired { .. } => C::JustificationRequired,
        ReviewError::SeveralApplications(_)
        | ReviewError::SeveralOpen(_)
        | ReviewError::AmbiguousKey { .. } => C::Ambiguous,
    }
}

impl From<ReviewError> for super::AppError {
    fn from(err: ReviewError) -> Self {
        match err {
            // The store's own code and message.
            ReviewError::Store(e) => e.into(),
            other => super::AppError::new(review_code(&other), other.to_string()),
        }
    }
}

/// What to review.
#[derive(Clone, Debug, Default)]
pub struct StartRequest<'a> {
    /// The application; may be left out when the workspace has one.
    pub application: Option<&'a str>,
    /// Some of its services; empty for all.
    pub services: &'a [String],
    pub sprint: &'a str,
    pub participants: &'a [String],
    pub author: &'a str,
}

async fn application(store: &Store, name: Option<&str>) -> Result<crate::store::Application> {
    if let Some(name) = name {
        return Ok(store.application(name).await?);
    }
    let mut apps = store.applications().await?;
    match apps.len() {
        0 => Err(ReviewError::NoApplication),
        1 => Ok(apps.remove(0)),
        _ => Err(ReviewError::SeveralApplications(
            apps.into_iter().map(|a| a.name).collect(),
        )),
    }
}

/// Starts a review: analyses the head of every service in scope, compares with the last
/// closed review of the application, stores the agenda and the snapshot, and tells the
/// workspace which threats fire (so decisions of vanished threats are flagged obsolete).
///
/// An application has at most one open review: starting another is refused
/// ([`StoreError::ReviewOpen`]) before anything is analysed or recorded.
pub async fn start(store: &Store, catalog: &Catalog, req: &StartRequest<'_>) -> Result<ReviewId> {
    let app = application(store, req.application).await?;
    let models: Vec<_> = store
        .models()
        .await?
        .into_iter()
        .filter(|m| m.application_id == app.id && m.kind == ModelKind::Service)
        .collect();
    for wanted in req.services {
        if !models.iter().any(|m| &m.name == wanted) {
            return Err(StoreError::UnknownService {
                name: wanted.clone(),
                application: Some(app.name.clone()),
            }
            .into());
        }
    }
    let models: Vec<_> = models
        .into_iter()
        .filter(|m| req.services.is_empty() || req.services.contains(&m.name))
        .collect();
    let reviews = store.reviews(Some(app.id)).await?;
    if let Some(open) = reviews.iter().find(|r| r.state == ReviewState::Open) {
        return Err(StoreError::ReviewOpen {
            application: app.name.clone(),
            seq: open.seq,
            sprint: open.sprint.clone(),
        }
        .into());
    }
    let last = reviews
        .into_iter()
        .filter(|r| r.state == ReviewState::Closed)
        .max_by_key(|r| r.seq);
    let mut seen_by_model: BTreeMap<ModelId, Vec<SeenThreat>> = BTreeMap::new();
    if let Some(last) = &last {
        for s in store.review_snapshot(last.id).await? {
            seen_by_model.entry(s.model).or_default().push(s.threat);
        }
    }
    let (mut heads, mut service_models) = (Vec::new(), Vec::new());
    for summary in &models {
        if let Some((revision, model)) = store.load_head(summary.id).await? {
            heads.push((summary, revision.id));
            service_models.push(model);
        }
    }
    let analyses: Vec<_> = service_models.iter().map(|m| analyze(m, catalog)).collect();
    // The copies of one threat on a resource several services share get one key here.
    let keys: Vec<Vec<ThreatKey>> = analyses
        .iter()
        .map(|a| a.threats.iter().map(|t| t.key.clone()).collect())
        .collect();
    let application_keys = application_keys(&service_models, &catalog.stencils, &keys);
    let mut scope = Vec::new();
    let mut snapshot = Vec::new();
    let mut items = Vec::new();
    for ((((summary, revision), model), analysis), app_keys) in heads
        .iter()
        .zip(&service_models)
        .zip(&analyses)
        .zip(&application_keys)
    {
        scope.push((summary.id, *revision));
        let triage = store.triage(Scope::Service(summary.id)).await?;
        let mut current = Vec::with_capacity(analysis.threats.len());
        for (t, app_key) in analysis.threats.iter().zip(app_keys) {
            let decision = triage.get(&t.key);
            let severity = decision
                .and_then(|d| d.severity_override)
                .unwrap_or(t.severity);
            let status = decision.map(|d| d.status).unwrap_or(TriageStatus::Open);
            let fp = fingerprint(model, &t.key);
            snapshot.push(SnapshotThreat {
                model: summary.id,
                threat: SeenThreat {
                    key: t.key.clone(),
                    title: t.title.clone(),
                    severity,
                    fingerprint: fp.clone(),
                },
                status,
            });
            current.push(CurrentThreat {
                key: t.key.clone(),
                title: t.title.clone(),
                severity,
                fingerprint: fp,
                status,
                owner: decision.map(|d| d.owner.clone()).unwrap_or_default(),
                due_sprint: decision
                    .map(|d| d.due_sprint.clone())
                    .filter(|d| !d.is_empty()),
                application_key: app_key.clone(),
            });
        }
        let present: BTreeSet<ThreatKey> = current.iter().map(|t| t.key.clone()).collect();
        store
            .sync_threats(Scope::Service(summary.id), &present, req.author)
            .await?;
        let seen = last
            .as_ref()
            .map(|_| seen_by_model.remove(&summary.id).unwrap_or_default());
        for item in build_agenda(seen.as_deref(), &current, req.sprint) {
            items.push((summary.id, item));
        }
    }
    if scope.is_empty() {
        return Err(ReviewError::NoServices(app.name));
    }
    Ok(store
        .create_review(NewReview {
            application: app.id,
            sprint: req.sprint,
            participants: req.participants,
            author: req.author,
            previous: last.map(|l| l.id),
            models: &scope,
            snapshot: &snapshot,
            items: &items,
        })
        .await?)
}

/// The open review: of the named application, or the only one open in the workspace.
pub async fn open_review(store: &Store, application: Option<&str>) -> Result<ReviewInfo> {
    let open: Vec<ReviewInfo> = store
        .reviews(None)
        .await?
        .into_iter()
        .filter(|r| r.state == ReviewState::Open)
        .filter(|r| application.is_none_or(|a| r.application == a))
        .collect();
    match open.len() {
        0 => Err(ReviewError::NoOpenReview(application.map(str::to_string))),
        1 => Ok(open.into_iter().next().expect("one review")),
        _ => Err(ReviewError::SeveralOpen(
            open.into_iter().map(|r| r.application).collect(),
        )),
    }
}

/// The latest review: the open one if any, else the last closed one (of the application).
pub async fn latest_review(store: &Store, application: Option<&str>) -> Result<ReviewInfo> {
    match open_review(store, application).await {
        Ok(r) => return Ok(r),
        Err(ReviewError::NoOpenReview(_)) => {}
        Err(e) => return Err(e),
    }
    store
        .reviews(None)
        .await?
        .into_iter()
        .filter(|r| application.is_none_or(|a| r.application == a))
        .max_by(|a, b| a.opened_at.cmp(&b.opened_at))
        .ok_or(ReviewError::NoOpenReview(application.map(str::to_string)))
}

/// A review with its agenda (grouped as the meeting takes it) and progress.
pub async fn agenda(store: &Store, review: ReviewId) -> Result<Agenda> {
    let info = store.review(review).await?;
    let items = store.review_items(review).await?;
    let groups = group_agenda(&items);
    Ok(Agenda {
        progress: progress_of(&groups, items.len()),
        review: info,
        groups,
        items,
    })
}

fn closed(info: &ReviewInfo) -> ReviewError {
    ReviewError::Closed {
        seq: info.seq,
        sprint: info.sprint.clone(),
        application: info.application.clone(),
    }
}

/// What a decision is about: an item of the agenda and the exceptions to it.
#[derive(Clone, Copy, Debug, Default)]
pub struct DecideRequest<'a> {
    /// A group's id (its rule id, as `review agenda` prints it) or a threat's key.
    pub item: &'a str,
    /// Only the rows of this service (by name); a key on the agenda of several services
    /// needs one.
    pub service: Option<&'a str>,
    /// Members of the group left out of its decision, by their key in any service or in the
    /// application model.
    pub except: &'a [String],
}

/// Records a decision in the review and in the services' triage, with history linked to the
/// review, and returns the triage entries it wrote.
///
/// - A group id decides every member of the group, except the ones in `except` and the ones
///   decided on their own earlier in this review (they keep their own decision).
/// - A threat key decides that threat on its own: every service's copy of it when it is on a
///   shared resource (one resource, one decision), only the named service's with `service`.
///
/// A status that needs a justification without one (here or in a decision it changes) is
/// refused before anything is written, as in `triage`.
pub async fn decide(
    store: &Store,
    review: ReviewId,
    req: &DecideRequest<'_>,
    update: &TriageUpdate,
    author: &str,
) -> Result<Vec<TriageEntry>> {
    let info = store.review(review).await?;
    if info.state == ReviewState::Closed {
        return Err(closed(&info));
    }
    let items = store.review_items(review).await?;
    let groups = group_agenda(&items);
    let in_scope = |i: &StoredItem| req.service.is_none_or(|s| i.service == s);
    let not_on_agenda = || ReviewError::NotOnAgenda {
        key: ThreatKey(req.item.to_string()),
        seq: info.seq,
        sprint: info.sprint.clone(),
    };
    // (rows to decide, the group they are decided with)
    let (rows, with): (Vec<&StoredItem>, Option<&str>) = if let Some(group) =
        groups.iter().find(|g| g.is_group() && g.id == req.item)
    {
        if let Some(stray) = req
            .except
            .iter()
            .find(|k| !group.members.iter().any(|m| m.is_named_by(k)))
        {
            return Err(ReviewError::NotInGroup {
                key: ThreatKey(stray.clone()),
                group: group.id.clone(),
            });
        }
        if let Some(service) = req.service
            && !group.rows().any(&in_scope)
        {
            return Err(ReviewError::NotInService {
                item: group.id.clone(),
                service: service.to_string(),
            });
        }
        let rows: Vec<&StoredItem> = group
            .members
            .iter()
            .filter(|m| !req.except.iter().any(|k| m.is_named_by(k)))
            .flat_map(|m| m.items.iter())
            .filter(|i| in_scope(i))
            // Decided on its own earlier: an exception the group leaves alone.
            .filter(|i| i.decision.is_none() || i.decided_with.as_deref() == Some(&group.id))
            .collect();
        (rows, Some(group.id.as_str()))
    } else {
        let named: Vec<&StoredItem> = items
            .iter()
            .filter(|i| i.item.key.as_str() == req.item && in_scope(i))
            .collect();
        let members: BTreeSet<&ThreatKey> = named.iter().map(|i| &i.item.application_key).collect();
        if members.len() > 1 {
            return Err(ReviewError::AmbiguousKey {
                key: ThreatKey(req.item.to_string()),
                services: named.iter().map(|i| i.service.clone()).collect(),
            });
        }
        let Some(member) = members.into_iter().next() else {
            return Err(not_on_agenda());
        };
        let rows = if req.service.is_some() {
            named
        } else {
            items
                .iter()
                .filter(|i| &i.item.application_key == member)
                .collect()
        };
        (rows, None)
    };
    let mut checked = BTreeMap::new();
    for row in &rows {
        if let std::collections::btree_map::Entry::Vacant(e) = checked.entry(row.model) {
            e.insert(store.triage(Scope::Service(row.model)).await?);
        }
        if let Some(status) = update.missing_justification(checked[&row.model].get(&row.item.key)) {
            return Err(ReviewError::JustificationRequired {
                key: row.item.key.clone(),
                status,
            });
        }
    }
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        entries.push(
            store
                .decide_review_item(review, row.model, &row.item.key, update, author, with)
                .await?,
        );
    }
    Ok(entries)
}

/// Closes the review, freezing its record.
pub async fn close(store: &Store, review: ReviewId, notes: &str, author: &str) -> Result<()> {
    let info = store.review(review).await?;
    if info.state == ReviewState::Closed {
        return Err(closed(&info));
    }
    Ok(store.close_review(review, notes, author).await?)
}

/// Gathers the data of a review's report.
pub async fn report_data(store: &Store, review: ReviewId) -> Result<ReviewReport> {
    let Agenda {
        review,
        items,
        progress,
        ..
    } = agenda(store, review).await?;
    let previous = match review.previous {
        Some(p) => Some(store.review(p).await?),
        None => None,
    };
    let trend = store
        .review_trend(review.application_id)
        .await?
        .into_iter()
        .filter(|t| t.seq <= review.seq)
        .collect();
    Ok(ReviewReport {
        review,
        previous,
        items,
        progress,
        trend,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DataFlow, Element, ElementKind, ServiceModel};
    use crate::review::{AgendaGroup, progress};
    use crate::store::{Save, Workspace};

    /// Two services that share one data store ("orders-db"), each with a store of its own too.
    fn workspace(dir: &std::path::Path) -> Workspace {
        let ws = Workspace::create(&dir.join("w.stridewise")).unwrap();
        for name in ["checkout", "billing"] {
            let mut m = ServiceModel::new(name);
            let user = Element::new(ElementKind::ExternalEntity, "User");
            let api = Element::new(ElementKind::Process, format!("{name} API"));
            let mut shared = Element::new(ElementKind::DataStore, "Orders DB");
            shared.shared_key = Some("orders-db".into());
            let own = Element::new(ElementKind::DataStore, format!("{name} cache"));
            m.flows = vec![
                DataFlow::new("request", user.id, api.id),
                DataFlow::new("write", api.id, shared.id),
                DataFlow::new("cache", api.id, own.id),
            ];
            m.elements = vec![user, api, shared, own];
            ws.save(Save {
                application: "shop",
                model: &m,
                expected_head: None,
                merge_parent: None,
                author: "t",
                message: "m",
            })
            .unwrap();
        }
        ws
    }

    fn start_review(ws: &Workspace, sprint: &str) -> ReviewId {
        ws.block_on(start(
            ws.store(),
            Catalog::builtin(),
            &StartRequest {
                sprint,
                author: "ana",
                ..StartRequest::default()
            },
        ))
        .unwrap()
    }

    fn groups(ws: &Workspace, id: ReviewId) -> Vec<AgendaGroup> {
        ws.block_on(agenda(ws.store(), id)).unwrap().groups
    }

    fn status(s: TriageStatus, why: &str) -> TriageUpdate {
        TriageUpdate {
            status: Some(s),
            justification: Some(why.into()),
            ..TriageUpdate::default()
        }
    }

    #[test]
    fn a_group_is_decided_at_once_with_exceptions() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path());
        let id = start_review(&ws, "1");
        let all = groups(&ws, id);
        let rows: usize = all.iter().map(|g| g.rows().count()).sum();
        assert!(all.len() < rows, "grouping makes fewer items than threats");
        // A rule that fires on the shared store (in both services) and on the two caches.
        let group = all
            .iter()
            .find(|g| g.members.len() >= 3 && g.members.iter().any(|m| m.items.len() == 2))
            .expect("a data-store rule fires on the three stores")
            .clone();
        assert_eq!(group.id, group.rule);
        let shared = group.members.iter().find(|m| m.items.len() == 2).unwrap();
        assert_eq!(
            shared.services().into_iter().collect::<BTreeSet<_>>(),
            BTreeSet::from(["billing", "checkout"]),
            "the shared store is one member, whatever the number of services"
        );
        let (own, other): (Vec<_>, Vec<_>) = group
            .members
            .iter()
            .filter(|m| m.items.len() == 1)
            .partition(|m| m.items[0].service == "checkout");
        let (excepted, separate) = (&own[0], &other[0]);

        // One member decided on its own first: the group's decision leaves it alone.
        let separate_key = separate.items[0].item.key.to_string();
        ws.block_on(decide(
            ws.store(),
            id,
            &DecideRequest {
                item: &separate_key,
                ..Default::default()
            },
            &status(TriageStatus::Accepted, "cache holds nothing sensitive"),
            "ana",
        ))
        .unwrap();
        // An exception that is not in the group is refused by name.
        let stray = ws.block_on(decide(
            ws.store(),
            id,
            &DecideRequest {
                item: &group.id,
                except: &["NOPE@1".to_string()],
                ..Default::default()
            },
            &status(TriageStatus::Mitigated, "x"),
            "ana",
        ));
        assert!(
            matches!(&stray, Err(ReviewError::NotInGroup { group: g, .. }) if g == &group.id),
            "{stray:?}"
        );
        // A service that has none of the group's threats is refused by name.
        let elsewhere = ws.block_on(decide(
            ws.store(),
            id,
            &DecideRequest {
                item: &group.id,
                service: Some("shipping"),
                ..Default::default()
            },
            &status(TriageStatus::Mitigated, "x"),
            "ana",
        ));
        assert!(
            matches!(&elsewhere, Err(e @ ReviewError::NotInService { .. }) if e.to_string().contains("service 'shipping'")),
            "{elsewhere:?}"
        );
        // The group, except one member named by its key.
        let except = vec![excepted.items[0].item.key.to_string()];
        let written = ws
            .block_on(decide(
                ws.store(),
                id,
                &DecideRequest {
                    item: &group.id,
                    except: &except,
                    ..Default::default()
                },
                &status(TriageStatus::Mitigated, "private endpoints everywhere"),
                "ana",
            ))
            .unwrap();
        let expected = group.rows().count() - 2;
        assert_eq!(written.len(), expected);

        let triage = |service: &str, key: &ThreatKey| {
            let m = ws.find_service(service, Some("shop")).unwrap();
            ws.triage(Scope::Service(m.id))
                .unwrap()
                .get(key)
                .map(|d| d.status)
        };
        for row in &shared.items {
            assert_eq!(
                triage(&row.service, &row.item.key),
                Some(TriageStatus::Mitigated),
                "the shared store's threat is decided in {}",
                row.service
            );
        }
        assert_eq!(
            triage(&separate.items[0].service, &separate.items[0].item.key),
            Some(TriageStatus::Accepted)
        );
        assert_eq!(
            triage(&excepted.items[0].service, &excepted.items[0].item.key),
            None
        );
        let after = groups(&ws, id);
        let g = after.iter().find(|g| g.id == group.id).unwrap();
        assert!(!g.decided(), "the excepted member is still to decide");
        // Deciding the exception on its own completes the item.
        ws.block_on(decide(
            ws.store(),
            id,
            &DecideRequest {
                item: &except[0],
                ..Default::default()
            },
            &status(TriageStatus::Open, ""),
            "ana",
        ))
        .unwrap();
        let after = groups(&ws, id);
        let g = after.iter().find(|g| g.id == group.id).unwrap();
        assert!(g.decided());
        assert_eq!(
            g.decision().map(|d| d.status),
            Some(TriageStatus::Mitigated)
        );
        let p = progress(&ws.block_on(ws.store().review_items(id)).unwrap());
        assert_eq!((p.total, p.threats), (after.len(), rows));
    }

    #[test]
    fn a_key_of_a_shared_resource_decides_it_in_every_service() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path());
        let id = start_review(&ws, "1");
        let all = groups(&ws, id);
        let shared = all
            .iter()
            .flat_map(|g| g.members.iter())
            .find(|m| m.items.len() == 2)
            .unwrap()
            .clone();
        let key = shared.items[1].item.key.to_string();
        let written = ws
            .block_on(decide(
                ws.store(),
                id,
                &DecideRequest {
                    item: &key,
                    ..Default::default()
                },
                &status(TriageStatus::Mitigated, ""),
                "ana",
            ))
            .unwrap();
        assert_eq!(
            written.len(),
            2,
            "one resource, one decision, both services"
        );
        // With --service, only that service's copy.
        let other = shared.items[0].item.key.to_string();
        let written = ws
            .block_on(decide(
                ws.store(),
                id,
                &DecideRequest {
                    item: &other,
                    service: Some(&shared.items[0].service),
                    ..Default::default()
                },
                &status(TriageStatus::NeedsInvestigation, ""),
                "ana",
            ))
            .unwrap();
        assert_eq!(written.len(), 1);
    }

    #[test]
    fn planned_work_waits_for_its_sprint() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path());
        let first = start_review(&ws, "2026.1");
        // Every item gets an owner and a later due sprint, still open.
        for g in groups(&ws, first) {
            ws.block_on(decide(
                ws.store(),
                first,
                &DecideRequest {
                    item: &g.id,
                    ..Default::default()
                },
                &TriageUpdate {
                    status: Some(TriageStatus::Open),
                    owner: Some("ana".into()),
                    due_sprint: Some("2026.3".into()),
                    ..TriageUpdate::default()
                },
                "ana",
            ))
            .unwrap();
        }
        ws.block_on(close(ws.store(), first, "", "ana")).unwrap();
        let second = start_review(&ws, "2026.2");
        assert!(
            groups(&ws, second).is_empty(),
            "nothing changed and nothing is due before 2026.3"
        );
        ws.block_on(close(ws.store(), second, "", "ana")).unwrap();
        let third = start_review(&ws, "2026.3");
        let due = groups(&ws, third);
        assert!(!due.is_empty(), "due in 2026.3: back on the agenda");
        assert!(due.iter().all(|g| g.reasons == [AgendaReason::StillOpen]));
    }

    use crate::review::AgendaReason;
}
