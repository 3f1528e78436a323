//! Threagile YAML import.
//!
//! A Threagile model is one YAML document, possibly split over several files joined with
//! `includes:` (paths relative to the including file). Includes are merged into the including
//! document: mappings key by key, lists appended, and the including file wins on a scalar.
//! Each file is read once (so a cycle or a diamond is harmless), at most [`MAX_INCLUDE_DEPTH`]
//! deep and [`MAX_INCLUDED_FILES`] in all, and the total size is bounded by
//! [`super::MAX_IMPORT_BYTES`]. Absolute include paths are refused, and so is an include that
//! leads out of the model file's folder (through `..` or a symbolic link).
//!
//! Technical assets become elements (their `type` gives the kind), communication links become
//! flows, trust boundaries keep their nesting (`trust_boundaries_nested`) and members
//! (`technical_assets_inside`). Threagile stores no positions, so a layered layout is
//! generated: each element's column is its distance from the assets nothing calls.
//!
//! `internet: true` puts an asset that sits in no trust boundary into an `internet` boundary,
//! and connects an asset inside one from an "Internet" entity in that boundary, so that rules
//! see it exposed. Every field that has no native meaning is listed in the report, with how many
//! objects set it; fields kept only as text in the notes are listed as such.
//!
//! The model's own risks (`custom_risk_categories`, or `individual_risk_categories` in older
//! models) become hand-written threats on the most relevant link, asset or boundary, with
//! Threagile's likelihood and impact and the category's mitigation text. `risk_tracking`
//! entries set the status of the risk they name (Threagile's synthetic id, `*` matching any one
//! part); an entry about a risk of a built-in Threagile rule becomes a threat of its own, with
//! the rule's title and STRIDE category from `catalog/import/threagile.toml`.
//!
//! A file that defines no technical assets after its includes is a fragment and is refused
//! with a message that says so; Threagile's own output (`parsed-model.yaml`) is refused too.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use serde_yaml_ng::{Mapping, Value};

use super::{
    ImportError, ImportReport, MAX_IMPORT_BYTES, SourceFormat, as_text, name_or, read_source,
};
use crate::model::{
    BoundaryId, BoundaryKind, DataFlow, Element, ElementId, ElementKind, FlowId, ManualThreat,
    ModelId, NodeLayout, PropertyValue, Rating, ServiceModel, Severity, StencilId, Stride,
    ThreatId, ThreatTarget, TriageDecision, TriageStatus, TrustBoundary,
};

const FORMAT: &str = "Threagile YAML";
/// How deep `includes:` may nest.
pub const MAX_INCLUDE_DEPTH: usize = 16;
/// How many files one model may be made of.
pub const MAX_INCLUDED_FILES: usize = 256;

fn invalid(origin: &str, message: impl Into<String>) -> ImportError {
    ImportError::Invalid {
        origin: origin.to_string(),
        format: FORMAT,
        message: message.into(),
    }
}

/// How deep YAML flow collections (`[`, `{`) may nest. The YAML parser's own limit (128) is
/// only checked after scanning, and scanning deeply nested flow collections takes quadratic
/// time (40,000 levels: 7 s in a release build), so deeper text is refused before parsing.
const MAX_FLOW_DEPTH: usize = 128;

