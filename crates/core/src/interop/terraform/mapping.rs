//! The mapping from azurerm resources to the model, as data: `catalog/terraform.toml`.
//!
//! Loading checks the file against the stencils: every stencil, property and value must exist
//! and have the right type, so that a typo is an error with file, line and column rather than
//! an import that silently sets nothing. `stridewise catalog check` loads it too.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::Deserialize;
use toml::Spanned;

use crate::catalog::CatalogError;
use crate::model::{
    BoundaryKind, ElementKind, Properties, PropertyDef, PropertyType, PropertyValue, StencilId,
    StencilSet,
};

/// The built-in mapping file, embedded.
pub const BUILTIN_MAPPING: &str = include_str!("../../../../../catalog/terraform.toml");
/// Its name in messages.
pub const BUILTIN_MAPPING_FILE: &str = "catalog/terraform.toml";

/// The built-in mapping, loaded once against the built-in stencils.
pub fn builtin_mapping() -> &'static Mapping {
    static MAPPING: OnceLock<Mapping> = OnceLock::new();
    MAPPING.get_or_init(|| {
        Mapping::parse(
            BUILTIN_MAPPING,
            BUILTIN_MAPPING_FILE,
            crate::catalog::builtin_stencils(),
        )
        .unwrap_or_else(|e| panic!("the built-in Terraform mapping is checked by tests: {e}"))
    })
}

/// How one argument decides a property.
#[derive(Clone, Debug, PartialEq)]
pub enum How {
    /// The argument's value as it is.
    Copy,
    /// The opposite of a bool argument.
    Negate,
    /// The argument's text, looked up.
    Values(BTreeMap<String, PropertyValue>),
    /// This value when the argument or block is set.
    Present(PropertyValue),
}

/// One entry of a property rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// `a.b` (blocks by type), `a->b` (follow a reference).
    pub path: String,
    pub how: How,
    /// Texts that let the next entry decide.
    pub pass: Vec<String>,
}

/// How a property of an element (or of the flows into it) is set.
#[derive(Clone, Debug, PartialEq)]
pub struct PropertyRule {
    pub name: String,
    pub default: Option<PropertyValue>,
    pub from: Vec<Source>,
}

/// A flow from a resource to what one of its arguments references.
#[derive(Clone, Debug, PartialEq)]
pub struct ReferenceFlow {
    pub attribute: String,
    pub name: String,
    pub protocol: String,
    pub properties: Properties,
}

/// A resource type drawn as an element.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceMap {
    pub ty: String,
    pub stencil: StencilId,
    pub kind: ElementKind,
    /// Always global (Front Door): never in a region.
    pub global: bool,
    /// Blocks that, repeated, make the resource span regions (Cosmos DB geo locations).
    pub multi_region: Vec<String>,
    /// Internet users reach it directly, unless its `public_endpoint` is false.
    pub internet_entry: bool,
    /// The protocol of flows into it.
    pub protocol: String,
    /// Arguments naming the subnet it sits in.
    pub subnet: Vec<String>,
    pub properties: Vec<PropertyRule>,
    /// Properties of the flows into it.
    pub inbound: Vec<PropertyRule>,
    pub flows: Vec<ReferenceFlow>,
    pub line: usize,
}

/// Which way data moves between a compute and a resource it has a role on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    FromScope,
    ToScope,
    Both,
}

/// What a relationship resource does.
#[derive(Clone, Debug, PartialEq)]
pub enum RelKind {
    /// An identity gets access to a scope: a flow between the identity's compute and it.
    Access {
        principal: String,
        scope: String,
        role: Vec<String>,
        permissions: Vec<String>,
    },
    /// The source sends logs to each target: export flows.
    Export {
        source: String,
        targets: Vec<String>,
        name: String,
    },
    /// The source routes requests to each target host.
    Route {
        source: String,
        targets: Vec<String>,
        name: String,
    },
    /// Sets properties of the element `target` references.
    Property {
        target: String,
        properties: Vec<PropertyRule>,
    },
    /// The target is reached privately, from a subnet.
    PrivateEndpoint { target: String, subnet: String },
    /// A Key Vault secret; when it holds another resource's credential, the vault's readers
    /// can call that resource with it.
    Secret {
        vault: String,
        value: String,
        key_attributes: Vec<String>,
    },
    /// A workload running on `host` with the identity `identity`.
    Workload {
        identity: String,
        host: String,
        stencil: StencilId,
        properties: Properties,
    },
    /// An NSG rule, for exposure to the internet.
    NsgRule { nsg: String },
    /// An NSG on a subnet.
    NsgAssociation { subnet: String, nsg: String },
}

