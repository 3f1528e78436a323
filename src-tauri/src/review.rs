//! Tests of sprint threat reviews in the desktop app: the same sessions as `stridewise review`
//! (`src/cli/review.rs`), through `stridewise_core::app::review_view`, which completes the
//! agenda with what the review screen shows. The session keeps the revisions reviews looked
//! at, analysed once.

#[cfg(test)]
mod tests {
    use std::path::Path;
    use stridewise_core::app::AgendaReason;

    use stridewise_core::model::TriageStatus;

    use stridewise_core::app::review_view as rv;

    use crate::chosen::PathPurpose;
    use crate::error::{ApiError, ApiErrorCode};
    use crate::types::*;
    use crate::workspace::Dirs;
    use crate::workspace::tests::chose;
    use crate::workspace::{AppCore, Session};
    use stridewise_core::app::services as svc;
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

    /// The open workspace, which the review commands are given.
    fn session(c: &AppCore) -> &Session {
        c.session().unwrap()
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
        assert!(rv::reviews(c.ws().unwrap(), APP).unwrap().is_empty());

        let started = rv::start(
            &session(&c).ws,
            &session(&c).reviewed,
            APP,
            " 2026.24 ",
            &["ana".into(), " ".into(), "bo".into()],
            &c.author,
        )
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
        let err = rv::start(
            &session(&c).ws,
            &session(&c).reviewed,
            APP,
            "2026.25",
            &[],
            &c.author,
        )
        .unwrap_err();
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
        let err = rv::decide(
            &session(&c).ws,
            &session(&c).reviewed,
            &id,
            key,
            None,
            &bare,
            &c.author,
        )
        .unwrap_err();
        assert_eq!(err.code, ApiErrorCode::JustificationRequired, "{err}");
        let after = rv::decide(
            &session(&c).ws,
            &session(&c).reviewed,
            &id,
            key,
            item.members.is_empty().then_some(item.service.as_str()),
            &accept("rate limited"),
            &c.author,
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
        let model = svc::load(c.ws().unwrap(), &sid).unwrap().model;
        let analysed = svc::analyze(c.ws().unwrap(), &model, Some(&sid)).unwrap();
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
        let err = rv::decide(
            &session(&c).ws,
            &session(&c).reviewed,
            &id,
            "NOPE@1",
            None,
            &accept("x"),
            &c.author,
        )
        .unwrap_err();
        assert_eq!(err.code, ApiErrorCode::NotFound, "{err}");
        assert_eq!(rv::reviews(c.ws().unwrap(), APP).unwrap()[0].decided, 1);

        // Closing freezes it.
        let closed = rv::close(
            &session(&c).ws,
            &session(&c).reviewed,
            &id,
            " all high items decided ",
            &c.author,
        )
        .unwrap();
        assert_eq!(
            closed.review.state,
            stridewise_core::app::ReviewState::Closed
        );
        assert_eq!(closed.review.notes, "all high items decided");
        assert!(closed.review.closed_at.is_some());
        let err = rv::decide(
            &session(&c).ws,
            &session(&c).reviewed,
            &id,
            key,
            None,
            &accept("again"),
            &c.author,
        )
        .unwrap_err();
        assert_eq!(err.code, ApiErrorCode::ReviewClosed, "{err}");
        assert_eq!(
            rv::close(&session(&c).ws, &session(&c).reviewed, &id, "", &c.author)
                .unwrap_err()
                .code,
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
        let next = rv::start(
            &session(&c).ws,
            &session(&c).reviewed,
            APP,
            "2026.25",
            &[],
            &c.author,
        )
        .unwrap();
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
        let sprints: Vec<_> = rv::reviews(c.ws().unwrap(), APP)
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
        assert_eq!(
            rv::show(&session(&c).ws, &session(&c).reviewed, &next.review.id).unwrap(),
            next
        );
    }

    #[test]
    fn bad_requests_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = sample(dir.path());
        let code = |r: Result<ReviewView, ApiError>| r.unwrap_err().code;
        assert_eq!(
            code(rv::start(
                &session(&c).ws,
                &session(&c).reviewed,
                APP,
                "  ",
                &[],
                &c.author
            )),
            ApiErrorCode::InvalidInput
        );
        assert_eq!(
            code(rv::start(
                &session(&c).ws,
                &session(&c).reviewed,
                "nope",
                "2026.24",
                &[],
                &c.author
            )),
            ApiErrorCode::NotFound
        );
        assert_eq!(
            rv::reviews(c.ws().unwrap(), "nope").unwrap_err().code,
            ApiErrorCode::NotFound
        );
        assert_eq!(
            code(rv::show(
                &session(&c).ws,
                &session(&c).reviewed,
                "not-a-uuid"
            )),
            ApiErrorCode::InvalidInput
        );
        assert_eq!(
            code(rv::show(
                &session(&c).ws,
                &session(&c).reviewed,
                &ReviewId::new().to_string()
            )),
            ApiErrorCode::NotFound
        );
        let unknown = ReviewId::new().to_string();
        let chosen = chose(&mut c, PathPurpose::Report, &dir.path().join("x.html"));
        for err in [
            rv::decide(
                &session(&c).ws,
                &session(&c).reviewed,
                &unknown,
                "K",
                None,
                &TriageChange::default(),
                &c.author,
            )
            .unwrap_err(),
            rv::close(
                &session(&c).ws,
                &session(&c).reviewed,
                &unknown,
                "",
                &c.author,
            )
            .unwrap_err(),
            c.export_review_report(&unknown, &chosen).unwrap_err(),
        ] {
            assert_eq!(err.code, ApiErrorCode::NotFound, "{err}");
        }
        let id = rv::start(
            &session(&c).ws,
            &session(&c).reviewed,
            APP,
            "2026.24",
            &[],
            &c.author,
        )
        .unwrap()
        .review
        .id;
        assert_eq!(
            c.export_review_report(&id, " ").unwrap_err().code,
            ApiErrorCode::InvalidInput
        );
        // Reviews are per application: another one can start its own.
        rv::start(
            &session(&c).ws,
            &session(&c).reviewed,
            "stridewise",
            "2026.24",
            &[],
            &c.author,
        )
        .unwrap();
    }
}
