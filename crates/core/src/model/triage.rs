//! The vocabulary of threats and of the decisions people take about them: STRIDE categories,
//! severities, stable threat keys and triage decisions.
//!
//! It lives in the model because a model document carries its triage decisions (so that an
//! exported file or a git branch keeps them), while analysis and the workspace use the same
//! words.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ElementId, FlowId};

/// The six STRIDE categories.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Stride {
    Spoofing,
    Tampering,
    Repudiation,
    InformationDisclosure,
    DenialOfService,
    ElevationOfPrivilege,
}

impl Stride {
    pub const ALL: [Stride; 6] = [
        Stride::Spoofing,
        Stride::Tampering,
        Stride::Repudiation,
        Stride::InformationDisclosure,
        Stride::DenialOfService,
        Stride::ElevationOfPrivilege,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Stride::Spoofing => "spoofing",
            Stride::Tampering => "tampering",
            Stride::Repudiation => "repudiation",
            Stride::InformationDisclosure => "information_disclosure",
            Stride::DenialOfService => "denial_of_service",
            Stride::ElevationOfPrivilege => "elevation_of_privilege",
        }
    }

    /// Words for people: "Information disclosure".
    pub fn label(&self) -> &'static str {
        match self {
            Stride::Spoofing => "Spoofing",
            Stride::Tampering => "Tampering",
            Stride::Repudiation => "Repudiation",
            Stride::InformationDisclosure => "Information disclosure",
            Stride::DenialOfService => "Denial of service",
            Stride::ElevationOfPrivilege => "Elevation of privilege",
        }
    }

    /// The single letter of the acronym.
    pub fn letter(&self) -> char {
        self.label().chars().next().unwrap_or('?')
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Stride {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a threat is, from `low` to `critical`. Ordered, so `>=` compares severities.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The stable key of a threat: the rule id plus the ids of what it is about
/// (`RULE@element` or `RULE@source@flow@target`). Triage is keyed by it, so decisions survive
/// re-analysis, merges and consolidation.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct ThreatKey(pub String);

/// What a threat key is about, read from the key alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyTarget {
    /// `RULE@id`: an element. (Keys imported from Threat Dragon put a flow's id here when the
    /// threat was drawn on a flow; [`ServiceModel::object_of_key`](super::ServiceModel) looks
    /// the id up among both.)
    Element(ElementId),
    /// `RULE@source@flow@target`: a flow, in the direction the rule saw it.
    Flow {
        source: ElementId,
        flow: FlowId,
        target: ElementId,
    },
}

impl ThreatKey {
    /// The key of a threat on an element: `RULE@element`.
    pub fn for_element(rule: &str, element: ElementId) -> Self {
        Self::build(rule, &[element.0])
    }

    /// The key of a threat on a flow seen from `source` to `target`: `RULE@source@flow@target`.
    pub fn for_flow(rule: &str, source: ElementId, flow: FlowId, target: ElementId) -> Self {
        Self::build(rule, &[source.0, flow.0, target.0])
    }

    /// `RULE@id@id...`, written without the formatting machinery (analysis builds one key per
    /// threat).
    fn build(rule: &str, ids: &[Uuid]) -> Self {
        let mut s = String::with_capacity(rule.len() + 37 * ids.len());
        s.push_str(rule);
        let mut buf = Uuid::encode_buffer();
        for id in ids {
            s.push('@');
            s.push_str(id.hyphenated().encode_lower(&mut buf));
        }
        ThreatKey(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The rule id: the part before the first `@`.
    pub fn rule(&self) -> &str {
        self.0.split('@').next().unwrap_or("")
    }

    /// The parts after the rule id, as written (normally UUIDs; keys imported from other tools
    /// may hold other text).
    pub fn parts(&self) -> impl Iterator<Item = &str> {
        self.0.split('@').skip(1)
    }

    /// The ids in the key after the rule id, leaving out parts that are not UUIDs.
    pub fn ids(&self) -> impl Iterator<Item = Uuid> {
        self.parts().filter_map(|p| Uuid::parse_str(p).ok())
    }

    /// What the key is about: one id is an element, three are a flow with its ends. `None` for
    /// any other shape (a typo, or a key imported from a tool with its own scheme).
    pub fn parse(&self) -> Option<KeyTarget> {
        let mut ids = Vec::with_capacity(3);
        for part in self.parts() {
            ids.push(Uuid::parse_str(part).ok()?);
        }
        match ids[..] {
            [e] => Some(KeyTarget::Element(ElementId(e))),
            [s, f, t] => Some(KeyTarget::Flow {
                source: ElementId(s),
                flow: FlowId(f),
                target: ElementId(t),
            }),
            _ => None,
        }
    }

    /// The same key with its ids mapped (consolidation gives shared elements new ids): every
    /// part that is a UUID goes through `map`, and stays as it is when `map` gives `None`.
    pub fn remap(&self, map: impl Fn(Uuid) -> Option<Uuid>) -> ThreatKey {
        let mut parts = self.0.split('@');
        let mut out = String::with_capacity(self.0.len());
        out.push_str(parts.next().unwrap_or(""));
        for part in parts {
            out.push('@');
            match Uuid::parse_str(part).ok().and_then(&map) {
                Some(id) => out.push_str(&id.to_string()),
                None => out.push_str(part),
            }
        }
        ThreatKey(out)
    }
}

impl fmt::Display for ThreatKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ThreatKey {
    fn from(s: &str) -> Self {
        ThreatKey(s.to_string())
    }
}

/// Where a threat stands.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TriageStatus {
    /// Not decided yet.
    #[default]
    Open,
    NeedsInvestigation,
    Mitigated,
    /// The risk is known and accepted, with a justification.
    Accepted,
    NotApplicable,
    /// Someone else (another team, the platform) carries it.
    Transferred,
}

impl TriageStatus {
    /// Whether a decision with this status must say why: accepting a risk, calling a threat not
    /// applicable and handing it to someone else are claims an auditor will ask about.
    pub fn needs_justification(self) -> bool {
        matches!(
            self,
            TriageStatus::Accepted | TriageStatus::NotApplicable | TriageStatus::Transferred
        )
    }

    pub const ALL: [TriageStatus; 6] = [
        TriageStatus::Open,
        TriageStatus::NeedsInvestigation,
        TriageStatus::Mitigated,
        TriageStatus::Accepted,
        TriageStatus::NotApplicable,
        TriageStatus::Transferred,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            TriageStatus::Open => "open",
            TriageStatus::NeedsInvestigation => "needs_investigation",
            TriageStatus::Mitigated => "mitigated",
            TriageStatus::Accepted => "accepted",
            TriageStatus::NotApplicable => "not_applicable",
            TriageStatus::Transferred => "transferred",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Still needs work: `open` or `needs_investigation`.
    pub fn is_unresolved(&self) -> bool {
        matches!(self, TriageStatus::Open | TriageStatus::NeedsInvestigation)
    }
}

impl fmt::Display for TriageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a mitigation of a threat stands (the threat-mitigation link).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MitigationStatus {
    #[default]
    Proposed,
    InProgress,
    Implemented,
    WillNotImplement,
}

impl MitigationStatus {
    pub const ALL: [MitigationStatus; 4] = [
        MitigationStatus::Proposed,
        MitigationStatus::InProgress,
        MitigationStatus::Implemented,
        MitigationStatus::WillNotImplement,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            MitigationStatus::Proposed => "proposed",
            MitigationStatus::InProgress => "in_progress",
            MitigationStatus::Implemented => "implemented",
            MitigationStatus::WillNotImplement => "will_not_implement",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A decision about one threat.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct TriageDecision {
    pub status: TriageStatus,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub justification: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub owner: String,
    /// A tracker reference, e.g. `PAY-1234`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ticket: String,
    /// Replaces the computed severity when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_override: Option<Severity>,
    /// The sprint by which the owner means to act, e.g. `2026.24`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub due_sprint: String,
    /// Who took the decision.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub decided_by: String,
    /// When, as RFC 3339 text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub decided_at: String,
    /// The status of each of the threat's mitigations, by mitigation id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub mitigations: BTreeMap<String, MitigationStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn keys_built_for_elements_and_flows_parse_back() {
        let e = ThreatKey::for_element("NET-01", ElementId(id(1)));
        assert_eq!(e.as_str(), format!("NET-01@{}", id(1)));
        assert_eq!(e.rule(), "NET-01");
        assert_eq!(e.parse(), Some(KeyTarget::Element(ElementId(id(1)))));

        let f = ThreatKey::for_flow("NET-02", ElementId(id(1)), FlowId(id(2)), ElementId(id(3)));
        assert_eq!(f.as_str(), format!("NET-02@{}@{}@{}", id(1), id(2), id(3)));
        assert_eq!(
            f.parse(),
            Some(KeyTarget::Flow {
                source: ElementId(id(1)),
                flow: FlowId(id(2)),
                target: ElementId(id(3)),
            })
        );
        assert_eq!(f.ids().collect::<Vec<_>>(), [id(1), id(2), id(3)]);
    }

    #[test]
    fn keys_of_other_shapes_do_not_parse() {
        for text in [
            "NET-01",
            "NET-01@",
            "NET-01@not-an-id",
            "R@a@b",
            "R@x@y@z@w",
        ] {
            assert_eq!(ThreatKey::from(text).parse(), None, "{text}");
        }
        let two = ThreatKey(format!("R@{}@{}", id(1), id(2)));
        assert_eq!(two.parse(), None);
        assert_eq!(two.ids().count(), 2);
    }

    #[test]
    fn remap_rewrites_the_ids_it_knows_and_keeps_the_rest() {
        let key = ThreatKey(format!("R@{}@{}@text", id(1), id(2)));
        let mapped = key.remap(|u| (u == id(1)).then_some(id(9)));
        assert_eq!(mapped.as_str(), format!("R@{}@{}@text", id(9), id(2)));
        assert_eq!(ThreatKey::from("R").remap(|_| Some(id(1))).as_str(), "R");
    }
}
