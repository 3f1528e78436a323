//! Counts for the executive summary: threats by STRIDE category, severity and status.

use super::findings::Finding;
use crate::model::{Severity, Stride, TriageStatus};

/// Threat counts, in the fixed order of each vocabulary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub total: usize,
    /// `open` or `needs_investigation`.
    pub unresolved: usize,
    pub by_stride: Vec<(Stride, usize)>,
    /// Highest first.
    pub by_severity: Vec<(Severity, usize)>,
    pub by_status: Vec<(TriageStatus, usize)>,
    /// Unresolved threats by severity, highest first.
    pub unresolved_by_severity: Vec<(Severity, usize)>,
}

impl Summary {
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Summary {
        let mut stride = [0usize; 6];
        let mut severity = [0usize; 4];
        let mut unresolved_severity = [0usize; 4];
        let mut status = [0usize; 6];
        let mut total = 0;
        let mut unresolved = 0;
        for f in findings {
            total += 1;
            stride[Stride::ALL.iter().position(|s| *s == f.stride).unwrap_or(0)] += 1;
            let sev = Severity::ALL
                .iter()
                .position(|s| *s == f.severity)
                .unwrap_or(0);
            severity[sev] += 1;
            status[TriageStatus::ALL
                .iter()
                .position(|s| *s == f.status)
                .unwrap_or(0)] += 1;
            if f.status.is_unresolved() {
                unresolved += 1;
                unresolved_severity[sev] += 1;
            }
        }
        Summary {
            total,
            unresolved,
            by_stride: Stride::ALL.into_iter().zip(stride).collect(),
            by_severity: Severity::ALL.into_iter().zip(severity).rev().collect(),
            by_status: TriageStatus::ALL.into_iter().zip(status).collect(),
            unresolved_by_severity: Severity::ALL
                .into_iter()
                .zip(unresolved_severity)
                .rev()
                .collect(),
        }
    }

    /// The count of one severity.
    pub fn severity(&self, severity: Severity) -> usize {
        self.by_severity
            .iter()
            .find(|(s, _)| *s == severity)
            .map_or(0, |(_, n)| *n)
    }
}
