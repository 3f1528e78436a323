//! From evaluated resource instances to a service model, with the mapping.
//!
//! Mapped resources become elements (data sources only when something references them: they
//! stand for resources another configuration deploys); relationship resources become flows or
//! set properties; virtual networks and subnets become trust boundaries, nested in a boundary
//! per regional stamp (a module instance keyed by its region), the global resources, or a
//! region. Ids are derived from the service name and the Terraform address, so importing the
//! same code twice gives the same model, and a re-import matches what it imported before.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::eval::ResourceInstance;
use super::load::Mode;
use super::mapping::{Direction, How, Mapping, PropertyRule, RelKind, Relationship};
use super::value::{Kind, Value};
use crate::interop::IMPORT_NAMESPACE;
use crate::model::{
    BoundaryId, BoundaryKind, DataFlow, Element, ElementId, ElementKind, FlowId, Properties,
    PropertyType, PropertyValue, ServiceModel, StencilSet, TrustBoundary,
};

/// What one imported root module holds, and everything that did not go in.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ServiceSummary {
    pub name: String,
    pub root: String,
    pub var_files: Vec<String>,
    pub elements: usize,
    pub flows: usize,
    pub boundaries: usize,
    /// Resource instances drawn as elements, by type.
    pub drawn: BTreeMap<String, usize>,
    /// Data sources drawn because something references them, by type.
    pub referenced: BTreeMap<String, usize>,
    /// Relationship resources that gave flows or properties, by type.
    pub relationships: BTreeMap<String, usize>,
    /// Resources that are trust boundaries, by type.
    pub boundary_resources: BTreeMap<String, usize>,
    /// Parts of other resources, by type.
    pub parts: BTreeMap<String, usize>,
    /// Identities, by type.
    pub identities: BTreeMap<String, usize>,
    /// Counted, not drawn (alerts, dashboards, DNS records, random values ...), by type.
    pub supporting: BTreeMap<String, usize>,
    /// Resource and data source types the mapping does not know, by type.
    pub not_mapped: BTreeMap<String, usize>,
    /// What is not known statically, and why.
    pub symbolic: Vec<String>,
    /// Relationships that could not be drawn, and why.
    pub unresolved: Vec<String>,
    /// Expressions Terraform would refuse.
    pub problems: Vec<String>,
    /// Files and modules not read.
    pub not_read: Vec<String>,
    pub files: usize,
    pub steps: u64,
}

impl ServiceSummary {
    /// What went in and what did not, for people, one line each (nested lines indented by two
    /// spaces): the counts by type of what was drawn, related, counted or not mapped, then
    /// what is not known statically, the relationships not drawn, problems and files not read.
    /// The command line prints them under the import's first line; the desktop lists them.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let counts = [
            ("drawn", &self.drawn),
            ("referenced data sources drawn", &self.referenced),
            ("relationships", &self.relationships),
            ("boundaries", &self.boundary_resources),
            ("parts of other resources", &self.parts),
            ("identities", &self.identities),
            ("supporting (counted, not drawn)", &self.supporting),
            ("not mapped", &self.not_mapped),
        ];
        for (title, map) in counts {
            if !map.is_empty() {
                let items: Vec<String> = map.iter().map(|(k, n)| format!("{k} {n}")).collect();
                out.push(format!("{title}: {}", items.join(", ")));
            }
        }
        let lists = [
            ("not known statically", &self.symbolic),
            ("relationships not drawn", &self.unresolved),
            ("problems", &self.problems),
            ("not read", &self.not_read),
        ];
        for (title, v) in lists {
            if !v.is_empty() {
                out.push(format!("{title} ({}):", v.len()));
                out.extend(v.iter().map(|l| format!("  {l}")));
            }
        }
        out
    }
}

struct Builder<'a> {
    service: String,
    mapping: &'a Mapping,
    stencils: &'a StencilSet,
    all: &'a [ResourceInstance],
    by_addr: HashMap<&'a str, usize>,
    model: ServiceModel,
    /// Resource address -> element index.
    elements: BTreeMap<String, usize>,
    /// Boundary key -> boundary index.
    boundaries: BTreeMap<String, usize>,
    /// Flow key -> flow index (merging the same flow from several resources).
    flows: BTreeMap<(ElementId, ElementId, String), usize>,
    /// Identity address -> workload element addresses.
    workloads: BTreeMap<String, Vec<String>>,
    /// Element address -> the computes an access relationship lets read it.
    readers: BTreeMap<String, BTreeSet<String>>,
    /// Data-source elements by shared key: several data sources of one resource are one element.
    data_by_key: BTreeMap<String, usize>,
    summary: ServiceSummary,
    multi_region_service: bool,
}

/// How a path into an instance's arguments came out.
enum Found {
    Absent,
    Value(Value),
}

/// The service model of `all`, the evaluated instances of one root module, and the summary of
/// what went in and what did not.
pub fn build(
    service: &str,
    all: &[ResourceInstance],
    mapping: &Mapping,
) -> (ServiceModel, ServiceSummary) {
    let stencils = crate::catalog::builtin_stencils();
    let mut model = ServiceModel::new(service);
    model.id = crate::model::ModelId::derived(IMPORT_NAMESPACE, &format!("terraform\0{service}"));
    let mut b = Builder {
        service: service.to_string(),
        mapping,
        stencils,
        all,
        by_addr: all
            .iter()
            .enumerate()
            .map(|(i, r)| (r.address.as_str(), i))
            .collect(),
        model,
        elements: BTreeMap::new(),
        boundaries: BTreeMap::new(),
        flows: BTreeMap::new(),
        workloads: BTreeMap::new(),
        readers: BTreeMap::new(),
        data_by_key: BTreeMap::new(),
        summary: ServiceSummary {
            name: service.to_string(),
            ..ServiceSummary::default()
        },
        multi_region_service: false,
    };
    b.run();
    let mut model = b.model;
    model.canonicalize();
    model.layout = crate::layout::generated_layout(&model);
    let mut summary = b.summary;
    summary.elements = model.elements.len();
    summary.flows = model.flows.len();
    summary.boundaries = model.boundaries.len();
    (model, summary)
}

