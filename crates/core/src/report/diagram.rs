//! The data-flow diagram of a model as inline SVG: trust boundaries as nested dashed boxes
//! labelled with their kind, external entities as rectangles, processes as rounded boxes, data
//! stores as open-ended parallel lines, flows as labelled arrows (two heads when
//! bidirectional), and a badge with the number of threats on each element and flow.
//!
//! Geometry comes from the model's stored layout, or from [`crate::layout::resolved_layout`].
//! Styling is by class, from the report's stylesheet, so the SVG itself stays small.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use uuid::Uuid;

use super::svg::{escape_xml, num};
use crate::layout::place::{
    FlowInput, FlowPlacement, LABEL_LINE, REPORT_FONT, Rect, place_flows, title_strip, wrap_words,
};
use crate::layout::resolved_layout;
use crate::model::{BoundaryKind, ElementKind, ServiceModel, Severity};

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

/// Where everything of a diagram goes: boxes, boundary titles, flows and their labels.
pub struct DiagramGeometry {
    /// Elements (grown to their whole names) and boundaries.
    pub nodes: HashMap<Uuid, Rect>,
    /// Each boundary's title strip and its lines.
    pub titles: HashMap<Uuid, (Rect, Vec<String>)>,
    pub flows: BTreeMap<Uuid, FlowPlacement>,
}

/// Room kept beside a flow label for its threat badge.
const BADGE_ROOM: f64 = 26.0;

/// The geometry [`render_diagram`] draws: the stored layout (or a generated one, or the stored
/// one with the elements it lacks placed), and the flows and labels placed by
/// [`crate::layout::place`]. Labels keep off elements, their badges and boundary titles.
pub fn diagram_geometry(model: &ServiceModel, options: &DiagramOptions) -> DiagramGeometry {
    let layout = resolved_layout(model);
    let nodes: HashMap<Uuid, Rect> = layout
        .nodes
        .iter()
        .map(|(id, n)| (*id, Rect::from(n)))
        .collect();
    let titles: HashMap<Uuid, (Rect, Vec<String>)> = model
        .boundaries
        .iter()
        .filter_map(|b| {
            let r = nodes.get(&b.id.0)?;
            let text = boundary_label(&b.name, b.kind);
            let chars = (((r.width - 20.0) / 6.6).floor() as usize).max(4);
            let lines = wrap_words(&text, chars);
            let mut strip = title_strip(r, &text);
            strip.height = strip.height.max(8.0 + 13.0 * lines.len() as f64);
            Some((b.id.0, (strip, lines)))
        })
        .collect();
    let rects: HashMap<Uuid, Rect> = model
        .elements
        .iter()
        .filter_map(|e| nodes.get(&e.id.0).map(|r| (e.id.0, *r)))
        .collect();
    // Element badges stick out of the top right corner; labels keep off them too.
    let mut keep_off: Vec<Rect> = titles.values().map(|t| t.0).collect();
    for e in &model.elements {
        if let (Some(r), Some(_)) = (rects.get(&e.id.0), options.badges.get(&e.id.0)) {
            keep_off.push(Rect {
                x: r.x + r.width - 15.0,
                y: r.y - 11.0,
                width: 26.0,
                height: 26.0,
            });
        }
    }
    let texts: Vec<String> = model
        .flows
        .iter()
        .map(|f| {
            if f.protocol.is_empty() {
                f.name.clone()
            } else {
                format!("{} · {}", f.name, f.protocol)
            }
        })
        .collect();
    let inputs: Vec<FlowInput> = model
        .flows
        .iter()
        .zip(&texts)
        .map(|(f, text)| FlowInput {
            id: f.id.0,
            source: f.source.0,
            target: f.target.0,
            label: text,
            extra: if options.badges.contains_key(&f.id.0) {
                BADGE_ROOM
            } else {
                0.0
            },
        })
        .collect();
    let flows = place_flows(&rects, &inputs, &keep_off);
    DiagramGeometry {
        nodes,
        titles,
        flows,
    }
}

