//! Benchmark (not a test): diff and three-way merge of two variants of a synthetic
//! 10,000-element model, shaped like `/work/shared/bench/synth.py 50 200` (50 services of 200
//! elements, each service in its own trust boundary, chains of flows, an internet user).
//!
//! Run with `cargo bench -p stridewise-core --bench merge` (or `bash bench/merge.sh`). Prints
//! the median and the slowest wall-clock time of the timed runs for each case, and the median
//! CPU time of the thread (the machine is shared, so wall-clock time alone says little); the
//! figures go in docs/PERFORMANCE.md, "Diff and merge".

use std::hint::black_box;
use std::time::{Duration, Instant};

use stridewise_core::merge::{diff, merge};
use stridewise_core::model::{
    BoundaryId, BoundaryKind, DataFlow, Element, ElementId, ElementKind, FlowId, NodeLayout,
    ServiceModel, ThreatKey, TriageDecision, TriageStatus, TrustBoundary,
};
use uuid::Uuid;

const SERVICES: usize = 50;
const PER_SERVICE: usize = 200;
const RUNS: usize = 21;

fn synthetic() -> ServiceModel {
    let mut m = ServiceModel::new(format!("synthetic {SERVICES}x{PER_SERVICE}"));
    let mut next = 0u128;
    let mut id = || {
        next += 1;
        Uuid::from_u128(next)
    };
    let mut internet = TrustBoundary::new("Internet", BoundaryKind::Internet);
    internet.id = BoundaryId(id());
    let mut user = Element::new(ElementKind::ExternalEntity, "User");
    user.id = ElementId(id());
    user.boundary = Some(internet.id);
    let user_id = user.id;
    m.boundaries.push(internet);
    m.elements.push(user);
    let mut entries = Vec::new();
    for s in 0..SERVICES {
        let mut b = TrustBoundary::new(format!("svc{s}"), BoundaryKind::VirtualNetwork);
        b.id = BoundaryId(id());
        let mut prev: Option<ElementId> = None;
        for e in 0..PER_SERVICE {
            let (kind, name) = match e % 4 {
                3 => (ElementKind::DataStore, format!("s{s}-store{e}")),
                0 => (ElementKind::Process, format!("s{s}-srv{e}")),
                _ => (ElementKind::Process, format!("s{s}-proc{e}")),
            };
            let mut el = Element::new(kind, name);
            el.id = ElementId(id());
            el.boundary = Some(b.id);
            if kind == ElementKind::DataStore {
                el.properties
                    .insert("encrypted_at_rest".into(), (e % 8 == 3).into());
            }
            let (source, https) = match prev {
                None => {
                    entries.push(el.id);
                    (user_id, true)
                }
                Some(p) => (p, e % 5 == 0),
            };
            let mut f = DataFlow::new(format!("f{s}-{e}"), source, el.id);
            f.id = FlowId(id());
            f.protocol = if https { "HTTPS" } else { "HTTP" }.into();
            f.properties.insert("encrypted".into(), https.into());
            m.flows.push(f);
            if kind != ElementKind::DataStore {
                prev = Some(el.id);
            }
            m.layout.nodes.insert(
                el.id.0,
                NodeLayout {
                    x: (e * 120) as f64,
                    y: (s * 200) as f64,
                    width: 100.0,
                    height: 60.0,
                },
            );
            m.elements.push(el);
        }
        m.boundaries.push(b);
    }
    for s in 1..SERVICES {
        let mut f = DataFlow::new(format!("call{s}"), entries[s - 1], entries[s]);
        f.id = FlowId(id());
        f.protocol = "HTTPS".into();
        m.flows.push(f);
    }
    for (i, e) in m.elements.iter().enumerate().step_by(10) {
        m.triage.insert(
            ThreatKey(format!("RULE-{}@{}", i % 7, e.id)),
            TriageDecision::default(),
        );
    }
    m
}