/// Gives a place to every element and boundary the layout lacks, keeping the others.
pub fn complete_layout(model: &mut ServiceModel) {
    let placed = |id| model.layout.nodes.contains_key(&id);
    if model.elements.iter().all(|e| placed(e.id.0))
        && model.boundaries.iter().all(|b| placed(b.id.0))
    {
        return;
    }
    let fresh = crate::layout::generated_layout(model);
    for (id, node) in fresh.nodes {
        model.layout.nodes.entry(id).or_insert(node);
    }
}

fn norm_region(s: &str) -> String {
    s.to_lowercase().replace([' ', '-', '_'], "")
}

impl<'a> Builder<'a> {
    fn id(&self, what: &str, address: &str) -> uuid::Uuid {
        uuid::Uuid::new_v5(
            &IMPORT_NAMESPACE,
            format!("terraform\0{}\0{what}\0{address}", self.service).as_bytes(),
        )
    }

    fn run(&mut self) {
        // Classify and count every instance.
        for r in self.all {
            let m = self.mapping;
            let ty = r.ty.as_str();
            let bucket = if m.resources.contains_key(ty) {
                if r.mode == Mode::Data {
                    None
                } else {
                    Some(&mut self.summary.drawn)
                }
            } else if m.relationships.contains_key(ty) {
                Some(&mut self.summary.relationships)
            } else if m.boundaries.contains_key(ty) {
                Some(&mut self.summary.boundary_resources)
            } else if m.children.contains_key(ty) {
                Some(&mut self.summary.parts)
            } else if m.identities.contains(ty) {
                Some(&mut self.summary.identities)
            } else if m.is_supporting(ty) {
                Some(&mut self.summary.supporting)
            } else {
                Some(&mut self.summary.not_mapped)
            };
            if let Some(bucket) = bucket {
                let key = if r.mode == Mode::Data {
                    format!("data.{ty}")
                } else {
                    ty.to_string()
                };
                *bucket.entry(key).or_insert(0) += 1;
            }
        }
        self.multi_region_service = self.all.iter().any(|r| {
            r.mode == Mode::Managed
                && self.mapping.resources.contains_key(&r.ty)
                && self.regional_stamp(r).is_some()
        });
        // Elements of managed resources, then boundaries they sit in.
        for i in 0..self.all.len() {
            let r = &self.all[i];
            if r.mode == Mode::Managed && self.mapping.resources.contains_key(&r.ty) {
                self.element_for(i);
            }
        }
        for i in 0..self.all.len() {
            if self.all[i].mode == Mode::Managed
                && self.mapping.boundaries.contains_key(&self.all[i].ty)
            {
                self.network_boundary(i);
            }
        }
        for i in 0..self.all.len() {
            self.place_in_subnet(i);
        }
        // Workloads first: access relationships resolve identities to them.
        self.relationships(|k| matches!(k, RelKind::Workload { .. }));
        self.relationships(|k| {
            matches!(
                k,
                RelKind::PrivateEndpoint { .. } | RelKind::Property { .. }
            )
        });
        self.relationships(|k| {
            matches!(
                k,
                RelKind::Access { .. } | RelKind::Export { .. } | RelKind::Route { .. }
            )
        });
        self.reference_flows();
        self.relationships(|k| matches!(k, RelKind::Secret { .. }));
        self.internet();
        self.summary.unresolved.sort();
        self.summary.unresolved.dedup();
        self.summary.symbolic.sort();
        self.summary.symbolic.dedup();
    }

    // ------------------------------------------------------------------------------------
    // Reading arguments.

    fn lookup(&self, r: &ResourceInstance, path: &str) -> Found {
        let mut parts = path.split("->");
        let first = parts.next().unwrap_or("");
        let mut found = dotted(&r.attrs, first);
        let mut current = r.address.as_str();
        for next in parts {
            let Found::Value(v) = &found else {
                return Found::Absent;
            };
            if !v.is_known() && v.refs.is_empty() {
                return Found::Value(v.clone());
            }
            let target = v
                .refs
                .iter()
                .filter(|a| *a != current)
                .find_map(|a| self.by_addr.get(a).copied());
            match target {
                Some(t) => {
                    current = self.all[t].address.as_str();
                    found = dotted(&self.all[t].attrs, next)
                }
                None => {
                    return Found::Value(Value::unknown(format!(
                        "'{path}' follows a reference to a resource outside this configuration"
                    )));
                }
            }
        }
        found
    }

    /// The resources an argument references, resolved to element addresses (parts resolve to
    /// their parent; data sources of mapped types are drawn on first reference).
    fn targets(&mut self, r: &ResourceInstance, path: &str) -> (Vec<String>, Option<Value>) {
        let found = self.lookup(r, path);
        let Found::Value(v) = found else {
            return (Vec::new(), None);
        };
        let mut out = Vec::new();
        for a in v.all_refs() {
            if a == r.address {
                continue;
            }
            if let Some(e) = self.resolve(&a, 0)
                && !out.contains(&e)
            {
                out.push(e);
            }
        }
        (out, Some(v))
    }

    fn resolve(&mut self, address: &str, depth: usize) -> Option<String> {
        if depth > 8 {
            return None;
        }
        if self.elements.contains_key(address) {
            return Some(address.to_string());
        }
        let i = *self.by_addr.get(address)?;
        let r = &self.all[i];
        if self.mapping.resources.contains_key(&r.ty) {
            // A data source of a mapped type: drawn now that something references it.
            self.element_for(i);
            return Some(address.to_string());
        }
        if let Some(parents) = self.mapping.children.get(&r.ty) {
            for p in parents.clone() {
                if let Found::Value(v) = dotted(&r.attrs, &p) {
                    for a in v.all_refs() {
                        if a != address
                            && let Some(e) = self.resolve(&a, depth + 1)
                        {
                            return Some(e);
                        }
                    }
                }
            }
        }
        None
    }

