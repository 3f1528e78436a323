//! Reading `[[mitigation]]` and `[[threat]]` entries: raw TOML shapes, checks with locations,
//! condition compilation and the small models of rule examples.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;
use uuid::Uuid;

use super::{CatalogError, Mitigation, Rating, Rule, RuleScope, RuleTarget, Source, Template};
use crate::condition::{self, Expr, Scope, Slots};
use crate::model::{
    BoundaryId, BoundaryKind, DataFlow, Element, ElementId, ElementKind, FlowId, PropertyValue,
    ServiceModel, Stencil, StencilId, StencilSet, Stride, TrustBoundary,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    #[serde(default)]
    #[allow(dead_code)]
    flow: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    #[allow(dead_code)]
    stencil: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    pub mitigation: Vec<Spanned<RawMitigation>>,
    #[serde(default)]
    pub threat: Vec<Spanned<RawThreat>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    section: String,
    quote: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMitigation {
    pub id: Spanned<String>,
    title: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    layer: Option<Spanned<String>>,
    source: RawSource,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFilter {
    #[serde(default)]
    kind: Option<Spanned<ElementKind>>,
    #[serde(default)]
    stencils: Vec<Spanned<String>>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawThreat {
    pub id: Spanned<String>,
    stride: Spanned<String>,
    applies_to: Spanned<String>,
    #[serde(default)]
    scope: Option<Spanned<String>>,
    #[serde(default)]
    when: Option<Spanned<String>>,
    title: Spanned<String>,
    #[serde(default)]
    description: Option<Spanned<String>>,
    #[serde(default)]
    likelihood: Option<Spanned<String>>,
    #[serde(default)]
    impact: Option<Spanned<String>>,
    mitigations: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    cwe: Vec<u32>,
    #[serde(default)]
    capec: Vec<u32>,
    source: RawSource,
    #[serde(default)]
    element: Option<Spanned<RawFilter>>,
    /// The filter on a flow's source element. (`source` is the document citation.)
    #[serde(default)]
    source_element: Option<Spanned<RawFilter>>,
    #[serde(default)]
    target: Option<Spanned<RawFilter>>,
    #[serde(default)]
    example: Vec<Spanned<RawExample>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExample {
    fires: bool,
    #[serde(default)]
    boundaries: Vec<RawExBoundary>,
    #[serde(default)]
    elements: Vec<RawExElement>,
    #[serde(default)]
    flows: Vec<RawExFlow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExBoundary {
    id: String,
    kind: BoundaryKind,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExElement {
    id: String,
    #[serde(default)]
    kind: Option<ElementKind>,
    #[serde(default)]
    stencil: Option<String>,
    #[serde(default)]
    boundary: Option<String>,
    #[serde(default)]
    properties: BTreeMap<String, PropertyValue>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    out_of_scope: bool,
    /// The services the element came from; an example with origins is an application model.
    #[serde(default)]
    origins: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExFlow {
    from: String,
    to: String,
    #[serde(default)]
    protocol: Option<String>,
    #[serde(default)]
    properties: BTreeMap<String, PropertyValue>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    bidirectional: bool,
}

/// One file's text, for locating errors.
pub(super) struct Src<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl Src<'_> {
    pub fn err(&self, offset: usize, msg: impl Into<String>) -> CatalogError {
        CatalogError::at(self.file, self.text, offset, msg)
    }
}

pub(super) fn parse_file(src: &Src<'_>) -> Result<RawFile, CatalogError> {
    toml::from_str(src.text).map_err(|e| CatalogError::from_toml(src.file, src.text, &e))
}

fn is_upper_id(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
}

pub(super) fn mitigation(src: &Src<'_>, raw: &RawMitigation) -> Result<Mitigation, CatalogError> {
    let id = raw.id.get_ref();
    if !id.starts_with("MIT-") || !is_upper_id(id) {
        return Err(src.err(
            raw.id.span().start,
            format!("'{id}' is not a mitigation id (MIT- then upper-case words joined by '-')"),
        ));
    }
    const LAYERS: [&str; 5] = [
        "platform",
        "architecture",
        "resource_configuration",
        "application_code",
        "operations",
    ];
    if let Some(l) = &raw.layer
        && !LAYERS.contains(&l.get_ref().as_str())
    {
        return Err(src.err(
            l.span().start,
            format!(
                "'{}' is not a layer (one of: {})",
                l.get_ref(),
                LAYERS.join(", ")
            ),
        ));
    }
    Ok(Mitigation {
        id: id.clone(),
        title: raw.title.clone(),
        action: raw.action.clone(),
        layer: raw
            .layer
            .as_ref()
            .map(|l| l.get_ref().clone())
            .unwrap_or_default(),
        source: Source {
            section: raw.source.section.as_str().into(),
            quote: raw.source.quote.as_str().into(),
        },
        file: src.file.to_string(),
        line: super::line_column(src.text, raw.id.span().start).0,
    })
}

fn rating(src: &Src<'_>, v: &Option<Spanned<String>>) -> Result<Rating, CatalogError> {
    match v {
        None => Ok(Rating::Medium),
        Some(s) => Rating::parse(s.get_ref()).ok_or_else(|| {
            src.err(
                s.span().start,
                format!("'{}' is not one of low, medium, high", s.get_ref()),
            )
        }),
    }
}

/// The stencils a filter (and the rule's kind) lets through, as a mask over `order`.
fn filter_mask(
    src: &Src<'_>,
    order: &[&Stencil],
    stencils: &StencilSet,
    kind: Option<ElementKind>,
    filter: Option<&Spanned<RawFilter>>,
) -> Result<Vec<bool>, CatalogError> {
    if let Some(f) = filter {
        for s in &f.get_ref().stencils {
            if stencils.get(&StencilId(s.get_ref().clone())).is_none() {
                return Err(src.err(
                    s.span().start,
                    format!("unknown stencil '{}' in the filter", s.get_ref()),
                ));
            }
        }
    }
    let mask: Vec<bool> = order
        .iter()
        .map(|s| {
            kind.is_none_or(|k| s.kind == k)
                && filter.is_none_or(|f| {
                    let f = f.get_ref();
                    f.kind.as_ref().is_none_or(|k| *k.get_ref() == s.kind)
                        && (f.stencils.is_empty()
                            || f.stencils.iter().any(|x| x.get_ref() == s.id.as_str()))
                        && f.tags.iter().all(|t| s.has_tag(t))
                })
        })
        .collect();
    if !mask.contains(&true) {
        let at = filter.map_or(0, |f| f.span().start);
        return Err(src.err(at, "no stencil matches this rule's kind and filters"));
    }
    Ok(mask)
}

/// Offset in the file of byte `i` of a string value whose TOML literal starts at `start`.
fn string_offset(text: &str, start: usize, i: usize) -> usize {
    let raw = &text[start.min(text.len())..];
    let (open, basic) = if raw.starts_with("\"\"\"") {
        (3, true)
    } else if raw.starts_with("'''") {
        (3, false)
    } else if raw.starts_with('"') {
        (1, true)
    } else {
        (1, false)
    };
    let mut skip = open;
    if open == 3 {
        if raw[3..].starts_with("\r\n") {
            skip += 2;
        } else if raw[3..].starts_with('\n') {
            skip += 1;
        }
    }
    let body = &raw[skip.min(raw.len())..];
    // With escapes in a basic string the offsets no longer line up; point at the string.
    if basic
        && body
            .split(if open == 3 { "\"\"\"" } else { "\"" })
            .next()
            .is_some_and(|b| b.contains('\\'))
    {
        return start;
    }
    start + skip + i
}

pub(super) fn rule(
    src: &Src<'_>,
    raw: &Spanned<RawThreat>,
    stencils: &StencilSet,
    order: &[&Stencil],
    slots: &mut Slots,
) -> Result<Rule, CatalogError> {
    let span_start = raw.span().start;
    let raw = raw.get_ref();
    let id = raw.id.get_ref();
    if !is_upper_id(id) || id.starts_with("MIT-") {
        return Err(src.err(
            raw.id.span().start,
            format!(
                "'{id}' is not a threat rule id (upper-case words joined by '-', e.g. NET-DOS-01)"
            ),
        ));
    }
    let stride = Stride::parse(raw.stride.get_ref()).ok_or_else(|| {
        src.err(
            raw.stride.span().start,
            format!(
                "'{}' is not a STRIDE category (one of: {})",
                raw.stride.get_ref(),
                Stride::ALL.map(|s| s.as_str()).join(", ")
            ),
        )
    })?;
    let target = match raw.applies_to.get_ref().as_str() {
        "flow" => RuleTarget::Flow,
        "element" => RuleTarget::Element(None),
        "process" => RuleTarget::Element(Some(ElementKind::Process)),
        "data_store" => RuleTarget::Element(Some(ElementKind::DataStore)),
        "external_entity" => RuleTarget::Element(Some(ElementKind::ExternalEntity)),
        other => {
            return Err(src.err(
                raw.applies_to.span().start,
                format!(
                    "'{other}' is not one of flow, element, process, data_store, external_entity"
                ),
            ));
        }
    };
    let scope = match raw.scope.as_ref().map(|s| s.get_ref().as_str()) {
        None | Some("service") => RuleScope::Service,
        Some("application") => RuleScope::Application,
        Some(other) => {
            return Err(src.err(
                raw.scope.as_ref().map_or(span_start, |s| s.span().start),
                format!("'{other}' is not a scope (service or application)"),
            ));
        }
    };

    // Filters, and the stencils each subject can be.
    let (element_mask, source_mask, target_mask) = match target {
        RuleTarget::Element(kind) => {
            for (f, name) in [
                (&raw.source_element, "source_element"),
                (&raw.target, "target"),
            ] {
                if let Some(f) = f {
                    return Err(src.err(
                        f.span().start,
                        format!("[threat.{name}] filters flow rules; this rule applies to elements (use [threat.element])"),
                    ));
                }
            }
            (
                Some(filter_mask(
                    src,
                    order,
                    stencils,
                    kind,
                    raw.element.as_ref(),
                )?),
                None,
                None,
            )
        }
        RuleTarget::Flow => {
            if let Some(f) = &raw.element {
                return Err(src.err(
                    f.span().start,
                    "[threat.element] filters element rules; this rule applies to flows (use [threat.source_element] or [threat.target])",
                ));
            }
            (
                None,
                Some(filter_mask(
                    src,
                    order,
                    stencils,
                    None,
                    raw.source_element.as_ref(),
                )?),
                Some(filter_mask(
                    src,
                    order,
                    stencils,
                    None,
                    raw.target.as_ref(),
                )?),
            )
        }
    };
    let pick = |mask: &Option<Vec<bool>>| -> Option<Vec<&Stencil>> {
        mask.as_ref().map(|m| {
            order
                .iter()
                .zip(m)
                .filter(|(_, ok)| **ok)
                .map(|(s, _)| *s)
                .collect()
        })
    };
    let lang_scope = Scope {
        element: pick(&element_mask),
        source: pick(&source_mask),
        target: pick(&target_mask),
        flow: matches!(target, RuleTarget::Flow).then_some(&stencils.flow_properties),
    };
    let cond = match &raw.when {
        None => Expr::Const(condition::Value::Bool(true)),
        Some(w) => condition::compile(w.get_ref(), &lang_scope, slots).map_err(|e| {
            src.err(
                string_offset(src.text, w.span().start, e.span.start),
                format!("in `when` of {id}: {}", e.message),
            )
        })?,
    };

    let allowed: &[&str] = match target {
        RuleTarget::Flow => &["flow", "source", "target"],
        RuleTarget::Element(_) => &["element"],
    };
    let title = Template::parse(raw.title.get_ref(), allowed)
        .map_err(|m| src.err(raw.title.span().start, m))?;
    let description = match &raw.description {
        Some(d) => Template::parse(d.get_ref(), allowed).map_err(|m| src.err(d.span().start, m))?,
        None => Template::parse("", allowed).map_err(|m| src.err(span_start, m))?,
    };
    if raw.mitigations.get_ref().is_empty() {
        return Err(src.err(
            raw.mitigations.span().start,
            format!("rule {id} lists no mitigations"),
        ));
    }

    let mut examples = Vec::new();
    for (n, ex) in raw.example.iter().enumerate() {
        let model = example_model(id, n, ex.get_ref(), stencils)
            .map_err(|m| src.err(ex.span().start, format!("example {} of {id}: {m}", n + 1)))?;
        examples.push(super::Example {
            fires: ex.get_ref().fires,
            model,
            line: super::line_column(src.text, ex.span().start).0,
        });
    }

    Ok(Rule {
        id: id.clone(),
        stride,
        target,
        scope,
        when: raw.when.as_ref().map(|w| w.get_ref().clone()),
        title,
        description,
        likelihood: rating(src, &raw.likelihood)?,
        impact: rating(src, &raw.impact)?,
        mitigations: raw
            .mitigations
            .get_ref()
            .iter()
            .map(|m| m.get_ref().clone())
            .collect(),
        cwe: raw.cwe.as_slice().into(),
        capec: raw.capec.as_slice().into(),
        mitigation_refs: Arc::from(Vec::new()),
        shared_id: id.as_str().into(),
        source: Source {
            section: raw.source.section.as_str().into(),
            quote: raw.source.quote.as_str().into(),
        },
        examples,
        file: src.file.to_string(),
        line: super::line_column(src.text, raw.id.span().start).0,
        cond,
        element_mask,
        source_mask,
        target_mask,
    })
}

/// The spans of a rule's mitigation references, to report unknown ids.
pub(super) fn mitigation_refs(raw: &RawThreat) -> impl Iterator<Item = &Spanned<String>> {
    raw.mitigations.get_ref().iter()
}

/// Builds the small model an example describes. Ids are derived from the rule, the example's
/// number and the local names, so examples are deterministic.
fn example_model(
    rule: &str,
    n: usize,
    ex: &RawExample,
    stencils: &StencilSet,
) -> Result<ServiceModel, String> {
    let ns = Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("stridewise:example:{rule}:{n}").as_bytes(),
    );
    let mut model = ServiceModel::new(format!("{rule} example {}", n + 1));
    model.id = crate::model::ModelId::derived(ns, "model");
    let mut boundary_ids = BTreeMap::new();
    for b in &ex.boundaries {
        let id = BoundaryId::derived(ns, &format!("b:{}", b.id));
        if boundary_ids.insert(b.id.clone(), id).is_some() {
            return Err(format!("boundary '{}' is defined twice", b.id));
        }
    }
    for b in &ex.boundaries {
        let mut tb = TrustBoundary::new(b.name.clone().unwrap_or_else(|| b.id.clone()), b.kind);
        tb.id = boundary_ids[&b.id];
        if let Some(p) = &b.parent {
            tb.parent = Some(
                *boundary_ids
                    .get(p)
                    .ok_or_else(|| format!("boundary '{}' has unknown parent '{p}'", b.id))?,
            );
        }
        model.boundaries.push(tb);
    }
    let mut element_ids = BTreeMap::new();
    for e in &ex.elements {
        let (kind, stencil) = match (&e.stencil, e.kind) {
            (Some(s), k) => {
                let st = stencils
                    .get(&StencilId(s.clone()))
                    .ok_or_else(|| format!("element '{}' has unknown stencil '{s}'", e.id))?;
                if k.is_some_and(|k| k != st.kind) {
                    return Err(format!(
                        "element '{}' is a {} but stencil '{s}' is a {}",
                        e.id,
                        k.map_or("", |k| k.label()),
                        st.kind.label()
                    ));
                }
                (st.kind, st.id.clone())
            }
            (None, Some(k)) => (k, StencilId::generic(k)),
            (None, None) => {
                return Err(format!("element '{}' needs a kind or a stencil", e.id));
            }
        };
        let mut el = Element::new(kind, e.name.clone().unwrap_or_else(|| e.id.clone()));
        el.id = ElementId::derived(ns, &format!("e:{}", e.id));
        el.stencil = stencil;
        el.properties = e.properties.clone();
        el.out_of_scope = e.out_of_scope;
        el.origins = e.origins.clone();
        if !el.origins.is_empty() {
            model.kind = crate::model::ModelKind::Application;
        }
        if let Some(b) = &e.boundary {
            el.boundary = Some(
                *boundary_ids
                    .get(b)
                    .ok_or_else(|| format!("element '{}' is in unknown boundary '{b}'", e.id))?,
            );
        }
        if element_ids.insert(e.id.clone(), el.id).is_some() {
            return Err(format!("element '{}' is defined twice", e.id));
        }
        model.elements.push(el);
    }
    for (i, f) in ex.flows.iter().enumerate() {
        let end = |x: &str| {
            element_ids
                .get(x)
                .copied()
                .ok_or_else(|| format!("flow {} names unknown element '{x}'", i + 1))
        };
        let mut flow = DataFlow::new(
            f.name
                .clone()
                .unwrap_or_else(|| format!("{} to {}", f.from, f.to)),
            end(&f.from)?,
            end(&f.to)?,
        );
        flow.id = FlowId::derived(ns, &format!("f:{i}"));
        flow.protocol = f.protocol.clone().unwrap_or_default();
        flow.properties = f.properties.clone();
        flow.bidirectional = f.bidirectional;
        model.flows.push(flow);
    }
    let problems: Vec<String> = crate::model::validate(&model, stencils)
        .into_iter()
        .filter(|d| d.is_error())
        .map(|d| d.message)
        .collect();
    if !problems.is_empty() {
        return Err(format!(
            "the example model is invalid: {}",
            problems.join("; ")
        ));
    }
    Ok(model)
}
