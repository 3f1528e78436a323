//! Loading `stencils.toml`: stencils with inheritance (`extends`) and default overrides, and the
//! property schema of data flows. Inheritance is resolved here, so a [`Stencil`] always lists
//! every property it has.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use toml::Spanned;

use super::CatalogError;
use crate::model::{
    ElementKind, PropertyDef, PropertyType, PropertyValue, Stencil, StencilId, StencilSet,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    flow: Option<RawFlow>,
    #[serde(default)]
    stencil: Vec<Spanned<RawStencil>>,
    #[serde(default)]
    risk_order: BTreeMap<String, Spanned<Vec<PropertyValue>>>,
    // Rule packs hold mitigations and threats in the same file; `rules` reads those.
    #[serde(default)]
    #[allow(dead_code)]
    mitigation: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    #[allow(dead_code)]
    threat: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFlow {
    #[serde(default)]
    properties: BTreeMap<String, Spanned<PropertyDef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStencil {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    kind: Option<Spanned<ElementKind>>,
    #[serde(default)]
    extends: Option<Spanned<String>>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    properties: BTreeMap<String, Spanned<PropertyDef>>,
    #[serde(default)]
    defaults: BTreeMap<String, Spanned<PropertyValue>>,
}

/// Parses a stencil file. `file` names it in errors.
pub fn parse_stencils(text: &str, file: &str) -> Result<StencilSet, CatalogError> {
    parse_stencils_on(text, file, &StencilSet::default(), &|_| None)
}

/// Parses the stencils of a rule pack on top of `base`: they may extend its stencils, and an id
/// (or a flow property) that `base` already has is an error naming `origin(id)`, the file that
/// defines it. Returns only the new stencils and flow properties.
pub fn parse_stencils_on(
    text: &str,
    file: &str,
    base: &StencilSet,
    origin: &dyn Fn(&str) -> Option<String>,
) -> Result<StencilSet, CatalogError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| CatalogError::from_toml(file, text, &e))?;
    let err = |offset: usize, msg: String| CatalogError::at(file, text, offset, msg);

    let mut flow_properties = BTreeMap::new();
    if let Some(flow) = raw.flow {
        for (name, def) in flow.properties {
            check_def(&name, def.get_ref()).map_err(|m| err(def.span().start, m))?;
            if base.flow_properties.contains_key(&name) {
                return Err(err(
                    def.span().start,
                    format!(
                        "flow property '{name}' is already defined in {}",
                        origin(&name).unwrap_or_else(|| "the built-in catalog".into())
                    ),
                ));
            }
            flow_properties.insert(name, def.into_inner());
        }
    }

    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, s) in raw.stencil.iter().enumerate() {
        let id = s.get_ref().id.get_ref();
        if !StencilId::is_well_formed(id) {
            return Err(err(
                s.get_ref().id.span().start,
                format!("'{id}' is not a stencil id (lower-case words joined by dots)"),
            ));
        }
        if base.get(&StencilId(id.clone())).is_some() {
            return Err(err(
                s.get_ref().id.span().start,
                format!(
                    "stencil '{id}' is already defined in {}",
                    origin(id).unwrap_or_else(|| "the built-in catalog".into())
                ),
            ));
        }
        if index.insert(id.clone(), i).is_some() {
            return Err(err(
                s.get_ref().id.span().start,
                format!("stencil '{id}' is defined twice"),
            ));
        }
    }

    // Resolve in dependency order; `state` detects cycles.
    let mut resolved: HashMap<String, Stencil> = HashMap::new();
    let mut state = vec![0u8; raw.stencil.len()]; // 0 new, 1 in progress, 2 done
    for i in 0..raw.stencil.len() {
        resolve(
            i,
            &raw.stencil,
            &index,
            base,
            &mut state,
            &mut resolved,
            &err,
        )?;
    }
    let stencils: BTreeMap<StencilId, Stencil> =
        resolved.into_values().map(|s| (s.id.clone(), s)).collect();
    let mut risk_order = BTreeMap::new();
    for (name, order) in raw.risk_order {
        let defs = stencils
            .values()
            .filter_map(|s| s.properties.get(&name))
            .chain(flow_properties.get(&name));
        let mut known = false;
        for def in defs {
            known = true;
            for v in order.get_ref() {
                check_value(&name, &def.ty, v).map_err(|m| err(order.span().start, m))?;
            }
        }
        if !known {
            return Err(err(
                order.span().start,
                format!("risk order for unknown property '{name}'"),
            ));
        }
        risk_order.insert(name, order.into_inner());
    }
    Ok(StencilSet {
        stencils,
        flow_properties,
        risk_order,
    })
}

