//! Microsoft Threat Modeling Tool `.tm7` import.
//!
//! A `.tm7` file is WCF DataContract XML: drawing surfaces (one native model each) whose
//! `Borders` hold stencils and border boundaries and whose `Lines` hold connectors (data flows)
//! and line boundaries, the threat instances the tool generated and triaged, and the whole
//! knowledge base (KB) the model was drawn with. The XML is parsed with `roxmltree` with DTDs
//! refused, so no entity is ever expanded or fetched.
//!
//! Stencils map by generic type (`GE.P` process, `GE.EI` external interactor, `GE.DS` data
//! store); a few well-known Azure stencils map to the catalog's Azure stencils by name. A list
//! property stores an index; it is resolved through the KB attribute of the same name (the
//! order of values differs per attribute), falling back to the list stored beside the index.
//! Border boundaries get their members by containment, like Threat Dragon boxes; line
//! boundaries become member-less `generic` boundaries whose line (source, handle, target) is
//! kept in the layout, and the flows crossing them get a note. Threat instances become triage
//! decisions keyed `TMT-<threat type>@<source>@<flow>@<target>`, which is TMT's own
//! interaction key with the threat type in front.

use std::collections::{BTreeMap, HashMap};

use roxmltree::{Document, Node, ParsingOptions};
use uuid::Uuid;

use super::{ImportError, ImportReport, SourceFormat, as_text, name_or, source_uuid};
use crate::layout::geometry;
use crate::model::{
    BoundaryId, BoundaryKind, DataFlow, EdgeLayout, Element, ElementId, ElementKind, FlowId,
    ModelId, NodeLayout, Point, ServiceModel, Severity, StencilId, StencilSet, ThreatKey,
    TriageDecision, TriageStatus, TrustBoundary,
};

const FORMAT: &str = "Threat Modeling Tool (.tm7)";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The prefix of triage keys that come from Threat Modeling Tool threat instances.
pub const KEY_PREFIX: &str = "TMT-";
/// A bound on XML nodes: the largest sample (1.3 MB) has about 60,000.
const NODES_LIMIT: u32 = 5_000_000;

fn invalid(origin: &str, message: impl Into<String>) -> ImportError {
    ImportError::Invalid {
        origin: origin.to_string(),
        format: FORMAT,
        message: message.into(),
    }
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn children<'a, 'i: 'a>(n: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    n.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn text<'a>(n: Node<'a, '_>, name: &str) -> &'a str {
    child(n, name).and_then(|c| c.text()).unwrap_or("").trim()
}

fn num(n: Node, name: &str) -> Option<f64> {
    text(n, name).parse::<f64>().ok().filter(|x| x.is_finite())
}

fn xsi_type<'a>(n: Node<'a, '_>) -> &'a str {
    let t = n.attribute((XSI, "type")).unwrap_or("");
    t.rsplit(':').next().unwrap_or(t)
}

/// One property of a drawn object, resolved to text.
#[derive(Clone, Debug)]
struct Attr {
    display: String,
    value: String,
}

/// KB list attributes by name: their values in order.
type KbLists = HashMap<String, Vec<String>>;

fn kb_lists(kb: Option<Node>) -> KbLists {
    let mut out = KbLists::new();
    let Some(kb) = kb else { return out };
    for attr in kb
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "Attribute")
    {
        let name = text(attr, "Name");
        if name.is_empty() || out.contains_key(name) {
            continue;
        }
        if let Some(values) = child(attr, "AttributeValues") {
            out.insert(
                name.to_string(),
                values
                    .children()
                    .filter(|c| c.is_element())
                    .map(|c| c.text().unwrap_or("").trim().to_string())
                    .collect(),
            );
        }
    }
    out
}

/// The short titles of the KB's threat types, by id.
fn kb_threat_titles(kb: Option<Node>) -> HashMap<String, (String, String)> {
    let mut out = HashMap::new();
    let Some(types) = kb.and_then(|k| child(k, "ThreatTypes")) else {
        return out;
    };
    for t in types.children().filter(|c| c.is_element()) {
        out.insert(
            text(t, "Id").to_string(),
            (
                text(t, "ShortTitle").to_string(),
                text(t, "Category").to_string(),
            ),
        );
    }
    out
}

