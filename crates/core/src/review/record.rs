//! The records of sprint reviews: what a review is, what it looked at and saw, and what it
//! decided. The store keeps them (`store::review`); the application layer runs reviews with
//! them (`app::review`); the report shows them (`report::review`).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{AgendaGroup, AgendaItem, SeenThreat, group_agenda};
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
    /// The group id whose decision set `decision`; `None` when the row was decided on its
    /// own (an exception the group's later decisions leave alone) or not at all.
    pub decided_with: Option<String>,
}

impl StoredItem {
    /// The agenda's order of rows: highest severity first, then service and key.
    pub fn agenda_order(a: &Self, b: &Self) -> std::cmp::Ordering {
        b.item
            .severity
            .cmp(&a.item.severity)
            .then_with(|| a.service.cmp(&b.service))
            .then_with(|| a.item.key.cmp(&b.item.key))
    }
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

/// How far the review got: decided items of all items of the agenda as the meeting takes it
/// (groups, see [`super::group`]); an item is decided when every threat in it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub decided: usize,
    pub total: usize,
    /// The threats (rows, one per service and threat) behind the items.
    pub threats: usize,
}

/// A review with its agenda, as shown by `review agenda` and the desktop app.
#[derive(Clone, Debug, Serialize)]
pub struct Agenda {
    pub review: ReviewInfo,
    /// The items of the meeting, worst first.
    pub groups: Vec<AgendaGroup>,
    /// The rows behind them, one per service and threat.
    pub items: Vec<StoredItem>,
    pub progress: Progress,
}

/// Counts the agenda's items (groups) and the decided ones.
pub fn progress(items: &[StoredItem]) -> Progress {
    progress_of(&group_agenda(items), items.len())
}

/// [`progress`] of groups already built from `threats` rows.
pub fn progress_of(groups: &[AgendaGroup], threats: usize) -> Progress {
    Progress {
        decided: groups.iter().filter(|g| g.decided()).count(),
        total: groups.len(),
        threats,
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
