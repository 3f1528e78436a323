//! Sprint threat reviews in the desktop app: the same sessions as `stridewise review`
//! (`src/cli/review.rs`), as plain functions over `stridewise_core::app::review`. A review
//! is started for an application, its agenda (built by the core: new, changed, still open, past
//! due, obsolete) is decided item by item, which updates the services' triage with history linked
//! to the review, then it is closed and frozen. The agenda items are completed here with what the
//! UI shows next to them (category, description, target, the threat's decision now), taken from
//! the revisions the review looked at.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use stridewise_core::app::models;
use stridewise_core::app::review::{self as session, StartRequest};
use stridewise_core::app::{ReviewId, ReviewInfo, Scope, StoredItem, Target, Threat};
use stridewise_core::catalog::Catalog;
use stridewise_core::model::RevisionId;
use stridewise_core::model::{ModelId, ServiceModel, ThreatKey};

use crate::chosen::PathPurpose;
use crate::error::{ApiError, ApiErrorCode};
use crate::types::*;
use crate::workspace::{AppCore, invalid, write_atomically};

fn parse_review_id(id: &str) -> Result<ReviewId, ApiError> {
    id.trim()
        .parse()
        .map_err(|_| invalid(format!("'{id}' is not a review id")))
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn summary(info: &ReviewInfo, items: &[StoredItem]) -> ReviewSummary {
    summary_with(info, session::progress(items))
}

fn summary_with(info: &ReviewInfo, progress: session::Progress) -> ReviewSummary {
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

/// A revision a review looked at, with its threats.
pub(crate) struct Reviewed {
    model: ServiceModel,
    threats: BTreeMap<ThreatKey, Threat>,
}

/// [`Reviewed`] revisions by id, per open workspace.
pub(crate) type ReviewedCache = RefCell<HashMap<RevisionId, Arc<Reviewed>>>;

impl AppCore {
    /// A reviewed revision and its threats, analysed once per open workspace.
    fn reviewed_revision(&self, id: RevisionId) -> Result<Arc<Reviewed>, ApiError> {
        let session = self.session()?;
        if let Some(r) = session.reviewed.borrow().get(&id) {
            return Ok(Arc::clone(r));
        }
        let (_, model) = session.ws.load_revision(id)?;
        let threats = models::threats(&model, Catalog::builtin())
            .threats
            .into_iter()
            .map(|t| (t.key.clone(), t))
            .collect();
        let r = Arc::new(Reviewed { model, threats });
        session.reviewed.borrow_mut().insert(id, Arc::clone(&r));
        Ok(r)
    }

    /// The review with this id; `not_found` when the workspace has none.
    fn known_review(&self, id: &str) -> Result<ReviewId, ApiError> {
        let id = parse_review_id(id)?;
        let ws = self.ws()?;
        ws.block_on(ws.store().review(id))?;
        Ok(id)
    }

    /// Every review of the application, newest first.
    pub fn reviews(&self, application: &str) -> Result<Vec<ReviewSummary>, ApiError> {
        let app = self.application_id(application)?;
        let ws = self.ws()?;
        let mut infos = ws.block_on(ws.store().reviews(Some(app)))?;
        infos.sort_by_key(|r| std::cmp::Reverse(r.seq));
        infos
            .iter()
            .map(|r| {
                let items = ws.block_on(ws.store().review_items(r.id))?;
                Ok::<_, ApiError>(summary(r, &items))
            })
            .collect()
    }

    /// Starts a review of every service of the application: the core analyses their heads and
    /// builds the agenda from what changed since the application's last closed review.
    pub fn start_review(
        &self,
        application: &str,
        sprint: &str,
        participants: &[String],
    ) -> Result<ReviewView, ApiError> {
        let sprint = sprint.trim();
        if sprint.is_empty() {
            return Err(invalid("the review needs a sprint label, e.g. 2026.24"));
        }
        let participants: Vec<String> = participants
            .iter()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        self.application_id(application)?;
        let ws = self.ws()?;
        let id = ws.block_on(session::start(
            ws.store(),
            Catalog::builtin(),
            &StartRequest {
                application: Some(application),
                services: &[],
                sprint,
                participants: &participants,
                author: &self.author,
            },
        ))?;
        self.review_view(id)
    }

    /// A review with its agenda and progress.
    pub fn review(&self, id: &str) -> Result<ReviewView, ApiError> {
        self.review_view(self.known_review(id)?)
    }

    fn review_view(&self, id: ReviewId) -> Result<ReviewView, ApiError> {
        let ws = self.ws()?;
        let agenda = ws.block_on(session::agenda(ws.store(), id))?;
        // What each reviewed service looked like: its threats at the reviewed revision (for
        // category, description, target) and its triage now.
        struct Seen {
            revision: Arc<Reviewed>,
            triage: BTreeMap<ThreatKey, stridewise_core::model::TriageDecision>,
        }
        let mut seen: BTreeMap<ModelId, Seen> = BTreeMap::new();
        for m in &agenda.review.models {
            let revision = self.reviewed_revision(m.revision)?;
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
                    members: if g.is_group() {
                        g.members
                            .iter()
                            .map(|m| ReviewMember {
                                key: m.items[0].item.key.clone(),
                                services: m.services().into_iter().map(String::from).collect(),
                                title: m.title().to_string(),
                                severity: m.severity,
                                severity_note: m.severity_note.clone(),
                                decision: m
                                    .decided()
                                    .then(|| m.items[0].decision.clone())
                                    .flatten(),
                            })
                            .collect()
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect();
        Ok(ReviewView {
            review: summary_with(&agenda.review, agenda.progress),
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

    /// Records the decision about one agenda item: a threat key (of `service`, by name, when
    /// the key is on the agenda for several), or a group's id, which decides every threat of
    /// the group not decided on its own; it also updates the services' triage, with history
    /// linked to the review. Accepting a risk, calling it not applicable or transferring it needs a
    /// justification, as in the triage form.
    pub fn decide_review_item(
        &self,
        review_id: &str,
        key: &str,
        service: Option<&str>,
        change: &TriageChange,
    ) -> Result<ReviewView, ApiError> {
        let id = self.known_review(review_id)?;
        if key.trim().is_empty() {
            return Err(invalid("no threat key was given"));
        }
        let ws = self.ws()?;
        ws.block_on(session::decide(
            ws.store(),
            id,
            &session::DecideRequest {
                item: key,
                service,
                except: &[],
            },
            &change.to_update(),
            &self.author,
        ))?;
        self.review_view(id)
    }

    /// Closes the review with its notes; its record is frozen from then on.
    pub fn close_review(&self, review_id: &str, notes: &str) -> Result<ReviewView, ApiError> {
        let id = self.known_review(review_id)?;
        let ws = self.ws()?;
        ws.block_on(session::close(ws.store(), id, notes.trim(), &self.author))?;
        self.review_view(id)
    }

    /// Writes the review report (HTML), as `stridewise review report` does.
    pub fn export_review_report(
        &mut self,
        review_id: &str,
        path: &str,
    ) -> Result<ReportWritten, ApiError> {
        let path = self.chosen.take(PathPurpose::Report, path)?;
        let id = self.known_review(review_id)?;
        let ws = self.ws()?;
        let data = ws.block_on(session::report_data(ws.store(), id))?;
        let html = stridewise_core::report::review::render(&data).map_err(|e| {
            ApiError::new(
                ApiErrorCode::Internal,
                format!("cannot render the review report: {e}"),
            )
        })?;
        write_atomically(&path, html.as_bytes())?;
        self.chosen.wrote_report(&path);
        Ok(ReportWritten {
            path: path.display().to_string(),
            bytes: count(html.len()),
            threats: count(data.progress.total),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use stridewise_core::app::AgendaReason;

    use stridewise_core::model::TriageStatus;

    use super::*;
    use crate::workspace::Dirs;
    use crate::workspace::tests::chose;

    const APP: &str = "mission-critical";

    /// The sample workspace, as the app makes it on first start.
    fn sample(dir: &Path) -> AppCore {
        let mut c = AppCore::new(
            Dirs {
                config: dir.join("config"),
                data: dir.join("data"),
            },
            None,
        );
        c.start().unwrap();
        c
    }

    fn accept(why: &str) -> TriageChange {
        TriageChange {
            status: Some(TriageStatus::Accepted),
            justification: Some(why.into()),
            owner: Some("ana".into()),
            due_sprint: Some("2026.26".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_review_is_started_decided_closed_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = sample(dir.path());
        assert!(c.reviews(APP).unwrap().is_empty());

        let started = c
            .start_review(APP, " 2026.24 ", &["ana".into(), " ".into(), "bo".into()])
            .unwrap();
        let r = &started.review;
        assert_eq!(
            (r.state, r.sprint.as_str(), r.seq),
            (stridewise_core::app::ReviewState::Open, "2026.24", 1)
        );
        assert_eq!(r.participants, ["ana", "bo"]);
        assert_eq!(started.services.len(), 3);
        assert!(!started.items.is_empty());
        assert_eq!((r.decided, r.total as usize), (0, started.items.len()));
        // The first review has seen nothing before: every threat is new, and each comes with
        // what it is about. Worst first.
        for i in &started.items {
            assert!(i.reasons.contains(&AgendaReason::New), "{i:?}");
            assert_eq!(i.reasons.len(), i.why.len());
            assert!(i.target.is_some() && i.stride.is_some(), "{i:?}");
        }
        assert!(
            started
                .items
                .windows(2)
                .all(|w| w[0].severity >= w[1].severity)
        );

        // One open review per application.
        let err = c.start_review(APP, "2026.25", &[]).unwrap_err();
        assert_eq!(err.code, ApiErrorCode::ReviewOpen, "{err}");
        assert!(err.message.contains("2026.24"), "{err}");

        // Deciding: a justification is needed to accept; the triage follows, progress moves.
        let id = started.review.id.clone();
        let item = &started.items[0];
        let key = item.key.as_str();
        let bare = TriageChange {
            status: Some(TriageStatus::Accepted),
            ..Default::default()
        };
        let err = c.decide_review_item(&id, key, None, &bare).unwrap_err();
        assert_eq!(err.code, ApiErrorCode::JustificationRequired, "{err}");
        let after = c
            .decide_review_item(
                &id,
                key,
                item.members.is_empty().then_some(item.service.as_str()),
                &accept("rate limited"),
            )
            .unwrap();
        assert_eq!(after.review.decided, 1);
        let decided = after
            .items
            .iter()
            .find(|i| i.key == item.key && i.service == item.service)
            .unwrap();
        let d = decided.decision.as_ref().unwrap();
        assert_eq!(
            (d.status, d.owner.as_str()),
            (TriageStatus::Accepted, "ana")
        );
        assert_eq!(decided.current.as_ref().unwrap().due_sprint, "2026.26");
        // A group's decision reaches the triage of each of its threats (the first one here).
        let threat = item.members.first().map_or(&item.key, |m| &m.key);
        let sid = item.service_id.to_string();
        let model = c.load_service(&sid).unwrap().model;
        let analysed = c.analyze(&model, Some(&sid)).unwrap();
        assert_eq!(analysed.decisions[threat].status, TriageStatus::Accepted);
        let history = c
            .ws()
            .unwrap()
            .triage_history(Scope::Service(item.service_id), Some(threat))
            .unwrap();
        assert!(
            history
                .iter()
                .any(|h| h.review_id.as_deref() == Some(id.as_str())),
            "{history:?}"
        );
        let err = c
            .decide_review_item(&id, "NOPE@1", None, &accept("x"))
            .unwrap_err();
        assert_eq!(err.code, ApiErrorCode::NotFound, "{err}");
        assert_eq!(c.reviews(APP).unwrap()[0].decided, 1);

        // Closing freezes it.
        let closed = c.close_review(&id, " all high items decided ").unwrap();
        assert_eq!(
            closed.review.state,
            stridewise_core::app::ReviewState::Closed
        );
        assert_eq!(closed.review.notes, "all high items decided");
        assert!(closed.review.closed_at.is_some());
        let err = c
            .decide_review_item(&id, key, None, &accept("again"))
            .unwrap_err();
        assert_eq!(err.code, ApiErrorCode::ReviewClosed, "{err}");
        assert_eq!(
            c.close_review(&id, "").unwrap_err().code,
            ApiErrorCode::ReviewClosed
        );

        // The report, written whole.
        let out = dir.path().join("review.html");
        let chosen = chose(&mut c, PathPurpose::Report, &out);
        let written = c.export_review_report(&id, &chosen).unwrap();
        let html = std::fs::read_to_string(&out).unwrap();
        assert_eq!(written.bytes as usize, html.len());
        assert_eq!(written.threats, closed.review.total);
        assert!(html.contains("2026.24"));
        assert!(!html.contains("<script"));
        assert!(!out.with_extension("partial").exists());

        // The next review compares with this one: nothing is new, the accepted threat is off
        // the agenda, and the list has the newest first.
        let next = c.start_review(APP, "2026.25", &[]).unwrap();
        assert!(
            next.items
                .iter()
                .all(|i| !i.reasons.contains(&AgendaReason::New))
        );
        assert!(
            !next
                .items
                .iter()
                .any(|i| i.key == item.key && i.service == item.service)
        );
        let sprints: Vec<_> = c
            .reviews(APP)
            .unwrap()
            .into_iter()
            .map(|r| (r.sprint, r.state))
            .collect();
        assert_eq!(
            sprints,
            [
                (
                    "2026.25".to_string(),
                    stridewise_core::app::ReviewState::Open
                ),
                (
                    "2026.24".to_string(),
                    stridewise_core::app::ReviewState::Closed
                )
            ]
        );
        assert_eq!(c.review(&next.review.id).unwrap(), next);
    }

    #[test]
    fn bad_requests_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = sample(dir.path());
        let code = |r: Result<ReviewView, ApiError>| r.unwrap_err().code;
        assert_eq!(
            code(c.start_review(APP, "  ", &[])),
            ApiErrorCode::InvalidInput
        );
        assert_eq!(
            code(c.start_review("nope", "2026.24", &[])),
            ApiErrorCode::NotFound
        );
        assert_eq!(c.reviews("nope").unwrap_err().code, ApiErrorCode::NotFound);
        assert_eq!(code(c.review("not-a-uuid")), ApiErrorCode::InvalidInput);
        assert_eq!(
            code(c.review(&ReviewId::new().to_string())),
            ApiErrorCode::NotFound
        );
        let unknown = ReviewId::new().to_string();
        let chosen = chose(&mut c, PathPurpose::Report, &dir.path().join("x.html"));
        for err in [
            c.decide_review_item(&unknown, "K", None, &TriageChange::default())
                .unwrap_err(),
            c.close_review(&unknown, "").unwrap_err(),
            c.export_review_report(&unknown, &chosen).unwrap_err(),
        ] {
            assert_eq!(err.code, ApiErrorCode::NotFound, "{err}");
        }
        let id = c.start_review(APP, "2026.24", &[]).unwrap().review.id;
        assert_eq!(
            c.export_review_report(&id, " ").unwrap_err().code,
            ApiErrorCode::InvalidInput
        );
        // Reviews are per application: another one can start its own.
        c.start_review("stridewise", "2026.24", &[]).unwrap();
    }
}