/// Reads an object's property list: its header (the stencil's display name) and attributes.
fn read_properties(value: Node, kb: &KbLists) -> (String, Vec<Attr>) {
    let mut header = String::new();
    let mut attrs = Vec::new();
    let Some(props) = child(value, "Properties") else {
        return (header, attrs);
    };
    for p in props.children().filter(|c| c.is_element()) {
        let display = text(p, "DisplayName").to_string();
        let name = text(p, "Name");
        let v = child(p, "Value");
        match xsi_type(p) {
            "HeaderDisplayAttribute" if header.is_empty() => header = display,
            "HeaderDisplayAttribute" => {}
            "StringDisplayAttribute" | "BooleanDisplayAttribute" => attrs.push(Attr {
                display,
                value: v.and_then(|v| v.text()).unwrap_or("").trim().to_string(),
            }),
            "ListDisplayAttribute" | "StaticListDisplayAttribute" => {
                let index = text(p, "SelectedIndex").parse::<usize>().ok();
                let own: Vec<String> = v
                    .map(|v| {
                        v.children()
                            .filter(|c| c.is_element())
                            .map(|c| c.text().unwrap_or("").trim().to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                // A static list holds the stencil's fixed value beside the index; a selectable
                // list is resolved through the KB, whose order of values differs per
                // attribute.
                let from_kb = || index.and_then(|i| kb.get(name).and_then(|values| values.get(i)));
                let from_own = || index.and_then(|i| own.get(i));
                let value = if xsi_type(p) == "StaticListDisplayAttribute" {
                    from_own().or_else(from_kb).cloned()
                } else {
                    from_kb().or_else(from_own).cloned()
                };
                attrs.push(Attr {
                    display,
                    value: value.unwrap_or_default(),
                });
            }
            _ => {}
        }
    }
    (header, attrs)
}

fn attr<'a>(attrs: &'a [Attr], display: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|a| a.display.eq_ignore_ascii_case(display))
        .map(|a| a.value.as_str())
}

/// Attributes with no native meaning, for the notes: `Name: value` lines, unset ones left out.
fn attribute_notes(attrs: &[Attr], mapped: &[&str]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| !mapped.iter().any(|m| a.display.eq_ignore_ascii_case(m)))
        .filter(|a| !a.value.is_empty() && a.value != "Select" && a.value != "Not Selected")
        .map(|a| format!("{}: {}", a.display, a.value))
        .collect();
    if lines.is_empty() {
        String::new()
    } else {
        format!("Threat Modeling Tool attributes:\n{}", lines.join("\n"))
    }
}

/// A catalog stencil for a well-known TMT stencil, by words in its display name, when the
/// catalog has it for the element's kind.
fn stencil_for(kind: ElementKind, header: &str, stencils: &StencilSet) -> StencilId {
    const BY_NAME: &[(&str, &str)] = &[
        ("key vault", "azure.key_vault"),
        ("cosmos", "azure.cosmos_db"),
        ("sql database", "azure.sql_database"),
        ("azure sql", "azure.sql_database"),
        ("storage", "azure.storage_account"),
        ("event hub", "azure.event_hubs"),
        ("service bus", "azure.service_bus"),
        ("container registry", "azure.container_registry"),
        ("log analytics", "azure.log_analytics"),
        ("app service", "azure.app_service"),
        ("web app", "azure.app_service"),
        ("function", "azure.functions"),
        ("api management", "azure.api_management"),
        ("kubernetes", "azure.aks"),
        ("front door", "azure.front_door"),
        ("application gateway", "azure.application_gateway"),
        ("firewall", "azure.firewall"),
        ("virtual machine", "azure.virtual_machine"),
        ("azure ad", "azure.entra_id"),
        ("entra", "azure.entra_id"),
    ];
    let lower = header.to_ascii_lowercase();
    BY_NAME
        .iter()
        .filter(|(words, _)| lower.contains(words))
        .map(|(_, id)| StencilId::from(*id))
        .find(|id| stencils.get(id).is_some_and(|s| s.kind == kind))
        .unwrap_or_else(|| StencilId::generic(kind))
}

fn boundary_kind(header: &str, type_id: &str) -> BoundaryKind {
    let h = format!("{header} {type_id}").to_ascii_lowercase();
    if h.contains("internet") {
        BoundaryKind::Internet
    } else if h.contains("corpnet") || h.contains("on-prem") || h.contains("corporate") {
        BoundaryKind::OnPremises
    } else if h.contains("subscription") || h.contains("resource group") {
        BoundaryKind::Subscription
    } else if h.contains("vnet") || h.contains("virtual network") {
        BoundaryKind::VirtualNetwork
    } else {
        BoundaryKind::Generic
    }
}

