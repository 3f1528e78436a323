//! The records of sprint reviews: what a review is, what it looked at and saw, and what it
//! decided. The store keeps them (`store::review`); the application layer runs reviews with
//! them (`app::review`); the report shows them (`report::review`).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{AgendaItem, SeenThreat};
use crate::model::{ApplicationId, ModelId, RevisionId, Severity, TriageStatus, record_id};

record_id!(
    /// Identifies a sprint review.
    ReviewId
);

/// Whether decisions can still be recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ReviewState {
    Open,
    Closed,
}

impl ReviewState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Open => "open",
            ReviewState::Closed => "closed",
        }
    }
}

fn display<S: serde::Serializer, T: fmt::Display>(
    v: &T,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// A service model a review looked at, at the revision it saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReviewedModel {
    pub model: ModelId,
    pub name: String,
    #[serde(serialize_with = "display")]
    pub revision: RevisionId,
    /// The revision's number for people (1, 2, 3...).
    pub seq: i64,
}

/// A review's record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReviewInfo {
    pub id: ReviewId,
    pub application: String,
    #[serde(serialize_with = "display")]
    pub application_id: ApplicationId,
    /// 1, 2, 3... per application.
    pub seq: i64,
    pub sprint: String,
    pub state: ReviewState,
    pub participants: Vec<String>,
    pub notes: String,
    pub opened_by: String,
    pub opened_at: String,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    /// The closed review this one's agenda was compared against.
    pub previous: Option<ReviewId>,
    pub models: Vec<ReviewedModel>,
}

/// A threat as a review saw it, with its triage status (at the start, then frozen at close).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotThreat {
    pub model: ModelId,
    pub threat: SeenThreat,
    pub status: TriageStatus,
}

/// The decision recorded for an agenda item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ReviewDecision"))]
pub struct ItemDecision {
    pub status: TriageStatus,
    pub justification: String,
    pub owner: String,
    pub due_sprint: String,
    pub ticket: String,
    pub decided_by: String,
    pub decided_at: String,
}

/// An agenda item of a stored review, with the service it belongs to and its decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredItem {
    pub model: ModelId,
    /// The service's name.
    pub service: String,
    pub item: AgendaItem,
    pub decision: Option<ItemDecision>,
}

/// Open threats by severity in one review: for a closed review as frozen at its close, for
/// the open one as they stand now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub review: ReviewId,
    pub seq: i64,
    pub sprint: String,
    pub state: ReviewState,
    /// Unresolved (`open` or `needs_investigation`) threats by severity.
    pub open: BTreeMap<Severity, usize>,
}

/// How far the review got: decided items of all items.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub decided: usize,
    pub total: usize,
}

/// A review with its agenda, as shown by `review agenda` and the desktop app.
#[derive(Clone, Debug, Serialize)]
pub struct Agenda {
    pub review: ReviewInfo,
    pub items: Vec<StoredItem>,
    pub progress: Progress,
}

/// Counts decided items.
pub fn progress(items: &[StoredItem]) -> Progress {
    Progress {
        decided: items.iter().filter(|i| i.decision.is_some()).count(),
        total: items.len(),
    }
}

/// Everything the review report shows, gathered from the workspace.
#[derive(Clone, Debug, Serialize)]
pub struct ReviewReport {
    pub review: ReviewInfo,
    /// The closed review the agenda was compared against.
    pub previous: Option<ReviewInfo>,
    pub items: Vec<StoredItem>,
    pub progress: Progress,
    /// Open threats by severity in every review of the application up to this one.
    pub trend: Vec<TrendPoint>,
}
