//! The agenda as the meeting takes it: threats of one rule, on whatever elements and services,
//! are one item that is decided at once, and a threat on a resource several services share
//! is one member of it, whatever number of services draw the resource.
//!
//! The stored agenda keeps one row per service and threat ([`StoredItem`]): that is what
//! triage decides and what the next review compares. Grouping is a pure view of those rows:
//!
//! - Rows whose threats have the same key in the application model (`application_key`: the
//!   copies of one threat on a shared resource) are one [`GroupMember`], at the highest of
//!   their severities, with a note saying which service rated it so.
//! - Members of the same rule (the rule id of the key; threats merged by a shared cause carry
//!   the key of their first rule, so one cause is one rule here) are one [`AgendaGroup`].
//!   A threat that no longer fires is never grouped: confirming it is gone is its own question.
//! - A group with more than one row is named by its rule id (`review decide NET-DOS-01`), a
//!   single row by its threat key, so the items of a small agenda look as they always did.
//!
//! A decision on a group applies to every member except the ones the reviewer excepts or
//! decided on their own (the rows remember which group decision set them: `decided_with`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{AgendaReason, ItemDecision, StoredItem};
use crate::model::{Severity, ThreatKey};

/// One threat of a group: the rows of every service that shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupMember {
    /// Its key in the application model.
    pub application_key: ThreatKey,
    /// The highest severity of its rows.
    pub severity: Severity,
    /// Why this severity when services disagree, e.g. "critical in mc-stamp, high in
    /// mc-global; the highest counts"; empty when they agree or it has one row.
    pub severity_note: String,
    /// The rows, highest severity first.
    pub items: Vec<StoredItem>,
}

impl GroupMember {
    /// Whether every row has a decision.
    pub fn decided(&self) -> bool {
        self.items.iter().all(|i| i.decision.is_some())
    }

    /// The title of its worst row.
    pub fn title(&self) -> &str {
        &self.items[0].item.title
    }

    /// The services that show it, in row order.
    pub fn services(&self) -> Vec<&str> {
        self.items.iter().map(|i| i.service.as_str()).collect()
    }

    /// Whether `key` names it: its application key or the key of one of its rows.
    pub fn is_named_by(&self, key: &str) -> bool {
        self.application_key.as_str() == key
            || self.items.iter().any(|i| i.item.key.as_str() == key)
    }
}

/// One item of the meeting's agenda.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgendaGroup {
    /// What `review decide` takes: the rule id when the group has several rows, else the
    /// threat key of its one row.
    pub id: String,
    /// The rule id.
    pub rule: String,
    /// The title of its worst member.
    pub title: String,
    /// The highest severity of its members.
    pub severity: Severity,
    /// Every reason of its members, in the order of [`AgendaReason`].
    pub reasons: Vec<AgendaReason>,
    /// Highest severity first.
    pub members: Vec<GroupMember>,
}

impl AgendaGroup {
    /// Whether it holds more than one row (it is named by its rule id then).
    pub fn is_group(&self) -> bool {
        self.rows().count() > 1
    }

    /// Every row of every member.
    pub fn rows(&self) -> impl Iterator<Item = &StoredItem> {
        self.members.iter().flat_map(|m| m.items.iter())
    }

    /// Whether every row has a decision.
    pub fn decided(&self) -> bool {
        self.members.iter().all(GroupMember::decided)
    }

    /// The decision to show for the item: the one the group was decided with, else the first
    /// one of its rows; `None` until every row is decided.
    pub fn decision(&self) -> Option<&ItemDecision> {
        if !self.decided() {
            return None;
        }
        self.rows()
            .find(|i| i.decided_with.as_deref() == Some(self.id.as_str()))
            .or_else(|| self.rows().next())
            .and_then(|i| i.decision.as_ref())
    }
}

/// Groups the rows of an agenda (see the module's documentation), worst first, then by id.
pub fn group_agenda(items: &[StoredItem]) -> Vec<AgendaGroup> {
    // rule (or the key of an obsolete threat) -> application key -> rows
    let mut by_rule: BTreeMap<String, BTreeMap<&ThreatKey, Vec<&StoredItem>>> = BTreeMap::new();
    for i in items {
        let gone = i.item.reasons.contains(&AgendaReason::Obsolete);
        let rule = if gone {
            i.item.key.to_string()
        } else {
            i.item.key.rule().to_string()
        };
        by_rule
            .entry(rule)
            .or_default()
            .entry(&i.item.application_key)
            .or_default()
            .push(i);
    }
    let mut groups: Vec<AgendaGroup> = by_rule
        .into_values()
        .map(|members| {
            let mut members: Vec<GroupMember> = members
                .into_iter()
                .map(|(key, rows)| member(key, rows))
                .collect();
            members.sort_by(|a, b| {
                b.severity
                    .cmp(&a.severity)
                    .then_with(|| a.items[0].service.cmp(&b.items[0].service))
                    .then_with(|| a.application_key.cmp(&b.application_key))
            });
            let mut reasons: Vec<AgendaReason> = members
                .iter()
                .flat_map(|m| m.items.iter().flat_map(|i| i.item.reasons.iter().copied()))
                .collect();
            reasons.sort();
            reasons.dedup();
            let rows: usize = members.iter().map(|m| m.items.len()).sum();
            let first = &members[0];
            AgendaGroup {
                id: if rows > 1 {
                    first.items[0].item.key.rule().to_string()
                } else {
                    first.items[0].item.key.to_string()
                },
                rule: first.items[0].item.key.rule().to_string(),
                title: first.title().to_string(),
                severity: first.severity,
                reasons,
                members,
            }
        })
        .collect();
    groups.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
    groups
}