    fn property(
        &mut self,
        r: &ResourceInstance,
        rule: &PropertyRule,
        ty: Option<&PropertyType>,
    ) -> Option<PropertyValue> {
        for src in &rule.from {
            match self.lookup(r, &src.path) {
                Found::Absent => continue,
                Found::Value(v) if !v.is_known() => {
                    self.summary.symbolic.push(format!(
                        "{}: {} is not known ({}); property '{}' not set",
                        r.address,
                        src.path,
                        v.unknown_reason().unwrap_or(""),
                        rule.name
                    ));
                    return None;
                }
                Found::Value(v) => {
                    let text = v.to_text();
                    if let Some(t) = &text
                        && src.pass.contains(t)
                    {
                        continue;
                    }
                    let out = match &src.how {
                        How::Present(p) => Some(p.clone()),
                        How::Negate => v.as_bool().map(|b| PropertyValue::Bool(!b)),
                        How::Copy => convert(&v, ty),
                        How::Values(table) => text.as_ref().and_then(|t| table.get(t).cloned()),
                    };
                    if out.is_none() {
                        self.summary.unresolved.push(format!(
                            "{}: {} = {v} is not in the mapping for property '{}'",
                            r.address, src.path, rule.name
                        ));
                    }
                    return out;
                }
            }
        }
        rule.default.clone()
    }

    // ------------------------------------------------------------------------------------
    // Elements.

    fn element_for(&mut self, i: usize) -> Option<usize> {
        let r = &self.all[i];
        if let Some(e) = self.elements.get(&r.address) {
            return Some(*e);
        }
        let map = self.mapping.resources.get(&r.ty)?;
        let stencil = self.stencils.get(&map.stencil)?;
        let mut e = Element::new(map.kind, element_name(r));
        e.id = ElementId(self.id("element", &r.address));
        e.stencil = map.stencil.clone();
        e.iac_address = Some(r.address.clone());
        e.description = match r.mode {
            Mode::Managed => format!("Terraform: {} ({})", r.ty, r.loc),
            Mode::Data => format!(
                "Deployed by another configuration; read here with data source {} ({})",
                r.address, r.loc
            ),
        };
        if r.mode == Mode::Managed {
            for rule in &map.properties {
                let ty = stencil.properties.get(&rule.name).map(|d| d.ty.clone());
                if let Some(v) = self.property(r, rule, ty.as_ref()) {
                    e.properties.insert(rule.name.clone(), v);
                }
            }
            if r.symbolic {
                e.notes = format!(
                    "{} stands for every instance: its count or for_each is not known statically.",
                    r.address
                );
            }
        }
        // Shared key: the same Azure resource in several services' imports (a resource here,
        // a data source there) is one element in the application model.
        if let Some(name) = dotted_text(&r.attrs, "name") {
            e.shared_key = Some(format!("azure:{}:{}", r.ty, name.to_lowercase()));
        }
        if r.mode == Mode::Data
            && let Some(key) = &e.shared_key
            && let Some(&existing) = self.data_by_key.get(key)
        {
            self.elements.insert(r.address.clone(), existing);
            return Some(existing);
        }
        let placement = self.placement(r);
        e.boundary = placement;
        let key = e.shared_key.clone();
        if r.mode == Mode::Data {
            *self
                .summary
                .referenced
                .entry(format!("data.{}", r.ty))
                .or_insert(0) += 1;
        }
        self.model.elements.push(e);
        let index = self.model.elements.len() - 1;
        self.elements.insert(r.address.clone(), index);
        if r.mode == Mode::Data
            && let Some(key) = key
        {
            self.data_by_key.insert(key, index);
        }
        Some(index)
    }

    fn regional_stamp(&self, r: &ResourceInstance) -> Option<String> {
        let loc = dotted_text(&r.attrs, "location").map(|l| norm_region(&l))?;
        r.module_keys
            .iter()
            .any(|k| norm_region(k) == loc)
            .then_some(loc)
    }

    fn is_global(&self, r: &ResourceInstance) -> bool {
        let Some(map) = self.mapping.resources.get(&r.ty) else {
            return false;
        };
        map.global
            || map
                .multi_region
                .iter()
                .any(|b| match dotted_list_len(&r.attrs, b) {
                    Some(n) => n >= 2 || (b == "georeplications" && n >= 1),
                    None => false,
                })
    }

    /// The boundary an element or a virtual network sits in, outside subnets.
    fn placement(&mut self, r: &ResourceInstance) -> Option<BoundaryId> {
        if r.mode == Mode::Data || self.is_global(r) {
            return Some(self.region_boundary(None));
        }
        if let Some(loc) = self.regional_stamp(r) {
            return Some(self.region_boundary(Some((loc, true))));
        }
        if self.multi_region_service {
            return Some(self.region_boundary(None));
        }
        let loc = dotted_text(&r.attrs, "location").map(|l| norm_region(&l))?;
        Some(self.region_boundary(Some((loc, false))))
    }

    /// The global boundary (`None`), a regional stamp, or a region.
    fn region_boundary(&mut self, region: Option<(String, bool)>) -> BoundaryId {
        let (key, name, kind, shared) = match &region {
            None => (
                "global".to_string(),
                "Azure global resources".to_string(),
                BoundaryKind::AzureGlobal,
                "azure-global".to_string(),
            ),
            Some((loc, true)) => (
                format!("stamp:{loc}"),
                format!("Regional stamp {loc}"),
                BoundaryKind::AzureRegionStamp,
                format!("azure-region-stamp:{loc}"),
            ),
            Some((loc, false)) => (
                format!("region:{loc}"),
                format!("Region {loc}"),
                BoundaryKind::AzureRegionStamp,
                format!("azure-region:{loc}"),
            ),
        };
        if let Some(i) = self.boundaries.get(&key) {
            return self.model.boundaries[*i].id;
        }
        let mut b = TrustBoundary::new(name, kind);
        b.id = BoundaryId(self.id("boundary", &key));
        b.shared_key = Some(shared);
        self.push_boundary(key, b)
    }

