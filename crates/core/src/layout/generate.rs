//! Diagram geometry for models that have none: a layered left-to-right layout in which every
//! trust boundary is a box around its elements and its nested boundaries.
//!
//! Elements get a rank (the longest chain of flows leading to them, cycles broken where a
//! depth-first walk meets them), so that data moves left to right. Each boundary is laid out
//! as columns of its children grouped by rank, and is sized to fit them; the boxes then nest
//! without overlapping. Deterministic: the same model gives the same geometry.

use std::collections::{BTreeMap, HashMap, HashSet};

use uuid::Uuid;

use super::place::{REPORT_FONT, Rect};
use crate::model::{BoundaryId, ElementKind, Layout, NodeLayout, ServiceModel};

pub const ELEMENT_W: f64 = 150.0;
pub const ELEMENT_H: f64 = 64.0;
const PAD: f64 = 18.0;
const LABEL_H: f64 = 26.0;
/// Room between columns for a flow's label (up to 30 characters wide) beside its flow.
const COL_GAP: f64 = 220.0;
const ROW_GAP: f64 = 44.0;
const MARGIN: f64 = 20.0;

/// The layout to draw. With no stored layout (or no element in it) a generated one. Otherwise
/// the stored one, each element grown downwards until its whole name fits (as the editor draws
/// it); an element it lacks is placed on its own (in a free spot of its boundary, else below
/// the boundary's contents, moving down what is below), the rest keep their places; boundaries
/// it lacks are sized around their contents.
pub fn resolved_layout(model: &ServiceModel) -> Layout {
    let stored = &model.layout;
    let known = model
        .elements
        .iter()
        .filter(|e| stored.nodes.contains_key(&e.id.0))
        .count();
    if known == 0 {
        return generated_layout(model);
    }
    let mut layout = stored.clone();
    for e in &model.elements {
        if let Some(n) = layout.nodes.get_mut(&e.id.0) {
            *n = REPORT_FONT.fit(*n, &e.name, e.stencil.as_str());
        }
    }
    let depth = boundary_depths(model);
    for e in &model.elements {
        if !layout.nodes.contains_key(&e.id.0) {
            place_missing(model, &depth, e, &mut layout);
        }
    }
    // Boundaries without a stored box fit around their children, innermost first.
    let mut missing: Vec<_> = model
        .boundaries
        .iter()
        .filter(|b| !layout.nodes.contains_key(&b.id.0))
        .collect();
    missing.sort_by_key(|b| std::cmp::Reverse(depth.get(&b.id).copied().flatten().unwrap_or(0)));
    for b in missing {
        let children = model
            .elements
            .iter()
            .filter(|e| e.boundary == Some(b.id))
            .map(|e| e.id.0)
            .chain(
                model
                    .boundaries
                    .iter()
                    .filter(|c| c.parent == Some(b.id))
                    .map(|c| c.id.0),
            );
        let mut bbox: Option<(f64, f64, f64, f64)> = None;
        for id in children {
            if let Some(n) = layout.nodes.get(&id) {
                let (x0, y0, x1, y1) = bbox.unwrap_or((f64::MAX, f64::MAX, f64::MIN, f64::MIN));
                bbox = Some((
                    x0.min(n.x),
                    y0.min(n.y),
                    x1.max(n.x + n.width),
                    y1.max(n.y + n.height),
                ));
            }
        }
        if let Some((x0, y0, x1, y1)) = bbox {
            layout.nodes.insert(
                b.id.0,
                NodeLayout {
                    x: x0 - PAD,
                    y: y0 - PAD - LABEL_H,
                    width: x1 - x0 + 2.0 * PAD,
                    height: y1 - y0 + 2.0 * PAD + LABEL_H,
                },
            );
        }
    }
    layout
}

/// The size of a newly placed element: the default box, grown to its whole name and stencil.
fn element_size(e: &crate::model::Element) -> (f64, f64) {
    let n = REPORT_FONT.fit(
        NodeLayout {
            x: 0.0,
            y: 0.0,
            width: ELEMENT_W,
            height: ELEMENT_H,
        },
        &e.name,
        e.stencil.as_str(),
    );
    (n.width, n.height)
}

