//! Plane geometry for sources that do not store trust-boundary membership: Threat Dragon and
//! the Threat Modeling Tool only store where things are drawn.
//!
//! A boundary drawn as a box contains an element when the box contains the element's centre;
//! a box is nested in the smallest larger box that contains it whole. A boundary drawn as a
//! line has no members; a flow crosses it when the flow's drawn path (source centre, bend
//! points, target centre) intersects the line.

use std::collections::BTreeMap;

use uuid::Uuid;

use crate::model::{BoundaryId, NodeLayout, Point, ServiceModel};

/// An axis-aligned rectangle: top-left corner and size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn from_node(n: &NodeLayout) -> Self {
        Rect {
            x: n.x,
            y: n.y,
            w: n.width.abs(),
            h: n.height.abs(),
        }
    }

    pub fn center(&self) -> Point {
        Point {
            x: self.x + self.w / 2.0,
            y: self.y + self.h / 2.0,
        }
    }

    pub fn area(&self) -> f64 {
        self.w * self.h
    }

    pub fn contains_point(&self, p: Point) -> bool {
        p.x >= self.x && p.x <= self.x + self.w && p.y >= self.y && p.y <= self.y + self.h
    }

    pub fn contains_rect(&self, r: &Rect) -> bool {
        r.x >= self.x
            && r.y >= self.y
            && r.x + r.w <= self.x + self.w
            && r.y + r.h <= self.y + self.h
    }
}

fn orientation(a: Point, b: Point, c: Point) -> f64 {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}

fn on_segment(a: Point, b: Point, p: Point) -> bool {
    p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) && p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y)
}

/// Whether segments `p1-p2` and `q1-q2` touch or cross.
pub fn segments_intersect(p1: Point, p2: Point, q1: Point, q2: Point) -> bool {
    let d1 = orientation(q1, q2, p1);
    let d2 = orientation(q1, q2, p2);
    let d3 = orientation(p1, p2, q1);
    let d4 = orientation(p1, p2, q2);
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    (d1 == 0.0 && on_segment(q1, q2, p1))
        || (d2 == 0.0 && on_segment(q1, q2, p2))
        || (d3 == 0.0 && on_segment(p1, p2, q1))
        || (d4 == 0.0 && on_segment(p1, p2, q2))
}

/// Whether two open polylines intersect anywhere.
pub fn polylines_cross(a: &[Point], b: &[Point]) -> bool {
    a.windows(2).any(|s| {
        b.windows(2)
            .any(|t| segments_intersect(s[0], s[1], t[0], t[1]))
    })
}

/// Sets each element's innermost boundary and each box's parent from the layout. `boxes` are
/// the boundaries drawn as boxes (they must have a layout node); other boundaries are left
/// alone.
pub fn assign_box_membership(model: &mut ServiceModel, boxes: &[BoundaryId]) {
    let rects: Vec<(BoundaryId, Rect)> = boxes
        .iter()
        .filter_map(|b| {
            model
                .layout
                .nodes
                .get(&b.0)
                .map(|n| (*b, Rect::from_node(n)))
        })
        .collect();
    // Smaller first; equal areas ordered by id, so "larger" is a strict total order and
    // nesting can never form a cycle.
    let larger = |a: &(BoundaryId, Rect), b: &(BoundaryId, Rect)| {
        b.1.area() > a.1.area() || (b.1.area() == a.1.area() && b.0 > a.0)
    };
    let mut parents: BTreeMap<BoundaryId, Option<BoundaryId>> = BTreeMap::new();
    for inner in &rects {
        let parent = rects
            .iter()
            .filter(|outer| {
                outer.0 != inner.0 && larger(inner, outer) && outer.1.contains_rect(&inner.1)
            })
            .min_by(|a, b| a.1.area().total_cmp(&b.1.area()).then(a.0.cmp(&b.0)))
            .map(|outer| outer.0);
        parents.insert(inner.0, parent);
    }
    for b in &mut model.boundaries {
        if let Some(p) = parents.get(&b.id) {
            b.parent = *p;
        }
    }
    for e in &mut model.elements {
        let Some(node) = model.layout.nodes.get(&e.id.0) else {
            continue;
        };
        let c = Rect::from_node(node).center();
        e.boundary = rects
            .iter()
            .filter(|(_, r)| r.contains_point(c))
            .min_by(|a, b| a.1.area().total_cmp(&b.1.area()).then(a.0.cmp(&b.0)))
            .map(|(id, _)| *id);
    }
}

/// The drawn path of every flow: source centre, bend points, target centre.
pub fn flow_paths(model: &ServiceModel) -> BTreeMap<Uuid, Vec<Point>> {
    let center = |id: Uuid| {
        model
            .layout
            .nodes
            .get(&id)
            .map(|n| Rect::from_node(n).center())
    };
    let mut out = BTreeMap::new();
    for f in &model.flows {
        let (Some(s), Some(t)) = (center(f.source.0), center(f.target.0)) else {
            continue;
        };
        let mut path = vec![s];
        if let Some(edge) = model.layout.edges.get(&f.id.0) {
            path.extend(edge.waypoints.iter().copied());
        }
        path.push(t);
        out.insert(f.id.0, path);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    #[test]
    fn crossing_and_parallel_segments() {
        assert!(segments_intersect(
            p(0., 0.),
            p(10., 10.),
            p(0., 10.),
            p(10., 0.)
        ));
        assert!(!segments_intersect(
            p(0., 0.),
            p(10., 0.),
            p(0., 1.),
            p(10., 1.)
        ));
        assert!(segments_intersect(
            p(0., 0.),
            p(10., 0.),
            p(5., 0.),
            p(5., 5.)
        ));
        assert!(polylines_cross(
            &[p(0., 5.), p(20., 5.)],
            &[p(10., 0.), p(10., 2.), p(10., 10.)]
        ));
    }

    #[test]
    fn rect_containment() {
        let outer = Rect {
            x: 0.,
            y: 0.,
            w: 100.,
            h: 100.,
        };
        let inner = Rect {
            x: 10.,
            y: 10.,
            w: 20.,
            h: 20.,
        };
        assert!(outer.contains_rect(&inner));
        assert!(!inner.contains_rect(&outer));
        assert!(outer.contains_point(inner.center()));
    }
}
