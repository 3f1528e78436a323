//! Text for people: a diff as a short indented listing, conflicts one per paragraph.

use std::fmt::{Display, Write};

use super::diff::{FieldChange, ModelDiff, ObjectDiff};
use super::fields::show;
use crate::model::MergeConflict;

/// A diff as indented text, one line per object and one per changed field. Empty when the
/// models are the same.
pub fn diff_text(d: &ModelDiff) -> String {
    let mut s = String::new();
    if !d.metadata.is_empty() {
        s.push_str("model\n");
        fields(&mut s, &d.metadata, "  ");
    }
    objects(&mut s, "trust boundaries", &d.boundaries);
    objects(&mut s, "elements", &d.elements);
    if !d.moves.is_empty() {
        let _ = writeln!(s, "moves ({})", d.moves.len());
        for m in &d.moves {
            let place = |name: &Option<String>, id: Option<_>| match (name, id) {
                (Some(n), _) => format!("'{n}'"),
                (None, Some(id)) => format!("{id}"),
                (None, None) => "(no boundary)".to_string(),
            };
            let _ = writeln!(
                s,
                "  > '{}' {}: {} -> {}",
                m.name,
                m.id,
                place(&m.from_name, m.from),
                place(&m.to_name, m.to)
            );
        }
    }
    objects(&mut s, "flows", &d.flows);
    objects(&mut s, "threats", &d.threats);
    if !d.triage.is_empty() {
        let t = &d.triage;
        let _ = writeln!(
            s,
            "triage (+{} -{} ~{})",
            t.added.len(),
            t.removed.len(),
            t.changed.len()
        );
        for e in &t.added {
            let _ = writeln!(s, "  + {}: {}", e.key, e.decision.status);
        }
        for e in &t.removed {
            let _ = writeln!(s, "  - {}: {}", e.key, e.decision.status);
        }
        for c in &t.changed {
            let _ = writeln!(s, "  ~ {}", c.key);
            fields(&mut s, &c.fields, "      ");
        }
    }
    if let Some((before, after)) = d.conflicts {
        let _ = writeln!(s, "unresolved merge conflicts: {before} -> {after}");
    }
    if !d.layout.is_empty() {
        let _ = writeln!(
            s,
            "layout only: {} node(s) and {} edge(s) redrawn",
            d.layout.nodes.len(),
            d.layout.edges.len()
        );
    }
    s
}

fn objects<Id: Display>(s: &mut String, title: &str, d: &ObjectDiff<Id>) {
    if d.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "{title} (+{} -{} ~{})",
        d.added.len(),
        d.removed.len(),
        d.changed.len()
    );
    for x in &d.added {
        let _ = writeln!(s, "  + {} '{}' {}", x.what, x.name, x.id);
    }
    for x in &d.removed {
        let _ = writeln!(s, "  - {} '{}' {}", x.what, x.name, x.id);
    }
    for x in &d.changed {
        let _ = writeln!(s, "  ~ {} '{}' {}", x.what, x.name, x.id);
        fields(s, &x.fields, "      ");
    }
}

fn fields(s: &mut String, changes: &[FieldChange], indent: &str) {
    for c in changes {
        let _ = writeln!(
            s,
            "{indent}{}: {} -> {}",
            c.field,
            show(c.old.as_ref()),
            show(c.new.as_ref())
        );
    }
}

/// Conflicts, one per line with the path first, then base/ours/theirs values indented.
pub fn conflicts_text(conflicts: &[MergeConflict]) -> String {
    let mut s = String::new();
    for c in conflicts {
        let _ = writeln!(s, "{} [{}] {}", c.path, c.kind, c.message);
    }
    s
}