/// Places one element the stored layout lacks, moving nothing else unless it must. Its
/// container is the innermost boundary of its chain that has a box (or the whole drawing).
/// The element goes in the first free spot of the container, scanning rows from the top left;
/// with none free, the container (and every box around it) grows downwards by the element's
/// height and everything below it moves down as much, so nothing comes to overlap.
fn place_missing(
    model: &ServiceModel,
    depth: &HashMap<BoundaryId, Option<usize>>,
    e: &crate::model::Element,
    layout: &mut Layout,
) {
    let (w, h) = element_size(e);
    // The boxes around the element, innermost first; a looping chain counts as none.
    let chain: Vec<Uuid> = match e.boundary {
        Some(b) if depth.get(&b).is_some_and(|d| d.is_some()) => model
            .boundary_nesting(b)
            .map(|b| b.id.0)
            .filter(|id| layout.nodes.contains_key(id))
            .collect(),
        _ => Vec::new(),
    };
    let area = match chain.first() {
        Some(id) => {
            let n = layout.nodes[id];
            NodeLayout {
                x: n.x + PAD,
                y: n.y + PAD + LABEL_H,
                width: n.width - 2.0 * PAD,
                height: n.height - 2.0 * PAD - LABEL_H,
            }
        }
        None => {
            let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for n in layout.nodes.values() {
                x0 = x0.min(n.x);
                y0 = y0.min(n.y);
                x1 = x1.max(n.x + n.width);
                y1 = y1.max(n.y + n.height);
            }
            NodeLayout {
                x: x0,
                y: y0,
                width: x1 - x0,
                height: y1 - y0,
            }
        }
    };
    let obstacles: Vec<Rect> = layout
        .nodes
        .iter()
        .filter(|(id, _)| !chain.contains(id))
        .map(|(_, n)| Rect::from(n))
        .collect();
    let free = |x: f64, y: f64| {
        let r = Rect {
            x,
            y,
            width: w,
            height: h,
        };
        !obstacles.iter().any(|o| r.overlaps(o, ROW_GAP / 2.0))
    };
    let step = 10.0;
    let mut y = area.y;
    while y + h <= area.y + area.height {
        let mut x = area.x;
        while x + w <= area.x + area.width {
            if free(x, y) {
                layout.nodes.insert(
                    e.id.0,
                    NodeLayout {
                        x,
                        y,
                        width: w,
                        height: h,
                    },
                );
                return;
            }
            x += step;
        }
        y += step;
    }
    // No free spot: a new row at the bottom of the container.
    let bottom = area.y + area.height;
    let grow = h + ROW_GAP;
    for (id, n) in layout.nodes.iter_mut() {
        if chain.contains(id) {
            n.height += grow;
        } else if n.y >= bottom {
            n.y += grow;
        }
    }
    let y = bottom
        + if chain.is_empty() {
            ROW_GAP
        } else {
            ROW_GAP / 2.0
        };
    layout.nodes.insert(
        e.id.0,
        NodeLayout {
            x: area.x,
            y,
            width: w,
            height: h,
        },
    );
}

/// How deep each boundary is nested (0 for top level; an unknown parent counts as none).
/// `None` when the parent chain loops: such boundaries are drawn at top level.
fn boundary_depths(model: &ServiceModel) -> HashMap<BoundaryId, Option<usize>> {
    model
        .boundaries
        .iter()
        .map(|b| {
            let mut walk = model.boundary_nesting(b.id);
            let walked = walk.by_ref().count();
            let depth = walk.looped_to().is_none().then(|| walked.saturating_sub(1));
            (b.id, depth)
        })
        .collect()
}