    fn push_boundary(&mut self, key: String, b: TrustBoundary) -> BoundaryId {
        let id = b.id;
        self.model.boundaries.push(b);
        self.boundaries.insert(key, self.model.boundaries.len() - 1);
        id
    }

    fn network_boundary(&mut self, i: usize) -> Option<BoundaryId> {
        let r = &self.all[i];
        if let Some(b) = self.boundaries.get(&r.address) {
            return Some(self.model.boundaries[*b].id);
        }
        let map = self.mapping.boundaries.get(&r.ty)?.clone();
        let mut b = TrustBoundary::new(element_name(r), map.kind);
        b.id = BoundaryId(self.id("boundary", &r.address));
        b.iac_address = Some(r.address.clone());
        b.description = format!("Terraform: {} ({})", r.ty, r.loc);
        if r.ty == "azurerm_virtual_network"
            && let Found::Value(v) = dotted(&r.attrs, "ddos_protection_plan.enable")
        {
            b.description
                .push_str(&format!("; DDoS Network Protection plan enabled: {v}"));
        }
        b.parent = match &map.parent {
            Some(p) => {
                let parent = match dotted(&r.attrs, p) {
                    Found::Value(v) => v
                        .all_refs()
                        .into_iter()
                        .filter(|a| *a != r.address)
                        .find_map(|a| self.by_addr.get(a.as_str()).copied()),
                    Found::Absent => None,
                };
                match parent {
                    Some(pi) => self.network_boundary(pi),
                    None => {
                        self.summary.unresolved.push(format!(
                            "{}: its {} names no network in this configuration; drawn at the top level",
                            r.address, p
                        ));
                        None
                    }
                }
            }
            None => self.placement(r),
        };
        Some(self.push_boundary(r.address.clone(), b))
    }

    fn subnet_boundary(&mut self, refs: &BTreeSet<String>) -> Option<BoundaryId> {
        for a in refs {
            if let Some(i) = self.by_addr.get(a.as_str()).copied()
                && self.all[i].mode == Mode::Managed
                && self
                    .mapping
                    .boundaries
                    .get(&self.all[i].ty)
                    .is_some_and(|m| m.kind == BoundaryKind::Subnet)
            {
                return self.network_boundary(i);
            }
        }
        None
    }

    fn place_in_subnet(&mut self, i: usize) {
        let r = &self.all[i];
        let (Some(map), Some(&e)) = (
            self.mapping.resources.get(&r.ty),
            self.elements.get(&r.address),
        ) else {
            return;
        };
        for path in &map.subnet {
            if let Found::Value(v) = dotted(&r.attrs, path)
                && let Some(b) = self.subnet_boundary(&v.all_refs())
            {
                self.model.elements[e].boundary = Some(b);
                return;
            }
        }
    }

    // ------------------------------------------------------------------------------------
    // Flows.

    #[allow(clippy::too_many_arguments)]
    fn flow(
        &mut self,
        address: &str,
        discriminator: &str,
        source: &str,
        target: &str,
        server: &str,
        name: &str,
        bidirectional: bool,
        properties: &Properties,
    ) -> Option<usize> {
        let (&s, &t) = (self.elements.get(source)?, self.elements.get(target)?);
        if s == t {
            return None;
        }
        let (sid, tid) = (self.model.elements[s].id, self.model.elements[t].id);
        let key = (sid, tid, name.to_string());
        if let Some(&f) = self.flows.get(&key) {
            let new_id = FlowId(self.id("flow", &format!("{address}{discriminator}")));
            let flow = &mut self.model.flows[f];
            flow.bidirectional |= bidirectional;
            if flow.iac_address.as_deref().is_some_and(|a| address < a) {
                flow.iac_address = Some(address.to_string());
                flow.id = new_id;
            }
            return Some(f);
        }
        // The server end (the target, or the scope of an access) sets the channel's protection.
        let server_addr = server;
        let mut f = DataFlow::new(name, sid, tid);
        f.id = FlowId(self.id("flow", &format!("{address}{discriminator}")));
        f.iac_address = Some(address.to_string());
        f.bidirectional = bidirectional;
        f.description = format!("Terraform: {address}");
        if let Some(i) = self.by_addr.get(server_addr).copied() {
            let r = &self.all[i];
            if let Some(map) = self.mapping.resources.get(&r.ty) {
                f.protocol = map.protocol.clone();
                for rule in map.inbound.clone() {
                    let ty = self
                        .stencils
                        .flow_properties
                        .get(&rule.name)
                        .map(|d| d.ty.clone());
                    // A data source's arguments only find it; its settings are the defaults.
                    let v = match r.mode {
                        Mode::Managed => self.property(r, &rule, ty.as_ref()),
                        Mode::Data => rule.default.clone(),
                    };
                    if let Some(v) = v {
                        f.properties.insert(rule.name.clone(), v);
                    }
                }
            }
        }
        for (k, v) in properties {
            f.properties.insert(k.clone(), v.clone());
        }
        self.model.flows.push(f);
        let index = self.model.flows.len() - 1;
        self.flows.insert(key, index);
        Some(index)
    }

    fn set_properties(&mut self, address: &str, properties: &Properties, why: &str) {
        let Some(&e) = self.elements.get(address) else {
            return;
        };
        let stencil = self.stencils.get(&self.model.elements[e].stencil);
        for (k, v) in properties {
            if stencil.is_some_and(|s| s.properties.contains_key(k)) {
                self.model.elements[e]
                    .properties
                    .insert(k.clone(), v.clone());
            } else {
                self.summary
                    .unresolved
                    .push(format!("{why}: {address} has no property '{k}'; not set"));
            }
        }
    }

    fn relationships(&mut self, which: impl Fn(&RelKind) -> bool) {
        for i in 0..self.all.len() {
            let r = &self.all[i];
            if r.mode != Mode::Managed {
                continue;
            }
            let Some(rels) = self.mapping.relationships.get(&r.ty) else {
                continue;
            };
            for rel in rels {
                if which(&rel.kind) {
                    self.relationship(r, rel);
                }
            }
        }
    }

