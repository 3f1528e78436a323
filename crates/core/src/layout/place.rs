//! How a diagram is drawn so that it reads at first sight, the rules the desktop editor follows
//! (`ui/src/nodeSize.ts`, `ui/src/flowGeometry.ts`), for the report's SVG:
//! - an element's box grows downwards until its whole name and stencil fit, wrapped at word
//!   boundaries; nothing is cut with an ellipsis;
//! - flows between the same two elements are bowed apart, and the ends meeting one side of an
//!   element are spread along it;
//! - a flow's label goes where it covers no element, no boundary title and no other label,
//!   trying spots along its flow from the middle outwards; a label with no free spot is left
//!   out (the flow keeps its name as a tooltip) rather than drawn over something.
//!
//! [`find_overlaps`] says what covers what, for the tests that hold drawings to this.

use std::collections::{BTreeMap, HashMap};

use uuid::Uuid;

use crate::model::{NodeLayout, Point, ServiceModel};

/// Name and stencil fonts of a diagram box, per character (rounded up) and per line.
#[derive(Clone, Copy, Debug)]
pub struct BoxFont {
    pub name_char: f64,
    pub name_line: f64,
    pub stencil_char: f64,
    pub stencil_line: f64,
    /// Left plus right padding and border.
    pub pad_x: f64,
    /// Top plus bottom padding and border.
    pub pad_y: f64,
}

/// The report's fonts: names in 12 px semibold, stencils in 9.5 px.
pub const REPORT_FONT: BoxFont = BoxFont {
    name_char: 7.2,
    name_line: 15.0,
    stencil_char: 5.2,
    stencil_line: 12.0,
    pad_x: 28.0,
    pad_y: 20.0,
};

