//! The data-flow diagram of a model as inline SVG: trust boundaries as nested dashed boxes
//! labelled with their kind, external entities as rectangles, processes as rounded boxes, data
//! stores as open-ended parallel lines, flows as labelled arrows (two heads when
//! bidirectional), and a badge with the number of threats on each element and flow.
//!
//! Geometry comes from the model's stored layout, or from [`crate::layout::resolved_layout`].
//! Styling is by class, from the report's stylesheet, so the SVG itself stays small.

use std::collections::HashMap;
use std::fmt::Write;

use uuid::Uuid;

use super::svg::{escape_xml, num, truncate};
use crate::layout::{resolved_layout, text_width};
use crate::model::{BoundaryKind, ElementKind, NodeLayout, Point, ServiceModel, Severity};

/// What to draw besides the model itself.
#[derive(Clone, Debug, Default)]
pub struct DiagramOptions {
    /// Makes SVG ids (arrow markers) and links unique within a document holding several
    /// diagrams, e.g. `m0`.
    pub prefix: String,
    /// Threat counts and the highest severity, by element or flow id.
    pub badges: HashMap<Uuid, (usize, Severity)>,
    /// Elements and flows to link to `#{prefix}-{id}` (their threats in the report).
    pub linked: std::collections::HashSet<Uuid>,
}

/// A boundary's label: its name and kind, or just the name when it already says the kind.
pub(crate) fn boundary_label(name: &str, kind: BoundaryKind) -> String {
    let kind = kind.label();
    if name.to_lowercase().contains(&kind.to_lowercase()) {
        name.to_string()
    } else {
        format!("{name} · {kind}")
    }
}

fn center(n: &NodeLayout) -> Point {
    Point {
        x: n.x + n.width / 2.0,
        y: n.y + n.height / 2.0,
    }
}

/// Where the segment from the centre of `n` towards `to` leaves the box `n`.
fn clip(n: &NodeLayout, to: Point) -> Point {
    let c = center(n);
    let (dx, dy) = (to.x - c.x, to.y - c.y);
    let tx = if dx.abs() > f64::EPSILON {
        (n.width / 2.0) / dx.abs()
    } else {
        f64::INFINITY
    };
    let ty = if dy.abs() > f64::EPSILON {
        (n.height / 2.0) / dy.abs()
    } else {
        f64::INFINITY
    };
    let t = tx.min(ty).min(1.0);
    Point {
        x: c.x + dx * t,
        y: c.y + dy * t,
    }
}

/// Splits a name into at most `lines` lines of about `width` characters.
fn wrap(s: &str, width: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        if cur.is_empty() {
            cur = word.to_string();
        } else if cur.chars().count() + 1 + word.chars().count() <= width {
            cur.push(' ');
            cur.push_str(word);
        } else {
            out.push(std::mem::take(&mut cur));
            cur = word.to_string();
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    if out.len() > lines {
        let rest = out[lines - 1..].join(" ");
        out.truncate(lines - 1);
        out.push(rest);
    }
    out.into_iter().map(|l| truncate(&l, width)).collect()
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Low => "sev-low",
        Severity::Medium => "sev-medium",
        Severity::High => "sev-high",
        Severity::Critical => "sev-critical",
    }
}

fn badge(out: &mut String, x: f64, y: f64, badge: Option<&(usize, Severity)>) {
    if let Some((count, severity)) = badge
        && *count > 0
    {
        let text = count.to_string();
        let r = if text.len() > 2 { 13.0 } else { 10.0 };
        let _ = write!(
            out,
            r#"<g class="badge {cls}"><title>{count} threat{s}, highest {severity}</title><circle cx="{x}" cy="{y}" r="{r}"/><text x="{x}" y="{ty}" text-anchor="middle">{text}</text></g>"#,
            cls = severity_class(*severity),
            s = if *count == 1 { "" } else { "s" },
            x = num(x),
            y = num(y),
            r = num(r),
            ty = num(y + 3.5),
        );
    }
}