/// A relationship resource type.
#[derive(Clone, Debug, PartialEq)]
pub struct Relationship {
    pub ty: String,
    pub kind: RelKind,
    pub flow_properties: Properties,
    pub target_properties: Properties,
    pub source_properties: Properties,
    pub line: usize,
}

/// A resource type that is a trust boundary.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundaryMap {
    pub kind: BoundaryKind,
    /// The argument naming the parent boundary (a subnet's virtual network).
    pub parent: Option<String>,
}

/// The whole mapping.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Mapping {
    pub file: String,
    pub internet_sources: Vec<String>,
    pub ports: BTreeMap<String, String>,
    pub resources: BTreeMap<String, ResourceMap>,
    pub relationships: BTreeMap<String, Vec<Relationship>>,
    pub boundaries: BTreeMap<String, BoundaryMap>,
    pub children: BTreeMap<String, Vec<String>>,
    pub identities: BTreeSet<String>,
    /// By lower-case role name or id.
    pub roles: BTreeMap<String, Direction>,
    pub supporting: BTreeSet<String>,
    pub supporting_prefixes: Vec<String>,
}

impl Mapping {
    /// Whether resources of this type are counted but not drawn.
    pub fn is_supporting(&self, ty: &str) -> bool {
        self.supporting.contains(ty) || self.supporting_prefixes.iter().any(|p| ty.starts_with(p))
    }

    /// Every resource type the mapping knows, for the documentation.
    pub fn known_types(&self) -> usize {
        let mut all: BTreeSet<&str> = self.resources.keys().map(String::as_str).collect();
        all.extend(self.relationships.keys().map(String::as_str));
        all.extend(self.boundaries.keys().map(String::as_str));
        all.extend(self.children.keys().map(String::as_str));
        all.extend(self.identities.iter().map(String::as_str));
        all.extend(self.supporting.iter().map(String::as_str));
        all.len()
    }
}

