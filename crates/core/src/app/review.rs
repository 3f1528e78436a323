//! Review sessions over a workspace: start (build and store the agenda), decide, progress,
//! close. These are thin async functions over [`Store`], so the desktop shell can call them
//! directly and the CLI through `Workspace::block_on`.

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::analyze;
use crate::catalog::Catalog;
use crate::model::{ModelId, ModelKind, ThreatKey, TriageStatus};
use crate::review::{
    Agenda, CurrentThreat, ReviewId, ReviewInfo, ReviewReport, ReviewState, SeenThreat,
    SnapshotThreat, StoredItem, build_agenda, fingerprint, progress,
};
use crate::store::{NewReview, Scope, Store, StoreError, TriageEntry, TriageUpdate};

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
    let mut scope = Vec::new();
    let mut snapshot = Vec::new();
    let mut items = Vec::new();
    for summary in &models {
        let Some((revision, model)) = store.load_head(summary.id).await? else {
            continue;
        };
        scope.push((summary.id, revision.id));
        let triage = store.triage(Scope::Service(summary.id)).await?;
        let analysis = analyze(&model, catalog);
        let mut current = Vec::with_capacity(analysis.threats.len());
        for t in &analysis.threats {
            let decision = triage.get(&t.key);
            let severity = decision
                .and_then(|d| d.severity_override)
                .unwrap_or(t.severity);
            let status = decision.map(|d| d.status).unwrap_or(TriageStatus::Open);
            let fp = fingerprint(&model, &t.key);
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
                due_sprint: decision
                    .map(|d| d.due_sprint.clone())
                    .filter(|d| !d.is_empty()),
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

/// A review with its agenda and progress.
pub async fn agenda(store: &Store, review: ReviewId) -> Result<Agenda> {
    let info = store.review(review).await?;
    let items = store.review_items(review).await?;
    Ok(Agenda {
        progress: progress(&items),
        review: info,
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

/// Records the decision about the agenda item with this key (in `service` when the key is on
/// the agenda for several). It also updates the service's triage, with history linked to the
/// review. A status that needs a justification without one (here or in the decision it
/// changes) is refused, as in `triage`.
pub async fn decide(
    store: &Store,
    review: ReviewId,
    key: &ThreatKey,
    service: Option<&str>,
    update: &TriageUpdate,
    author: &str,
) -> Result<TriageEntry> {
    let info = store.review(review).await?;
    if info.state == ReviewState::Closed {
        return Err(closed(&info));
    }
    let matches: Vec<StoredItem> = store
        .review_items(review)
        .await?
        .into_iter()
        .filter(|i| &i.item.key == key && service.is_none_or(|s| i.service == s))
        .collect();
    match matches.len() {
        0 => Err(ReviewError::NotOnAgenda {
            key: key.clone(),
            seq: info.seq,
            sprint: info.sprint,
        }),
        1 => {
            let model = matches[0].model;
            let current = store.triage(Scope::Service(model)).await?;
            if let Some(status) = update.missing_justification(current.get(key)) {
                return Err(ReviewError::JustificationRequired {
                    key: key.clone(),
                    status,
                });
            }
            Ok(store
                .decide_review_item(review, model, key, update, author)
                .await?)
        }
        _ => Err(ReviewError::AmbiguousKey {
            key: key.clone(),
            services: matches.into_iter().map(|i| i.service).collect(),
        }),
    }
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
