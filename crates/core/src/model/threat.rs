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

    /// The name of the object in `model`: the element's, flow's or boundary's name, the model's
    /// for the whole model; `None` when the model does not have it.
    pub fn name<'m>(&self, model: &'m ServiceModel) -> Option<&'m str> {
        match *self {
            ThreatTarget::Model => Some(&model.name),
            ThreatTarget::Element(id) => model.element(id).map(|e| e.name.as_str()),
            ThreatTarget::Flow(id) => model.flow(id).map(|f| f.name.as_str()),
            ThreatTarget::Boundary(id) => model.boundary(id).map(|b| b.name.as_str()),
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

    /// Likelihood times impact, through the same table as a catalog threat's.
    pub fn severity(&self) -> super::Severity {
        super::Severity::of(self.likelihood, self.impact)
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

/// Why a hand-written threat cannot be added, changed or removed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ThreatEditError {
    #[error("a threat needs a title")]
    EmptyTitle,
    #[error("the model has no {0}")]
    UnknownTarget(ThreatTarget),
    #[error("the model has no threat {0}")]
    UnknownThreat(ThreatId),
    #[error("the model already has a threat {0}")]
    DuplicateId(ThreatId),
    #[error("'{name}' names no element, flow or trust boundary of the model (or say 'model')")]
    NoSuchObject { name: String },
    #[error("'{name}' names {count} objects of the model; use the id of one")]
    Ambiguous { name: String, count: usize },
}

impl ServiceModel {
    /// What a person means by `name`: `model` for the whole model, else the element, flow or
    /// trust boundary with that id or that name (names must be unique).
    pub fn threat_target(&self, name: &str) -> Result<ThreatTarget, ThreatEditError> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("model") {
            return Ok(ThreatTarget::Model);
        }
        let by_id = uuid::Uuid::parse_str(name).ok();
        let hits: Vec<ThreatTarget> = self
            .elements
            .iter()
            .filter(|e| Some(e.id.0) == by_id || e.name == name)
            .map(|e| ThreatTarget::Element(e.id))
            .chain(
                self.flows
                    .iter()
                    .filter(|f| Some(f.id.0) == by_id || f.name == name)
                    .map(|f| ThreatTarget::Flow(f.id)),
            )
            .chain(
                self.boundaries
                    .iter()
                    .filter(|b| Some(b.id.0) == by_id || b.name == name)
                    .map(|b| ThreatTarget::Boundary(b.id)),
            )
            .collect();
        match hits[..] {
            [one] => Ok(one),
            [] => Err(ThreatEditError::NoSuchObject { name: name.into() }),
            _ => Err(ThreatEditError::Ambiguous {
                name: name.into(),
                count: hits.len(),
            }),
        }
    }

    fn check_threat(&self, t: &ManualThreat) -> Result<(), ThreatEditError> {
        if t.title.trim().is_empty() {
            return Err(ThreatEditError::EmptyTitle);
        }
        if !t.target.exists_in(self) {
            return Err(ThreatEditError::UnknownTarget(t.target));
        }
        Ok(())
    }

    /// Adds a hand-written threat; its title must not be empty and its target must exist.
    pub fn add_threat(&mut self, t: ManualThreat) -> Result<ThreatKey, ThreatEditError> {
        self.check_threat(&t)?;
        if self.threat(t.id).is_some() {
            return Err(ThreatEditError::DuplicateId(t.id));
        }
        let key = t.key();
        self.threats.push(t);
        Ok(key)
    }

    /// Replaces the threat with `t`'s id. A threat moved to another target keeps its triage
    /// decision (under its new key).
    pub fn update_threat(&mut self, t: ManualThreat) -> Result<ThreatKey, ThreatEditError> {
        self.check_threat(&t)?;
        let slot = self
            .threats
            .iter_mut()
            .find(|x| x.id == t.id)
            .ok_or(ThreatEditError::UnknownThreat(t.id))?;
        let key = t.key();
        *slot = t;
        self.rekey_manual_triage();
        Ok(key)
    }

    /// Removes a hand-written threat and the triage decision on it.
    pub fn remove_threat(&mut self, id: ThreatId) -> Result<ManualThreat, ThreatEditError> {
        let i = self
            .threats
            .iter()
            .position(|t| t.id == id)
            .ok_or(ThreatEditError::UnknownThreat(id))?;
        let t = self.threats.remove(i);
        self.triage.retain(|k, _| k.manual_id() != Some(id));
        Ok(t)
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
            assert_eq!(Severity::of(l, i), s, "{s}");
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
    fn threats_are_added_changed_and_removed_by_the_rules() {
        let mut m = ServiceModel::new("m");
        let api = Element::new(ElementKind::Process, "API");
        let api_id = api.id;
        m.elements.push(api);
        assert_eq!(m.threat_target("API"), Ok(ThreatTarget::Element(api_id)));
        assert_eq!(m.threat_target("model"), Ok(ThreatTarget::Model));
        assert!(matches!(
            m.threat_target("Nope"),
            Err(ThreatEditError::NoSuchObject { .. })
        ));

        let mut t = ManualThreat::new("  ", Stride::Spoofing, ThreatTarget::Element(api_id));
        assert_eq!(m.add_threat(t.clone()), Err(ThreatEditError::EmptyTitle));
        t.title = "Token replay".into();
        let gone = ElementId::new();
        let mut elsewhere = t.clone();
        elsewhere.target = ThreatTarget::Element(gone);
        assert_eq!(
            m.add_threat(elsewhere),
            Err(ThreatEditError::UnknownTarget(ThreatTarget::Element(gone)))
        );
        let key = m.add_threat(t.clone()).unwrap();
        assert_eq!(
            m.add_threat(t.clone()),
            Err(ThreatEditError::DuplicateId(t.id))
        );
        m.triage.insert(
            key.clone(),
            TriageDecision {
                status: TriageStatus::Mitigated,
                ..Default::default()
            },
        );

        t.target = ThreatTarget::Model;
        let moved = m.update_threat(t.clone()).unwrap();
        assert_eq!(m.triage[&moved].status, TriageStatus::Mitigated);
        assert!(!m.triage.contains_key(&key));

        m.remove_threat(t.id).unwrap();
        assert!(m.threats.is_empty() && m.triage.is_empty());
        assert_eq!(
            m.remove_threat(t.id),
            Err(ThreatEditError::UnknownThreat(t.id))
        );
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