fn resolve(
    i: usize,
    raw: &[Spanned<RawStencil>],
    index: &HashMap<String, usize>,
    base: &StencilSet,
    state: &mut [u8],
    resolved: &mut HashMap<String, Stencil>,
    err: &dyn Fn(usize, String) -> CatalogError,
) -> Result<(), CatalogError> {
    match state[i] {
        2 => return Ok(()),
        1 => {
            let s = raw[i].get_ref();
            return Err(err(
                s.id.span().start,
                format!(
                    "stencil '{}' extends itself through its parents",
                    s.id.get_ref()
                ),
            ));
        }
        _ => {}
    }
    state[i] = 1;
    let s = raw[i].get_ref();
    let parent = match &s.extends {
        Some(p)
            if !index.contains_key(p.get_ref())
                && base.get(&StencilId(p.get_ref().clone())).is_some() =>
        {
            base.get(&StencilId(p.get_ref().clone())).cloned()
        }
        Some(p) => {
            let Some(&j) = index.get(p.get_ref()) else {
                return Err(err(
                    p.span().start,
                    format!(
                        "stencil '{}' extends unknown stencil '{}'",
                        s.id.get_ref(),
                        p.get_ref()
                    ),
                ));
            };
            resolve(j, raw, index, base, state, resolved, err)?;
            Some(resolved[raw[j].get_ref().id.get_ref()].clone())
        }
        None => None,
    };
    let kind = match (&s.kind, &parent) {
        (Some(k), Some(p)) if *k.get_ref() != p.kind => {
            return Err(err(
                k.span().start,
                format!(
                    "stencil '{}' is a {} but extends '{}', a {}",
                    s.id.get_ref(),
                    k.get_ref().label(),
                    p.id,
                    p.kind.label()
                ),
            ));
        }
        (Some(k), _) => *k.get_ref(),
        (None, Some(p)) => p.kind,
        (None, None) => {
            return Err(err(
                raw[i].span().start,
                format!(
                    "stencil '{}' needs a `kind` or an `extends`",
                    s.id.get_ref()
                ),
            ));
        }
    };
    let mut properties = parent
        .as_ref()
        .map(|p| p.properties.clone())
        .unwrap_or_default();
    for (name, def) in &s.properties {
        check_def(name, def.get_ref()).map_err(|m| err(def.span().start, m))?;
        if properties.contains_key(name) {
            return Err(err(
                def.span().start,
                format!(
                    "stencil '{}' redefines inherited property '{name}'; change its default in [stencil.defaults] instead",
                    s.id.get_ref()
                ),
            ));
        }
        properties.insert(name.clone(), def.get_ref().clone());
    }
    for (name, value) in &s.defaults {
        let Some(def) = properties.get_mut(name) else {
            return Err(err(
                value.span().start,
                format!(
                    "stencil '{}' sets a default for unknown property '{name}'",
                    s.id.get_ref()
                ),
            ));
        };
        check_value(name, &def.ty, value.get_ref()).map_err(|m| err(value.span().start, m))?;
        def.default = Some(value.get_ref().clone());
    }
    let mut tags = parent.as_ref().map(|p| p.tags.clone()).unwrap_or_default();
    for t in &s.tags {
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    tags.sort();
    resolved.insert(
        s.id.get_ref().clone(),
        Stencil {
            id: StencilId(s.id.get_ref().clone()),
            title: s.title.clone(),
            kind,
            description: s.description.clone(),
            tags,
            properties,
        },
    );
    state[i] = 2;
    Ok(())
}

fn check_def(name: &str, def: &PropertyDef) -> Result<(), String> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(format!(
            "property name '{name}' must be lower-case letters, digits and '_'"
        ));
    }
    if let PropertyType::Enum { values } = &def.ty
        && values.is_empty()
    {
        return Err(format!("enum property '{name}' lists no values"));
    }
    match &def.default {
        Some(v) => check_value(name, &def.ty, v),
        None => Ok(()),
    }
}

fn check_value(name: &str, ty: &PropertyType, value: &PropertyValue) -> Result<(), String> {
    if !ty.accepts_type_of(value) {
        return Err(format!(
            "property '{name}' is a {} property, but the value {value} is a {}",
            ty.name(),
            value.type_name()
        ));
    }
    if let (PropertyType::Enum { values }, PropertyValue::Text(v)) = (ty, value)
        && !values.contains(v)
    {
        return Err(format!(
            "'{v}' is not a value of property '{name}' (one of: {})",
            values.join(", ")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_of(text: &str) -> CatalogError {
        parse_stencils(text, "s.toml").unwrap_err()
    }

    #[test]
    fn unknown_parent_is_located() {
        let e = err_of("[[stencil]]\nid = \"a.b\"\ntitle = \"B\"\nextends = \"a.missing\"\n");
        assert_eq!((e.line, e.column), (4, 11), "{e}");
        assert!(e.message.contains("a.missing"));
    }

    #[test]
    fn wrong_default_type_is_located() {
        let e = err_of(
            "[[stencil]]\nid = \"a.b\"\ntitle = \"B\"\nkind = \"process\"\n[stencil.properties.x]\ntype = \"bool\"\ndefault = \"yes\"\n",
        );
        assert!(e.message.contains("bool"), "{e}");
        assert_eq!(e.line, 5, "{e}");
    }

    #[test]
    fn cycles_are_refused() {
        let e = err_of(
            "[[stencil]]\nid = \"a.b\"\ntitle = \"B\"\nextends = \"a.c\"\n[[stencil]]\nid = \"a.c\"\ntitle = \"C\"\nextends = \"a.b\"\n",
        );
        assert!(e.message.contains("extends itself"), "{e}");
    }

    #[test]
    fn toml_syntax_errors_are_located() {
        let e = err_of("[[stencil]]\nid = \"a.b\n");
        assert_eq!(e.line, 2, "{e}");
    }
}