/// `text` on lines of at most `chars` characters, broken at spaces; a longer word is split.
pub fn wrap_words(text: &str, chars: usize) -> Vec<String> {
    let max = chars.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let word: Vec<char> = word.chars().collect();
        for piece in word.chunks(max) {
            let piece: String = piece.iter().collect();
            let len = line.chars().count();
            if len > 0 && len + 1 + piece.chars().count() > max {
                lines.push(std::mem::replace(&mut line, piece));
            } else {
                if len > 0 {
                    line.push(' ');
                }
                line.push_str(&piece);
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

impl BoxFont {
    /// How many characters of the name fit on one line of a box `width` wide.
    pub fn name_chars(&self, width: f64) -> usize {
        (((width - self.pad_x) / self.name_char).floor() as usize).max(4)
    }

    pub fn stencil_chars(&self, width: f64) -> usize {
        (((width - self.pad_x) / self.stencil_char).floor() as usize).max(4)
    }

    /// The height a box `width` wide needs for the whole name and stencil.
    pub fn needed_height(&self, width: f64, name: &str, stencil: &str) -> f64 {
        let name = if name.trim().is_empty() {
            "unnamed"
        } else {
            name
        };
        let names = wrap_words(name, self.name_chars(width)).len().max(1) as f64;
        let stencils = wrap_words(stencil, self.stencil_chars(width)).len() as f64;
        self.pad_y + names * self.name_line + stencils * self.stencil_line
    }

    /// `n` grown downwards (same top left, same width) until the name and stencil fit.
    pub fn fit(&self, n: NodeLayout, name: &str, stencil: &str) -> NodeLayout {
        let height = n
            .height
            .max(self.needed_height(n.width, name, stencil).ceil());
        NodeLayout { height, ..n }
    }
}

/// Which side of a box a flow joins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    Top,
    Right,
    Bottom,
    Left,
}

impl Side {
    fn horizontal(self) -> bool {
        matches!(self, Side::Top | Side::Bottom)
    }
}

/// An axis-aligned box: top-left corner and size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl From<&NodeLayout> for Rect {
    fn from(n: &NodeLayout) -> Self {
        Rect {
            x: n.x,
            y: n.y,
            width: n.width,
            height: n.height,
        }
    }
}

impl Rect {
    /// Whether the boxes overlap, or come within `margin` of each other.
    pub fn overlaps(&self, o: &Rect, margin: f64) -> bool {
        self.x < o.x + o.width + margin
            && o.x < self.x + self.width + margin
            && self.y < o.y + o.height + margin
            && o.y < self.y + self.height + margin
    }

    fn center(&self) -> Point {
        Point {
            x: self.x + self.width / 2.0,
            y: self.y + self.height / 2.0,
        }
    }

    fn side_middle(&self, side: Side) -> Point {
        match side {
            Side::Top => Point {
                x: self.x + self.width / 2.0,
                y: self.y,
            },
            Side::Bottom => Point {
                x: self.x + self.width / 2.0,
                y: self.y + self.height,
            },
            Side::Left => Point {
                x: self.x,
                y: self.y + self.height / 2.0,
            },
            Side::Right => Point {
                x: self.x + self.width,
                y: self.y + self.height / 2.0,
            },
        }
    }
}

/// How far apart flows between the same two elements are drawn.
const SPREAD: f64 = 30.0;
const NODE_MARGIN: f64 = 4.0;
const LABEL_MARGIN: f64 = 3.0;
/// Height of the title strip along the top of a boundary.
pub const TITLE_STRIP: f64 = 30.0;
const SPOTS: [f64; 11] = [
    0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82, 0.1, 0.9,
];

/// The font of flow labels: 11 px, wrapped at 30 characters.
pub const LABEL_CHAR: f64 = 6.6;
pub const LABEL_LINE: f64 = 14.0;
const LABEL_PAD: f64 = 10.0;
const LABEL_CHARS: usize = 30;

/// The title strip along the top of a boundary box titled `title` (11 px semibold).
pub fn title_strip(r: &Rect, title: &str) -> Rect {
    Rect {
        width: r
            .width
            .min((title.chars().count() as f64 * 6.6 + 30.0).ceil()),
        height: TITLE_STRIP,
        ..*r
    }
}

/// A flow's label lines and the box they need; `extra` is added to the width (a badge).
pub fn label_size(text: &str, extra: f64) -> (Vec<String>, f64, f64) {
    let lines = wrap_words(text, LABEL_CHARS);
    let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    let width = (longest * LABEL_CHAR + LABEL_PAD + extra).ceil();
    let height = lines.len().max(1) as f64 * LABEL_LINE + 6.0;
    (lines, width, height)
}

/// A quadratic curve: the line a flow is drawn on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Curve {
    pub from: Point,
    pub control: Point,
    pub to: Point,
}

impl Curve {
    pub fn at(&self, t: f64) -> Point {
        let u = 1.0 - t;
        Point {
            x: u * u * self.from.x + 2.0 * u * t * self.control.x + t * t * self.to.x,
            y: u * u * self.from.y + 2.0 * u * t * self.control.y + t * t * self.to.y,
        }
    }
}

/// A flow to place: its ends and its label text.
pub struct FlowInput<'a> {
    pub id: Uuid,
    pub source: Uuid,
    pub target: Uuid,
    pub label: &'a str,
    /// Room kept beside the label (for a badge), in px.
    pub extra: f64,
}

/// Where a flow and its label go.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowPlacement {
    pub curve: Curve,
    /// The label's box and lines; `None` when no spot is free.
    pub label: Option<(Rect, Vec<String>)>,
}

fn facing_sides(a: &Rect, b: &Rect) -> (Side, Side) {
    let (ca, cb) = (a.center(), b.center());
    let (dx, dy) = (cb.x - ca.x, cb.y - ca.y);
    if dx.abs() >= dy.abs() {
        if dx >= 0.0 {
            (Side::Right, Side::Left)
        } else {
            (Side::Left, Side::Right)
        }
    } else if dy >= 0.0 {
        (Side::Bottom, Side::Top)
    } else {
        (Side::Top, Side::Bottom)
    }
}