// ---------------------------------------------------------------------------------------------
// Raw shapes.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    internet: RawInternet,
    #[serde(default)]
    resource: Vec<Spanned<RawResource>>,
    #[serde(default)]
    relationship: Vec<Spanned<RawRelationship>>,
    #[serde(default)]
    boundary: Vec<Spanned<RawBoundary>>,
    #[serde(default)]
    child: Vec<Spanned<RawChild>>,
    #[serde(default)]
    identity: Vec<RawIdentity>,
    #[serde(default)]
    role: Vec<Spanned<RawRole>>,
    supporting: RawSupporting,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInternet {
    sources: Vec<String>,
    ports: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResource {
    #[serde(rename = "type")]
    ty: Spanned<String>,
    stencil: Spanned<String>,
    #[serde(default)]
    global: bool,
    #[serde(default)]
    multi_region: Vec<String>,
    #[serde(default)]
    internet_entry: bool,
    #[serde(default)]
    protocol: String,
    #[serde(default)]
    subnet: Vec<String>,
    #[serde(default)]
    property: Vec<Spanned<RawProperty>>,
    #[serde(default)]
    inbound: Vec<Spanned<RawProperty>>,
    #[serde(default)]
    flow: Vec<Spanned<RawFlow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProperty {
    name: Spanned<String>,
    #[serde(default)]
    default: Option<Spanned<PropertyValue>>,
    #[serde(default)]
    from: Vec<Spanned<RawFrom>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrom {
    attribute: String,
    #[serde(default)]
    copy: bool,
    #[serde(default)]
    negate: bool,
    #[serde(default)]
    values: BTreeMap<String, Spanned<PropertyValue>>,
    #[serde(default)]
    pass: Vec<String>,
    #[serde(default)]
    present: Option<Spanned<PropertyValue>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFlow {
    attribute: String,
    name: String,
    #[serde(default)]
    protocol: String,
    #[serde(default)]
    properties: BTreeMap<String, Spanned<PropertyValue>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRelationship {
    #[serde(rename = "type")]
    ty: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    principal: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    role: Vec<String>,
    #[serde(default)]
    permissions: Vec<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    targets: Vec<String>,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    subnet: Option<String>,
    #[serde(default)]
    vault: Option<String>,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    key_attributes: Vec<String>,
    #[serde(default)]
    identity: Option<String>,
    #[serde(default)]
    host: Option<String>,
    #[serde(default)]
    stencil: Option<Spanned<String>>,
    #[serde(default)]
    nsg: Option<String>,
    #[serde(default)]
    property: Vec<Spanned<RawProperty>>,
    #[serde(default)]
    properties: BTreeMap<String, Spanned<PropertyValue>>,
    #[serde(default)]
    flow_properties: BTreeMap<String, Spanned<PropertyValue>>,
    #[serde(default)]
    target_properties: BTreeMap<String, Spanned<PropertyValue>>,
    #[serde(default)]
    source_properties: BTreeMap<String, Spanned<PropertyValue>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBoundary {
    #[serde(rename = "type")]
    ty: String,
    kind: Spanned<String>,
    #[serde(default)]
    parent: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChild {
    #[serde(rename = "type")]
    ty: String,
    parent: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdentity {
    #[serde(rename = "type")]
    ty: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    direction: Direction,
    names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSupporting {
    types: Vec<String>,
    #[serde(default)]
    prefixes: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Checking.

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    stencils: &'a StencilSet,
}

impl Ctx<'_> {
    fn err(&self, offset: usize, message: impl Into<String>) -> CatalogError {
        CatalogError::at(self.file, self.text, offset, message)
    }

    fn line(&self, offset: usize) -> usize {
        crate::catalog::line_column(self.text, offset).0
    }

    fn check_value(
        &self,
        def: &PropertyDef,
        name: &str,
        v: &Spanned<PropertyValue>,
    ) -> Result<(), CatalogError> {
        check_value(def, name, v.get_ref()).map_err(|m| self.err(v.span().start, m))
    }

    /// A property of some stencil (for relationships, whose target's stencil is known only at
    /// import time).
    fn any_stencil_property(&self, name: &str) -> Option<&PropertyDef> {
        self.stencils
            .stencils
            .values()
            .find_map(|s| s.properties.get(name))
    }

    fn properties_on(
        &self,
        raw: &BTreeMap<String, Spanned<PropertyValue>>,
        lookup: &dyn Fn(&str) -> Option<PropertyDef>,
        what: &str,
        at: usize,
    ) -> Result<Properties, CatalogError> {
        let mut out = Properties::new();
        for (k, v) in raw {
            let Some(def) = lookup(k) else {
                return Err(self.err(
                    v.span().start.max(at),
                    format!("{what} has no property '{k}'"),
                ));
            };
            self.check_value(&def, k, v)?;
            out.insert(k.clone(), v.get_ref().clone());
        }
        Ok(out)
    }

    fn rule(
        &self,
        raw: &Spanned<RawProperty>,
        lookup: &dyn Fn(&str) -> Option<PropertyDef>,
        what: &str,
    ) -> Result<PropertyRule, CatalogError> {
        let r = raw.get_ref();
        let name = r.name.get_ref();
        let Some(def) = lookup(name) else {
            return Err(self.err(
                r.name.span().start,
                format!("{what} has no property '{name}'"),
            ));
        };
        if let Some(d) = &r.default {
            self.check_value(&def, name, d)?;
        }
        let mut from = Vec::new();
        for f in &r.from {
            let at = f.span().start;
            let f = f.get_ref();
            let ways = usize::from(f.copy)
                + usize::from(f.negate)
                + usize::from(!f.values.is_empty())
                + usize::from(f.present.is_some());
            if ways != 1 {
                return Err(self.err(
                    at,
                    format!(
                        "'{}' for property '{name}' needs exactly one of copy, negate, values, present",
                        f.attribute
                    ),
                ));
            }
            if f.attribute.trim().is_empty() {
                return Err(self.err(at, "an empty attribute path"));
            }
            let how = if f.copy {
                How::Copy
            } else if f.negate {
                if def.ty != PropertyType::Bool {
                    return Err(self.err(
                        at,
                        format!(
                            "negate needs a bool property; '{name}' is {}",
                            def.ty.name()
                        ),
                    ));
                }
                How::Negate
            } else if let Some(p) = &f.present {
                self.check_value(&def, name, p)?;
                How::Present(p.get_ref().clone())
            } else {
                let mut values = BTreeMap::new();
                for (k, v) in &f.values {
                    self.check_value(&def, name, v)?;
                    values.insert(k.clone(), v.get_ref().clone());
                }
                How::Values(values)
            };
            from.push(Source {
                path: f.attribute.clone(),
                how,
                pass: f.pass.clone(),
            });
        }
        Ok(PropertyRule {
            name: name.clone(),
            default: r.default.as_ref().map(|d| d.get_ref().clone()),
            from,
        })
    }
}

/// Whether `v` fits the property's type (and its list of values).
pub fn check_value(def: &PropertyDef, name: &str, v: &PropertyValue) -> Result<(), String> {
    if !def.ty.accepts_type_of(v) {
        return Err(format!(
            "property '{name}' is {}, not {} ({v})",
            def.ty.name(),
            v.type_name()
        ));
    }
    if let (PropertyType::Enum { values }, PropertyValue::Text(t)) = (&def.ty, v)
        && !values.contains(t)
    {
        return Err(format!(
            "'{t}' is not a value of property '{name}' (one of: {})",
            values.join(", ")
        ));
    }
    Ok(())
}

fn need<'a>(
    ctx: &Ctx<'_>,
    at: usize,
    ty: &str,
    field: &str,
    v: &'a Option<String>,
) -> Result<&'a String, CatalogError> {
    v.as_ref()
        .ok_or_else(|| ctx.err(at, format!("relationship '{ty}' needs '{field}'")))
}

impl Mapping {
    /// Parses and checks a mapping file against `stencils`.
    pub fn parse(text: &str, file: &str, stencils: &StencilSet) -> Result<Mapping, CatalogError> {
        let raw: RawFile =
            toml::from_str(text).map_err(|e| CatalogError::from_toml(file, text, &e))?;
        let ctx = Ctx {
            file,
            text,
            stencils,
        };
        let mut m = Mapping {
            file: file.to_string(),
            internet_sources: raw.internet.sources,
            ports: raw.internet.ports,
            ..Mapping::default()
        };
        let flow_lookup = |n: &str| stencils.flow_properties.get(n).cloned();
        let any_lookup = |n: &str| ctx.any_stencil_property(n).cloned();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut claim = |ty: &str, at: usize, ctx: &Ctx<'_>| -> Result<(), CatalogError> {
            if let Some(line) = seen.insert(ty.to_string(), ctx.line(at)) {
                return Err(ctx.err(at, format!("'{ty}' is already mapped at line {line}")));
            }
            Ok(())
        };
        for r in &raw.resource {
            let at = r.span().start;
            let r = r.get_ref();
            claim(r.ty.get_ref(), r.ty.span().start, &ctx)?;
            let id = StencilId(r.stencil.get_ref().clone());
            let Some(stencil) = stencils.get(&id) else {
                return Err(ctx.err(r.stencil.span().start, format!("unknown stencil '{id}'")));
            };
            let lookup = |n: &str| stencil.properties.get(n).cloned();
            let what = format!("stencil '{id}'");
            let properties = r
                .property
                .iter()
                .map(|p| ctx.rule(p, &lookup, &what))
                .collect::<Result<_, _>>()?;
            let inbound = r
                .inbound
                .iter()
                .map(|p| ctx.rule(p, &flow_lookup, "a flow"))
                .collect::<Result<_, _>>()?;
            let mut flows = Vec::new();
            for f in &r.flow {
                let fat = f.span().start;
                let f = f.get_ref();
                flows.push(ReferenceFlow {
                    attribute: f.attribute.clone(),
                    name: f.name.clone(),
                    protocol: f.protocol.clone(),
                    properties: ctx.properties_on(&f.properties, &flow_lookup, "a flow", fat)?,
                });
            }
            m.resources.insert(
                r.ty.get_ref().clone(),
                ResourceMap {
                    ty: r.ty.get_ref().clone(),
                    stencil: id.clone(),
                    kind: stencil.kind,
                    global: r.global,
                    multi_region: r.multi_region.clone(),
                    internet_entry: r.internet_entry,
                    protocol: r.protocol.clone(),
                    subnet: r.subnet.clone(),
                    properties,
                    inbound,
                    flows,
                    line: ctx.line(at),
                },
            );
        }
        for rel in &raw.relationship {
            let at = rel.span().start;
            let r = rel.get_ref();
            let ty = r.ty.get_ref().clone();
            let kind = match r.kind.get_ref().as_str() {
                "access" => {
                    if r.role.is_empty() && r.permissions.is_empty() {
                        return Err(ctx.err(
                            at,
                            format!("relationship '{ty}' needs 'role' or 'permissions'"),
                        ));
                    }
                    RelKind::Access {
                        principal: need(&ctx, at, &ty, "principal", &r.principal)?.clone(),
                        scope: need(&ctx, at, &ty, "scope", &r.scope)?.clone(),
                        role: r.role.clone(),
                        permissions: r.permissions.clone(),
                    }
                }
                k @ ("export" | "route") => {
                    let source = need(&ctx, at, &ty, "source", &r.source)?.clone();
                    let name = need(&ctx, at, &ty, "name", &r.name)?.clone();
                    if r.targets.is_empty() {
                        return Err(ctx.err(at, format!("relationship '{ty}' needs 'targets'")));
                    }
                    let targets = r.targets.clone();
                    if k == "export" {
                        RelKind::Export {
                            source,
                            targets,
                            name,
                        }
                    } else {
                        RelKind::Route {
                            source,
                            targets,
                            name,
                        }
                    }
                }
                "property" => RelKind::Property {
                    target: need(&ctx, at, &ty, "target", &r.target)?.clone(),
                    properties: r
                        .property
                        .iter()
                        .map(|p| ctx.rule(p, &any_lookup, "no stencil"))
                        .collect::<Result<_, _>>()?,
                },
                "private_endpoint" => RelKind::PrivateEndpoint {
                    target: need(&ctx, at, &ty, "target", &r.target)?.clone(),
                    subnet: need(&ctx, at, &ty, "subnet", &r.subnet)?.clone(),
                },
                "secret" => RelKind::Secret {
                    vault: need(&ctx, at, &ty, "vault", &r.vault)?.clone(),
                    value: need(&ctx, at, &ty, "value", &r.value)?.clone(),
                    key_attributes: r.key_attributes.clone(),
                },
                "workload" => {
                    let Some(s) = &r.stencil else {
                        return Err(ctx.err(at, format!("relationship '{ty}' needs 'stencil'")));
                    };
                    let id = StencilId(s.get_ref().clone());
                    let Some(stencil) = stencils.get(&id) else {
                        return Err(ctx.err(s.span().start, format!("unknown stencil '{id}'")));
                    };
                    let lookup = |n: &str| stencil.properties.get(n).cloned();
                    RelKind::Workload {
                        identity: need(&ctx, at, &ty, "identity", &r.identity)?.clone(),
                        host: need(&ctx, at, &ty, "host", &r.host)?.clone(),
                        properties: ctx.properties_on(
                            &r.properties,
                            &lookup,
                            &format!("stencil '{id}'"),
                            at,
                        )?,
                        stencil: id,
                    }
                }
                "nsg_rule" => RelKind::NsgRule {
                    nsg: need(&ctx, at, &ty, "nsg", &r.nsg)?.clone(),
                },
                "nsg_association" => RelKind::NsgAssociation {
                    subnet: need(&ctx, at, &ty, "subnet", &r.subnet)?.clone(),
                    nsg: need(&ctx, at, &ty, "nsg", &r.nsg)?.clone(),
                },
                other => {
                    return Err(ctx.err(
                        r.kind.span().start,
                        format!("unknown relationship kind '{other}' (access, export, route, property, private_endpoint, secret, workload, nsg_rule, nsg_association)"),
                    ));
                }
            };
            let relationship = Relationship {
                ty: ty.clone(),
                kind,
                flow_properties: ctx.properties_on(
                    &r.flow_properties,
                    &flow_lookup,
                    "a flow",
                    at,
                )?,
                target_properties: ctx.properties_on(
                    &r.target_properties,
                    &any_lookup,
                    "no stencil",
                    at,
                )?,
                source_properties: ctx.properties_on(
                    &r.source_properties,
                    &any_lookup,
                    "no stencil",
                    at,
                )?,
                line: ctx.line(at),
            };
            m.relationships.entry(ty).or_default().push(relationship);
        }
        for b in &raw.boundary {
            let at = b.span().start;
            let b = b.get_ref();
            claim(&b.ty, at, &ctx)?;
            let Some(kind) = BoundaryKind::parse(b.kind.get_ref()) else {
                return Err(ctx.err(
                    b.kind.span().start,
                    format!("unknown boundary kind '{}'", b.kind.get_ref()),
                ));
            };
            m.boundaries.insert(
                b.ty.clone(),
                BoundaryMap {
                    kind,
                    parent: b.parent.clone(),
                },
            );
        }
        for c in &raw.child {
            let at = c.span().start;
            let c = c.get_ref();
            if m.resources.contains_key(&c.ty) {
                return Err(ctx.err(at, format!("'{}' is both a resource and a child", c.ty)));
            }
            m.children.insert(c.ty.clone(), c.parent.clone());
        }
        m.identities = raw.identity.into_iter().map(|i| i.ty).collect();
        for role in &raw.role {
            let at = role.span().start;
            for n in &role.get_ref().names {
                if m.roles
                    .insert(n.to_lowercase(), role.get_ref().direction)
                    .is_some()
                {
                    return Err(ctx.err(at, format!("role '{n}' is listed twice")));
                }
            }
        }
        m.supporting = raw.supporting.types.into_iter().collect();
        m.supporting_prefixes = raw.supporting.prefixes;
        for ty in &m.supporting {
            if m.resources.contains_key(ty) || m.boundaries.contains_key(ty) {
                let at = text.find(&format!("\"{ty}\"")).unwrap_or(0);
                return Err(ctx.err(
                    at,
                    format!("'{ty}' is mapped and also listed as supporting"),
                ));
            }
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::builtin_stencils;

    #[test]
    fn the_builtin_mapping_loads() {
        let m = builtin_mapping();
        assert_eq!(
            m.resources["azurerm_key_vault"].stencil,
            StencilId::from("azure.key_vault")
        );
        assert!(m.relationships.contains_key("azurerm_role_assignment"));
        assert_eq!(m.roles["acrpull"], Direction::FromScope);
        assert!(m.is_supporting("random_password"));
    }

    fn err(edit: impl Fn(&str) -> String) -> CatalogError {
        Mapping::parse(&edit(BUILTIN_MAPPING), "t.toml", builtin_stencils()).unwrap_err()
    }

    #[test]
    fn unknown_stencil_property_and_value_are_located() {
        let e = err(|t| {
            t.replacen(
                "stencil = \"azure.cosmos_db\"",
                "stencil = \"azure.cosmos\"",
                1,
            )
        });
        assert!(e.message.contains("unknown stencil 'azure.cosmos'"), "{e}");
        let line = BUILTIN_MAPPING
            .lines()
            .position(|l| l == "stencil = \"azure.cosmos_db\"")
            .unwrap()
            + 1;
        assert_eq!(e.line, line, "{e}");

        let e = err(|t| t.replacen("name = \"purge_protection\"", "name = \"purge_protect\"", 1));
        assert!(e.message.contains("no property 'purge_protect'"), "{e}");
        assert!(e.to_string().starts_with("t.toml:"), "{e}");

        let e = err(|t| t.replacen("Basic = \"basic\"", "Basic = \"cheap\"", 1));
        assert!(
            e.message
                .contains("'cheap' is not a value of property 'sku'"),
            "{e}"
        );

        let e = err(|t| {
            t.replacen(
                "name = \"waf_enabled\"\ndefault = false",
                "name = \"waf_enabled\"\ndefault = \"no\"",
                1,
            )
        });
        assert!(e.message.contains("property 'waf_enabled' is bool"), "{e}");

        let e = err(|t| t.replacen("kind = \"virtual_network\"", "kind = \"vnet\"", 1));
        assert!(e.message.contains("unknown boundary kind 'vnet'"), "{e}");

        let e = err(|t| {
            t.replacen(
                "flow_properties = { carries_secrets = true }",
                "flow_properties = { carries = true }",
                1,
            )
        });
        assert!(
            e.message.contains("a flow has no property 'carries'"),
            "{e}"
        );
    }
}
