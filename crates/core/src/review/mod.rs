//! Sprint threat reviews: the meeting the source document asks teams to budget for every
//! sprint ("Allocate engineering budget within each sprint to evaluate potential new threats").
//!
//! This module holds the pure parts: the records of a review ([`record`]), building the agenda
//! from what changed since the last closed review, grouping it into the items a meeting
//! decides at once ([`group`]), and fingerprinting what a threat is about
//! so that a change to it shows. `app::review` runs reviews over a workspace (start, decide,
//! progress, close); the SQL lives in `store::review`.

pub mod agenda;
pub mod group;
pub mod record;

pub use agenda::{AgendaItem, AgendaReason, CurrentThreat, SeenThreat, build_agenda, natural_cmp};
pub use group::{AgendaGroup, GroupMember, group_agenda};
pub use record::{
    Agenda, ItemDecision, Progress, ReviewId, ReviewInfo, ReviewReport, ReviewState, ReviewedModel,
    SnapshotThreat, StoredItem, TrendPoint, progress, progress_of,
};

use crate::model::{ElementId, FlowId, ServiceModel, ThreatKey};

/// A stable hash of the semantics of what a threat is about: its element, or its flow with the
/// flow's source and target, and for a threat written by hand also what it says (title,
/// description, category, rating, mitigations), so that rewording or re-rating it shows as a
/// change. Layout, notes, origins, and who wrote it when do not count. Two models that differ
/// only in those give the same fingerprint.
pub fn fingerprint(model: &ServiceModel, key: &ThreatKey) -> String {
    let mut hash = Fnv::new();
    if let Some(t) = model.threat_of_key(key) {
        let mut t = t.clone();
        t.author.clear();
        t.created_at.clear();
        t.notes.clear();
        t.origins.clear();
        hash.write(&serde_json::to_vec(&t).unwrap_or_default());
        hash.write(b"|");
    }
    for part in key.parts() {
        if let Ok(id) = part.parse::<ElementId>()
            && let Some(e) = model.element(id)
        {
            let mut e = e.clone();
            e.notes.clear();
            e.origins.clear();
            hash.write(&serde_json::to_vec(&e).unwrap_or_default());
        } else if let Ok(id) = part.parse::<FlowId>()
            && let Some(f) = model.flow(id)
        {
            let mut f = f.clone();
            f.notes.clear();
            f.origins.clear();
            hash.write(&serde_json::to_vec(&f).unwrap_or_default());
        } else {
            hash.write(b"?");
        }
        hash.write(b"|");
    }
    format!("{:016x}", hash.0)
}

/// FNV-1a, 64 bits: small, stable across Rust versions and platforms (unlike `DefaultHasher`).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DataFlow, Element, ElementKind, NodeLayout};

    #[test]
    fn fingerprint_sees_what_a_hand_written_threat_says() {
        use crate::model::{ManualThreat, Stride, ThreatTarget};
        let mut m = ServiceModel::new("m");
        let api = Element::new(ElementKind::Process, "API");
        let t = ManualThreat::new(
            "Token replay",
            Stride::Spoofing,
            ThreatTarget::Element(api.id),
        );
        m.elements.push(api);
        m.threats.push(t.clone());
        let key = t.key();
        let before = fingerprint(&m, &key);

        // Who wrote it, when, and remarks are not what it says.
        m.threats[0].author = "someone else".into();
        m.threats[0].notes = "remark".into();
        assert_eq!(fingerprint(&m, &key), before);

        // A new wording is a change the review should see.
        m.threats[0].description = "A captured token is replayed from another client.".into();
        assert_ne!(fingerprint(&m, &key), before);
    }

    #[test]
    fn fingerprint_sees_semantics_not_layout() {
        let mut m = ServiceModel::new("s");
        let a = Element::new(ElementKind::Process, "A");
        let b = Element::new(ElementKind::DataStore, "B");
        let f = DataFlow::new("write", a.id, b.id);
        let key = ThreatKey(format!("R@{}@{}@{}", a.id, f.id, b.id));
        m.elements = vec![a.clone(), b];
        m.flows = vec![f];
        let before = fingerprint(&m, &key);
        m.layout.nodes.insert(
            a.id.0,
            NodeLayout {
                x: 1.0,
                y: 2.0,
                width: 3.0,
                height: 4.0,
            },
        );
        m.elements[0].notes = "a note".into();
        assert_eq!(fingerprint(&m, &key), before);
        m.flows[0]
            .properties
            .insert("encrypted".into(), true.into());
        assert_ne!(fingerprint(&m, &key), before);
        let element_key = ThreatKey(format!("R@{}", a.id));
        let e_before = fingerprint(&m, &element_key);
        m.elements[0].name = "A2".into();
        assert_ne!(fingerprint(&m, &element_key), e_before);
    }
}