    fn relationship(&mut self, r: &'a ResourceInstance, rel: &Relationship) {
        let addr = r.address.as_str();
        match &rel.kind {
            RelKind::Workload {
                identity,
                host,
                stencil,
                properties,
            } => {
                let hosts = self.targets(r, host).0;
                let ids: Vec<String> = match self.lookup(r, identity) {
                    Found::Value(v) => v.all_refs().into_iter().filter(|a| a != addr).collect(),
                    Found::Absent => Vec::new(),
                };
                let (Some(h), Some(id_addr)) = (hosts.first(), ids.first()) else {
                    self.summary.unresolved.push(format!(
                        "{addr}: the workload's identity or host is not in this configuration"
                    ));
                    return;
                };
                let Some(&hi) = self.elements.get(h) else {
                    return;
                };
                let identity_name = self
                    .by_addr
                    .get(id_addr.as_str())
                    .and_then(|i| dotted_text(&self.all[*i].attrs, "name"))
                    .unwrap_or_else(|| id_addr.clone());
                let host_name = self.model.elements[hi].name.clone();
                let Some(st) = self.stencils.get(stencil) else {
                    return;
                };
                let mut e = Element::new(st.kind, format!("{identity_name} on {host_name}"));
                e.id = ElementId(self.id("element", id_addr));
                e.stencil = stencil.clone();
                e.iac_address = Some(id_addr.clone());
                e.boundary = self.model.elements[hi].boundary;
                e.description = format!(
                    "A workload on {host_name} running as identity {id_addr} (federated by {addr})"
                );
                e.properties = properties.clone();
                if self.elements.contains_key(id_addr) {
                    return;
                }
                self.model.elements.push(e);
                self.elements
                    .insert(id_addr.clone(), self.model.elements.len() - 1);
                self.workloads
                    .entry(id_addr.clone())
                    .or_default()
                    .push(id_addr.clone());
            }
            RelKind::PrivateEndpoint { target, subnet } => {
                let targets = self.targets(r, target).0;
                let subnet_b = match self.lookup(r, subnet) {
                    Found::Value(v) => self.subnet_boundary(&v.all_refs()),
                    Found::Absent => None,
                };
                if targets.is_empty() {
                    self.summary
                        .unresolved
                        .push(format!("{addr}: its target is not in this configuration"));
                }
                for t in targets {
                    self.set_properties(&t, &rel.target_properties, addr);
                    if let (Some(b), Some(&e)) = (subnet_b, self.elements.get(&t)) {
                        self.model.elements[e].boundary = Some(b);
                    }
                }
            }
            RelKind::Property { target, properties } => {
                let targets = self.targets(r, target).0;
                if targets.is_empty() {
                    self.summary
                        .unresolved
                        .push(format!("{addr}: {target} names nothing drawn"));
                }
                for t in targets {
                    let mut set = Properties::new();
                    for rule in properties {
                        let ty = self.elements.get(&t).and_then(|e| {
                            self.stencils
                                .get(&self.model.elements[*e].stencil)
                                .and_then(|s| s.properties.get(&rule.name))
                                .map(|d| d.ty.clone())
                        });
                        if let Some(v) = self.property(r, rule, ty.as_ref()) {
                            set.insert(rule.name.clone(), v);
                        }
                    }
                    self.set_properties(&t, &set, addr);
                }
            }
            RelKind::Access {
                principal,
                scope,
                role,
                permissions,
            } => {
                let computes = self.principals(r, principal);
                let (scopes, scope_value) = self.targets(r, scope);
                if scopes.is_empty() {
                    let named: Vec<String> = scope_value
                        .map(|v| {
                            v.all_refs()
                                .into_iter()
                                .filter(|a| *a != r.address)
                                .collect()
                        })
                        .unwrap_or_default();
                    self.summary.unresolved.push(format!(
                        "{addr}: its scope ({}) is no element: access to a resource group or subscription is control-plane access, not drawn as a flow",
                        if named.is_empty() { "outside this configuration".to_string() } else { named.join(", ") }
                    ));
                }
                if computes.is_empty() || scopes.is_empty() {
                    return;
                }
                let (direction, label) = self.access_direction(r, role, permissions);
                for c in &computes {
                    for s in &scopes {
                        let (src, dst) = match direction {
                            Direction::FromScope => (s, c),
                            _ => (c, s),
                        };
                        let mut props = rel.flow_properties.clone();
                        props.insert("authentication".into(), "managed_identity".into());
                        self.flow(
                            addr,
                            &format!("#{c}"),
                            src,
                            dst,
                            s,
                            &label,
                            direction == Direction::Both,
                            &props,
                        );
                        if direction != Direction::ToScope {
                            self.readers.entry(s.clone()).or_default().insert(c.clone());
                        }
                    }
                }
                for s in &scopes {
                    self.set_properties(s, &rel.target_properties, addr);
                }
            }
            RelKind::Export {
                source,
                targets,
                name,
            }
            | RelKind::Route {
                source,
                targets,
                name,
            } => {
                let sources = self.targets(r, source).0;
                if sources.is_empty() {
                    self.summary.unresolved.push(format!(
                        "{addr}: {source} names nothing drawn (a trust boundary, or a resource the mapping does not draw)"
                    ));
                    return;
                }
                let route = matches!(rel.kind, RelKind::Route { .. });
                for t in targets {
                    let (mut dests, value) = self.targets(r, t);
                    if dests.is_empty() && route {
                        // An origin outside this configuration: drawn as the host it names.
                        match value.as_ref().and_then(|v| v.as_str().map(str::to_string)) {
                            Some(host) => dests.push(self.external_origin(r, &host)),
                            None => {
                                if let Some(v) = value {
                                    self.summary.symbolic.push(format!(
                                        "{addr}: {t} is not known ({}); no flow drawn",
                                        v.first_unknown().unwrap_or("")
                                    ));
                                }
                                continue;
                            }
                        }
                    }
                    for s in &sources {
                        for d in &dests {
                            self.flow(
                                addr,
                                &format!("#{t}#{d}"),
                                s,
                                d,
                                d,
                                name,
                                false,
                                &rel.flow_properties,
                            );
                        }
                    }
                }
                for s in &sources {
                    self.set_properties(s, &rel.source_properties, addr);
                }
            }
            RelKind::Secret {
                vault,
                value,
                key_attributes,
            } => {
                let vaults = self.targets(r, vault).0;
                let Found::Value(v) = self.lookup(r, value) else {
                    return;
                };
                // A secret holding a key (not just an endpoint or a name) lets whoever reads the
                // vault call the resource with it.
                let holds_key = v.unknown_reason().is_some_and(|why| {
                    key_attributes
                        .iter()
                        .any(|k| why.ends_with(&format!(".{k} is known after apply")))
                });
                if !holds_key {
                    return;
                }
                let mut holders = Vec::new();
                for a in v.all_refs() {
                    if let Some(e) = self.resolve(&a, 0)
                        && !holders.contains(&e)
                    {
                        holders.push(e);
                    }
                }
                for vlt in &vaults {
                    let readers = self.readers_of(vlt);
                    for reader in readers {
                        for h in &holders {
                            self.flow(
                                addr,
                                &format!("#{reader}#{h}"),
                                &reader,
                                h,
                                h,
                                "Call with a key read from Key Vault",
                                false,
                                &rel.flow_properties,
                            );
                        }
                    }
                }
            }
            RelKind::NsgRule { .. } | RelKind::NsgAssociation { .. } => {}
        }
    }

