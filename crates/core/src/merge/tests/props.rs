//! Property tests: random models, random valid edits on two sides, and the laws a merge must
//! keep whatever the edits are.

use proptest::prelude::*;
use uuid::Uuid;

use crate::merge::merge;
use crate::model::{
    BoundaryId, BoundaryKind, DataFlow, Element, ElementId, ElementKind, FlowId, NodeLayout,
    PropertyValue, ServiceModel, StencilSet, ThreatKey, TriageDecision, TriageStatus,
    TrustBoundary, validate,
};

/// A model with deterministic ids: boundaries nest only in earlier ones, flows join two
/// different elements, and every element is drawn.
fn model() -> impl Strategy<Value = ServiceModel> {
    let boundaries = prop::collection::vec(prop::option::of(any::<prop::sample::Index>()), 0..4);
    let elements = prop::collection::vec(
        (
            0..3usize,
            prop::option::of(any::<prop::sample::Index>()),
            prop::collection::btree_map(0..4u8, 0..4u8, 0..3),
        ),
        0..8,
    );
    let flows = prop::collection::vec(
        (any::<prop::sample::Index>(), any::<prop::sample::Index>()),
        0..10,
    );
    let triage = prop::collection::btree_map(0..6u8, 0..6usize, 0..4);
    (boundaries, elements, flows, triage).prop_map(|(bs, es, fs, ts)| {
        let mut m = ServiceModel::new("service");
        m.id = crate::model::ModelId(Uuid::from_u128(1));
        for (i, parent) in bs.iter().enumerate() {
            let mut b = TrustBoundary::new(format!("b{i}"), BoundaryKind::Generic);
            b.id = BoundaryId(Uuid::from_u128(0x1000 + i as u128));
            b.parent = parent
                .filter(|_| i > 0)
                .map(|p| BoundaryId(Uuid::from_u128(0x1000 + p.index(i) as u128)));
            m.boundaries.push(b);
        }
        for (i, (kind, boundary, props)) in es.iter().enumerate() {
            let mut e = Element::new(ElementKind::ALL[*kind], format!("e{i}"));
            e.id = ElementId(Uuid::from_u128(0x2000 + i as u128));
            if !m.boundaries.is_empty() {
                e.boundary = boundary.map(|b| m.boundaries[b.index(m.boundaries.len())].id);
            }
            for (k, v) in props {
                e.properties.insert(format!("p{k}"), value(*v));
            }
            m.layout.nodes.insert(e.id.0, node(i as f64));
            m.elements.push(e);
        }
        if m.elements.len() >= 2 {
            for (i, (s, t)) in fs.iter().enumerate() {
                let (s, t) = (s.index(m.elements.len()), t.index(m.elements.len()));
                if s != t {
                    let mut f = DataFlow::new(format!("f{i}"), m.elements[s].id, m.elements[t].id);
                    f.id = FlowId(Uuid::from_u128(0x3000 + i as u128));
                    m.flows.push(f);
                }
            }
        }
        for (k, s) in ts {
            m.triage.insert(key(k), decision(s));
        }
        m
    })
}

fn value(v: u8) -> PropertyValue {
    match v {
        0 => true.into(),
        1 => false.into(),
        2 => PropertyValue::from(443),
        _ => "tls1.2".into(),
    }
}

fn node(x: f64) -> NodeLayout {
    NodeLayout {
        x,
        y: 0.0,
        width: 80.0,
        height: 40.0,
    }
}

fn key(k: u8) -> ThreatKey {
    ThreatKey(format!("RULE-{k}@x"))
}

fn decision(s: usize) -> TriageDecision {
    TriageDecision {
        status: TriageStatus::ALL[s % TriageStatus::ALL.len()],
        ..TriageDecision::default()
    }
}

type Ix = prop::sample::Index;