/// The model's diagram as an `<svg>` element.
pub fn render_diagram(model: &ServiceModel, options: &DiagramOptions) -> String {
    let geometry = diagram_geometry(model, options);
    let p = escape_xml(&options.prefix);
    // The drawing's extent, from every box and label.
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    let labels = geometry
        .flows
        .values()
        .filter_map(|f| f.label.as_ref().map(|l| l.0));
    for r in geometry.nodes.values().copied().chain(labels) {
        x0 = x0.min(r.x);
        y0 = y0.min(r.y);
        x1 = x1.max(r.x + r.width);
        y1 = y1.max(r.y + r.height);
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
        .filter_map(|b| geometry.nodes.get(&b.id.0).map(|n| (b, n)))
        .collect();
    boundaries.sort_by(|a, b| {
        (b.1.width * b.1.height)
            .total_cmp(&(a.1.width * a.1.height))
            .then(a.0.id.cmp(&b.0.id))
    });
    for (b, n) in &boundaries {
        let _ = write!(
            out,
            r#"<g class="boundary boundary-{k}"><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="10"/>"#,
            k = b.kind.as_str(),
            x = num(n.x),
            y = num(n.y),
            w = num(n.width),
            h = num(n.height),
        );
        let lines = geometry
            .titles
            .get(&b.id.0)
            .map(|t| &t.1[..])
            .unwrap_or(&[]);
        for (i, line) in lines.iter().enumerate() {
            let _ = write!(
                out,
                r#"<text x="{}" y="{}">{}</text>"#,
                num(n.x + 10.0),
                num(n.y + 17.0 + 13.0 * i as f64),
                escape_xml(line)
            );
        }
        out.push_str("</g>");
    }

    let mut labels = String::new();
    for f in &model.flows {
        let Some(placement) = geometry.flows.get(&f.id.0) else {
            continue;
        };
        let c = placement.curve;
        let d = format!(
            "M{},{} Q{},{} {},{}",
            num(c.from.x),
            num(c.from.y),
            num(c.control.x),
            num(c.control.y),
            num(c.to.x),
            num(c.to.y)
        );
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
        let title = if f.protocol.is_empty() {
            f.name.clone()
        } else {
            format!("{} · {}", f.name, f.protocol)
        };
        let _ = write!(
            out,
            r#"{link_open}<path class="{class}" d="{d}"{marker_start} marker-end="url(#{p}-arrow)"><title>{title}</title></path>{link_close}"#,
            title = escape_xml(&title),
        );
        // A label with no free spot is left out; the flow's tooltip still names it.
        let Some((bx, lines)) = &placement.label else {
            continue;
        };
        let badged = options.badges.contains_key(&f.id.0);
        let text_w = bx.width - if badged { BADGE_ROOM } else { 0.0 };
        let _ = write!(
            labels,
            r#"{link_open}<g class="flow-label"><rect x="{}" y="{}" width="{}" height="{}" rx="3"/>"#,
            num(bx.x),
            num(bx.y),
            num(text_w),
            num(bx.height),
        );
        for (i, line) in lines.iter().enumerate() {
            let _ = write!(
                labels,
                r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
                num(bx.x + text_w / 2.0),
                num(bx.y + 14.0 + LABEL_LINE * i as f64),
                escape_xml(line)
            );
        }
        labels.push_str("</g>");
        badge(
            &mut labels,
            bx.x + text_w + BADGE_ROOM / 2.0,
            bx.y + bx.height / 2.0,
            options.badges.get(&f.id.0),
        );
        labels.push_str(link_close);
    }

    for e in &model.elements {
        let Some(n) = geometry.nodes.get(&e.id.0) else {
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
                // Rounded, but not so round that a wrapped name runs into the corners.
                let _ = write!(
                    out,
                    r#"<rect class="shape" x="{}" y="{}" width="{}" height="{}" rx="{}"/>"#,
                    num(x),
                    num(y),
                    num(w),
                    num(h),
                    num((h / 2.0).min(w / 2.0).min(20.0))
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
        // The whole name and stencil, wrapped; the box was grown to hold them.
        let font = REPORT_FONT;
        let name = if e.name.trim().is_empty() {
            "unnamed"
        } else {
            &e.name
        };
        let names = wrap_words(name, font.name_chars(w));
        let stencils = wrap_words(e.stencil.as_str(), font.stencil_chars(w));
        let total = names.len() as f64 * font.name_line + stencils.len() as f64 * font.stencil_line;
        let mut ty = y + h / 2.0 - total / 2.0;
        let names = names.iter().map(|l| ("name", font.name_line, 3.5, l));
        let stencils = stencils
            .iter()
            .map(|l| ("stencil", font.stencil_line, 3.0, l));
        for (class, line_h, descent, line) in names.chain(stencils) {
            ty += line_h;
            let _ = write!(
                out,
                r#"<text class="{class}" x="{}" y="{}" text-anchor="middle">{}</text>"#,
                num(x + w / 2.0),
                num(ty - descent),
                escape_xml(line)
            );
        }
        out.push_str("</g>");
        badge(&mut out, x + w - 2.0, y + 2.0, options.badges.get(&e.id.0));
        if linked {
            out.push_str("</a>");
        }
    }
    out.push_str(&labels);
    out.push_str("</svg>");
    out
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

    use crate::layout::place::{Overlaps, find_overlaps};
    use crate::model::NodeLayout;

    /// The sample models and the report test's fixture, by path.
    fn drawings() -> Vec<(String, ServiceModel)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut paths: Vec<_> = std::fs::read_dir(root.join("models"))
            .expect("models/ is readable")
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".stride.json"))
            .collect();
        paths.sort();
        paths.push(root.join("tests/fixtures/report-checkout.stride.json"));
        paths
            .into_iter()
            .map(|p| {
                let m = crate::model::load(&p).unwrap_or_else(|e| panic!("{e}"));
                (p.file_name().unwrap().to_string_lossy().into_owned(), m)
            })
            .collect()
    }

    /// A badge on every element and flow: the most crowded drawing of the model.
    fn all_badges(m: &ServiceModel) -> DiagramOptions {
        let ids = m.elements.iter().map(|e| e.id.0);
        let ids = ids.chain(m.flows.iter().map(|f| f.id.0));
        DiagramOptions {
            prefix: "m0".into(),
            badges: ids.map(|id| (id, (12, Severity::High))).collect(),
            linked: Default::default(),
        }
    }

    fn overlaps(m: &ServiceModel, g: &DiagramGeometry) -> Overlaps {
        let strips = g.titles.iter().map(|(id, t)| (*id, t.0)).collect();
        let labels = g
            .flows
            .iter()
            .filter_map(|(id, f)| f.label.as_ref().map(|l| (*id, l.0)))
            .collect();
        find_overlaps(m, &g.nodes, &strips, &labels)
    }

    fn names(m: &ServiceModel, pairs: &[(Uuid, Uuid)]) -> Vec<String> {
        let name = |id: &Uuid| {
            let e = m.elements.iter().find(|e| e.id.0 == *id).map(|e| &e.name);
            let f = m.flows.iter().find(|f| f.id.0 == *id).map(|f| &f.name);
            let b = m.boundaries.iter().find(|b| b.id.0 == *id).map(|b| &b.name);
            e.or(f).or(b).cloned().unwrap_or_else(|| id.to_string())
        };
        pairs
            .iter()
            .map(|(a, b)| format!("'{}' / '{}'", name(a), name(b)))
            .collect()
    }

    fn assert_clean(what: &str, m: &ServiceModel, g: &DiagramGeometry) {
        let o = overlaps(m, g);
        assert!(
            o.total() == 0,
            "{what}: {} overlaps\n node-node {:?}\n node-boundary {:?}\n label-node {:?}\n label-label {:?}",
            o.total(),
            names(m, &o.node_node),
            names(m, &o.node_boundary),
            names(m, &o.label_node),
            names(m, &o.label_label),
        );
    }

    /// The report's diagrams of the samples, with their own layouts and with generated ones:
    /// no element over another or over a boundary it is not in, no label over an element, a
    /// badge, a boundary title or another label; names whole.
    #[test]
    fn the_samples_draw_without_overlaps_and_with_whole_names() {
        for (file, m) in drawings() {
            let options = all_badges(&m);
            let mut generated = m.clone();
            generated.layout = Default::default();
            // Labels find a free spot or are left out (the flow's tooltip names it); a placement
            // that dropped them all would pass the overlap check. The floors are the editor's
            // (ui/src/legibility.test.ts): hand-made layouts leave less room between columns.
            for (what, model, floor) in [
                ("stored layout", &m, 0.5),
                ("generated layout", &generated, 0.8),
            ] {
                let g = diagram_geometry(model, &options);
                assert_clean(&format!("{file}, {what}"), model, &g);
                let shown = g.flows.values().filter(|f| f.label.is_some()).count();
                eprintln!("{file}, {what}: {shown} of {} labels shown", g.flows.len());
                let svg = render_diagram(model, &options);
                // Kept for a look: target/report-diagrams/FILE-stored.svg, …-generated.svg.
                let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../target/report-diagrams");
                std::fs::create_dir_all(&dir).unwrap();
                let kind = what.split(' ').next().unwrap();
                std::fs::write(dir.join(format!("{file}-{kind}.svg")), &svg).unwrap();
                assert!(!svg.contains('…'), "{file}: a name is cut");
                assert!(
                    shown as f64 >= floor * g.flows.len() as f64,
                    "{file}, {what}: only {shown} of {} flow labels found a free spot",
                    g.flows.len()
                );
                for e in &model.elements {
                    for word in e.name.split_whitespace() {
                        assert!(
                            svg.contains(&escape_xml(word)),
                            "{file}: '{word}' of '{}' is not drawn",
                            e.name
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_long_name_wraps_and_its_box_grows() {
        let mut m = ServiceModel::new("s");
        let long = "Global Log Analytics workspace shared by every regional stamp";
        let e = Element::new(ElementKind::DataStore, long);
        m.layout.nodes.insert(
            e.id.0,
            NodeLayout {
                x: 0.0,
                y: 0.0,
                width: 160.0,
                height: 60.0,
            },
        );
        m.elements.push(e.clone());
        let g = diagram_geometry(&m, &DiagramOptions::default());
        assert!(g.nodes[&e.id.0].height > 60.0);
        let svg = render_diagram(&m, &DiagramOptions::default());
        let drawn: Vec<&str> = svg
            .split(r#"<text class="name""#)
            .skip(1)
            .map(|t| &t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()])
            .collect();
        assert!(drawn.len() >= 3, "{drawn:?}");
        assert_eq!(drawn.join(" "), long);
    }

    /// One element without a layout entry is placed on its own: everything else stays where
    /// the model puts it, and the new box overlaps nothing.
    #[test]
    fn an_element_without_a_layout_entry_is_placed_alone() {
        for (file, m) in drawings() {
            let full = diagram_geometry(&m, &DiagramOptions::default());
            for e in m.elements.iter().filter(|e| e.boundary.is_some()).take(3) {
                let mut partial = m.clone();
                partial.layout.nodes.remove(&e.id.0);
                let g = diagram_geometry(&partial, &DiagramOptions::default());
                let moved = full
                    .nodes
                    .iter()
                    .filter(|(id, r)| **id != e.id.0 && g.nodes.get(id) != Some(r))
                    .count();
                let placed = g.nodes[&e.id.0];
                let inside = |b: &Rect| {
                    placed.x >= b.x
                        && placed.y >= b.y
                        && placed.x + placed.width <= b.x + b.width
                        && placed.y + placed.height <= b.y + b.height
                };
                let boundary = e.boundary.unwrap().0;
                assert!(
                    inside(&g.nodes[&boundary]),
                    "{file}: '{}' left its boundary",
                    e.name
                );
                assert_clean(&format!("{file} without '{}'", e.name), &partial, &g);
                // Room was found without moving anything, or the boundary grew and what lies
                // below moved down; never a whole new drawing.
                if moved > 0 {
                    assert!(
                        g.nodes[&boundary].height > full.nodes[&boundary].height,
                        "{file}: {moved} boxes moved for '{}'",
                        e.name
                    );
                }
            }
        }
    }

    #[test]
    fn with_no_free_spot_the_boundary_grows_and_what_is_below_moves_down() {
        let mut m = ServiceModel::new("s");
        let b = TrustBoundary::new("Tight", BoundaryKind::Generic);
        let mut inner = Element::new(ElementKind::Process, "Inner");
        inner.boundary = Some(b.id);
        let mut added = Element::new(ElementKind::Process, "Added");
        added.boundary = Some(b.id);
        let below = Element::new(ElementKind::ExternalEntity, "Below");
        let beside = Element::new(ElementKind::ExternalEntity, "Beside");
        let node = |x, y, width, height| NodeLayout {
            x,
            y,
            width,
            height,
        };
        m.layout.nodes.insert(b.id.0, node(0.0, 0.0, 200.0, 130.0));
        m.layout
            .nodes
            .insert(inner.id.0, node(20.0, 50.0, 160.0, 64.0));
        m.layout
            .nodes
            .insert(below.id.0, node(0.0, 200.0, 160.0, 64.0));
        m.layout
            .nodes
            .insert(beside.id.0, node(400.0, 0.0, 160.0, 64.0));
        m.boundaries.push(b.clone());
        m.elements = vec![inner.clone(), added.clone(), below.clone(), beside.clone()];
        let g = diagram_geometry(&m, &DiagramOptions::default());
        assert_clean("tight boundary", &m, &g);
        assert!(g.nodes[&b.id.0].height > 130.0);
        assert!(g.nodes[&below.id.0].y > 200.0);
        assert_eq!(
            g.nodes[&beside.id.0],
            Rect::from(&m.layout.nodes[&beside.id.0])
        );
        assert_eq!(
            g.nodes[&inner.id.0],
            Rect::from(&m.layout.nodes[&inner.id.0])
        );
    }
}