/// One side's edits: every `step`-th element from `offset` renamed and re-propertied, a few
/// moved to another boundary, some deleted with their flows, some added, triage decided,
/// and a tenth of the canvas redrawn.
fn variant(base: &ServiceModel, offset: usize, step: usize, tag: &str) -> ServiceModel {
    let mut m = base.clone();
    let boundary_count = m.boundaries.len();
    let first_boundary = m.boundaries[1].id;
    let mut deleted = Vec::new();
    for (i, e) in m.elements.iter_mut().enumerate().skip(offset).step_by(step) {
        match (i / step) % 4 {
            0 => e.name = format!("{}-{tag}", e.name),
            1 => {
                e.properties.insert(format!("reviewed_{tag}"), true.into());
            }
            2 if boundary_count > 1 => e.boundary = Some(first_boundary),
            _ => deleted.push(e.id),
        }
    }
    m.elements.retain(|e| !deleted.contains(&e.id));
    m.flows
        .retain(|f| !deleted.contains(&f.source) && !deleted.contains(&f.target));
    for id in &deleted {
        m.layout.nodes.remove(&id.0);
    }
    for i in 0..50u128 {
        let mut e = Element::new(ElementKind::Process, format!("new-{tag}-{i}"));
        e.id = ElementId(Uuid::from_u128(
            0xFFFF_0000 + i + if tag == "ours" { 0 } else { 1000 },
        ));
        m.elements.push(e);
    }
    for (i, d) in m.triage.values_mut().enumerate().skip(offset).step_by(step) {
        d.status = if i % 2 == 0 {
            TriageStatus::Mitigated
        } else {
            TriageStatus::Accepted
        };
        d.owner = tag.into();
    }
    for (i, node) in m.layout.nodes.values_mut().enumerate() {
        if i % 10 == offset % 10 {
            node.x += 5.0;
        }
    }
    m
}

/// This thread's time on a CPU so far (Linux), which unlike wall-clock time does not grow
/// when other processes share the machine's cores.
fn cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn time(label: &str, mut f: impl FnMut()) {
    f(); // warm up
    let mut wall = Vec::with_capacity(RUNS);
    let mut cpu = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let (t, c) = (Instant::now(), cpu_time());
        f();
        wall.push(t.elapsed());
        if let (Some(before), Some(after)) = (c, cpu_time()) {
            cpu.push(after.saturating_sub(before));
        }
    }
    wall.sort();
    cpu.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let cpu_median = cpu
        .get(cpu.len() / 2)
        .map(|d| format!("{:>7.2} ms", ms(*d)))
        .unwrap_or_else(|| "      ?   ".into());
    println!(
        "{label:<56} wall median {:>7.2} ms, max {:>7.2} ms; cpu median {cpu_median} ({RUNS} runs)",
        ms(wall[RUNS / 2]),
        ms(wall[RUNS - 1]),
    );
}

fn main() {
    let base = synthetic();
    // Disjoint edits: ours touches every 50th element, theirs every 50th from another offset.
    let ours = variant(&base, 0, 50, "ours");
    let theirs = variant(&base, 25, 50, "theirs");
    // Overlapping edits: both sides edit the same elements (every 20th), so many objects go
    // through the field-by-field path and many fields clash.
    let ours_hot = variant(&base, 0, 20, "ours");
    let theirs_hot = variant(&base, 0, 20, "theirs");

    println!(
        "model: {} elements, {} flows, {} boundaries, {} triage decisions, {} layout nodes",
        base.elements.len(),
        base.flows.len(),
        base.boundaries.len(),
        base.triage.len(),
        base.layout.nodes.len()
    );
    let (_, c) = merge(&base, &ours, &theirs);
    println!("disjoint variants: {} conflicts", c.len());
    let (_, c) = merge(&base, &ours_hot, &theirs_hot);
    println!("overlapping variants: {} conflicts", c.len());
    let d = diff(&base, &ours);
    println!(
        "diff base->ours: +{} -{} ~{} elements, {} moves, {} layout nodes",
        d.elements.added.len(),
        d.elements.removed.len(),
        d.elements.changed.len(),
        d.moves.len(),
        d.layout.nodes.len()
    );

    time("diff(base, ours)", || {
        black_box(diff(black_box(&base), black_box(&ours)));
    });
    time("diff(base, base) (identical)", || {
        black_box(diff(black_box(&base), black_box(&base)));
    });
    time("merge(base, ours, theirs) (disjoint edits)", || {
        black_box(merge(
            black_box(&base),
            black_box(&ours),
            black_box(&theirs),
        ));
    });
    time(
        "merge(base, ours_hot, theirs_hot) (overlapping edits)",
        || {
            black_box(merge(
                black_box(&base),
                black_box(&ours_hot),
                black_box(&theirs_hot),
            ));
        },
    );
    time("merge(base, base, base) (nothing changed)", || {
        black_box(merge(black_box(&base), black_box(&base), black_box(&base)));
    });
}
