//! The CI gate: does any threat at or above a severity still need work?

use super::findings::Finding;
use super::summary::Summary;
use crate::model::Severity;

/// What the gate found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GateOutcome {
    pub fail_on: Severity,
    /// Threats at or above `fail_on` whose status is `open` or `needs_investigation`, highest
    /// severity first, then by key.
    pub blocking: Vec<Finding>,
    /// Counts over every threat checked.
    pub summary: Summary,
}

impl GateOutcome {
    pub fn passed(&self) -> bool {
        self.blocking.is_empty()
    }
}

/// Checks findings against the gate.
pub fn check<'a>(
    findings: impl IntoIterator<Item = &'a Finding>,
    fail_on: Severity,
) -> GateOutcome {
    let all: Vec<&Finding> = findings.into_iter().collect();
    let mut blocking: Vec<Finding> = all
        .iter()
        .filter(|f| f.severity >= fail_on && f.status.is_unresolved())
        .map(|f| (*f).clone())
        .collect();
    blocking.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.key.cmp(&b.key)));
    GateOutcome {
        fail_on,
        blocking,
        summary: Summary::of(all),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ElementKind, Stride, ThreatKey, TriageStatus};
    use crate::report::{Subject, SubjectKind};

    fn finding(key: &str, severity: Severity, status: TriageStatus) -> Finding {
        let subject = Subject {
            kind: SubjectKind::Element(ElementKind::Process),
            id: uuid::Uuid::nil(),
            name: "api".into(),
            out_of_scope: false,
        };
        let mut f = Finding::new(
            ThreatKey::from(key),
            Stride::Tampering,
            key,
            severity,
            subject,
        );
        f.status = status;
        f
    }

    #[test]
    fn only_unresolved_threats_at_or_above_the_level_block() {
        let findings = vec![
            finding("A@1", Severity::Critical, TriageStatus::Mitigated),
            finding("B@1", Severity::High, TriageStatus::NeedsInvestigation),
            finding("C@1", Severity::Medium, TriageStatus::Open),
            finding("D@1", Severity::Critical, TriageStatus::Accepted),
        ];
        let high = check(&findings, Severity::High);
        assert!(!high.passed());
        assert_eq!(high.blocking.len(), 1);
        assert_eq!(high.blocking[0].key.as_str(), "B@1");
        assert_eq!(high.summary.total, 4);
        assert!(check(&findings, Severity::Critical).passed());
        let medium = check(&findings, Severity::Medium);
        assert_eq!(
            medium
                .blocking
                .iter()
                .map(|f| f.key.as_str())
                .collect::<Vec<_>>(),
            ["B@1", "C@1"]
        );
    }
}