fn member(key: &ThreatKey, rows: Vec<&StoredItem>) -> GroupMember {
    let mut items: Vec<StoredItem> = rows.into_iter().cloned().collect();
    items.sort_by(StoredItem::agenda_order);
    let severity = items[0].item.severity;
    let severity_note = if items.iter().all(|i| i.item.severity == severity) {
        String::new()
    } else {
        let each: Vec<String> = items
            .iter()
            .map(|i| format!("{} in {}", i.item.severity.as_str(), i.service))
            .collect();
        format!(
            "{}; one resource, so the highest counts ({} sees it {})",
            each.join(", "),
            items[0].service,
            severity.as_str()
        )
    };
    GroupMember {
        application_key: key.clone(),
        severity,
        severity_note,
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ModelId, TriageStatus};
    use crate::review::AgendaItem;

    fn row(service: &str, key: &str, app_key: &str, severity: Severity) -> StoredItem {
        StoredItem {
            model: ModelId::derived(uuid::Uuid::nil(), service),
            service: service.into(),
            item: AgendaItem {
                key: key.into(),
                title: format!("threat {key}"),
                severity,
                status: Some(TriageStatus::Open),
                reasons: vec![AgendaReason::New, AgendaReason::StillOpen],
                application_key: app_key.into(),
            },
            decision: None,
            decided_with: None,
        }
    }

    #[test]
    fn one_item_per_rule_and_one_member_per_shared_resource() {
        use Severity::*;
        let mut gone = row("b", "OLD@9", "OLD@9", Low);
        gone.item.reasons = vec![AgendaReason::Obsolete];
        gone.item.status = None;
        let rows = vec![
            // The registry, shared by three services, rated differently by each.
            row("a", "DS-01@reg-a", "DS-01@reg", High),
            row("b", "DS-01@reg-b", "DS-01@reg", Critical),
            row("c", "DS-01@reg-c", "DS-01@reg", Medium),
            // The same rule on an unshared store.
            row("a", "DS-01@db", "DS-01@db", Medium),
            // Another rule, once.
            row("a", "NET-01@api", "NET-01@api", High),
            gone,
        ];
        let groups = group_agenda(&rows);
        let ids: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
        assert_eq!(ids, ["DS-01", "NET-01@api", "OLD@9"]);
        let ds = &groups[0];
        assert!(ds.is_group());
        assert_eq!(ds.severity, Critical);
        assert_eq!(ds.members.len(), 2, "the registry once, the store once");
        let registry = &ds.members[0];
        assert_eq!(registry.application_key.as_str(), "DS-01@reg");
        assert_eq!(registry.severity, Critical);
        assert_eq!(registry.services(), ["b", "a", "c"]);
        assert!(
            registry.severity_note.starts_with(
                "critical in b, high in a, medium in c; one resource, so the highest counts"
            ),
            "{}",
            registry.severity_note
        );
        assert!(ds.members[1].severity_note.is_empty());
        assert!(registry.is_named_by("DS-01@reg-c") && registry.is_named_by("DS-01@reg"));
        assert!(!registry.is_named_by("DS-01@db"));
        // A single row keeps its key as the item's id; an obsolete threat stays alone.
        assert!(!groups[1].is_group());
        assert_eq!(groups[2].reasons, [AgendaReason::Obsolete]);
        assert_eq!(
            groups[0].reasons,
            [AgendaReason::New, AgendaReason::StillOpen]
        );
    }

    #[test]
    fn a_group_is_decided_when_every_row_is() {
        let mut rows = vec![
            row("a", "R@1", "R@1", Severity::High),
            row("a", "R@2", "R@2", Severity::High),
        ];
        let decision = |status| ItemDecision {
            status,
            justification: "j".into(),
            owner: String::new(),
            due_sprint: String::new(),
            ticket: String::new(),
            decided_by: "ana".into(),
            decided_at: "now".into(),
        };
        rows[1].decision = Some(decision(TriageStatus::Accepted));
        assert_eq!(group_agenda(&rows)[0].decision(), None);
        rows[0].decision = Some(decision(TriageStatus::Mitigated));
        rows[0].decided_with = Some("R".into());
        let g = &group_agenda(&rows)[0];
        assert!(g.decided());
        assert_eq!(
            g.decision().map(|d| d.status),
            Some(TriageStatus::Mitigated),
            "the group's own decision, not the exception's"
        );
        assert_eq!(progress(&rows).decided, 1);
    }

    use crate::review::progress;
}
