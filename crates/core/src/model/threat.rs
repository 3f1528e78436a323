//! Threats written by people: part of the model document, next to what they are about.
//!
//! The catalog's threats are computed from the diagram every time and never stored. A threat
//! that a person writes (or that an importer takes from another tool: a Threat Dragon threat, a
//! Threat Modeling Tool threat instance, a Threagile risk) is content of the model like an
//! element: it is saved, diffed, merged field by field and consolidated with the model. From
//! then on it is a threat like any other: analysis turns it into a threat with its own stable
//! key (`MANUAL-<id>@<target>`), and triage, reports and reviews treat that key like a rule's.
//! Its status lives in the triage map under that key, as for every threat.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BoundaryId, ElementId, FlowId, Rating, ServiceModel, Stride, ThreatId, ThreatKey};

/// The rule part of every hand-written threat's key starts with this.
pub const MANUAL_PREFIX: &str = "MANUAL-";

/// What a hand-written threat is about: an element, a flow, a trust boundary, or the whole
/// model.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ThreatTarget {
    /// The service (or application) as a whole.
    Model,
    Element(ElementId),
    Flow(FlowId),
    Boundary(BoundaryId),
}

impl ThreatTarget {
    /// The id of the object, `None` for the whole model.
    pub fn id(&self) -> Option<uuid::Uuid> {
        match self {
            ThreatTarget::Model => None,
            ThreatTarget::Element(id) => Some(id.0),
            ThreatTarget::Flow(id) => Some(id.0),
            ThreatTarget::Boundary(id) => Some(id.0),
        }
    }

    /// Whether `model` has the object.
    pub fn exists_in(&self, model: &ServiceModel) -> bool {
        match *self {
            ThreatTarget::Model => true,
            ThreatTarget::Element(id) => model.element(id).is_some(),
            ThreatTarget::Flow(id) => model.flow(id).is_some(),
            ThreatTarget::Boundary(id) => model.boundary(id).is_some(),
        }
    }

    /// Words for people naming the object as it stands in `model`: `process 'Orders API'`,
    /// `flow 'Place order'`, `trust boundary 'VNet'`, `the model`.
    pub fn describe(&self, model: &ServiceModel) -> String {
        match *self {
            ThreatTarget::Model => "the model".into(),
            ThreatTarget::Element(id) => match model.element(id) {
                Some(e) => format!("{} '{}'", e.kind.label(), e.name),
                None => format!("unknown element {id}"),
            },
            ThreatTarget::Flow(id) => match model.flow(id) {
                Some(f) => format!("flow '{}'", f.name),
                None => format!("unknown flow {id}"),
            },
            ThreatTarget::Boundary(id) => match model.boundary(id) {
                Some(b) => format!("trust boundary '{}'", b.name),
                None => format!("unknown trust boundary {id}"),
            },
        }
    }
}

impl fmt::Display for ThreatTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThreatTarget::Model => f.write_str("model"),
            ThreatTarget::Element(id) => write!(f, "element {id}"),
            ThreatTarget::Flow(id) => write!(f, "flow {id}"),
            ThreatTarget::Boundary(id) => write!(f, "boundary {id}"),
        }
    }
}

/// A threat written by a person, or taken from another tool's model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ManualThreat {
    pub id: ThreatId,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub stride: Stride,
    pub target: ThreatTarget,
    /// The author's judgement; the severity comes from likelihood and impact through the same
    /// table as a catalog threat's (`docs/scoring.md`).
    pub likelihood: Rating,
    pub impact: Rating,
    /// Mitigations of the catalog, by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mitigations: Vec<String>,
    /// Mitigations in the author's own words, one per entry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_mitigations: Vec<String>,
    /// Who wrote it (or changed it last).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author: String,
    /// When it was written, as RFC 3339 text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub created_at: String,
    /// What the source tool said that has no field here (an importer keeps it so that an export
    /// can give it back), or the author's remarks.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// In an application model: the services it came from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<String>,
}

impl ManualThreat {
    /// A new threat with a fresh id, rated medium likelihood and medium impact.
    pub fn new(title: impl Into<String>, stride: Stride, target: ThreatTarget) -> Self {
        ManualThreat {
            id: ThreatId::new(),
            title: title.into(),
            description: String::new(),
            stride,
            target,
            likelihood: Rating::Medium,
            impact: Rating::Medium,
            mitigations: Vec::new(),
            custom_mitigations: Vec::new(),
            author: String::new(),
            created_at: String::new(),
            notes: String::new(),
            origins: Vec::new(),
        }
    }

