//! Sprint threat reviews in the desktop app: the same sessions as `stridewise review`
//! (`src/cli/review.rs`), through `stridewise_core::app::review_view`, which completes the
//! agenda with what the review screen shows. The session keeps the revisions reviews looked
//! at, analysed once.

use stridewise_core::app::review_view as rv;

use crate::chosen::PathPurpose;
use crate::error::ApiError;
use crate::types::*;
use crate::workspace::AppCore;

impl AppCore {
    /// Every review of the application, newest first.
    pub fn reviews(&self, application: &str) -> Result<Vec<ReviewSummary>, ApiError> {
        rv::reviews(self.ws()?, application)
    }

    /// Starts a review of every service of the application.
    pub fn start_review(
        &self,
        application: &str,
        sprint: &str,
        people: &[String],
    ) -> Result<ReviewView, ApiError> {
        let s = self.session()?;
        rv::start(
            &s.ws,
            &s.reviewed,
            application,
            sprint,
            people,
            &self.author,
        )
    }

    /// A review with its agenda and progress.
    pub fn review(&self, id: &str) -> Result<ReviewView, ApiError> {
        let s = self.session()?;
        rv::view(&s.ws, &s.reviewed, rv::known_review(&s.ws, id)?)
    }

    /// Records the decision about one agenda item (`app::review_view::decide`).
    pub fn decide_review_item(
        &self,
        review_id: &str,
        key: &str,
        service: Option<&str>,
        change: &TriageChange,
    ) -> Result<ReviewView, ApiError> {
        let s = self.session()?;
        rv::decide(
            &s.ws,
            &s.reviewed,
            review_id,
            key,
            service,
            change,
            &self.author,
        )
    }

    /// Closes the review with its notes; its record is frozen from then on.
    pub fn close_review(&self, review_id: &str, notes: &str) -> Result<ReviewView, ApiError> {
        let s = self.session()?;
        rv::close(&s.ws, &s.reviewed, review_id, notes, &self.author)
    }

    /// Writes the review report (HTML) to the file the user chose in the report dialog.
    pub fn export_review_report(
        &mut self,
        review_id: &str,
        path: &str,
    ) -> Result<ReportWritten, ApiError> {
        let path = self.chosen.take(PathPurpose::Report, path)?;
        let written = rv::write_report(self.ws()?, review_id, &path)?;
        self.chosen.wrote_report(&path);
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use stridewise_core::app::AgendaReason;

    use stridewise_core::model::TriageStatus;

    use super::*;
    use crate::error::ApiErrorCode;
    use crate::workspace::Dirs;
    use crate::workspace::tests::chose;
    use stridewise_core::app::{ReviewId, Scope};

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