const PROTOCOLS: &[&str] = &[
    "HTTP",
    "HTTPS",
    "IPsec",
    "SMB",
    "RPC",
    "DCOM",
    "ALPC",
    "Binary",
    "Named Pipe",
    "UDP",
    "TCP",
    "SSH",
    "AMQP",
    "MQTT",
    "SQL",
];

/// Imports every drawing surface of a `.tm7` file. Well-known stencils map to the stencils of
/// `stencils` (the catalog in use, rule packs included) when it has them.
pub fn import(
    bytes: &[u8],
    origin: &str,
    stencils: &StencilSet,
) -> Result<(Vec<ServiceModel>, ImportReport), ImportError> {
    let source = as_text(bytes, origin)?;
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: NODES_LIMIT,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(source, options).map_err(|e| ImportError::Syntax {
        origin: origin.to_string(),
        format: "XML",
        message: match e {
            roxmltree::Error::DtdDetected => {
                "it declares a DTD, which Threat Modeling Tool files never do; refused so that no entity is expanded or fetched".to_string()
            }
            other => other.to_string(),
        },
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "ThreatModel" {
        return Err(invalid(
            origin,
            format!(
                "the root element is <{}>, not <ThreatModel>",
                root.tag_name().name()
            ),
        ));
    }
    let surfaces = child(root, "DrawingSurfaceList")
        .ok_or_else(|| invalid(origin, "there is no <DrawingSurfaceList>"))?;
    let kb = child(root, "KnowledgeBase");
    let lists = kb_lists(kb);
    let titles = kb_threat_titles(kb);
    let meta = child(root, "MetaInformation");
    let title = meta
        .map(|m| text(m, "ThreatModelName"))
        .unwrap_or("")
        .to_string();
    let owner = meta.map(|m| text(m, "Owner")).unwrap_or("").to_string();
    let description = meta
        .map(|m| text(m, "HighLevelSystemDescription"))
        .unwrap_or("")
        .to_string();

    let mut report = ImportReport::new(SourceFormat::Tmt);
    let surface_nodes: Vec<Node> = children(surfaces, "DrawingSurfaceModel").collect();
    let mut models: Vec<(String, ServiceModel)> = Vec::new();
    for (i, surface) in surface_nodes.iter().enumerate() {
        let guid = text(*surface, "Guid").to_string();
        let header = name_or(text(*surface, "Header"), || format!("Diagram {}", i + 1));
        let name = match (surface_nodes.len(), title.trim().is_empty()) {
            (1, false) => title.trim().to_string(),
            (_, false) => format!("{} - {header}", title.trim()),
            (_, true) => header.clone(),
        };
        let objects: usize = ["Borders", "Lines"]
            .iter()
            .filter_map(|n| child(*surface, n))
            .map(|c| c.children().filter(|k| k.is_element()).count())
            .sum();
        if objects > super::MAX_OBJECTS_PER_DIAGRAM {
            return Err(invalid(
                origin,
                format!(
                    "drawing surface '{header}' has {objects} objects; surfaces with more than {} are refused",
                    super::MAX_OBJECTS_PER_DIAGRAM
                ),
            ));
        }
        let mut m = ServiceModel::new(name);
        m.id = ModelId::derived(super::IMPORT_NAMESPACE, &format!("tmt:{guid}:{i}"));
        m.team = owner.clone();
        m.description = description.clone();
        read_surface(&mut m, *surface, &lists, stencils, &mut report);
        models.push((guid, m));
    }

    if let Some(threats) = child(root, "ThreatInstances") {
        for kv in threats.children().filter(|c| c.is_element()) {
            let Some(v) = child(kv, "Value") else {
                continue;
            };
            take_threat(v, &mut models, &titles, &mut report);
        }
    }
    let mut out = Vec::new();
    for (guid, m) in models {
        report.summarize(&m, &guid);
        out.push(m);
    }
    if out.is_empty() {
        report.unmapped(
            origin,
            "the file",
            "it has no drawing surface, so no model was written",
        );
    }
    Ok((out, report))
}

fn read_surface(
    m: &mut ServiceModel,
    surface: Node,
    lists: &KbLists,
    stencils: &StencilSet,
    report: &mut ImportReport,
) {
    let diagram = m.name.clone();
    let ns = m.id.0;
    let mut boxes = Vec::new();
    let mut lines: Vec<(String, Vec<Point>)> = Vec::new();
    let entries = |name: &str| -> Vec<Node> {
        child(surface, name)
            .map(|c| {
                c.children()
                    .filter(|k| k.is_element())
                    .filter_map(|k| child(k, "Value"))
                    .collect()
            })
            .unwrap_or_default()
    };
    for v in entries("Borders") {
        let guid = text(v, "Guid").to_string();
        let generic = text(v, "GenericTypeId");
        let type_id = text(v, "TypeId");
        let (header, attrs) = read_properties(v, lists);
        let label = attr(&attrs, "Name").unwrap_or("").to_string();
        let node = match (
            num(v, "Left"),
            num(v, "Top"),
            num(v, "Width"),
            num(v, "Height"),
        ) {
            (Some(x), Some(y), Some(width), Some(height)) => Some(NodeLayout {
                x,
                y,
                width,
                height,
            }),
            _ => None,
        };
        // The drawn shape says the generic type even when a custom KB names its generic
        // elements by GUID instead of `GE.*`.
        let shape = xsi_type(v);
        let kind = match (shape, generic) {
            ("StencilEllipse", _) | (_, "GE.P") => Some(ElementKind::Process),
            ("StencilRectangle", _) | (_, "GE.EI") => Some(ElementKind::ExternalEntity),
            ("StencilParallelLines", _) | (_, "GE.DS") => Some(ElementKind::DataStore),
            _ => None,
        };
        if let Some(kind) = kind {
            let mut e = Element::new(
                kind,
                name_or(&label, || {
                    name_or(&header, || format!("Unnamed {}", kind.label()))
                }),
            );
            if label.trim().is_empty() {
                report.unmapped(
                    &diagram,
                    format!("{} {guid}", kind.label()),
                    format!("it has no name; named it '{}'", e.name),
                );
            }
            e.id = ElementId(source_uuid(ns, &guid));
            e.stencil = stencil_for(kind, &header, stencils);
            e.description = if header.is_empty() {
                String::new()
            } else {
                format!("Threat Modeling Tool stencil: {header} ({type_id})")
            };
            e.out_of_scope =
                attr(&attrs, "Out Of Scope").is_some_and(|v| v.eq_ignore_ascii_case("true"));
            e.out_of_scope_reason = attr(&attrs, "Reason For Out Of Scope")
                .unwrap_or("")
                .to_string();
            if e.out_of_scope && e.out_of_scope_reason.trim().is_empty() {
                e.out_of_scope_reason =
                    "out of scope in the Threat Modeling Tool (no reason given)".into();
            }
            let yes = |d: &str| attr(&attrs, d).is_some_and(|v| v.eq_ignore_ascii_case("yes"));
            let mapped: &[(&str, &str)] = match kind {
                ElementKind::DataStore => &[
                    ("Encrypted", "encrypted_at_rest"),
                    ("Stores Credentials", "stores_secrets"),
                    ("Stores Log Data", "is_log"),
                    ("Backup", "backup"),
                ],
                ElementKind::Process => &[
                    (
                        "Implements or Uses an Authentication Mechanism",
                        "authenticates_callers",
                    ),
                    (
                        "Implements or Uses an Authorization Mechanism",
                        "authorizes_callers",
                    ),
                ],
                ElementKind::ExternalEntity => &[],
            };
            let schema = stencils.get(&e.stencil);
            for (display, property) in mapped {
                if yes(display) && schema.is_some_and(|s| s.properties.contains_key(*property)) {
                    e.properties.insert((*property).into(), true.into());
                }
            }
            e.notes = attribute_notes(&attrs, &["Name", "Out Of Scope", "Reason For Out Of Scope"]);
            match node {
                Some(n) => {
                    m.layout.nodes.insert(e.id.0, n);
                }
                None => report.unmapped(
                    &diagram,
                    format!("{} '{}'", kind.label(), e.name),
                    "it has no coordinates; it is not placed and sits in no boundary",
                ),
            }
            m.elements.push(e);
        } else if shape == "BorderBoundary" || generic == "GE.TB.B" {
            let mut tb = TrustBoundary::new(
                name_or(&label, || name_or(&header, || "Trust boundary".into())),
                boundary_kind(&header, type_id),
            );
            tb.id = BoundaryId(source_uuid(ns, &guid));
            tb.description = format!("Threat Modeling Tool border boundary: {header} ({type_id})");
            match node {
                Some(n) => {
                    m.layout.nodes.insert(tb.id.0, n);
                    boxes.push(tb.id);
                }
                None => report.unmapped(
                    &diagram,
                    format!("boundary '{}'", tb.name),
                    "it has no coordinates; it has no members",
                ),
            }
            m.boundaries.push(tb);
        } else {
            report.unmapped(
                &diagram,
                format!("'{}' ({generic})", name_or(&label, || header.clone())),
                "not a process, external interactor, data store or border boundary",
            );
        }
    }

    for v in entries("Lines") {
        let guid = text(v, "Guid").to_string();
        let generic = text(v, "GenericTypeId");
        let type_id = text(v, "TypeId");
        let (header, attrs) = read_properties(v, lists);
        let label = attr(&attrs, "Name").unwrap_or("").to_string();
        let pt = |x: &str, y: &str| {
            Some(Point {
                x: num(v, x)?,
                y: num(v, y)?,
            })
        };
        let path: Vec<Point> = [
            pt("SourceX", "SourceY"),
            pt("HandleX", "HandleY"),
            pt("TargetX", "TargetY"),
        ]
        .into_iter()
        .flatten()
        .collect();
        match xsi_type(v) {
            "Connector" => {
                let name = name_or(&label, || name_or(&header, || "Data flow".into()));
                let end = |k: &str| {
                    let g = text(v, k);
                    Uuid::parse_str(g)
                        .ok()
                        .map(ElementId)
                        .filter(|id| m.element(*id).is_some())
                };
                let (Some(source), Some(target)) = (end("SourceGuid"), end("TargetGuid")) else {
                    report.unmapped(
                        &diagram,
                        format!("flow '{name}' ({guid})"),
                        "it is not attached to a stencil at both ends; left out",
                    );
                    continue;
                };
                if source == target {
                    report.unmapped(
                        &diagram,
                        format!("flow '{name}' ({guid})"),
                        "it goes from a stencil to itself; left out",
                    );
                    continue;
                }
                let mut f = DataFlow::new(name, source, target);
                f.id = FlowId(source_uuid(ns, &guid));
                f.description = if header.is_empty() {
                    String::new()
                } else {
                    format!("Threat Modeling Tool stencil: {header} ({type_id})")
                };
                if let Some(p) = PROTOCOLS.iter().find(|p| header.eq_ignore_ascii_case(p)) {
                    f.protocol = p.to_string();
                }
                if attr(&attrs, "Provides Confidentiality")
                    .is_some_and(|v| v.eq_ignore_ascii_case("yes"))
                    || f.protocol == "HTTPS"
                    || f.protocol == "IPsec"
                    || f.protocol == "SSH"
                {
                    f.properties.insert("encrypted".into(), true.into());
                }
                f.out_of_scope =
                    attr(&attrs, "Out Of Scope").is_some_and(|v| v.eq_ignore_ascii_case("true"));
                f.out_of_scope_reason = attr(&attrs, "Reason For Out Of Scope")
                    .unwrap_or("")
                    .to_string();
                if f.out_of_scope && f.out_of_scope_reason.trim().is_empty() {
                    f.out_of_scope_reason =
                        "out of scope in the Threat Modeling Tool (no reason given)".into();
                }
                f.notes = attribute_notes(
                    &attrs,
                    &[
                        "Name",
                        "Out Of Scope",
                        "Reason For Out Of Scope",
                        "Provides Confidentiality",
                    ],
                );
                if let Some(h) = pt("HandleX", "HandleY") {
                    m.layout.edges.insert(
                        f.id.0,
                        EdgeLayout {
                            waypoints: vec![h],
                            label: None,
                        },
                    );
                }
                m.flows.push(f);
            }
            "LineBoundary" => {
                let mut tb = TrustBoundary::new(
                    name_or(&label, || name_or(&header, || "Trust boundary line".into())),
                    boundary_kind(&header, type_id),
                );
                tb.id = BoundaryId(source_uuid(ns, &guid));
                tb.description =
                    format!("Threat Modeling Tool line boundary: {header} ({type_id})");
                if path.len() >= 2 {
                    m.layout.edges.insert(
                        tb.id.0,
                        EdgeLayout {
                            waypoints: path.clone(),
                            label: None,
                        },
                    );
                    lines.push((tb.name.clone(), path));
                } else {
                    report.unmapped(
                        &diagram,
                        format!("line boundary '{}'", tb.name),
                        "it has no coordinates; no crossing flows could be found",
                    );
                }
                m.boundaries.push(tb);
            }
            other => report.unmapped(
                &diagram,
                format!("line {guid} ({generic}, {other})"),
                "not a connector or line boundary",
            ),
        }
    }

    geometry::assign_box_membership(m, &boxes);
    super::note_line_crossings(m, &lines, "line boundary", report);
}

fn take_threat(
    v: Node,
    models: &mut [(String, ServiceModel)],
    titles: &HashMap<String, (String, String)>,
    report: &mut ImportReport,
) {
    let surface = text(v, "DrawingSurfaceGuid");
    let id = text(v, "Id");
    let type_id = text(v, "TypeId");
    let props: BTreeMap<&str, &str> = child(v, "Properties")
        .map(|p| {
            p.children()
                .filter(|c| c.is_element())
                .map(|kv| (text(kv, "Key"), text(kv, "Value")))
                .collect()
        })
        .unwrap_or_default();
    let kb = titles.get(type_id);
    let title = [
        props.get("Title").copied().unwrap_or(""),
        text(v, "Title"),
        kb.map(|k| k.0.as_str()).unwrap_or(""),
    ]
    .into_iter()
    .find(|t| !t.is_empty())
    .unwrap_or(type_id)
    .to_string();
    let Some((_, m)) = models.iter_mut().find(|(g, _)| g == surface) else {
        report.unmapped(
            surface,
            format!("threat {id} '{title}'"),
            "its drawing surface is not in the file",
        );
        return;
    };
    let parse = |k: &str| Uuid::parse_str(text(v, k)).ok();
    let (Some(src), Some(flow), Some(tgt)) =
        (parse("SourceGuid"), parse("FlowGuid"), parse("TargetGuid"))
    else {
        report.unmapped(
            &m.name,
            format!("threat {id} '{title}'"),
            "it does not name a source, flow and target",
        );
        return;
    };
    if m.flow(FlowId(flow)).is_none() {
        report.unmapped(
            &m.name,
            format!("threat {id} '{title}'"),
            "its flow was not imported",
        );
        return;
    }
    let key = ThreatKey::for_flow(
        &format!("{KEY_PREFIX}{type_id}"),
        ElementId(src),
        FlowId(flow),
        ElementId(tgt),
    );
    let state = text(v, "State");
    let status = match state {
        "AutoGenerated" | "NotStarted" | "" => TriageStatus::Open,
        "NeedsInvestigation" => TriageStatus::NeedsInvestigation,
        "NotApplicable" => TriageStatus::NotApplicable,
        "Mitigated" => TriageStatus::Mitigated,
        _ => TriageStatus::Open,
    };
    let priority = [
        text(v, "Priority"),
        props.get("Priority").copied().unwrap_or(""),
    ]
    .into_iter()
    .find(|p| !p.is_empty())
    .unwrap_or("");
    let severity = Severity::parse(&priority.to_ascii_lowercase());
    let category = [
        props.get("UserThreatCategory").copied().unwrap_or(""),
        kb.map(|k| k.1.as_str()).unwrap_or(""),
    ]
    .into_iter()
    .find(|c| !c.is_empty())
    .unwrap_or("");
    let mut lines = vec![format!("Threat Modeling Tool threat {id}: {title}")];
    if !category.is_empty() {
        lines.push(format!("Category: {category}"));
    }
    if !state.is_empty() {
        lines.push(format!("State: {state}"));
    }
    if !priority.is_empty() {
        lines.push(format!("Priority: {priority}"));
    }
    let description = props.get("UserThreatDescription").copied().unwrap_or("");
    if !description.is_empty() {
        lines.push(format!("Description:\n{description}"));
    }
    let justification = text(v, "StateInformation");
    if !justification.is_empty() {
        lines.push(format!("Justification:\n{justification}"));
    }
    if m.triage.contains_key(&key) {
        report.unmapped(
            &m.name,
            format!("threat {id} '{title}'"),
            "another instance has the same type and interaction; only the first is kept",
        );
        return;
    }
    m.triage.insert(
        key,
        TriageDecision {
            status,
            justification: lines.join("\n"),
            severity_override: severity,
            ..Default::default()
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dtd_is_refused_before_any_entity_is_expanded() {
        let doc = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<ThreatModel>&lol2;</ThreatModel>"#;
        let err = import(
            doc.as_bytes(),
            "bomb.tm7",
            crate::catalog::builtin_stencils(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("DTD"), "{err}");
    }

    #[test]
    fn the_wrong_root_is_named() {
        let err = import(b"<Other/>", "x.tm7", crate::catalog::builtin_stencils()).unwrap_err();
        assert!(err.to_string().contains("<Other>"), "{err}");
    }
}
