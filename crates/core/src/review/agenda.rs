//! The agenda of a sprint threat review, built from what changed, never typed.
//!
//! A threat is on the agenda when it is new since the scope's last closed review, when the
//! element or flow it concerns changed since then, when it is still `open` or
//! `needs_investigation`, when it is past its due sprint, or when it stopped firing and its
//! disappearance needs confirming. Each item says why; items are ordered by severity.
//!
//! An unresolved threat that has an owner and a due sprint after the review's sprint is
//! planned work, not a question for the meeting: it stays off the agenda until its sprint
//! comes (then it is "still open", after it "past due") or until it is new or changed.
//! The meeting then takes the items in groups ([`super::group`]).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Severity, ThreatKey, TriageStatus};

/// Why a threat is on the agenda.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ReviewReason"))]
pub enum AgendaReason {
    /// Not seen by the last closed review.
    New,
    /// The element or flow it concerns changed since the last closed review.
    Changed,
    /// Still `open` or `needs_investigation`.
    StillOpen,
    /// Its due sprint has passed and it is not resolved.
    PastDue,
    /// It no longer fires; someone should confirm it is really gone.
    Obsolete,
}

impl AgendaReason {
    pub const ALL: [AgendaReason; 5] = [
        AgendaReason::New,
        AgendaReason::Changed,
        AgendaReason::StillOpen,
        AgendaReason::PastDue,
        AgendaReason::Obsolete,
    ];

    /// The snake_case name, as stored and as JSON spells it.
    pub fn as_str(&self) -> &'static str {
        match self {
            AgendaReason::New => "new",
            AgendaReason::Changed => "changed",
            AgendaReason::StillOpen => "still_open",
            AgendaReason::PastDue => "past_due",
            AgendaReason::Obsolete => "obsolete",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(&self) -> &'static str {
        match self {
            AgendaReason::New => "new since the last review",
            AgendaReason::Changed => "its element or flow changed",
            AgendaReason::StillOpen => "still open",
            AgendaReason::PastDue => "past its due sprint",
            AgendaReason::Obsolete => "no longer detected: confirm",
        }
    }
}

/// What a review remembers of a threat it looked at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SeenThreat {
    pub key: ThreatKey,
    pub title: String,
    pub severity: Severity,
    /// A hash of the semantics of the element or flow the threat is about (see
    /// [`super::fingerprint`]).
    pub fingerprint: String,
}

/// A threat as it stands now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CurrentThreat {
    pub key: ThreatKey,
    pub title: String,
    pub severity: Severity,
    pub fingerprint: String,
    pub status: TriageStatus,
    /// Who acts on it; empty when nobody was named.
    pub owner: String,
    /// The sprint by which it should be acted on, if one was set.
    pub due_sprint: Option<String>,
    /// Its key in the application model (`consolidate::application_keys`): the same for the
    /// copies of one threat on a resource that several services share, else `key`.
    pub application_key: ThreatKey,
}

impl CurrentThreat {
    /// Unresolved, with an owner and a due sprint after `sprint`: planned, not yet due.
    pub fn planned_after(&self, sprint: &str) -> bool {
        self.status.is_unresolved()
            && !self.owner.trim().is_empty()
            && self.due_sprint.as_deref().is_some_and(|due| {
                !due.trim().is_empty() && natural_cmp(due, sprint) == Ordering::Greater
            })
    }
}

/// One item of the agenda.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AgendaItem {
    pub key: ThreatKey,
    pub title: String,
    pub severity: Severity,
    /// The current status; `None` for an obsolete threat.
    pub status: Option<TriageStatus>,
    pub reasons: Vec<AgendaReason>,
    /// Its key in the application model (see [`CurrentThreat::application_key`]); `key` for
    /// an obsolete threat.
    pub application_key: ThreatKey,
}

/// Builds the agenda. `last` is what the scope's last closed review saw (`None` for the first
/// review: then every threat is new); `current` is every threat that fires now; `sprint` is the
/// review's sprint label, compared with due sprints in natural order (`2026.9` < `2026.10`).
pub fn build_agenda(
    last: Option<&[SeenThreat]>,
    current: &[CurrentThreat],
    sprint: &str,
) -> Vec<AgendaItem> {
    let seen: BTreeMap<&ThreatKey, &SeenThreat> = last
        .unwrap_or_default()
        .iter()
        .map(|t| (&t.key, t))
        .collect();
    let mut items = Vec::new();
    let mut present = BTreeSet::new();
    for t in current {
        present.insert(&t.key);
        let mut reasons = Vec::new();
        match seen.get(&t.key) {
            None => reasons.push(AgendaReason::New),
            Some(s) if s.fingerprint != t.fingerprint => reasons.push(AgendaReason::Changed),
            Some(_) => {}
        }
        if t.status.is_unresolved() && !t.planned_after(sprint) {
            reasons.push(AgendaReason::StillOpen);
        }
        if t.status.is_unresolved()
            && t.due_sprint
                .as_deref()
                .is_some_and(|due| !due.is_empty() && natural_cmp(due, sprint) == Ordering::Less)
        {
            reasons.push(AgendaReason::PastDue);
        }
        if !reasons.is_empty() {
            items.push(AgendaItem {
                key: t.key.clone(),
                title: t.title.clone(),
                severity: t.severity,
                status: Some(t.status),
                reasons,
                application_key: t.application_key.clone(),
            });
        }
    }
    for (key, s) in &seen {
        if !present.contains(key) {
            items.push(AgendaItem {
                key: (*key).clone(),
                title: s.title.clone(),
                severity: s.severity,
                status: None,
                reasons: vec![AgendaReason::Obsolete],
                application_key: (*key).clone(),
            });
        }
    }
    items.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.key.cmp(&b.key)));
    items
}

