//! Sprint reviews as a screen shows them: the sessions of [`super::review`] (start, decide,
//! close, the review report), each returning the review with its agenda completed with what
//! is shown next to an item (category, description, target, the threat's decision now), taken
//! from the revisions the review looked at. The desktop's review commands are these.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use crate::analysis::{Target, Threat};
use crate::catalog::Catalog;
use crate::model::{ModelId, RevisionId, ServiceModel, ThreatKey, TriageDecision};
use crate::review::{ReviewId, ReviewInfo, StoredItem};
use crate::store::{Scope, Workspace};

use super::error::AppError;
use super::review::{self as session, DecideRequest, StartRequest};
use super::types::*;

type Result<T> = std::result::Result<T, AppError>;

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A revision a review looked at, with its threats.
struct Reviewed {
    model: ServiceModel,
    threats: BTreeMap<ThreatKey, Threat>,
}

/// Reviewed revisions with their threats, by revision: a revision never changes, and the
/// review screen shows them again after every decision. Keep one per open workspace.
#[derive(Default)]
pub struct ReviewedRevisions(RefCell<HashMap<RevisionId, Arc<Reviewed>>>);

impl ReviewedRevisions {
    /// A reviewed revision and its threats, analysed once.
    fn get(&self, ws: &Workspace, id: RevisionId) -> Result<Arc<Reviewed>> {
        if let Some(r) = self.0.borrow().get(&id) {
            return Ok(Arc::clone(r));
        }
        let (_, model) = ws.load_revision(id)?;
        let threats = super::models::threats(&model, Catalog::builtin())
            .threats
            .into_iter()
            .map(|t| (t.key.clone(), t))
            .collect();
        let r = Arc::new(Reviewed { model, threats });
        self.0.borrow_mut().insert(id, Arc::clone(&r));
        Ok(r)
    }
}

fn summary(info: &ReviewInfo, progress: session::Progress) -> ReviewSummary {
    ReviewSummary {
        id: info.id.to_string(),
        application: info.application.clone(),
        seq: u32::try_from(info.seq).unwrap_or(u32::MAX),
        sprint: info.sprint.clone(),
        state: info.state,
        participants: info.participants.clone(),
        notes: info.notes.clone(),
        opened_by: info.opened_by.clone(),
        opened_at: info.opened_at.clone(),
        closed_by: info.closed_by.clone(),
        closed_at: info.closed_at.clone(),
        decided: count(progress.decided),
        total: count(progress.total),
    }
}

/// The review with this id; `invalid_input` for text that is no id, `not_found` when the
/// workspace has no such review.
pub fn known_review(ws: &Workspace, id: &str) -> Result<ReviewId> {
    let parsed: ReviewId = id
        .trim()
        .parse()
        .map_err(|_| AppError::invalid(format!("'{id}' is not a review id")))?;
    ws.block_on(ws.store().review(parsed))?;
    Ok(parsed)
}

/// Every review of the application, newest first.
pub fn reviews(ws: &Workspace, application: &str) -> Result<Vec<ReviewSummary>> {
    let app = super::services::application_id(ws, application)?;
    let mut infos = ws.block_on(ws.store().reviews(Some(app)))?;
    infos.sort_by_key(|r| std::cmp::Reverse(r.seq));
    infos
        .iter()
        .map(|r| {
            let items: Vec<StoredItem> = ws.block_on(ws.store().review_items(r.id))?;
            Ok(summary(r, session::progress(&items)))
        })
        .collect()
}

/// Starts a review of every service of the application (one open review per application):
/// the core analyses their heads and builds the agenda from what changed since the
/// application's last closed review.
pub fn start(
    ws: &Workspace,
    cache: &ReviewedRevisions,
    application: &str,
    sprint: &str,
    participants: &[String],
    author: &str,
) -> Result<ReviewView> {
    let sprint = sprint.trim();
    if sprint.is_empty() {
        return Err(AppError::invalid(
            "the review needs a sprint label, e.g. 2026.24",
        ));
    }
    let participants: Vec<String> = participants
        .iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    super::services::application_id(ws, application)?;
    let id = ws.block_on(session::start(
        ws.store(),
        Catalog::builtin(),
        &StartRequest {
            application: Some(application),
            services: &[],
            sprint,
            participants: &participants,
            author,
        },
    ))?;
    view(ws, cache, id)
}

/// The review a screen names by its id (`known_review`), as `view` shows it.
pub fn show(ws: &Workspace, cache: &ReviewedRevisions, id: &str) -> Result<ReviewView> {
    view(ws, cache, known_review(ws, id)?)
}