/// The model's diagram as an `<svg>` element.
pub fn render_diagram(model: &ServiceModel, options: &DiagramOptions) -> String {
    let layout = resolved_layout(model);
    let p = escape_xml(&options.prefix);
    // The drawing's extent, from every node and label.
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for n in layout.nodes.values() {
        x0 = x0.min(n.x);
        y0 = y0.min(n.y);
        x1 = x1.max(n.x + n.width);
        y1 = y1.max(n.y + n.height);
    }
    for e in layout.edges.values() {
        for pt in e.waypoints.iter().chain(e.label.iter()) {
            x0 = x0.min(pt.x);
            y0 = y0.min(pt.y);
            x1 = x1.max(pt.x);
            y1 = y1.max(pt.y);
        }
    }
    if x0 > x1 {
        (x0, y0, x1, y1) = (0.0, 0.0, 200.0, 60.0);
    }
    let margin = 24.0;
    let (vx, vy) = (x0 - margin, y0 - margin);
    let (vw, vh) = (x1 - x0 + 2.0 * margin, y1 - y0 + 2.0 * margin);

    let mut out = String::with_capacity(4_096 + model.elements.len() * 600);
    let _ = write!(
        out,
        r#"<svg class="dfd" viewBox="{} {} {} {}" style="max-width:{}px" role="img" aria-label="Data-flow diagram of {}" xmlns="http://www.w3.org/2000/svg">"#,
        num(vx),
        num(vy),
        num(vw),
        num(vh),
        num(vw),
        escape_xml(&model.name),
    );
    let _ = write!(
        out,
        r#"<defs><marker id="{p}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>"#
    );

    // Boundaries, largest first so inner ones are drawn on top.
    let mut boundaries: Vec<_> = model
        .boundaries
        .iter()
        .filter_map(|b| layout.nodes.get(&b.id.0).map(|n| (b, n)))
        .collect();
    boundaries.sort_by(|a, b| {
        (b.1.width * b.1.height)
            .total_cmp(&(a.1.width * a.1.height))
            .then(a.0.id.cmp(&b.0.id))
    });
    for (b, n) in &boundaries {
        let max_chars = ((n.width - 20.0) / (11.0 * 0.56)).max(4.0) as usize;
        let label = truncate(&boundary_label(&b.name, b.kind), max_chars);
        let _ = write!(
            out,
            r#"<g class="boundary boundary-{k}"><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="10"/><text x="{tx}" y="{ty}">{label}</text></g>"#,
            k = b.kind.as_str(),
            x = num(n.x),
            y = num(n.y),
            w = num(n.width),
            h = num(n.height),
            tx = num(n.x + 10.0),
            ty = num(n.y + 17.0),
            label = escape_xml(&label),
        );
    }

    // Flows: parallel flows between the same two elements are spread apart.
    let mut pair_count: HashMap<(Uuid, Uuid), usize> = HashMap::new();
    for f in &model.flows {
        let key = ordered(f.source.0, f.target.0);
        *pair_count.entry(key).or_default() += 1;
    }
    let mut pair_seen: HashMap<(Uuid, Uuid), usize> = HashMap::new();
    let mut labels = String::new();
    for f in &model.flows {
        let (Some(sn), Some(tn)) = (layout.nodes.get(&f.source.0), layout.nodes.get(&f.target.0))
        else {
            continue;
        };
        let key = ordered(f.source.0, f.target.0);
        let total = pair_count[&key];
        let k = {
            let seen = pair_seen.entry(key).or_default();
            *seen += 1;
            *seen - 1
        };
        let edge = layout.edges.get(&f.id.0);
        let waypoints: Vec<Point> = edge.map(|e| e.waypoints.clone()).unwrap_or_default();
        let (sc, tc) = (center(sn), center(tn));
        let mut points = Vec::with_capacity(waypoints.len() + 2);
        if waypoints.is_empty() {
            // Perpendicular offset for parallel flows; the direction is that of the ordered
            // pair, so flows both ways between two elements do not cross.
            let (a, b) = if key.0 == f.source.0 {
                (sc, tc)
            } else {
                (tc, sc)
            };
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            let len = (dx * dx + dy * dy).sqrt().max(1.0);
            let off = (k as f64 - (total as f64 - 1.0) / 2.0) * 18.0;
            let (ox, oy) = (-dy / len * off, dx / len * off);
            let s_aim = Point {
                x: tc.x + ox,
                y: tc.y + oy,
            };
            let t_aim = Point {
                x: sc.x + ox,
                y: sc.y + oy,
            };
            let shifted_s = NodeLayout {
                x: sn.x + ox,
                y: sn.y + oy,
                ..*sn
            };
            let shifted_t = NodeLayout {
                x: tn.x + ox,
                y: tn.y + oy,
                ..*tn
            };
            points.push(clip(&shifted_s, s_aim));
            points.push(clip(&shifted_t, t_aim));
        } else {
            points.push(clip(sn, waypoints[0]));
            points.extend(waypoints.iter().copied());
            points.push(clip(tn, *waypoints.last().unwrap_or(&sc)));
        }
        let d: String = points
            .iter()
            .enumerate()
            .map(|(i, pt)| {
                format!(
                    "{}{},{}",
                    if i == 0 { "M" } else { " L" },
                    num(pt.x),
                    num(pt.y)
                )
            })
            .collect();
        let marker_start = if f.bidirectional {
            format!(r#" marker-start="url(#{p}-arrow)""#)
        } else {
            String::new()
        };
        let class = if f.out_of_scope {
            "flow out-of-scope"
        } else {
            "flow"
        };
        let linked = options.linked.contains(&f.id.0);
        let link_open = if linked {
            format!(r##"<a href="#{p}-{}">"##, f.id.0)
        } else {
            String::new()
        };
        let link_close = if linked { "</a>" } else { "" };
        let _ = write!(
            out,
            r#"{link_open}<path class="{class}" d="{d}"{marker_start} marker-end="url(#{p}-arrow)"><title>{title}</title></path>{link_close}"#,
            title = escape_xml(&f.name),
        );
        // The label: stored position, else the middle of the middle segment.
        let at = edge.and_then(|e| e.label).unwrap_or_else(|| {
            let mid = points.len() / 2;
            let (a, b) = (points[mid - 1], points[mid]);
            Point {
                x: (a.x + b.x) / 2.0,
                y: (a.y + b.y) / 2.0,
            }
        });
        let name = truncate(&f.name, 28);
        let proto = truncate(&f.protocol, 14);
        let line_w = text_width(&name, 11.0).max(text_width(&proto, 9.5));
        let lines = if proto.is_empty() { 1.0 } else { 2.0 };
        let h = 6.0 + 12.0 * lines;
        let _ = write!(
            labels,
            r#"{link_open}<g class="flow-label"><rect x="{rx}" y="{ry}" width="{rw}" height="{rh}" rx="3"/><text x="{x}" y="{ty}" text-anchor="middle">{name}</text>"#,
            rx = num(at.x - line_w / 2.0 - 4.0),
            ry = num(at.y - h / 2.0),
            rw = num(line_w + 8.0),
            rh = num(h),
            x = num(at.x),
            ty = num(at.y - h / 2.0 + 14.0),
            name = escape_xml(&name),
        );
        if !proto.is_empty() {
            let _ = write!(
                labels,
                r#"<text class="protocol" x="{x}" y="{ty}" text-anchor="middle">{proto}</text>"#,
                x = num(at.x),
                ty = num(at.y - h / 2.0 + 26.0),
                proto = escape_xml(&proto),
            );
        }
        labels.push_str("</g>");
        badge(
            &mut labels,
            at.x + line_w / 2.0 + 12.0,
            at.y - h / 2.0,
            options.badges.get(&f.id.0),
        );
        labels.push_str(link_close);
    }

    for e in &model.elements {
        let Some(n) = layout.nodes.get(&e.id.0) else {
            continue;
        };
        let mut class = format!("element {}", e.kind.as_str());
        if e.out_of_scope {
            class.push_str(" out-of-scope");
        }
        let linked = options.linked.contains(&e.id.0);
        if linked {
            let _ = write!(out, r##"<a href="#{p}-{}">"##, e.id.0);
        }
        let _ = write!(
            out,
            r#"<g class="{class}"><title>{}</title>"#,
            escape_xml(&e.name)
        );
        let (x, y, w, h) = (n.x, n.y, n.width, n.height);
        match e.kind {
            ElementKind::ExternalEntity => {
                let _ = write!(
                    out,
                    r#"<rect class="shape" x="{}" y="{}" width="{}" height="{}"/>"#,
                    num(x),
                    num(y),
                    num(w),
                    num(h)
                );
            }
            ElementKind::Process => {
                let _ = write!(
                    out,
                    r#"<rect class="shape" x="{}" y="{}" width="{}" height="{}" rx="{}"/>"#,
                    num(x),
                    num(y),
                    num(w),
                    num(h),
                    num((h / 2.0).min(w / 2.0))
                );
            }
            ElementKind::DataStore => {
                let _ = write!(
                    out,
                    r#"<rect class="fill" x="{x}" y="{y}" width="{w}" height="{h}"/><path class="shape" d="M{x},{y} H{x2} M{x},{y2} H{x2}"/>"#,
                    x = num(x),
                    y = num(y),
                    w = num(w),
                    h = num(h),
                    x2 = num(x + w),
                    y2 = num(y + h),
                );
            }
        }
        let chars = ((w - 16.0) / (12.0 * 0.56)).max(4.0) as usize;
        let lines = wrap(&e.name, chars, 2);
        let sub = truncate(e.stencil.as_str(), ((w - 12.0) / (9.5 * 0.56)) as usize);
        let total = lines.len() as f64 * 14.0 + 12.0;
        let mut ty = y + h / 2.0 - total / 2.0 + 11.0;
        for line in &lines {
            let _ = write!(
                out,
                r#"<text class="name" x="{}" y="{}" text-anchor="middle">{}</text>"#,
                num(x + w / 2.0),
                num(ty),
                escape_xml(line)
            );
            ty += 14.0;
        }
        let _ = write!(
            out,
            r#"<text class="stencil" x="{}" y="{}" text-anchor="middle">{}</text></g>"#,
            num(x + w / 2.0),
            num(ty),
            escape_xml(&sub)
        );
        badge(&mut out, x + w - 2.0, y + 2.0, options.badges.get(&e.id.0));
        if linked {
            out.push_str("</a>");
        }
    }
    out.push_str(&labels);
    out.push_str("</svg>");
    out
}

fn ordered(a: Uuid, b: Uuid) -> (Uuid, Uuid) {
    if a <= b { (a, b) } else { (b, a) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DataFlow, Element, TrustBoundary};

    #[test]
    fn draws_every_kind_and_escapes_names() {
        let mut m = ServiceModel::new("s");
        let b = TrustBoundary::new("Zone <b>", BoundaryKind::Internet);
        let mut user = Element::new(ElementKind::ExternalEntity, "<script>alert(1)</script>");
        user.boundary = Some(b.id);
        let api = Element::new(ElementKind::Process, "API");
        let db = Element::new(ElementKind::DataStore, "DB");
        let mut f = DataFlow::new("calls & \"reads\"", user.id, api.id);
        f.bidirectional = true;
        f.protocol = "HTTPS".into();
        m.flows = vec![f.clone(), DataFlow::new("sql", api.id, db.id)];
        m.boundaries = vec![b];
        m.elements = vec![user, api.clone(), db];
        let options = DiagramOptions {
            prefix: "m0".into(),
            badges: HashMap::from([(api.id.0, (3, Severity::High))]),
            linked: [api.id.0].into(),
        };
        let svg = render_diagram(&m, &options);
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("Zone &lt;b&gt; · internet"));
        assert!(svg.contains("calls &amp; &quot;reads&quot;"));
        assert!(svg.contains(r#"marker-start="url(#m0-arrow)""#));
        assert_eq!(svg.matches("marker-end=").count(), 2);
        assert!(svg.contains(r#"class="badge sev-high""#));
        assert!(svg.contains(r#"class="element data_store""#));
        assert!(svg.contains(&format!(r##"href="#m0-{}""##, api.id.0)));
    }

    #[test]
    fn wrap_keeps_two_lines() {
        assert_eq!(wrap("a b c", 3, 2), vec!["a b", "c"]);
        assert_eq!(wrap("one two three four", 7, 2), vec!["one two", "three …"]);
    }
}