fn normal(a: Point, b: Point) -> Point {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = dx.hypot(dy);
    if len < 1e-6 {
        Point { x: 0.0, y: 1.0 }
    } else {
        Point {
            x: -dy / len,
            y: dx / len,
        }
    }
}

fn along_side(p: Point, side: Side, along: f64) -> Point {
    if side.horizontal() {
        Point {
            x: p.x + along,
            ..p
        }
    } else {
        Point {
            y: p.y + along,
            ..p
        }
    }
}

struct Draft<'a> {
    f: &'a FlowInput<'a>,
    sides: (Side, Side),
    n: Point,
    bow: f64,
    along: (f64, f64),
}

/// Curves and label boxes for every flow whose two ends are in `rects`. Labels keep off
/// `rects`, `strips` and each other. Deterministic: flows are taken in id order.
pub fn place_flows(
    rects: &HashMap<Uuid, Rect>,
    flows: &[FlowInput],
    strips: &[Rect],
) -> BTreeMap<Uuid, FlowPlacement> {
    // Flows between the same two elements, either way, share a pair.
    let mut drawn: Vec<&FlowInput> = flows
        .iter()
        .filter(|f| f.source != f.target && rects.contains_key(&f.source))
        .filter(|f| rects.contains_key(&f.target))
        .collect();
    drawn.sort_by_key(|f| f.id);
    let mut pairs: BTreeMap<(Uuid, Uuid), Vec<&FlowInput>> = BTreeMap::new();
    for f in drawn {
        let key = (f.source.min(f.target), f.source.max(f.target));
        pairs.entry(key).or_default().push(f);
    }
    let mut drafts: Vec<Draft> = Vec::new();
    for list in pairs.values() {
        for (i, f) in list.iter().enumerate() {
            let (s, t) = (&rects[&f.source], &rects[&f.target]);
            let sides = facing_sides(s, t);
            let (from, to) = (s.side_middle(sides.0), t.side_middle(sides.1));
            let n = if f.source > f.target {
                normal(to, from)
            } else {
                normal(from, to)
            };
            let bow = (i as f64 - (list.len() as f64 - 1.0) / 2.0) * SPREAD * 0.6;
            drafts.push(Draft {
                f,
                sides,
                n,
                bow,
                along: (0.0, 0.0),
            });
        }
    }
    // The ends on each side of each element, spread along it in the order of where their
    // other ends are (so that they do not cross), the bows breaking ties.
    // Per element side: (draft, whether it is the draft's source end, sort key).
    type End = (usize, bool, f64);
    let mut ends: BTreeMap<(Uuid, Side), Vec<End>> = BTreeMap::new();
    for (i, d) in drafts.iter().enumerate() {
        for source in [true, false] {
            let (id, side, other) = if source {
                (d.f.source, d.sides.0, &rects[&d.f.target])
            } else {
                (d.f.target, d.sides.1, &rects[&d.f.source])
            };
            let c = other.center();
            let key = if side.horizontal() {
                c.x + d.n.x * d.bow
            } else {
                c.y + d.n.y * d.bow
            };
            ends.entry((id, side)).or_default().push((i, source, key));
        }
    }
    for ((id, side), mut list) in ends {
        if list.len() < 2 {
            continue;
        }
        let r = &rects[&id];
        let length = if side.horizontal() { r.width } else { r.height };
        let step = SPREAD.min(length * 0.7 / (list.len() - 1) as f64);
        list.sort_by(|a, b| {
            a.2.total_cmp(&b.2)
                .then(drafts[a.0].f.id.cmp(&drafts[b.0].f.id))
        });
        let n = list.len() as f64;
        for (k, (i, source, _)) in list.into_iter().enumerate() {
            let along = (k as f64 - (n - 1.0) / 2.0) * step;
            if source {
                drafts[i].along.0 = along;
            } else {
                drafts[i].along.1 = along;
            }
        }
    }
    let obstacles: Vec<Rect> = rects.values().chain(strips).copied().collect();
    let mut placed: Vec<Rect> = Vec::new();
    let mut out = BTreeMap::new();
    for d in &drafts {
        let (s, t) = (&rects[&d.f.source], &rects[&d.f.target]);
        let a = along_side(s.side_middle(d.sides.0), d.sides.0, d.along.0);
        let b = along_side(t.side_middle(d.sides.1), d.sides.1, d.along.1);
        let mid = Point {
            x: (a.x + b.x) / 2.0,
            y: (a.y + b.y) / 2.0,
        };
        // A control point 2 × bow off the chord's middle makes the curve peak bow px off it.
        let curve = Curve {
            from: a,
            control: Point {
                x: mid.x + 2.0 * d.n.x * d.bow,
                y: mid.y + 2.0 * d.n.y * d.bow,
            },
            to: b,
        };
        let (lines, w, h) = label_size(d.f.label, d.f.extra);
        let mut label = None;
        if !lines.is_empty() {
            let step = h / 2.0 + 6.0;
            'search: for at in SPOTS {
                for shift in [0.0, step, -step, 2.0 * step, -2.0 * step] {
                    let p = curve.at(at);
                    let bx = Rect {
                        x: p.x + d.n.x * shift - w / 2.0,
                        y: p.y + d.n.y * shift - h / 2.0,
                        width: w,
                        height: h,
                    };
                    if obstacles.iter().any(|o| bx.overlaps(o, NODE_MARGIN))
                        || placed.iter().any(|o| bx.overlaps(o, LABEL_MARGIN))
                    {
                        continue;
                    }
                    placed.push(bx);
                    label = Some((bx, lines.clone()));
                    break 'search;
                }
            }
        }
        out.insert(d.f.id, FlowPlacement { curve, label });
    }
    out
}