/// The line of the first place where `[`/`{` nest deeper than [`MAX_FLOW_DEPTH`]. Brackets in
/// quoted text are counted too: a real model never holds 128 unclosed brackets, and counting
/// them all cannot be fooled by a stray quote.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut line = 1;
    for b in text.bytes() {
        match b {
            b'\n' => line += 1,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_FLOW_DEPTH {
                    return Some(line);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn parse_yaml(text: &str, origin: &str) -> Result<Value, ImportError> {
    if let Some(line) = too_deep(text) {
        return Err(ImportError::Syntax {
            origin: origin.to_string(),
            format: "YAML",
            message: format!("brackets nest deeper than {MAX_FLOW_DEPTH} levels at line {line}"),
        });
    }
    serde_yaml_ng::from_str::<Value>(text).map_err(|e| ImportError::Syntax {
        origin: origin.to_string(),
        format: "YAML",
        message: e.to_string(),
    })
}

/// Imports a Threagile model file, following its includes.
pub fn import_file(path: &Path) -> Result<(Vec<ServiceModel>, ImportReport), ImportError> {
    let mut report = ImportReport::new(SourceFormat::Threagile);
    let mut seen = HashSet::new();
    let mut total = 0u64;
    let origin = path.display().to_string();
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let root =
        std::fs::canonicalize(dir.unwrap_or(Path::new("."))).map_err(|cause| ImportError::Io {
            path: path.to_path_buf(),
            cause,
        })?;
    let mut includes = Includes {
        root: &root,
        seen: &mut seen,
        total: &mut total,
    };
    let doc = load_with_includes(path, 0, &mut includes, &mut report)?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "threagile".into());
    let model = build(doc, &origin, &stem, &mut report)?;
    report.summarize(&model, &origin);
    Ok((vec![model], report))
}

/// Imports a Threagile document from text. `includes:` cannot be followed without a file
/// system, so they are reported as not mapped. Used by tests and fuzzing.
pub fn import_str(
    text: &str,
    origin: &str,
) -> Result<(Vec<ServiceModel>, ImportReport), ImportError> {
    let mut report = ImportReport::new(SourceFormat::Threagile);
    let mut doc = parse_yaml(text, origin)?;
    if let Some(m) = doc.as_mapping_mut()
        && let Some(includes) = m.remove("includes")
    {
        report.unmapped(
            origin,
            format!("includes {}", yaml_list(&includes).join(", ")),
            "includes are only followed when importing a file",
        );
    }
    let model = build(doc, origin, "threagile", &mut report)?;
    report.summarize(&model, origin);
    Ok((vec![model], report))
}

fn yaml_list(v: &Value) -> Vec<String> {
    v.as_sequence()
        .map(|s| s.iter().filter_map(scalar).collect())
        .unwrap_or_default()
}

/// What following `includes:` keeps track of across files.
struct Includes<'a> {
    /// The folder of the model file, resolved: no include may lead out of it.
    root: &'a Path,
    /// Every file read so far, resolved.
    seen: &'a mut HashSet<PathBuf>,
    /// Bytes read so far.
    total: &'a mut u64,
}

fn load_with_includes(
    path: &Path,
    depth: usize,
    state: &mut Includes<'_>,
    report: &mut ImportReport,
) -> Result<Value, ImportError> {
    let origin = path.display().to_string();
    let bytes = read_source(path)?;
    *state.total += bytes.len() as u64;
    if *state.total > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge {
            path: path.to_path_buf(),
            size: *state.total,
            max: MAX_IMPORT_BYTES,
        });
    }
    let text = as_text(&bytes, &origin)?;
    let mut doc = parse_yaml(text, &origin)?;
    let includes = doc
        .as_mapping_mut()
        .and_then(|m| m.remove("includes"))
        .map(|v| yaml_list(&v))
        .unwrap_or_default();
    let dir = path.parent().unwrap_or(Path::new("."));
    for inc in includes {
        let rel = Path::new(&inc);
        if rel.is_absolute() {
            return Err(invalid(
                &origin,
                format!(
                    "include '{inc}' is an absolute path; only paths relative to the including file are followed"
                ),
            ));
        }
        if depth + 1 > MAX_INCLUDE_DEPTH {
            return Err(invalid(
                &origin,
                format!("includes nest deeper than {MAX_INCLUDE_DEPTH} files (at '{inc}')"),
            ));
        }
        let target = dir.join(rel);
        // Resolved (`..` and symbolic links followed) before anything is read: an include that
        // leads out of the model's folder could read any file the user can, and merge it
        // into the model and its report.
        let key = std::fs::canonicalize(&target).map_err(|cause| ImportError::Io {
            path: target.clone(),
            cause,
        })?;
        if !key.starts_with(state.root) {
            return Err(invalid(
                &origin,
                format!(
                    "include '{inc}' leads out of the model's folder '{}'; includes are followed only to files in that folder and below it",
                    state.root.display()
                ),
            ));
        }
        if !state.seen.insert(key) {
            report
                .notes
                .push(format!("{origin}: '{inc}' was already included; read once"));
            continue;
        }
        if state.seen.len() > MAX_INCLUDED_FILES {
            return Err(invalid(
                &origin,
                format!("the model includes more than {MAX_INCLUDED_FILES} files"),
            ));
        }
        let included = load_with_includes(&target, depth + 1, state, report)?;
        merge(&mut doc, included);
    }
    Ok(doc)
}

/// Merges `from` into `into`: mappings key by key, lists appended, `into` wins on scalars.
fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Mapping(a), Value::Mapping(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) if !existing.is_null() => merge(existing, v),
                    _ => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (Value::Sequence(a), Value::Sequence(b)) => a.extend(b),
        (slot @ Value::Null, v) => *slot = v,
        _ => {}
    }
}

fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_mapping().and_then(|m| m.get(key))
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn st(v: &Value, key: &str) -> String {
    get(v, key)
        .and_then(scalar)
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn flag(v: &Value, key: &str) -> bool {
    get(v, key).and_then(Value::as_bool).unwrap_or(false)
}

fn entries(v: Option<&Value>) -> Vec<(String, &Value)> {
    v.and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| scalar(k).map(|k| (k, v)))
                .collect()
        })
        .unwrap_or_default()
}

/// Threagile's five confidentiality levels on the native four.
fn classification(confidentiality: &str) -> Option<&'static str> {
    match confidentiality {
        "public" => Some("public"),
        "internal" => Some("internal"),
        "restricted" | "confidential" => Some("confidential"),
        "strictly-confidential" => Some("restricted"),
        _ => None,
    }
}

const CLASS_ORDER: [&str; 4] = ["public", "internal", "confidential", "restricted"];

/// A trust boundary's kind: from its Threagile type, else from its name.
fn boundary_kind(t: &str, name: &str) -> BoundaryKind {
    match t {
        "network-on-prem" => BoundaryKind::OnPremises,
        "network-virtual-lan" => BoundaryKind::VirtualNetwork,
        "network-cloud-security-group" => BoundaryKind::Subnet,
        _ => super::boundary_kind_of_name(name).unwrap_or(BoundaryKind::Generic),
    }
}

/// How the importer treats each field of a Threagile object.
struct Fields {
    /// Read into native fields or properties.
    mapped: &'static [&'static str],
    /// Kept only as text in the notes.
    noted: &'static [&'static str],
}

const ASSET_FIELDS: Fields = Fields {
    mapped: &[
        "id",
        "type",
        "description",
        "out_of_scope",
        "justification_out_of_scope",
        "communication_links",
        "internet",
        "used_as_client_by_human",
        "confidentiality",
        "encryption",
    ],
    noted: &[
        "technology",
        "machine",
        "size",
        "usage",
        "integrity",
        "availability",
        "owner",
    ],
};