    /// The stable key: `MANUAL-<id>@<element, flow or boundary id>`, or `MANUAL-<id>@model`.
    /// The id alone identifies the threat; the target is in the key so that a key read on its
    /// own (in a report, a SARIF file, a review) says what it is about, like a rule's key.
    pub fn key(&self) -> ThreatKey {
        let target = match self.target.id() {
            Some(id) => id.to_string(),
            None => "model".to_string(),
        };
        ThreatKey(format!("{MANUAL_PREFIX}{}@{target}", self.id))
    }

    /// The likelihood and impact that give `severity` through the scoring table: low is
    /// low x low, medium is medium x medium, high is medium x high, critical is high x high.
    /// Importers use it for tools that rate a threat with one severity.
    pub fn ratings_for(severity: super::Severity) -> (Rating, Rating) {
        use super::Severity;
        match severity {
            Severity::Low => (Rating::Low, Rating::Low),
            Severity::Medium => (Rating::Medium, Rating::Medium),
            Severity::High => (Rating::Medium, Rating::High),
            Severity::Critical => (Rating::High, Rating::High),
        }
    }
}

impl ThreatKey {
    /// Whether the key is a hand-written threat's (`MANUAL-<id>@...`).
    pub fn is_manual(&self) -> bool {
        self.rule().starts_with(MANUAL_PREFIX)
    }

    /// The hand-written threat's id, for a manual key.
    pub fn manual_id(&self) -> Option<ThreatId> {
        self.rule().strip_prefix(MANUAL_PREFIX)?.parse().ok()
    }
}

impl ServiceModel {
    pub fn threat(&self, id: ThreatId) -> Option<&ManualThreat> {
        self.threats.iter().find(|t| t.id == id)
    }

    /// The hand-written threat a key belongs to, whatever target the key names.
    pub fn threat_of_key(&self, key: &ThreatKey) -> Option<&ManualThreat> {
        self.threat(key.manual_id()?)
    }

    /// Moves triage decisions of hand-written threats to their threats' current keys. A threat
    /// moved to another element (by an edit, a merge or consolidation) keeps its decision; a
    /// decision already under the current key wins, and the stale one is kept as it is.
    pub fn rekey_manual_triage(&mut self) {
        let stale: Vec<(ThreatKey, ThreatKey)> = self
            .triage
            .keys()
            .filter_map(|k| {
                let now = self.threat_of_key(k)?.key();
                (now != *k).then(|| (k.clone(), now))
            })
            .collect();
        for (old, new) in stale {
            if self.triage.contains_key(&new) {
                continue;
            }
            if let Some(d) = self.triage.remove(&old) {
                self.triage.insert(new, d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Element, ElementKind, Severity, TriageDecision, TriageStatus};

    #[test]
    fn keys_name_the_threat_and_its_target() {
        let e = Element::new(ElementKind::Process, "API");
        let t = ManualThreat::new(
            "Token replay",
            Stride::Spoofing,
            ThreatTarget::Element(e.id),
        );
        let key = t.key();
        assert_eq!(key.as_str(), format!("MANUAL-{}@{}", t.id, e.id));
        assert!(key.is_manual());
        assert_eq!(key.manual_id(), Some(t.id));
        let whole = ManualThreat::new("Insider", Stride::Tampering, ThreatTarget::Model);
        assert_eq!(whole.key().as_str(), format!("MANUAL-{}@model", whole.id));
        assert!(!ThreatKey::from("NET-01@x").is_manual());
        assert_eq!(ThreatKey::from("MANUAL-nope@x").manual_id(), None);
    }

    #[test]
    fn ratings_for_a_severity_give_it_back() {
        for s in Severity::ALL {
            let (l, i) = ManualThreat::ratings_for(s);
            assert_eq!(crate::analysis::scoring::severity(l, i), s, "{s}");
        }
    }

    #[test]
    fn target_serializes_with_its_kind() {
        let id = ElementId::new();
        let json = serde_json::to_value(ThreatTarget::Element(id)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "element", "id": id.to_string()})
        );
        let json = serde_json::to_value(ThreatTarget::Model).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "model"}));
        let back: ThreatTarget = serde_json::from_value(json).unwrap();
        assert_eq!(back, ThreatTarget::Model);
    }

    #[test]
    fn a_moved_threat_keeps_its_decision() {
        let mut m = ServiceModel::new("m");
        let a = Element::new(ElementKind::Process, "A");
        let b = Element::new(ElementKind::Process, "B");
        let mut t = ManualThreat::new("x", Stride::Spoofing, ThreatTarget::Element(a.id));
        let old = t.key();
        m.triage.insert(
            old.clone(),
            TriageDecision {
                status: TriageStatus::Mitigated,
                ..Default::default()
            },
        );
        t.target = ThreatTarget::Element(b.id);
        m.elements = vec![a, b];
        m.threats.push(t.clone());
        m.rekey_manual_triage();
        assert!(!m.triage.contains_key(&old));
        assert_eq!(m.triage[&t.key()].status, TriageStatus::Mitigated);
    }
}