/// The rank of every element: the length of the longest chain of flows that leads to it.
fn ranks(model: &ServiceModel) -> HashMap<Uuid, usize> {
    let index: HashMap<Uuid, usize> = model
        .elements
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.0, i))
        .collect();
    let n = model.elements.len();
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indegree = vec![0usize; n];
    for f in &model.flows {
        if let (Some(&s), Some(&t)) = (index.get(&f.source.0), index.get(&f.target.0))
            && s != t
        {
            out_edges[s].push(t);
            indegree[t] += 1;
        }
    }
    for v in &mut out_edges {
        v.sort_unstable();
        v.dedup();
    }
    // Depth-first walk from sources first (then from whatever is left, for pure cycles);
    // edges to a node still on the stack are back edges and are ignored.
    let mut starts: Vec<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    starts.extend((0..n).filter(|&i| indegree[i] != 0));
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut post = Vec::with_capacity(n);
    let mut back: HashSet<(usize, usize)> = HashSet::new();
    for s in starts {
        if state[s] != 0 {
            continue;
        }
        let mut stack = vec![(s, 0usize)];
        state[s] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&w) = out_edges[v].get(*next) {
                *next += 1;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => {
                        back.insert((v, w));
                    }
                    _ => {}
                }
            } else {
                state[v] = 2;
                post.push(v);
                stack.pop();
            }
        }
    }
    let mut rank = vec![0usize; n];
    for &v in post.iter().rev() {
        for &w in &out_edges[v] {
            if !back.contains(&(v, w)) {
                rank[w] = rank[w].max(rank[v] + 1);
            }
        }
    }
    model
        .elements
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.0, rank[i]))
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    Element(usize),
    Boundary(usize),
}

struct Tree<'a> {
    model: &'a ServiceModel,
    rank: HashMap<Uuid, usize>,
    /// Children of the root (`None`) and of each boundary (by index).
    children: HashMap<Option<usize>, Vec<Item>>,
    min_rank: HashMap<usize, usize>,
    size: HashMap<Item, (f64, f64)>,
}

impl std::hash::Hash for Item {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            Item::Element(i) => (0u8, *i).hash(state),
            Item::Boundary(i) => (1u8, *i).hash(state),
        }
    }
}

/// A generated layout for every element and boundary of `model`.
pub fn generated_layout(model: &ServiceModel) -> Layout {
    let bindex: HashMap<BoundaryId, usize> = model
        .boundaries
        .iter()
        .enumerate()
        .map(|(i, b)| (b.id, i))
        .collect();
    let depth = boundary_depths(model);
    // A boundary whose parent chain is broken (unknown or cyclic) hangs from the root.
    let parent_of = |i: usize| -> Option<usize> {
        let b = &model.boundaries[i];
        let p = b.parent.and_then(|p| bindex.get(&p).copied())?;
        (depth.get(&b.id).copied().flatten().unwrap_or(0) > 0).then_some(p)
    };
    let mut children: HashMap<Option<usize>, Vec<Item>> = HashMap::new();
    for i in 0..model.boundaries.len() {
        children
            .entry(parent_of(i))
            .or_default()
            .push(Item::Boundary(i));
    }
    for (i, e) in model.elements.iter().enumerate() {
        let parent = e.boundary.and_then(|b| bindex.get(&b).copied());
        children.entry(parent).or_default().push(Item::Element(i));
    }
    let mut tree = Tree {
        model,
        rank: ranks(model),
        children,
        min_rank: HashMap::new(),
        size: HashMap::new(),
    };
    // Sizes bottom-up: deepest boundaries first.
    let mut order: Vec<usize> = (0..model.boundaries.len()).collect();
    order.sort_by_key(|&i| {
        std::cmp::Reverse(
            depth
                .get(&model.boundaries[i].id)
                .copied()
                .flatten()
                .unwrap_or(0),
        )
    });
    for i in order {
        tree.measure(Some(i));
    }
    let mut layout = Layout::default();
    let (columns, _, _) = tree.columns(None);
    tree.place(&columns, MARGIN, MARGIN, &mut layout);
    layout
}