/// What covers what in a drawing. Each entry names the two things by id.
#[derive(Debug, Default, PartialEq)]
pub struct Overlaps {
    /// Elements whose boxes overlap.
    pub node_node: Vec<(Uuid, Uuid)>,
    /// Elements drawn over a boundary they are not in, or outside one they are in.
    pub node_boundary: Vec<(Uuid, Uuid)>,
    /// Labels over an element or a boundary's title.
    pub label_node: Vec<(Uuid, Uuid)>,
    /// Labels over each other.
    pub label_label: Vec<(Uuid, Uuid)>,
}

impl Overlaps {
    pub fn total(&self) -> usize {
        self.node_node.len()
            + self.node_boundary.len()
            + self.label_node.len()
            + self.label_label.len()
    }
}

/// The overlaps in a drawing of `model`: `nodes` are the boxes drawn (elements and
/// boundaries), `strips` the boundaries' title strips, `labels` the flows' label boxes.
pub fn find_overlaps(
    model: &ServiceModel,
    nodes: &HashMap<Uuid, Rect>,
    strips: &HashMap<Uuid, Rect>,
    labels: &BTreeMap<Uuid, Rect>,
) -> Overlaps {
    let mut out = Overlaps::default();
    let elements: Vec<(Uuid, Rect)> = model
        .elements
        .iter()
        .filter_map(|e| nodes.get(&e.id.0).map(|r| (e.id.0, *r)))
        .collect();
    for (i, (a, ra)) in elements.iter().enumerate() {
        for (b, rb) in &elements[i + 1..] {
            if ra.overlaps(rb, 0.0) {
                out.node_node.push((*a, *b));
            }
        }
    }
    for e in &model.elements {
        let Some(r) = nodes.get(&e.id.0) else {
            continue;
        };
        let enclosing: Vec<_> = e
            .boundary
            .map(|b| model.boundary_nesting(b).map(|b| b.id.0).collect())
            .unwrap_or_default();
        for b in &model.boundaries {
            let Some(br) = nodes.get(&b.id.0) else {
                continue;
            };
            let inside = r.x >= br.x
                && r.y >= br.y + TITLE_STRIP.min(br.height) - 4.0
                && r.x + r.width <= br.x + br.width
                && r.y + r.height <= br.y + br.height;
            if enclosing.contains(&b.id.0) != inside
                && (enclosing.contains(&b.id.0) || r.overlaps(br, 0.0))
            {
                out.node_boundary.push((e.id.0, b.id.0));
            }
        }
    }
    for (id, bx) in labels {
        for (nid, r) in elements.iter().map(|(i, r)| (i, r)).chain(strips.iter()) {
            if bx.overlaps(r, 0.0) {
                out.label_node.push((*id, *nid));
            }
        }
    }
    let labels: Vec<_> = labels.iter().collect();
    for (i, (a, ra)) in labels.iter().enumerate() {
        for (b, rb) in &labels[i + 1..] {
            if ra.overlaps(rb, 0.0) {
                out.label_label.push((**a, **b));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x: f64, y: f64) -> Rect {
        Rect {
            x,
            y,
            width: 150.0,
            height: 64.0,
        }
    }

    #[test]
    fn words_wrap_and_long_words_split() {
        assert_eq!(
            wrap_words("Global Log Analytics workspace", 12),
            vec!["Global Log", "Analytics", "workspace"]
        );
        assert_eq!(wrap_words("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert!(wrap_words("  ", 5).is_empty());
    }

    #[test]
    fn a_box_grows_to_its_whole_name() {
        let n = NodeLayout {
            x: 0.0,
            y: 0.0,
            width: 150.0,
            height: 64.0,
        };
        assert_eq!(REPORT_FONT.fit(n, "API", "azure.app_service"), n);
        let long = "A very long element name that takes four or five lines to show whole";
        let grown = REPORT_FONT.fit(n, long, "azure.app_service");
        assert!(grown.height > n.height);
        assert_eq!((grown.x, grown.y, grown.width), (n.x, n.y, n.width));
        let lines = wrap_words(long, REPORT_FONT.name_chars(150.0));
        assert_eq!(lines.join(" "), long);
    }

    #[test]
    fn flows_between_one_pair_are_drawn_apart_and_labels_keep_off_nodes() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let rects = HashMap::from([(a, rect(0.0, 0.0)), (b, rect(400.0, 0.0))]);
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
        let flows = [
            FlowInput {
                id: ids[0],
                source: a,
                target: b,
                label: "request · HTTPS",
                extra: 0.0,
            },
            FlowInput {
                id: ids[1],
                source: b,
                target: a,
                label: "response",
                extra: 0.0,
            },
            FlowInput {
                id: ids[2],
                source: a,
                target: b,
                label: "events",
                extra: 0.0,
            },
        ];
        let placed = place_flows(&rects, &flows, &[]);
        assert_eq!(placed.len(), 3);
        let curves: Vec<Curve> = placed.values().map(|p| p.curve).collect();
        for (i, c) in curves.iter().enumerate() {
            for d in &curves[i + 1..] {
                assert_ne!(c.at(0.5), d.at(0.5), "two flows drawn on one line");
                assert_ne!(c.from, d.from, "two flows start at one point");
            }
        }
        let labels: BTreeMap<Uuid, Rect> = placed
            .iter()
            .filter_map(|(id, p)| p.label.as_ref().map(|l| (*id, l.0)))
            .collect();
        assert_eq!(labels.len(), 3, "room for every label between the boxes");
        let mut m = ServiceModel::new("s");
        for id in [a, b] {
            let mut e =
                crate::model::Element::new(crate::model::ElementKind::Process, id.to_string());
            e.id = crate::model::ElementId(id);
            m.elements.push(e);
        }
        let found = find_overlaps(&m, &rects, &HashMap::new(), &labels);
        assert_eq!(found, Overlaps::default());
        // And the check finds a label put on a node.
        let on_node = BTreeMap::from([(ids[0], rect(10.0, 10.0))]);
        assert_eq!(
            find_overlaps(&m, &rects, &HashMap::new(), &on_node).label_node,
            vec![(ids[0], a)]
        );
    }
}