/// A review with its agenda, ordered by severity (worst first), and its progress.
pub fn view(ws: &Workspace, cache: &ReviewedRevisions, id: ReviewId) -> Result<ReviewView> {
    let agenda = ws.block_on(session::agenda(ws.store(), id))?;
    // What each reviewed service looked like: its threats at the reviewed revision (for
    // category, description, target) and its triage now.
    struct Seen {
        revision: Arc<Reviewed>,
        triage: BTreeMap<ThreatKey, TriageDecision>,
    }
    let mut seen: BTreeMap<ModelId, Seen> = BTreeMap::new();
    for m in &agenda.review.models {
        let revision = cache.get(ws, m.revision)?;
        let triage = ws.triage(Scope::Service(m.model))?;
        seen.insert(m.model, Seen { revision, triage });
    }
    let items = agenda
        .groups
        .iter()
        .map(|g| {
            let i = g.rows().next().expect("an agenda item has a threat");
            let s = seen.get(&i.model);
            let threat = s.and_then(|s| s.revision.threats.get(&i.item.key));
            let mut services: Vec<&str> = g.rows().map(|r| r.service.as_str()).collect();
            services.sort_unstable();
            services.dedup();
            let members = g
                .members
                .iter()
                .filter(|_| g.is_group())
                .map(|m| ReviewMember {
                    key: m.items[0].item.key.clone(),
                    services: m.services().into_iter().map(String::from).collect(),
                    title: m.title().to_string(),
                    severity: m.severity,
                    severity_note: m.severity_note.clone(),
                    decision: m.decided().then(|| m.items[0].decision.clone()).flatten(),
                });
            ReviewItem {
                key: ThreatKey(g.id.clone()),
                service: services.join(", "),
                service_id: i.model,
                title: g.title.clone(),
                severity: g.severity,
                stride: threat.map(|t| t.stride),
                description: threat.map(|t| t.description.clone()).unwrap_or_default(),
                target: threat
                    .map(|t| t.target.clone())
                    .or_else(|| s.and_then(|s| Target::of_key(&s.revision.model, &i.item.key))),
                status_at_start: i.item.status,
                reasons: g.reasons.clone(),
                why: g.reasons.iter().map(|r| r.label().into()).collect(),
                current: s.and_then(|s| s.triage.get(&i.item.key).cloned()),
                decision: g.decision().cloned(),
                members: members.collect(),
            }
        })
        .collect();
    Ok(ReviewView {
        review: summary(&agenda.review, agenda.progress),
        services: agenda
            .review
            .models
            .iter()
            .map(|m| ReviewedService {
                id: m.model,
                name: m.name.clone(),
                revision_seq: u32::try_from(m.seq).unwrap_or(u32::MAX),
            })
            .collect(),
        items,
    })
}

/// Records the decision about one agenda item: a threat key (of `service`, by name, when the
/// key is on the agenda for several), or a group's id, which decides every threat of the group
/// not decided on its own; it also updates the services' triage, with history linked to the
/// review. Accepting a risk, calling it not applicable or transferring it needs a
/// justification, as in triage.
pub fn decide(
    ws: &Workspace,
    cache: &ReviewedRevisions,
    review: &str,
    key: &str,
    service: Option<&str>,
    change: &TriageChange,
    author: &str,
) -> Result<ReviewView> {
    let id = known_review(ws, review)?;
    if key.trim().is_empty() {
        return Err(AppError::invalid("no threat key was given"));
    }
    let request = DecideRequest {
        item: key,
        service,
        except: &[],
    };
    let update = change.to_update();
    ws.block_on(session::decide(ws.store(), id, &request, &update, author))?;
    view(ws, cache, id)
}

/// Closes the review with its notes; its record is frozen from then on.
pub fn close(
    ws: &Workspace,
    cache: &ReviewedRevisions,
    review: &str,
    notes: &str,
    author: &str,
) -> Result<ReviewView> {
    let id = known_review(ws, review)?;
    ws.block_on(session::close(ws.store(), id, notes.trim(), author))?;
    view(ws, cache, id)
}

/// Writes the review report (HTML) to `path`, as `stridewise review report` does.
pub fn write_report(ws: &Workspace, review: &str, path: &Path) -> Result<ReportWritten> {
    let id = known_review(ws, review)?;
    let data = ws.block_on(session::report_data(ws.store(), id))?;
    let html = crate::report::review::render(&data);
    super::report::write_html(path, html, "review report", data.progress.total)
}