const LINK_FIELDS: Fields = Fields {
    mapped: &[
        "target",
        "description",
        "protocol",
        "authentication",
        "vpn",
        "data_assets_sent",
        "data_assets_received",
    ],
    noted: &["authorization", "usage", "ip_filtered", "readonly"],
};

const BOUNDARY_FIELDS: Fields = Fields {
    mapped: &[
        "id",
        "type",
        "description",
        "technical_assets_inside",
        "trust_boundaries_nested",
    ],
    noted: &[],
};

/// The top-level sections read into the model.
const MODEL_FIELDS: &[&str] = &[
    "threagile_version",
    "title",
    "author",
    "business_overview",
    "technical_overview",
    "data_assets",
    "technical_assets",
    "trust_boundaries",
    "custom_risk_categories",
    "individual_risk_categories",
    "risk_tracking",
];

/// Counts, per field name, the objects that set a field the importer does not map.
#[derive(Default)]
struct FieldTally {
    /// (what, field) -> (objects, kept in notes)
    counts: BTreeMap<(&'static str, String), (usize, bool)>,
}

impl FieldTally {
    fn object(&mut self, what: &'static str, v: &Value, fields: &Fields) {
        for (k, _) in entries(Some(v)) {
            if fields.mapped.contains(&k.as_str()) {
                continue;
            }
            let noted = fields.noted.contains(&k.as_str());
            self.counts.entry((what, k)).or_insert((0, noted)).0 += 1;
        }
    }

