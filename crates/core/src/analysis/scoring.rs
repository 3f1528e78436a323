//! Severity: the rule's likelihood and impact, adjusted by the context of the element or flow,
//! then combined with a fixed table. `docs/scoring.md` states the method for reviewers; keep
//! the two in step.

use crate::catalog::{Attacker, Rating, Rule};
use crate::model::{ElementKind, Severity, Stride};

use super::graph::ModelGraph;

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

/// A rule's threat's severity: the table, then the rule's floor, then the cap on repudiation
/// (a missing trail or detection is never critical on its own).
pub fn rule_severity(rule: &Rule, likelihood: Rating, impact: Rating) -> Severity {
    let mut s = severity(likelihood, impact);
    if let Some(floor) = rule.min_severity {
        s = s.max(floor);
    }
    if rule.stride == Stride::Repudiation {
        s = s.min(Severity::High);
    }
    s
}

/// Callers from which a dependency counts as shared.
pub const SHARED_DEPENDENCY_CALLERS: u32 = 3;

/// What scoring needs from the graph, computed once per model.
pub struct Context<'g, 'm> {
    g: &'g ModelGraph<'m>,
    exposed: Vec<bool>,
    shielded: Vec<bool>,
    sensitive: Vec<bool>,
    flow_sensitive: Vec<bool>,
    /// Availability matters beyond the element: an entry point, or a shared dependency.
    critical_role: Vec<bool>,
}

impl<'g, 'm> Context<'g, 'm> {
    pub fn new(g: &'g ModelGraph<'m>) -> Self {
        let exposed = g.exposed().to_vec();
        let shielded = g.shielded().to_vec();
        let callers = g.callers();
        let critical_role = (0..g.element_count())
            .map(|e| {
                let entry_point = g.elements[e].kind == ElementKind::Process
                    && (g.has_tag(e, "gateway") || exposed[e] && g.reachable_from_internet()[e]);
                entry_point
                    || callers[e] >= SHARED_DEPENDENCY_CALLERS
                    || g.elements[e].origins.len() > 1
            })
            .collect();
        Context {
            g,
            sensitive: g.sensitive_elements().to_vec(),
            flow_sensitive: (0..g.flow_count()).map(|f| g.flow_sensitive(f)).collect(),
            exposed,
            shielded,
            critical_role,
        }
    }

    /// Likelihood and impact of a threat of `rule` on element `e`.
    pub fn element(&self, e: usize, rule: &Rule) -> (Rating, Rating) {
        let l = match rule.attacker {
            Attacker::Internet => adjust(rule.likelihood, self.exposed[e], self.shielded[e]),
            _ => rule.likelihood,
        };
        let raise = rule.raise_impact
            && if rule.stride == Stride::DenialOfService {
                self.critical_role[e]
            } else {
                self.sensitive[e]
            };
        (l, adjust(rule.impact, raise, false))
    }

    /// Likelihood and impact of a threat of `rule` on (oriented) flow `f`.
    pub fn flow(&self, f: usize, rule: &Rule) -> (Rating, Rating) {
        let (s, t) = self.g.flow_ends(f);
        let l = match rule.attacker {
            Attacker::Internet => {
                let exposed = self.g.is_entry(s) != self.g.is_entry(t) || self.exposed[t];
                let shielded = self.shielded[t] && !self.exposed[s];
                adjust(rule.likelihood, exposed, shielded)
            }
            _ => rule.likelihood,
        };
        let raise = rule.raise_impact
            && if rule.stride == Stride::DenialOfService {
                self.critical_role[t]
            } else {
                self.flow_sensitive[f] || self.sensitive[s] || self.sensitive[t]
            };
        (l, adjust(rule.impact, raise, false))
    }
}

/// One step lower, for a threat whose mitigation the model already has in place.
pub fn lowered(r: Rating) -> Rating {
    adjust(r, false, true)
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