    /// Computes that an access relationship lets read from `vault`.
    fn readers_of(&self, vault: &str) -> Vec<String> {
        self.readers
            .get(vault)
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn external_origin(&mut self, r: &ResourceInstance, host: &str) -> String {
        let key = format!("{}#origin", r.address);
        if self.elements.contains_key(&key) {
            return key;
        }
        let mut e = Element::new(ElementKind::ExternalEntity, format!("Origin {host}"));
        e.id = ElementId(self.id("element", &key));
        e.iac_address = Some(r.address.clone());
        e.description = format!(
            "An origin outside this configuration, named by {}",
            r.address
        );
        e.properties.insert("role".into(), "service".into());
        self.model.elements.push(e);
        self.elements
            .insert(key.clone(), self.model.elements.len() - 1);
        key
    }

    /// The compute elements a principal stands for.
    fn principals(&mut self, r: &ResourceInstance, path: &str) -> Vec<String> {
        let Found::Value(v) = self.lookup(r, path) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let refs = v.all_refs();
        if refs.is_empty() {
            self.summary.unresolved.push(format!(
                "{}: the principal ({}) is no identity of this configuration; no flow drawn",
                r.address,
                if v.is_known() {
                    v.to_string()
                } else {
                    v.unknown_reason().unwrap_or("").to_string()
                }
            ));
        }
        for a in refs {
            if a == r.address {
                continue;
            }
            if self.elements.contains_key(&a) {
                out.push(a);
                continue;
            }
            let Some(&i) = self.by_addr.get(a.as_str()) else {
                continue;
            };
            let ty = self.all[i].ty.as_str();
            if self.mapping.identities.contains(ty) {
                if let Some(ws) = self.workloads.get(&a) {
                    out.extend(ws.iter().cloned());
                    continue;
                }
                // Compute that runs with the identity (`identity { identity_ids = [...] }`).
                let users: Vec<String> = self
                    .all
                    .iter()
                    .filter(|c| self.elements.contains_key(&c.address))
                    .filter(|c| match dotted(&c.attrs, "identity.identity_ids") {
                        Found::Value(v) => v.all_refs().contains(&a),
                        Found::Absent => false,
                    })
                    .map(|c| c.address.clone())
                    .collect();
                if users.is_empty() {
                    self.summary.unresolved.push(format!(
                        "{}: identity {a} is used by no compute this configuration draws; no flow drawn",
                        r.address
                    ));
                }
                out.extend(users);
            } else if ty == "azurerm_client_config" {
                self.summary.unresolved.push(format!(
                    "{}: the principal is the identity that runs Terraform; not drawn",
                    r.address
                ));
            } else {
                self.summary.unresolved.push(format!(
                    "{}: the principal comes from {a}, which is no compute or identity the mapping knows; no flow drawn",
                    r.address
                ));
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn access_direction(
        &mut self,
        r: &ResourceInstance,
        role: &[String],
        permissions: &[String],
    ) -> (Direction, String) {
        for path in role {
            if let Found::Value(v) = self.lookup(r, path)
                && let Some(t) = v.to_text()
            {
                let id = t.rsplit('/').next().unwrap_or(&t).to_lowercase();
                let dir = self
                    .mapping
                    .roles
                    .get(&t.to_lowercase())
                    .or_else(|| self.mapping.roles.get(&id))
                    .copied();
                let label = match id.as_str() {
                    "00000000-0000-0000-0000-000000000001" => {
                        "Cosmos DB Built-in Data Reader".to_string()
                    }
                    "00000000-0000-0000-0000-000000000002" => {
                        "Cosmos DB Built-in Data Contributor".to_string()
                    }
                    _ => t.clone(),
                };
                return match dir {
                    Some(d) => (d, label),
                    None => {
                        self.summary.unresolved.push(format!(
                            "{}: role '{t}' is not in the mapping's role table; drawn as access to the scope",
                            r.address
                        ));
                        (Direction::ToScope, label)
                    }
                };
            }
        }
        if !permissions.is_empty() {
            let mut verbs = BTreeSet::new();
            for p in permissions {
                if let Found::Value(v) = dotted(&r.attrs, p)
                    && let Some(items) = v.as_list()
                {
                    verbs.extend(
                        items
                            .iter()
                            .filter_map(|i| i.as_str().map(str::to_lowercase)),
                    );
                }
            }
            let read = verbs.iter().any(|v| {
                matches!(
                    v.as_str(),
                    "get" | "list" | "decrypt" | "unwrapkey" | "verify"
                )
            });
            let write = verbs.iter().any(|v| {
                !matches!(
                    v.as_str(),
                    "get" | "list" | "decrypt" | "unwrapkey" | "verify"
                )
            });
            let mut shown: Vec<&String> = verbs.iter().collect();
            shown.truncate(4);
            let label = format!(
                "Key Vault access ({})",
                shown
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            return (
                match (read, write) {
                    (true, true) => Direction::Both,
                    (false, true) => Direction::ToScope,
                    _ => Direction::FromScope,
                },
                label,
            );
        }
        self.summary.symbolic.push(format!(
            "{}: the role is not known; drawn as access to the scope",
            r.address
        ));
        (Direction::ToScope, "Access".into())
    }

    fn reference_flows(&mut self) {
        for i in 0..self.all.len() {
            let r = &self.all[i];
            let Some(map) = self.mapping.resources.get(&r.ty) else {
                continue;
            };
            if r.mode != Mode::Managed || !self.elements.contains_key(&r.address) {
                continue;
            }
            for f in map.flows.clone() {
                let targets = self.targets(r, &f.attribute).0;
                for t in targets {
                    if let Some(fi) = self.flow(
                        &r.address,
                        &format!("#{}", f.attribute),
                        &r.address.clone(),
                        &t,
                        &t,
                        &f.name,
                        false,
                        &f.properties,
                    ) && !f.protocol.is_empty()
                    {
                        self.model.flows[fi].protocol = f.protocol.clone();
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------
    // The internet.

    fn internet_users(&mut self) -> String {
        let key = "#internet-users".to_string();
        if self.elements.contains_key(&key) {
            return key;
        }
        let mut b = TrustBoundary::new("Internet", BoundaryKind::Internet);
        b.id = BoundaryId(self.id("boundary", "#internet"));
        b.shared_key = Some("internet".into());
        let bid = self.push_boundary("#internet".into(), b);
        let mut e = Element::new(ElementKind::ExternalEntity, "Internet users");
        e.id = ElementId(self.id("element", &key));
        e.boundary = Some(bid);
        e.shared_key = Some("internet-users".into());
        e.description =
            "Anyone on the internet: drawn where the Terraform opens a resource to it.".into();
        e.properties.insert("role".into(), "anonymous".into());
        self.model.elements.push(e);
        self.elements
            .insert(key.clone(), self.model.elements.len() - 1);
        key
    }

    fn internet(&mut self) {
        // Entry points: Front Door, gateways, public web apps.
        for i in 0..self.all.len() {
            let r = &self.all[i];
            let Some(map) = self.mapping.resources.get(&r.ty) else {
                continue;
            };
            let Some(&e) = self.elements.get(&r.address) else {
                continue;
            };
            if !map.internet_entry || r.mode != Mode::Managed {
                continue;
            }
            if self.model.elements[e].properties.get("public_endpoint")
                == Some(&PropertyValue::Bool(false))
            {
                continue;
            }
            let users = self.internet_users();
            let mut props = Properties::new();
            props.insert("authentication".into(), "none".into());
            let target = r.address.clone();
            self.flow(
                &target,
                "#internet",
                &users,
                &target,
                &target,
                "Requests from the internet",
                false,
                &props,
            );
        }
        // NSG rules that let the internet in, on the subnets they are associated with.
        let mut open_nsgs: BTreeMap<String, Vec<(String, Vec<String>)>> = BTreeMap::new();
        for r in self.all {
            if r.mode != Mode::Managed {
                continue;
            }
            let rules: Vec<(String, Value, String)> = if r.ty == "azurerm_network_security_group" {
                match dotted(&r.attrs, "security_rule") {
                    Found::Value(v) => v
                        .as_list()
                        .unwrap_or(&[])
                        .iter()
                        .map(|rule| (r.address.clone(), rule.clone(), r.address.clone()))
                        .collect(),
                    Found::Absent => Vec::new(),
                }
            } else if let Some(RelKind::NsgRule { nsg }) = self
                .mapping
                .relationships
                .get(&r.ty)
                .and_then(|rs| {
                    rs.iter()
                        .find(|x| matches!(x.kind, RelKind::NsgRule { .. }))
                })
                .map(|x| &x.kind)
            {
                let target = match dotted(&r.attrs, nsg) {
                    Found::Value(v) => v.all_refs().into_iter().find(|a| {
                        self.by_addr
                            .get(a.as_str())
                            .is_some_and(|i| self.all[*i].ty == "azurerm_network_security_group")
                    }),
                    Found::Absent => None,
                };
                match target {
                    Some(t) => vec![(t, r.attrs.clone(), r.address.clone())],
                    None => Vec::new(),
                }
            } else {
                Vec::new()
            };
            for (nsg, rule, rule_addr) in rules {
                if let Some(ports) = self.internet_rule(&rule, &rule_addr) {
                    open_nsgs.entry(nsg).or_default().push((rule_addr, ports));
                }
            }
        }
        if open_nsgs.is_empty() {
            return;
        }
        // Subnet boundary -> NSGs on it.
        let mut on_subnet: BTreeMap<BoundaryId, Vec<String>> = BTreeMap::new();
        for r in self.all {
            let Some(rels) = self.mapping.relationships.get(&r.ty) else {
                continue;
            };
            for rel in rels {
                if let RelKind::NsgAssociation { subnet, nsg } = &rel.kind {
                    let subnet_refs = match dotted(&r.attrs, subnet) {
                        Found::Value(v) => v.all_refs(),
                        Found::Absent => BTreeSet::new(),
                    };
                    let nsg_refs = match dotted(&r.attrs, nsg) {
                        Found::Value(v) => v.all_refs(),
                        Found::Absent => BTreeSet::new(),
                    };
                    if let Some(b) = self.subnet_boundary(&subnet_refs) {
                        on_subnet.entry(b).or_default().extend(nsg_refs);
                    }
                }
            }
        }
        let exposed: Vec<(String, String, Vec<String>)> = self
            .elements
            .iter()
            .filter(|(addr, _)| !self.workloads.contains_key(*addr))
            .filter_map(|(addr, &e)| {
                let b = self.model.elements[e].boundary?;
                let nsgs = on_subnet.get(&b)?;
                let rules: Vec<&(String, Vec<String>)> = nsgs
                    .iter()
                    .filter_map(|n| open_nsgs.get(n))
                    .flatten()
                    .collect();
                let (rule, _) = rules.first()?;
                let ports: BTreeSet<String> =
                    rules.iter().flat_map(|(_, p)| p.iter().cloned()).collect();
                Some((addr.clone(), rule.clone(), ports.into_iter().collect()))
            })
            .collect();
        for (addr, rule, ports) in exposed {
            let users = self.internet_users();
            let protocol = ["443", "80", "22", "3389"]
                .iter()
                .find(|p| ports.contains(&p.to_string()))
                .or(ports.first().map(|_| &"*"))
                .and_then(|p| self.mapping.ports.get(*p).cloned())
                .unwrap_or_default();
            let mut props = Properties::new();
            props.insert("authentication".into(), "none".into());
            props.insert(
                "encrypted".into(),
                PropertyValue::Bool(protocol == "HTTPS" || protocol == "SSH"),
            );
            let name = format!("Inbound from the internet (ports {})", ports.join(", "));
            if let Some(f) = self.flow(
                &rule,
                &format!("#{addr}"),
                &users,
                &addr,
                &addr,
                &name,
                false,
                &props,
            ) {
                self.model.flows[f].protocol = protocol;
            }
            let e = self.elements[&addr];
            if self
                .stencils
                .get(&self.model.elements[e].stencil)
                .is_some_and(|s| s.properties.contains_key("public_endpoint"))
            {
                self.model.elements[e]
                    .properties
                    .insert("public_endpoint".into(), PropertyValue::Bool(true));
            }
        }
    }

    /// The destination ports of an inbound allow rule from the internet, or `None`.
    fn internet_rule(&mut self, rule: &Value, address: &str) -> Option<Vec<String>> {
        let text = |p: &str| dotted_text(rule, p).map(|t| t.to_lowercase());
        if text("direction").as_deref() != Some("inbound")
            || text("access").as_deref() != Some("allow")
        {
            return None;
        }
        let mut sources: Vec<String> = dotted_text(rule, "source_address_prefix")
            .into_iter()
            .collect();
        if let Found::Value(v) = dotted(rule, "source_address_prefixes") {
            sources.extend(v.as_list().unwrap_or(&[]).iter().filter_map(Value::to_text));
        }
        if !sources.iter().any(|s| {
            self.mapping
                .internet_sources
                .iter()
                .any(|i| i.eq_ignore_ascii_case(s))
        }) {
            return None;
        }
        let mut ports: Vec<String> = dotted_text(rule, "destination_port_range")
            .into_iter()
            .collect();
        if let Found::Value(v) = dotted(rule, "destination_port_ranges") {
            ports.extend(v.as_list().unwrap_or(&[]).iter().filter_map(Value::to_text));
        }
        if ports.is_empty() {
            self.summary
                .symbolic
                .push(format!("{address}: the rule's ports are not known"));
        }
        ports.sort();
        Some(ports)
    }
}

fn element_name(r: &ResourceInstance) -> String {
    match dotted_text(&r.attrs, "name") {
        Some(n) if !n.trim().is_empty() => n,
        _ => r
            .address
            .rsplit_once(&format!("{}.", r.ty))
            .map(|(_, rest)| format!("{}.{rest}", r.ty))
            .unwrap_or_else(|| r.address.clone()),
    }
}

/// Converts an argument's value to a property of type `ty`.
fn convert(v: &Value, ty: Option<&PropertyType>) -> Option<PropertyValue> {
    match ty? {
        PropertyType::Bool => v.as_bool().map(PropertyValue::Bool),
        PropertyType::Number => v.as_number().map(PropertyValue::number),
        PropertyType::Text => v.to_text().map(PropertyValue::Text),
        PropertyType::Enum { values } => v
            .to_text()
            .filter(|t| values.contains(t))
            .map(PropertyValue::Text),
    }
}

/// Reads `a.b.c` from an instance's arguments: blocks (lists) give their first element.
fn dotted(root: &Value, path: &str) -> Found {
    let mut v = root.clone();
    for seg in path.split('.').filter(|s| !s.is_empty()) {
        loop {
            match &v.kind {
                Kind::List(items) => {
                    if let Ok(n) = seg.parse::<usize>() {
                        match items.get(n) {
                            Some(x) => {
                                v = x.clone();
                                break;
                            }
                            None => return Found::Absent,
                        }
                    }
                    match items.first() {
                        Some(x) => v = x.clone().with_refs(&v.refs),
                        None => return Found::Absent,
                    }
                }
                Kind::Map(entries, _) => {
                    match entries.get(seg) {
                        Some(x) => v = x.clone().with_refs(&v.refs),
                        None => return Found::Absent,
                    }
                    break;
                }
                Kind::Unknown(_) => return Found::Value(v),
                _ => return Found::Absent,
            }
        }
    }
    match &v.kind {
        Kind::Null => Found::Absent,
        Kind::List(items) if items.is_empty() => Found::Absent,
        _ => Found::Value(v),
    }
}

fn dotted_text(root: &Value, path: &str) -> Option<String> {
    match dotted(root, path) {
        Found::Value(v) => v.to_text(),
        Found::Absent => None,
    }
}

fn dotted_list_len(root: &Value, path: &str) -> Option<usize> {
    let Kind::Map(entries, _) = &root.kind else {
        return None;
    };
    match entries.get(path).map(|v| &v.kind) {
        Some(Kind::List(items)) => Some(items.len()),
        Some(Kind::Unknown(_)) => None,
        _ => Some(0),
    }
}