    fn report(self, diagram: &str, report: &mut ImportReport) {
        for ((what, field), (n, noted)) in self.counts {
            report.unmapped(
                diagram,
                format!("{what} field '{field}' (on {n})"),
                if noted {
                    "kept as text in the notes only; no rule reads it"
                } else {
                    "no native meaning; not taken in"
                },
            );
        }
    }
}

/// Threagile's id of a communication link: the source asset's id, `>`, and the link's title in
/// lower case with every run of other characters than letters and digits made one `-`.
fn link_id(source: &str, title: &str) -> String {
    let mut slug = String::new();
    for c in title.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    format!("{source}>{}", slug.trim_matches(['-', ' ']))
}

fn build(
    doc: Value,
    origin: &str,
    stem: &str,
    report: &mut ImportReport,
) -> Result<ServiceModel, ImportError> {
    if !doc.is_mapping() {
        return Err(invalid(origin, "the document is not a YAML mapping"));
    }
    if get(&doc, "generated_risks_by_category").is_some()
        || get(&doc, "built_in_risk_categories").is_some()
    {
        return Err(invalid(
            origin,
            "this is Threagile's parsed-model output, not a model; import the model file it was made from",
        ));
    }
    let assets = entries(get(&doc, "technical_assets"));
    if assets.is_empty() {
        return Err(invalid(
            origin,
            "it defines no technical_assets; it looks like a fragment meant to be included from a main model file",
        ));
    }
    let links: usize = assets
        .iter()
        .map(|(_, a)| {
            get(a, "communication_links")
                .and_then(Value::as_mapping)
                .map_or(0, Mapping::len)
        })
        .sum();
    if assets.len() + links > super::MAX_OBJECTS_PER_DIAGRAM {
        return Err(invalid(
            origin,
            format!(
                "it has {} technical assets and {links} links; models with more than {} objects are refused",
                assets.len(),
                super::MAX_OBJECTS_PER_DIAGRAM
            ),
        ));
    }
    let title = st(&doc, "title");
    let mut m = ServiceModel::new(name_or(&title, || stem.to_string()));
    m.id = ModelId::derived(super::IMPORT_NAMESPACE, &format!("threagile:{}", m.name));
    let ns = m.id.0;
    m.team = get(&doc, "author")
        .map(|a| st(a, "name"))
        .unwrap_or_default();
    m.description = [
        get(&doc, "business_overview"),
        get(&doc, "technical_overview"),
    ]
    .into_iter()
    .flatten()
    .map(|o| st(o, "description"))
    .filter(|d| !d.is_empty())
    .collect::<Vec<_>>()
    .join("\n\n");
    let diagram = m.name.clone();

    let data_class: HashMap<String, String> = entries(get(&doc, "data_assets"))
        .into_iter()
        .map(|(_, d)| (st(d, "id"), st(d, "confidentiality")))
        .collect();

    let mut tally = FieldTally::default();
    let mut ids: BTreeMap<String, ElementId> = BTreeMap::new();
    let mut on_internet: Vec<ElementId> = Vec::new();
    for (title, a) in &assets {
        tally.object("technical asset", a, &ASSET_FIELDS);
        let id = name_or(&st(a, "id"), || title.clone());
        let kind = match st(a, "type").as_str() {
            "external-entity" => ElementKind::ExternalEntity,
            "datastore" => ElementKind::DataStore,
            "process" => ElementKind::Process,
            other => {
                report.unmapped(&diagram, format!("technical asset '{title}'"), format!("its type '{other}' is not external-entity, process or datastore; taken in as a process"));
                ElementKind::Process
            }
        };
        if ids.contains_key(&id) {
            report.unmapped(
                &diagram,
                format!("technical asset '{title}'"),
                format!("its id '{id}' repeats; only the first is kept"),
            );
            continue;
        }
        let mut e = Element::new(kind, name_or(title, || id.clone()));
        e.id = ElementId::derived(ns, &format!("asset:{id}"));
        e.description = st(a, "description");
        e.out_of_scope = flag(a, "out_of_scope");
        e.out_of_scope_reason = st(a, "justification_out_of_scope");
        if e.out_of_scope && e.out_of_scope_reason.is_empty() {
            e.out_of_scope_reason = "out of scope in Threagile (no reason given)".into();
        }
        let technology = st(a, "technology");
        e.stencil = match (kind, technology.as_str()) {
            (ElementKind::Process, "build-pipeline") => StencilId::from("ci_cd.pipeline"),
            (ElementKind::DataStore, "sourcecode-repository" | "artifact-registry")
                if technology == "sourcecode-repository" =>
            {
                StencilId::from("ci_cd.source_repository")
            }
            _ => StencilId::generic(kind),
        };
        let mut p = |k: &str, v: PropertyValue| {
            e.properties.insert(k.into(), v);
        };
        match kind {
            ElementKind::ExternalEntity => {
                p(
                    "role",
                    if flag(a, "used_as_client_by_human") {
                        "user"
                    } else {
                        "service"
                    }
                    .into(),
                );
            }
            ElementKind::Process => {
                if flag(a, "internet") {
                    p("public_endpoint", true.into());
                }
                if let Some(c) = classification(&st(a, "confidentiality"))
                    && (c == "confidential" || c == "restricted")
                {
                    p("handles_sensitive_data", true.into());
                }
            }
            ElementKind::DataStore => {
                let enc = st(a, "encryption");
                if !enc.is_empty() && enc != "none" {
                    p("encrypted_at_rest", true.into());
                }
                if enc == "data-with-end-user-individual-key"
                    || enc == "data-with-asymmetric-shared-key"
                {
                    p("key_management", "customer_managed".into());
                }
                if let Some(c) = classification(&st(a, "confidentiality")) {
                    p("data_classification", c.into());
                }
                if flag(a, "internet") {
                    p("public_network_access", true.into());
                }
            }
        }
        let notes: Vec<String> = [
            "technology",
            "machine",
            "size",
            "usage",
            "encryption",
            "confidentiality",
            "integrity",
            "availability",
            "owner",
        ]
        .iter()
        .filter_map(|k| {
            let v = st(a, k);
            (!v.is_empty()).then(|| format!("{k}: {v}"))
        })
        .collect();
        if !notes.is_empty() {
            e.notes = format!("Threagile:\n{}", notes.join("\n"));
        }
        if flag(a, "internet") {
            on_internet.push(e.id);
        }
        ids.insert(id, e.id);
        m.elements.push(e);
    }

    // Threagile's link ids (`source>title`) to the flows, for risks that name a link.
    let mut link_ids: HashMap<String, FlowId> = HashMap::new();
    for (title, a) in &assets {
        let source_key = name_or(&st(a, "id"), || title.clone());
        let Some(&source) = ids.get(&source_key) else {
            continue;
        };
        for (link_title, l) in entries(get(a, "communication_links")) {
            tally.object("communication link", l, &LINK_FIELDS);
            let target_key = st(l, "target");
            let Some(&target) = ids.get(&target_key) else {
                report.unmapped(
                    &diagram,
                    format!("communication link '{title}' > '{link_title}'"),
                    format!(
                        "its target '{target_key}' is not a technical asset of the model; left out"
                    ),
                );
                continue;
            };
            if target == source {
                report.unmapped(
                    &diagram,
                    format!("communication link '{title}' > '{link_title}'"),
                    "it links an asset to itself; left out",
                );
                continue;
            }
            let mut f = DataFlow::new(
                name_or(&link_title, || "Communication link".into()),
                source,
                target,
            );
            f.id = FlowId::derived(ns, &format!("link:{source_key}>{link_title}"));
            f.description = st(l, "description");
            let protocol = st(l, "protocol");
            f.protocol = protocol.to_ascii_uppercase();
            let encrypted = flag(l, "vpn")
                || [
                    "https",
                    "wss",
                    "ssh",
                    "sftp",
                    "ftps",
                    "ldaps",
                    "smtp-encrypted",
                    "pop3-encrypted",
                    "imap-encrypted",
                    "jdbc-encrypted",
                    "odbc-encrypted",
                    "sql-access-protocol-encrypted",
                    "nosql-access-protocol-encrypted",
                    "binary-encrypted",
                    "text-encrypted",
                    "mqtt-encrypted",
                    "iiop-encrypted",
                    "jrmp-encrypted",
                    "smb-encrypted",
                    "reverse-proxy-web-protocol-encrypted",
                    "in-process-library-call",
                    "container-spawning",
                    "local-file-access",
                ]
                .contains(&protocol.as_str());
            if encrypted {
                f.properties.insert("encrypted".into(), true.into());
            }
            let auth = match st(l, "authentication").as_str() {
                "none" => Some("none"),
                "credentials" => Some("password"),
                "client-certificate" => Some("certificate"),
                _ => None,
            };
            if let Some(a) = auth {
                f.properties.insert("authentication".into(), a.into());
            }
            let mut best: Option<usize> = None;
            for d in yaml_list(get(l, "data_assets_sent").unwrap_or(&Value::Null))
                .into_iter()
                .chain(yaml_list(
                    get(l, "data_assets_received").unwrap_or(&Value::Null),
                ))
            {
                if let Some(c) = data_class.get(&d).and_then(|c| classification(c)) {
                    let i = CLASS_ORDER.iter().position(|x| *x == c).unwrap_or(0);
                    best = Some(best.map_or(i, |b| b.max(i)));
                }
            }
            if let Some(i) = best {
                f.properties
                    .insert("data_classification".into(), CLASS_ORDER[i].into());
            }
            let notes: Vec<String> = [
                "authentication",
                "authorization",
                "usage",
                "vpn",
                "ip_filtered",
                "readonly",
            ]
            .iter()
            .filter_map(|k| {
                let v = st(l, k);
                (!v.is_empty()).then(|| format!("{k}: {v}"))
            })
            .collect();
            if !notes.is_empty() {
                f.notes = format!("Threagile:\n{}", notes.join("\n"));
            }
            if m.flow(f.id).is_some() {
                report.unmapped(
                    &diagram,
                    format!("communication link '{title}' > '{link_title}'"),
                    "it repeats; only the first is kept",
                );
                continue;
            }
            link_ids.insert(link_id(&source_key, &link_title), f.id);
            m.flows.push(f);
        }
    }

    let boundaries = entries(get(&doc, "trust_boundaries"));
    let mut bids: BTreeMap<String, BoundaryId> = BTreeMap::new();
    for (title, b) in &boundaries {
        tally.object("trust boundary", b, &BOUNDARY_FIELDS);
        let id = name_or(&st(b, "id"), || title.clone());
        let name = name_or(title, || id.clone());
        let mut tb = TrustBoundary::new(name.clone(), boundary_kind(&st(b, "type"), &name));
        tb.id = BoundaryId::derived(ns, &format!("boundary:{id}"));
        tb.description = st(b, "description");
        bids.insert(id, tb.id);
        m.boundaries.push(tb);
    }
    // Nesting first, so that an asset listed in two boundaries goes to the inner one.
    let mut parent: HashMap<BoundaryId, BoundaryId> = HashMap::new();
    for (title, b) in &boundaries {
        let Some(&outer) = bids.get(&name_or(&st(b, "id"), || title.clone())) else {
            continue;
        };
        for nested in yaml_list(get(b, "trust_boundaries_nested").unwrap_or(&Value::Null)) {
            match bids.get(&nested) {
                Some(&inner)
                    if inner != outer
                        && !parent.contains_key(&inner)
                        && !is_ancestor(&parent, inner, outer) =>
                {
                    parent.insert(inner, outer);
                }
                Some(_) => report.unmapped(
                    &diagram,
                    format!("nesting of '{nested}' in '{title}'"),
                    "it would nest a boundary in itself or in two parents; ignored",
                ),
                None => report.unmapped(
                    &diagram,
                    format!("nesting of '{nested}' in '{title}'"),
                    "no trust boundary has that id",
                ),
            }
        }
    }
    for tb in &mut m.boundaries {
        tb.parent = parent.get(&tb.id).copied();
    }
    let depth = |b: BoundaryId| {
        let mut d = 0;
        let mut cur = b;
        while let Some(p) = parent.get(&cur) {
            d += 1;
            cur = *p;
            if d > parent.len() {
                break;
            }
        }
        d
    };
    for (title, b) in &boundaries {
        let Some(&bid) = bids.get(&name_or(&st(b, "id"), || title.clone())) else {
            continue;
        };
        for asset in yaml_list(get(b, "technical_assets_inside").unwrap_or(&Value::Null)) {
            let Some(eid) = ids.get(&asset) else {
                report.unmapped(
                    &diagram,
                    format!("'{asset}' inside '{title}'"),
                    "no technical asset has that id",
                );
                continue;
            };
            if let Some(e) = m.elements.iter_mut().find(|e| e.id == *eid) {
                match e.boundary {
                    Some(prev) if depth(prev) >= depth(bid) => {}
                    _ => e.boundary = Some(bid),
                }
            }
        }
    }

    internet(&mut m, &on_internet, ns, report);
    risks(&doc, &mut m, &ids, &link_ids, &bids, report);

    if let Some(top) = doc.as_mapping() {
        for (k, v) in top {
            let Some(k) = scalar(k) else { continue };
            if MODEL_FIELDS.contains(&k.as_str()) {
                continue;
            }
            let n = v
                .as_mapping()
                .map(Mapping::len)
                .or_else(|| v.as_sequence().map(Vec::len));
            report.unmapped(
                &diagram,
                match n {
                    Some(n) => format!("'{k}' ({n} entries)"),
                    None => format!("'{k}'"),
                },
                "the native model has no place for it; not taken in",
            );
        }
    }
    tally.report(&diagram, report);
    let n = data_class.len();
    if n > 0 {
        report.notes.push(format!("{diagram}: {n} data assets are not objects of the native model; their confidentiality sets the flows' data_classification and the stores' data_classification"));
    }
    layered_layout(&mut m);
    Ok(m)
}

/// Puts the assets marked `internet: true` on the internet: into an `internet` boundary when
/// they sit in no boundary, else reachable by a flow from an "Internet" entity in it. The
/// model's own internet boundary is used when it has one; else one is added.
fn internet(m: &mut ServiceModel, assets: &[ElementId], ns: uuid::Uuid, report: &mut ImportReport) {
    if assets.is_empty() {
        return;
    }
    let diagram = m.name.clone();
    let boundary = match m
        .boundaries
        .iter()
        .find(|b| b.kind == BoundaryKind::Internet)
    {
        Some(b) => b.id,
        None => {
            let mut b = TrustBoundary::new("Internet", BoundaryKind::Internet);
            b.id = BoundaryId::derived(ns, "synthetic:internet");
            b.description = "Added by the import: the assets Threagile marks internet: true".into();
            let id = b.id;
            m.boundaries.push(b);
            id
        }
    };
    let mut placed = Vec::new();
    let mut connected = Vec::new();
    let mut entity: Option<ElementId> = None;
    for id in assets {
        let Some(e) = m.elements.iter_mut().find(|e| e.id == *id) else {
            continue;
        };
        match e.boundary {
            None => {
                e.boundary = Some(boundary);
                placed.push(e.name.clone());
            }
            Some(b) if b == boundary => {}
            Some(_) => {
                let name = e.name.clone();
                let from = *entity.get_or_insert_with(|| {
                    let mut x = Element::new(ElementKind::ExternalEntity, "Internet");
                    x.id = ElementId::derived(ns, "synthetic:internet-entity");
                    x.boundary = Some(boundary);
                    x.description = "Added by the import: whoever reaches the assets Threagile marks internet: true".into();
                    let xid = x.id;
                    m.elements.push(x);
                    xid
                });
                let mut f = DataFlow::new(format!("From the internet to {name}"), from, *id);
                f.id = FlowId::derived(ns, &format!("synthetic:internet>{id}"));
                f.description =
                    "Added by the import: Threagile marks the target internet: true".into();
                m.flows.push(f);
                connected.push(name);
            }
        }
    }
    if !placed.is_empty() {
        report.notes.push(format!(
            "{diagram}: internet: true puts {} in the internet boundary",
            quoted(&placed)
        ));
    }
    if !connected.is_empty() {
        report.notes.push(format!(
            "{diagram}: internet: true connects {} from an 'Internet' entity, as each sits in another trust boundary",
            quoted(&connected)
        ));
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Threagile's text with its HTML (`<b>...</b>`) taken out.
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn stride_of_yaml(v: &str) -> Option<Stride> {
    super::stride_of(v)
        .filter(|(_, exact)| *exact)
        .map(|(s, _)| s)
}

fn likelihood_of(v: &str) -> Option<Rating> {
    match v {
        "unlikely" => Some(Rating::Low),
        "likely" => Some(Rating::Medium),
        "very-likely" | "frequent" => Some(Rating::High),
        _ => None,
    }
}

fn impact_of(v: &str) -> Option<Rating> {
    match v {
        "low" => Some(Rating::Low),
        "medium" => Some(Rating::Medium),
        "high" | "very-high" => Some(Rating::High),
        _ => None,
    }
}

/// Whether a `risk_tracking` key names a risk's synthetic id: the same parts, `*` matching any.
fn tracks(key: &str, synthetic: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (key.split('@').collect(), synthetic.split('@').collect());
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| *x == "*" || x == y)
}

/// The model's own risks and the tracked ones, as hand-written threats with their decisions.
fn risks(
    doc: &Value,
    m: &mut ServiceModel,
    assets: &BTreeMap<String, ElementId>,
    links: &HashMap<String, FlowId>,
    boundaries: &BTreeMap<String, BoundaryId>,
    report: &mut ImportReport,
) {
    let diagram = m.name.clone();
    let ns = m.id.0;
    let target_of = |parts: &[&str]| -> ThreatTarget {
        let find = |f: &dyn Fn(&str) -> Option<ThreatTarget>| parts.iter().find_map(|p| f(p));
        find(&|p| links.get(p).map(|f| ThreatTarget::Flow(*f)))
            .or_else(|| find(&|p| assets.get(p).map(|e| ThreatTarget::Element(*e))))
            .or_else(|| find(&|p| boundaries.get(p).map(|b| ThreatTarget::Boundary(*b))))
            .unwrap_or(ThreatTarget::Model)
    };

    // The model's own risk categories: a list (`custom_risk_categories`) or, in older models, a
    // map keyed by title (`individual_risk_categories`).
    let mut categories: Vec<(String, &Value)> = Vec::new();
    for section in ["custom_risk_categories", "individual_risk_categories"] {
        match get(doc, section) {
            Some(Value::Sequence(list)) => {
                categories.extend(list.iter().map(|c| (st(c, "title"), c)));
            }
            Some(v @ Value::Mapping(_)) => categories.extend(entries(Some(v))),
            _ => {}
        }
    }
    // (synthetic id, threat id) of the model's own risks.
    let mut own: Vec<(String, ThreatId)> = Vec::new();
    for (category_title, c) in categories {
        let category = name_or(&st(c, "id"), || category_title.clone());
        let stride = match stride_of_yaml(&st(c, "stride")) {
            Some(s) => s,
            None => {
                report.unmapped(
                    &diagram,
                    format!("risk category '{category}'"),
                    format!(
                        "its stride '{}' is not a STRIDE category; its risks are taken in as {}",
                        st(c, "stride"),
                        Stride::Tampering.label().to_lowercase()
                    ),
                );
                Stride::Tampering
            }
        };
        let mut description = st(c, "description");
        let impact_text = st(c, "impact");
        if !impact_text.is_empty() {
            description = format!("{description}\n\nImpact: {impact_text}")
                .trim()
                .to_string();
        }
        for (risk_title, r) in entries(get(c, "risks_identified")) {
            let part = |k: &str| st(r, k);
            let relevant = [
                part("most_relevant_technical_asset"),
                part("most_relevant_communication_link"),
                part("most_relevant_trust_boundary"),
                part("most_relevant_shared_runtime"),
                part("most_relevant_data_asset"),
            ];
            let synthetic = std::iter::once(category.as_str())
                .chain(
                    relevant
                        .iter()
                        .map(String::as_str)
                        .filter(|p| !p.is_empty()),
                )
                .collect::<Vec<_>>()
                .join("@");
            let parts = [
                relevant[1].as_str(),
                relevant[0].as_str(),
                relevant[2].as_str(),
            ];
            let severity = part("severity");
            let fallback = Severity::parse(if severity == "elevated" {
                "high"
            } else {
                &severity
            })
            .map(ManualThreat::ratings_for);
            let mut t = ManualThreat::new(plain(&risk_title), stride, target_of(&parts));
            t.id = ThreatId::derived(ns, &format!("risk:{synthetic}"));
            t.description = description.clone();
            t.likelihood = likelihood_of(&part("exploitation_likelihood"))
                .or(fallback.map(|f| f.0))
                .unwrap_or(Rating::Medium);
            t.impact = impact_of(&part("exploitation_impact"))
                .or(fallback.map(|f| f.1))
                .unwrap_or(Rating::Medium);
            let mitigation = st(c, "mitigation");
            if !mitigation.is_empty() {
                t.custom_mitigations = vec![plain(&mitigation)];
            }
            t.notes =
                format!("Threagile risk {synthetic} (category '{category}', severity {severity})");
            if m.threat(t.id).is_some() {
                report.unmapped(
                    &diagram,
                    format!("risk '{synthetic}'"),
                    "its synthetic id repeats; only the first is kept",
                );
                continue;
            }
            own.push((synthetic, t.id));
            m.threats.push(t);
        }
    }

    let tracking = entries(get(doc, "risk_tracking"));
    // Exact entries first, so that a wildcard never overrides a decision on one risk.
    let mut decided: HashSet<ThreatId> = HashSet::new();
    let mut order: Vec<&(String, &Value)> =
        tracking.iter().filter(|(k, _)| !k.contains('*')).collect();
    order.extend(tracking.iter().filter(|(k, _)| k.contains('*')));
    for (key, r) in order {
        let matched: Vec<ThreatId> = own
            .iter()
            .filter(|(synthetic, _)| tracks(key, synthetic))
            .map(|(_, id)| *id)
            .collect();
        let Some(decision) = decision(key, r, &diagram, report) else {
            continue;
        };
        if !matched.is_empty() {
            for id in matched {
                if decided.insert(id)
                    && let Some(t) = m.threat(id)
                {
                    m.triage.insert(t.key(), decision.clone());
                }
            }
            continue;
        }
        // A risk of one of Threagile's rules: the file holds only its id and its tracking.
        let parts: Vec<&str> = key.split('@').collect();
        let rule = parts[0];
        let known = super::tables::threagile().rules.get(rule);
        let (title, stride) = match known {
            Some(k) => (k.title.clone(), k.stride),
            None => {
                report.unmapped(
                    &diagram,
                    format!("risk tracking '{key}'"),
                    format!(
                        "'{rule}' is neither a risk category of the model nor a built-in Threagile rule Stridewise knows; its threat is taken in as {}",
                        Stride::Tampering.label().to_lowercase()
                    ),
                );
                (rule.to_string(), Stride::Tampering)
            }
        };
        let target = target_of(&parts[1..]);
        let title = match (&target, key.contains('*')) {
            (_, true) => format!("{title} (every risk matching {key})"),
            (ThreatTarget::Model, false) => title,
            (t, false) => format!("{title} at {}", t.name(m).unwrap_or("?")),
        };
        let mut t = ManualThreat::new(title, stride, target);
        t.id = ThreatId::derived(ns, &format!("tracked:{key}"));
        t.description = format!(
            "Threagile finds this risk with its rule '{rule}'; the model tracks it as '{key}'."
        );
        t.notes = "Threagile computes the risk's likelihood and impact; the model file does not hold them".into();
        t.author = decision.decided_by.clone();
        t.created_at = decision.decided_at.clone();
        m.triage.insert(t.key(), decision);
        m.threats.push(t);
    }
}

/// A `risk_tracking` entry as a triage decision.
fn decision(
    key: &str,
    r: &Value,
    diagram: &str,
    report: &mut ImportReport,
) -> Option<TriageDecision> {
    let raw = st(r, "status");
    let status = match raw.as_str() {
        "unchecked" | "" => TriageStatus::Open,
        "in-discussion" => TriageStatus::NeedsInvestigation,
        "accepted" => TriageStatus::Accepted,
        "in-progress" => TriageStatus::Open,
        "mitigated" => TriageStatus::Mitigated,
        "false-positive" => TriageStatus::NotApplicable,
        other => {
            report.unmapped(
                diagram,
                format!("risk tracking '{key}'"),
                format!("unknown status '{other}'; taken in as open"),
            );
            TriageStatus::Open
        }
    };
    let mut justification = st(r, "justification");
    if raw == "in-progress" {
        justification = format!("Threagile status: in-progress\n{justification}")
            .trim_end()
            .to_string();
    }
    if status.needs_justification() && justification.is_empty() {
        justification = format!("{raw} in Threagile (no justification given)");
    }
    Some(TriageDecision {
        status,
        justification,
        ticket: st(r, "ticket"),
        decided_by: st(r, "checked_by"),
        decided_at: st(r, "date"),
        ..Default::default()
    })
}

fn is_ancestor(
    parent: &HashMap<BoundaryId, BoundaryId>,
    candidate: BoundaryId,
    of: BoundaryId,
) -> bool {
    let mut cur = of;
    let mut steps = 0;
    while let Some(p) = parent.get(&cur) {
        if *p == candidate {
            return true;
        }
        cur = *p;
        steps += 1;
        if steps > parent.len() {
            break;
        }
    }
    false
}

/// Columns by distance from the elements nothing flows into; rows in element order.
fn layered_layout(m: &mut ServiceModel) {
    let mut incoming: BTreeMap<ElementId, usize> = m.elements.iter().map(|e| (e.id, 0)).collect();
    let mut out: BTreeMap<ElementId, BTreeSet<ElementId>> = BTreeMap::new();
    for f in &m.flows {
        *incoming.entry(f.target).or_default() += 1;
        out.entry(f.source).or_default().insert(f.target);
    }
    let mut rank: BTreeMap<ElementId, usize> = BTreeMap::new();
    let mut queue: VecDeque<ElementId> = incoming
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(id, _)| *id)
        .collect();
    for id in &queue {
        rank.insert(*id, 0);
    }
    // Breadth-first: each element gets its shortest distance, so cycles end.
    while let Some(id) = queue.pop_front() {
        let r = rank[&id];
        for next in out.get(&id).into_iter().flatten() {
            if !rank.contains_key(next) {
                rank.insert(*next, r + 1);
                queue.push_back(*next);
            }
        }
    }
    let mut rows: BTreeMap<usize, usize> = BTreeMap::new();
    let mut elements: Vec<&Element> = m.elements.iter().collect();
    elements.sort_by_key(|e| (e.boundary, e.name.clone()));
    for e in elements {
        let r = rank.get(&e.id).copied().unwrap_or(0);
        let row = rows.entry(r).or_default();
        m.layout.nodes.insert(
            e.id.0,
            NodeLayout {
                x: 40.0 + r as f64 * 260.0,
                y: 40.0 + *row as f64 * 140.0,
                width: 160.0,
                height: 80.0,
            },
        );
        *row += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_appends_lists_and_keeps_the_including_scalar() {
        let mut a: Value = serde_yaml_ng::from_str("t: main\nl: [1]\nm: {x: 1}").unwrap();
        let b: Value = serde_yaml_ng::from_str("t: inc\nl: [2]\nm: {y: 2}\nn: 3").unwrap();
        merge(&mut a, b);
        let want: Value =
            serde_yaml_ng::from_str("t: main\nl: [1, 2]\nm: {x: 1, y: 2}\nn: 3").unwrap();
        assert_eq!(a, want);
    }

    // Issue 20, 5: includes followed `../` and symbolic links out of the model's folder:
    // `/etc/passwd` was opened and read, and a YAML file two folders up was merged in silently
    // (its secrets ended up in the model and the report).
    #[cfg(unix)]
    #[test]
    fn issue_20_includes_stay_in_the_models_folder() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("secrets.yaml");
        std::fs::write(
            &outside,
            "technical_assets:
  Vault:
    id: vault
    description: password hunter2
",
        )
        .unwrap();
        let models = dir.path().join("team").join("models");
        std::fs::create_dir_all(models.join("parts")).unwrap();
        let asset = "technical_assets:
  Web:
    id: web
    type: process
";
        let write = |name: &str, text: &str| std::fs::write(models.join(name), text).unwrap();
        write(
            "dotdot.yaml",
            &format!(
                "includes: [../../secrets.yaml]
{asset}"
            ),
        );
        std::os::unix::fs::symlink(&outside, models.join("link.yaml")).unwrap();
        write(
            "via-link.yaml",
            &format!(
                "includes: [link.yaml]
{asset}"
            ),
        );
        std::os::unix::fs::symlink("/etc", models.join("etc")).unwrap();
        write(
            "passwd.yaml",
            &format!(
                "includes: [etc/passwd]
{asset}"
            ),
        );
        write(
            "parts/deep.yaml",
            "includes: [../../../secrets.yaml]
",
        );
        write(
            "nested.yaml",
            &format!(
                "includes: [parts/deep.yaml]
{asset}"
            ),
        );
        for name in ["dotdot.yaml", "via-link.yaml", "passwd.yaml", "nested.yaml"] {
            let err = import_file(&models.join(name)).unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains("leads out of the model's folder"),
                "{name}: {text}"
            );
            assert!(!text.contains("hunter2"), "{name}: {text}");
        }

        // Within the folder, `..` is fine: a part may include its sibling folder's file.
        write(
            "parts/db.yaml",
            "technical_assets:
  DB:
    id: db
    type: datastore
",
        );
        write(
            "parts/a.yaml",
            "includes: [../parts/db.yaml]
",
        );
        write(
            "ok.yaml",
            &format!(
                "includes: [parts/a.yaml]
{asset}"
            ),
        );
        let (m, _) = import_file(&models.join("ok.yaml")).unwrap();
        assert_eq!(m[0].elements.len(), 2);
    }

    #[test]
    fn a_fragment_is_refused_by_name() {
        let err = import_str("title: x\n", "meta.yaml").unwrap_err();
        assert!(err.to_string().contains("fragment"), "{err}");
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            doc.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let err = import_str(&doc, "bomb.yaml").unwrap_err();
        assert!(matches!(err, ImportError::Syntax { .. }), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let doc = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = import_str(&doc, "deep.yaml").unwrap_err();
        assert!(matches!(err, ImportError::Syntax { .. }), "{err}");
    }
}