/// Compares text with runs of digits compared as numbers: `sprint 9` < `sprint 10`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let mut na = String::new();
                while let Some(c) = a.peek().copied().filter(char::is_ascii_digit) {
                    na.push(c);
                    a.next();
                }
                let mut nb = String::new();
                while let Some(c) = b.peek().copied().filter(char::is_ascii_digit) {
                    nb.push(c);
                    b.next();
                }
                let (ta, tb) = (na.trim_start_matches('0'), nb.trim_start_matches('0'));
                let ord = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            (Some(x), Some(y)) => {
                let ord = x.cmp(&y);
                if ord != Ordering::Equal {
                    return ord;
                }
                a.next();
                b.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(key: &str, fp: &str) -> SeenThreat {
        SeenThreat {
            key: key.into(),
            title: format!("threat {key}"),
            severity: Severity::Medium,
            fingerprint: fp.into(),
        }
    }

    fn now(key: &str, fp: &str, severity: Severity, status: TriageStatus) -> CurrentThreat {
        CurrentThreat {
            key: key.into(),
            title: format!("threat {key}"),
            severity,
            fingerprint: fp.into(),
            status,
            owner: String::new(),
            due_sprint: None,
            application_key: key.into(),
        }
    }

    #[test]
    fn reasons_and_order() {
        use AgendaReason::*;
        let last = vec![
            seen("A@1", "x"),
            seen("B@2", "y"),
            seen("C@3", "z"),
            seen("D@4", "w"),
        ];
        let mut overdue = now("D@4", "w", Severity::Low, TriageStatus::NeedsInvestigation);
        overdue.due_sprint = Some("2026.9".into());
        let current = vec![
            now("A@1", "x", Severity::High, TriageStatus::Mitigated), // nothing to discuss
            now("B@2", "y2", Severity::Medium, TriageStatus::Accepted), // changed
            now("E@5", "v", Severity::Critical, TriageStatus::Open),  // new and open
            overdue,
        ];
        let agenda = build_agenda(Some(&last), &current, "2026.10");
        let got: Vec<(&str, Vec<AgendaReason>)> = agenda
            .iter()
            .map(|i| (i.key.as_str(), i.reasons.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("E@5", vec![New, StillOpen]),
                ("B@2", vec![Changed]),
                ("C@3", vec![Obsolete]),
                ("D@4", vec![StillOpen, PastDue]),
            ]
        );
    }

    #[test]
    fn first_review_sees_everything_as_new() {
        let current = vec![now("A@1", "x", Severity::High, TriageStatus::Mitigated)];
        let agenda = build_agenda(None, &current, "1");
        assert_eq!(agenda.len(), 1);
        assert_eq!(agenda[0].reasons, [AgendaReason::New]);
    }

    #[test]
    fn planned_threats_wait_for_their_sprint() {
        use AgendaReason::*;
        let last = vec![seen("A@1", "x"), seen("B@2", "y"), seen("C@3", "z")];
        let planned = |key: &str, fp: &str, owner: &str, due: &str| {
            let mut t = now(key, fp, Severity::High, TriageStatus::Open);
            t.owner = owner.into();
            t.due_sprint = Some(due.into());
            t
        };
        let current = vec![
            planned("A@1", "x", "ana", "2026.12"), // owned, due later: off the agenda
            planned("B@2", "y2", "ana", "2026.12"), // due later but changed: back on
            planned("C@3", "z", "", "2026.12"),    // no owner: still open
            planned("D@4", "w", "ana", "2026.12"), // due later but new: on
        ];
        let reasons = |sprint: &str| -> Vec<(String, Vec<AgendaReason>)> {
            build_agenda(Some(&last), &current, sprint)
                .into_iter()
                .map(|i| (i.key.to_string(), i.reasons))
                .collect()
        };
        assert_eq!(
            reasons("2026.10"),
            vec![
                ("B@2".into(), vec![Changed]),
                ("C@3".into(), vec![StillOpen]),
                ("D@4".into(), vec![New]),
            ]
        );
        // In its due sprint it is due: still open. After it, past due as well.
        let due = reasons("2026.12");
        assert!(due.contains(&("A@1".into(), vec![StillOpen])), "{due:?}");
        let late = reasons("2026.13");
        assert!(
            late.contains(&("A@1".into(), vec![StillOpen, PastDue])),
            "{late:?}"
        );
        // A resolved threat with a due sprint is not planned work.
        let mut done = planned("A@1", "x", "ana", "2026.12");
        done.status = TriageStatus::Mitigated;
        assert!(!done.planned_after("2026.10"));
    }

    #[test]
    fn natural_order_of_sprints() {
        assert_eq!(natural_cmp("2026.9", "2026.10"), Ordering::Less);
        assert_eq!(natural_cmp("Sprint 12", "Sprint 3"), Ordering::Greater);
        assert_eq!(natural_cmp("s07", "s7"), Ordering::Equal);
        assert_eq!(natural_cmp("a", "b"), Ordering::Less);
    }
}
