//! Severity: the rule's likelihood and impact, adjusted by the context of the element or flow,
//! then combined with a fixed table. `docs/scoring.md` states the method for reviewers; keep
//! the two in step.

use crate::catalog::Rating;
use crate::model::{BoundaryKind, Severity};

use super::graph::ModelGraph;

/// Boundaries that keep the internet out unless a flow says otherwise.
pub const PRIVATE_BOUNDARIES: [BoundaryKind; 5] = [
    BoundaryKind::VirtualNetwork,
    BoundaryKind::Subnet,
    BoundaryKind::OnPremises,
    BoundaryKind::Management,
    BoundaryKind::CiCd,
];

/// The severity table: likelihood (rows) times impact (columns), scores 1 to 9.
///
/// | likelihood \ impact | low | medium | high |
/// |---|---|---|---|
/// | low | low | low | medium |
/// | medium | low | medium | high |
/// | high | medium | high | critical |
pub fn severity(likelihood: Rating, impact: Rating) -> Severity {
    Severity::of(likelihood, impact)
}

/// What scoring needs from the graph, computed once per model.
pub struct Context<'g, 'm> {
    g: &'g ModelGraph<'m>,
    internet_facing: Vec<bool>,
    sensitive: Vec<bool>,
    flow_sensitive: Vec<bool>,
}

impl<'g, 'm> Context<'g, 'm> {
    pub fn new(g: &'g ModelGraph<'m>) -> Self {
        Context {
            g,
            internet_facing: g.internet_facing(),
            sensitive: (0..g.element_count()).map(|e| g.sensitive(e)).collect(),
            flow_sensitive: (0..g.flow_count()).map(|f| g.flow_sensitive(f)).collect(),
        }
    }

    fn in_internet(&self, e: usize) -> bool {
        self.g.in_boundary(e, BoundaryKind::Internet)
    }

    /// Exposed: in the internet, or a flow from it reaches the element directly.
    fn exposed(&self, e: usize) -> bool {
        self.in_internet(e) || self.internet_facing[e]
    }

    /// Shielded: no path from the internet, and inside a private boundary.
    fn shielded(&self, e: usize) -> bool {
        !self.in_internet(e)
            && !self.g.reachable_from_internet()[e]
            && self.g.in_any_boundary(e, &PRIVATE_BOUNDARIES)
    }

    /// Likelihood and impact of a threat on element `e`.
    pub fn element(&self, e: usize, likelihood: Rating, impact: Rating) -> (Rating, Rating) {
        let l = adjust(likelihood, self.exposed(e), self.shielded(e));
        let i = adjust(impact, self.sensitive[e], false);
        (l, i)
    }

    /// Likelihood and impact of a threat on (oriented) flow `f`.
    pub fn flow(&self, f: usize, likelihood: Rating, impact: Rating) -> (Rating, Rating) {
        let (s, t) = self.g.flow_ends(f);
        let exposed = self.in_internet(s) != self.in_internet(t);
        let shielded = self.shielded(s) && self.shielded(t);
        let sensitive = self.flow_sensitive[f] || self.sensitive[s] || self.sensitive[t];
        (
            adjust(likelihood, exposed, shielded),
            adjust(impact, sensitive, false),
        )
    }
}

fn adjust(r: Rating, raise: bool, lower: bool) -> Rating {
    let delta = i32::from(raise) - i32::from(lower);
    Rating::from_score(i32::from(r.score()) + delta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_corners() {
        assert_eq!(severity(Rating::Low, Rating::Low), Severity::Low);
        assert_eq!(severity(Rating::Low, Rating::High), Severity::Medium);
        assert_eq!(severity(Rating::Medium, Rating::Medium), Severity::Medium);
        assert_eq!(severity(Rating::Medium, Rating::High), Severity::High);
        assert_eq!(severity(Rating::High, Rating::High), Severity::Critical);
    }

    #[test]
    fn adjustments_clamp() {
        assert_eq!(adjust(Rating::High, true, false), Rating::High);
        assert_eq!(adjust(Rating::Low, false, true), Rating::Low);
        assert_eq!(adjust(Rating::Medium, true, false), Rating::High);
        assert_eq!(adjust(Rating::Medium, true, true), Rating::Medium);
    }
}