impl Tree<'_> {
    fn item_rank(&self, item: Item) -> usize {
        match item {
            Item::Element(i) => self.rank[&self.model.elements[i].id.0],
            Item::Boundary(i) => self.min_rank.get(&i).copied().unwrap_or(0),
        }
    }

    fn item_size(&self, item: Item) -> (f64, f64) {
        match item {
            Item::Element(i) => element_size(&self.model.elements[i]),
            Item::Boundary(_) => self.size.get(&item).copied().unwrap_or((180.0, 90.0)),
        }
    }

    fn sort_key(&self, item: Item) -> (usize, u8, String) {
        match item {
            Item::Element(i) => {
                let e = &self.model.elements[i];
                let kind = match e.kind {
                    ElementKind::ExternalEntity => 0,
                    ElementKind::Process => 1,
                    ElementKind::DataStore => 2,
                };
                (self.item_rank(item), kind, e.name.to_lowercase())
            }
            Item::Boundary(i) => (
                self.item_rank(item),
                3,
                self.model.boundaries[i].name.to_lowercase(),
            ),
        }
    }

    /// The children of a container grouped into columns by rank, with the content size.
    fn columns(&self, container: Option<usize>) -> (Vec<Vec<Item>>, f64, f64) {
        let mut items = self.children.get(&container).cloned().unwrap_or_default();
        items.sort_by_cached_key(|&it| (self.sort_key(it), it));
        let mut by_rank: BTreeMap<usize, Vec<Item>> = BTreeMap::new();
        for it in items {
            by_rank.entry(self.item_rank(it)).or_default().push(it);
        }
        let columns: Vec<Vec<Item>> = by_rank.into_values().collect();
        let mut width: f64 = 0.0;
        let mut height: f64 = 0.0;
        for (c, col) in columns.iter().enumerate() {
            let w = col
                .iter()
                .map(|&it| self.item_size(it).0)
                .fold(0.0, f64::max);
            let h: f64 = col.iter().map(|&it| self.item_size(it).1).sum::<f64>()
                + ROW_GAP * (col.len().saturating_sub(1)) as f64;
            width += w + if c > 0 { COL_GAP } else { 0.0 };
            height = height.max(h);
        }
        (columns, width, height)
    }

    fn measure(&mut self, boundary: Option<usize>) {
        let Some(i) = boundary else { return };
        let items = self.children.get(&boundary).cloned().unwrap_or_default();
        let min_rank = items.iter().map(|&it| self.item_rank(it)).min();
        self.min_rank.insert(i, min_rank.unwrap_or(0));
        let (_, w, h) = self.columns(boundary);
        // Wide enough for the label ("name · kind") too.
        let b = &self.model.boundaries[i];
        let label = format!("{} · {}", b.name, b.kind.label());
        let label_w = super::text_width(&label, 11.0) + 28.0;
        let width = (w + 2.0 * PAD).max(180.0).max(label_w);
        let height = (h + 2.0 * PAD + LABEL_H).max(90.0);
        self.size.insert(Item::Boundary(i), (width, height));
    }

    fn place(&self, columns: &[Vec<Item>], x0: f64, y0: f64, layout: &mut Layout) {
        let mut x = x0;
        for col in columns {
            let col_w = col
                .iter()
                .map(|&it| self.item_size(it).0)
                .fold(0.0, f64::max);
            let mut y = y0;
            for &it in col {
                let (w, h) = self.item_size(it);
                let cx = x + (col_w - w) / 2.0;
                match it {
                    Item::Element(i) => {
                        layout.nodes.insert(
                            self.model.elements[i].id.0,
                            NodeLayout {
                                x: cx,
                                y,
                                width: w,
                                height: h,
                            },
                        );
                    }
                    Item::Boundary(i) => {
                        layout.nodes.insert(
                            self.model.boundaries[i].id.0,
                            NodeLayout {
                                x: cx,
                                y,
                                width: w,
                                height: h,
                            },
                        );
                        let (inner, _, _) = self.columns(Some(i));
                        self.place(&inner, cx + PAD, y + PAD + LABEL_H, layout);
                    }
                }
                y += h + ROW_GAP;
            }
            x += col_w + COL_GAP;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BoundaryKind, DataFlow, Element, TrustBoundary};

    fn contains(outer: &NodeLayout, inner: &NodeLayout) -> bool {
        inner.x >= outer.x
            && inner.y >= outer.y
            && inner.x + inner.width <= outer.x + outer.width
            && inner.y + inner.height <= outer.y + outer.height
    }

    fn overlap(a: &NodeLayout, b: &NodeLayout) -> bool {
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
    }

    #[test]
    fn generated_layout_nests_boundaries_and_flows_left_to_right() {
        let mut m = ServiceModel::new("shop");
        let net = TrustBoundary::new("Internet", BoundaryKind::Internet);
        let vnet = TrustBoundary::new("VNet", BoundaryKind::VirtualNetwork);
        let mut subnet = TrustBoundary::new("Data subnet", BoundaryKind::Subnet);
        subnet.parent = Some(vnet.id);
        let mut user = Element::new(ElementKind::ExternalEntity, "User");
        user.boundary = Some(net.id);
        let mut api = Element::new(ElementKind::Process, "API");
        api.boundary = Some(vnet.id);
        let mut db = Element::new(ElementKind::DataStore, "DB");
        db.boundary = Some(subnet.id);
        let free = Element::new(ElementKind::Process, "Loose");
        m.flows.push(DataFlow::new("req", user.id, api.id));
        m.flows.push(DataFlow::new("sql", api.id, db.id));
        m.flows.push(DataFlow::new("cycle", db.id, api.id));
        m.boundaries = vec![net.clone(), vnet.clone(), subnet.clone()];
        m.elements = vec![user.clone(), api.clone(), db.clone(), free.clone()];

        let layout = generated_layout(&m);
        let node = |id: Uuid| layout.nodes[&id];
        assert_eq!(layout.nodes.len(), 7);
        assert!(contains(&node(net.id.0), &node(user.id.0)));
        assert!(contains(&node(vnet.id.0), &node(api.id.0)));
        assert!(contains(&node(vnet.id.0), &node(subnet.id.0)));
        assert!(contains(&node(subnet.id.0), &node(db.id.0)));
        assert!(!overlap(&node(net.id.0), &node(vnet.id.0)));
        assert!(!overlap(&node(api.id.0), &node(subnet.id.0)));
        assert!(node(user.id.0).x < node(api.id.0).x);
        assert!(node(api.id.0).x < node(db.id.0).x);
        // Same input, same geometry.
        assert_eq!(generated_layout(&m), layout);
    }

    #[test]
    fn stored_layout_is_kept_and_missing_boundaries_fit_their_elements() {
        let mut m = ServiceModel::new("s");
        let b = TrustBoundary::new("B", BoundaryKind::Generic);
        let mut e = Element::new(ElementKind::Process, "P");
        e.boundary = Some(b.id);
        let stored = NodeLayout {
            x: 300.0,
            y: 200.0,
            width: 100.0,
            height: 50.0,
        };
        m.layout.nodes.insert(e.id.0, stored);
        m.boundaries.push(b.clone());
        m.elements.push(e.clone());
        let layout = resolved_layout(&m);
        let drawn = layout.nodes[&e.id.0];
        // Kept in place, grown downwards only if its name needs it.
        assert_eq!((drawn.x, drawn.y, drawn.width), (300.0, 200.0, 100.0));
        assert!(drawn.height >= stored.height);
        assert!(contains(&layout.nodes[&b.id.0], &drawn));
    }

    #[test]
    fn parent_cycles_do_not_hang() {
        let mut m = ServiceModel::new("s");
        let mut a = TrustBoundary::new("A", BoundaryKind::Generic);
        let mut b = TrustBoundary::new("B", BoundaryKind::Generic);
        a.parent = Some(b.id);
        b.parent = Some(a.id);
        m.boundaries = vec![a, b];
        m.elements.push(Element::new(ElementKind::Process, "P"));
        let layout = generated_layout(&m);
        assert_eq!(layout.nodes.len(), 3);
    }
}