/// One edit a user can make in the editor. Indices pick among what exists when the edit is
/// applied; an edit that does not apply (nothing to pick, or it would make the model invalid)
/// does nothing.
#[derive(Clone, Debug)]
enum Edit {
    RenameElement(Ix, u8),
    SetProperty(Ix, u8, u8),
    RemoveProperty(Ix, u8),
    DeleteElement(Ix),
    AddElement(u128, usize, Option<Ix>),
    AddFlow(u128, Ix, Ix),
    DeleteFlow(Ix),
    Reconnect(Ix, bool, Ix),
    SetProtocol(Ix, u8),
    MoveElement(Ix, Option<Ix>),
    AddBoundary(u128, Option<Ix>),
    DeleteBoundary(Ix),
    SetParent(Ix, Option<Ix>),
    MoveNode(Ix, i16),
    SetTriage(u8, usize),
    SetTriageOwner(u8, u8),
    RemoveTriage(u8),
    RenameModel(u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    let ix = any::<Ix>;
    prop_oneof![
        (ix(), 0..3u8).prop_map(|(i, n)| Edit::RenameElement(i, n)),
        (ix(), 0..4u8, 0..4u8).prop_map(|(i, k, v)| Edit::SetProperty(i, k, v)),
        (ix(), 0..4u8).prop_map(|(i, k)| Edit::RemoveProperty(i, k)),
        ix().prop_map(Edit::DeleteElement),
        (any::<u128>(), 0..3usize, prop::option::of(ix()))
            .prop_map(|(id, k, b)| Edit::AddElement(id, k, b)),
        (any::<u128>(), ix(), ix()).prop_map(|(id, s, t)| Edit::AddFlow(id, s, t)),
        ix().prop_map(Edit::DeleteFlow),
        (ix(), any::<bool>(), ix()).prop_map(|(f, s, e)| Edit::Reconnect(f, s, e)),
        (ix(), 0..3u8).prop_map(|(f, p)| Edit::SetProtocol(f, p)),
        (ix(), prop::option::of(ix())).prop_map(|(e, b)| Edit::MoveElement(e, b)),
        (any::<u128>(), prop::option::of(ix())).prop_map(|(id, p)| Edit::AddBoundary(id, p)),
        ix().prop_map(Edit::DeleteBoundary),
        (ix(), prop::option::of(ix())).prop_map(|(b, p)| Edit::SetParent(b, p)),
        (ix(), any::<i16>()).prop_map(|(e, x)| Edit::MoveNode(e, x)),
        (0..6u8, 0..6usize).prop_map(|(k, s)| Edit::SetTriage(k, s)),
        (0..6u8, 0..3u8).prop_map(|(k, o)| Edit::SetTriageOwner(k, o)),
        (0..6u8).prop_map(Edit::RemoveTriage),
        (0..3u8).prop_map(Edit::RenameModel),
    ]
}

/// Only the edits that change structure, so that two sides often clash on it: reconnected
/// flows, re-nested boundaries, deletions against additions.
fn structural_edit() -> impl Strategy<Value = Edit> {
    let ix = any::<Ix>;
    prop_oneof![
        ix().prop_map(Edit::DeleteElement),
        (any::<u128>(), ix(), ix()).prop_map(|(id, s, t)| Edit::AddFlow(id, s, t)),
        (ix(), any::<bool>(), ix()).prop_map(|(f, s, e)| Edit::Reconnect(f, s, e)),
        (ix(), prop::option::of(ix())).prop_map(|(e, b)| Edit::MoveElement(e, b)),
        ix().prop_map(Edit::DeleteBoundary),
        (ix(), prop::option::of(ix())).prop_map(|(b, p)| Edit::SetParent(b, p)),
        (ix(), prop::option::of(ix())).prop_map(|(b, p)| Edit::SetParent(b, p)),
    ]
}

fn pick<T>(items: &[T], i: &Ix) -> Option<usize> {
    (!items.is_empty()).then(|| i.index(items.len()))
}

fn apply(m: &mut ServiceModel, edit: &Edit) {
    match edit {
        Edit::RenameElement(i, n) => {
            if let Some(i) = pick(&m.elements, i) {
                m.elements[i].name = format!("renamed{n}");
            }
        }
        Edit::SetProperty(i, k, v) => {
            if let Some(i) = pick(&m.elements, i) {
                m.elements[i].properties.insert(format!("p{k}"), value(*v));
            }
        }
        Edit::RemoveProperty(i, k) => {
            if let Some(i) = pick(&m.elements, i) {
                m.elements[i].properties.remove(&format!("p{k}"));
            }
        }
        Edit::DeleteElement(i) => {
            if let Some(i) = pick(&m.elements, i) {
                let id = m.elements.remove(i).id;
                m.layout.nodes.remove(&id.0);
                let gone: Vec<FlowId> = m
                    .flows
                    .iter()
                    .filter(|f| f.source == id || f.target == id)
                    .map(|f| f.id)
                    .collect();
                m.flows.retain(|f| !gone.contains(&f.id));
                for f in gone {
                    m.layout.edges.remove(&f.0);
                }
            }
        }
        Edit::AddElement(id, kind, b) => {
            let id = ElementId(Uuid::from_u128(*id));
            if m.element(id).is_none() {
                let mut e = Element::new(ElementKind::ALL[*kind], "added");
                e.id = id;
                e.boundary = b
                    .as_ref()
                    .and_then(|b| pick(&m.boundaries, b))
                    .map(|b| m.boundaries[b].id);
                m.layout.nodes.insert(id.0, node(7.0));
                m.elements.push(e);
            }
        }
        Edit::AddFlow(id, s, t) => {
            let id = FlowId(Uuid::from_u128(*id));
            if let (Some(s), Some(t)) = (pick(&m.elements, s), pick(&m.elements, t))
                && s != t
                && m.flow(id).is_none()
            {
                let mut f = DataFlow::new("added", m.elements[s].id, m.elements[t].id);
                f.id = id;
                m.flows.push(f);
            }
        }
        Edit::DeleteFlow(i) => {
            if let Some(i) = pick(&m.flows, i) {
                let id = m.flows.remove(i).id;
                m.layout.edges.remove(&id.0);
            }
        }
        Edit::Reconnect(f, source, e) => {
            if let (Some(f), Some(e)) = (pick(&m.flows, f), pick(&m.elements, e)) {
                let e = m.elements[e].id;
                let flow = &mut m.flows[f];
                if *source && flow.target != e {
                    flow.source = e;
                } else if !*source && flow.source != e {
                    flow.target = e;
                }
            }
        }
        Edit::SetProtocol(f, p) => {
            if let Some(f) = pick(&m.flows, f) {
                m.flows[f].protocol = ["HTTPS", "AMQP", "SQL"][*p as usize % 3].into();
            }
        }
        Edit::MoveElement(e, b) => {
            if let Some(e) = pick(&m.elements, e) {
                m.elements[e].boundary = b
                    .as_ref()
                    .and_then(|b| pick(&m.boundaries, b))
                    .map(|b| m.boundaries[b].id);
            }
        }
        Edit::AddBoundary(id, p) => {
            let id = BoundaryId(Uuid::from_u128(*id));
            if m.boundary(id).is_none() {
                let mut b = TrustBoundary::new("added", BoundaryKind::Subnet);
                b.id = id;
                b.parent = p
                    .as_ref()
                    .and_then(|p| pick(&m.boundaries, p))
                    .map(|p| m.boundaries[p].id);
                m.boundaries.push(b);
            }
        }
        Edit::DeleteBoundary(i) => {
            // As the editor does: members and children move to the deleted boundary's parent.
            if let Some(i) = pick(&m.boundaries, i) {
                let gone = m.boundaries.remove(i);
                m.layout.nodes.remove(&gone.id.0);
                for e in &mut m.elements {
                    if e.boundary == Some(gone.id) {
                        e.boundary = gone.parent;
                    }
                }
                for b in &mut m.boundaries {
                    if b.parent == Some(gone.id) {
                        b.parent = gone.parent;
                    }
                }
            }
        }
        Edit::SetParent(b, p) => {
            if let Some(b) = pick(&m.boundaries, b) {
                let child = m.boundaries[b].id;
                let parent = p
                    .as_ref()
                    .and_then(|p| pick(&m.boundaries, p))
                    .map(|p| m.boundaries[p].id);
                // Refuse a parent inside the child, as the editor does.
                let mut up = parent;
                let mut steps = 0;
                while let Some(x) = up {
                    if x == child || steps > m.boundaries.len() {
                        return;
                    }
                    up = m.boundary(x).and_then(|x| x.parent);
                    steps += 1;
                }
                m.boundaries[b].parent = parent;
            }
        }
        Edit::MoveNode(e, x) => {
            if let Some(e) = pick(&m.elements, e) {
                let id = m.elements[e].id.0;
                m.layout.nodes.insert(id, node(f64::from(*x)));
            }
        }
        Edit::SetTriage(k, s) => {
            m.triage.entry(key(*k)).or_default().status = decision(*s).status;
        }
        Edit::SetTriageOwner(k, o) => {
            m.triage.entry(key(*k)).or_default().owner = format!("owner{o}");
        }
        Edit::RemoveTriage(k) => {
            m.triage.remove(&key(*k));
        }
        Edit::RenameModel(n) => m.name = format!("service{n}"),
    }
}

fn edited(base: &ServiceModel, edits: &[Edit]) -> ServiceModel {
    let mut m = base.clone();
    for e in edits {
        apply(&mut m, e);
    }
    m
}

fn canonical(m: &ServiceModel) -> ServiceModel {
    let mut m = m.clone();
    m.canonicalize();
    m
}

fn errors(m: &ServiceModel) -> Vec<String> {
    validate(m, &StencilSet::default())
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_side_that_changed_nothing_gives_the_other_side(
        base in model(),
        edits in prop::collection::vec(edit(), 0..12),
    ) {
        let x = edited(&base, &edits);
        prop_assert!(errors(&x).is_empty(), "the generator made an invalid model: {:?}", errors(&x));

        let (m, conflicts) = merge(&base, &x, &base);
        prop_assert!(conflicts.is_empty(), "{conflicts:?}");
        prop_assert_eq!(canonical(&m), canonical(&x));

        let (m, conflicts) = merge(&base, &base, &x);
        prop_assert!(conflicts.is_empty(), "{conflicts:?}");
        prop_assert_eq!(canonical(&m), canonical(&x));

        let (m, conflicts) = merge(&base, &x, &x);
        prop_assert!(conflicts.is_empty(), "{conflicts:?}");
        prop_assert_eq!(canonical(&m), canonical(&x));
    }

    #[test]
    fn merging_two_sides_loses_no_element_and_stays_valid(
        base in model(),
        ours_edits in prop::collection::vec(edit(), 0..12),
        theirs_edits in prop::collection::vec(edit(), 0..12),
    ) {
        check_two_sides(&base, &ours_edits, &theirs_edits)?;
    }

    #[test]
    fn clashing_structural_edits_still_merge_to_a_valid_model(
        base in model(),
        ours_edits in prop::collection::vec(structural_edit(), 1..6),
        theirs_edits in prop::collection::vec(structural_edit(), 1..6),
    ) {
        check_two_sides(&base, &ours_edits, &theirs_edits)?;
    }
}

fn check_two_sides(
    base: &ServiceModel,
    ours_edits: &[Edit],
    theirs_edits: &[Edit],
) -> Result<(), TestCaseError> {
    {
        let ours = edited(base, ours_edits);
        let theirs = edited(base, theirs_edits);
        for (a, b) in [(&ours, &theirs), (&theirs, &ours)] {
            let (m, conflicts) = merge(base, a, b);
            prop_assert_eq!(&m.conflicts, &conflicts);
            prop_assert!(errors(&m).is_empty(), "invalid merge: {:?}", errors(&m));
            for (side, other) in [(a, b), (b, a)] {
                for e in &side.elements {
                    let deleted_by_other =
                        base.element(e.id).is_some() && other.element(e.id).is_none();
                    prop_assert!(
                        deleted_by_other || m.element(e.id).is_some(),
                        "element {} ({}) went missing",
                        e.name,
                        e.id
                    );
                }
                for f in &side.flows {
                    let deleted_by_other = base.flow(f.id).is_some() && other.flow(f.id).is_none();
                    prop_assert!(
                        deleted_by_other || m.flow(f.id).is_some(),
                        "flow {} went missing",
                        f.id
                    );
                }
            }
            // Every clash is recorded: no leaf both sides changed differently is silently lost.
            for e in &ours.elements {
                if let (Some(b), Some(t), Some(r)) =
                    (base.element(e.id), theirs.element(e.id), m.element(e.id))
                    && e.name != b.name
                    && t.name != b.name
                    && e.name != t.name
                {
                    let path = format!("/elements/{}/name", e.id);
                    prop_assert!(m.conflicts.iter().any(|c| c.path == path));
                    let kept = if std::ptr::eq(a, &ours) {
                        &e.name
                    } else {
                        &t.name
                    };
                    prop_assert_eq!(&r.name, kept);
                }
            }
        }
    }
    Ok(())
}
