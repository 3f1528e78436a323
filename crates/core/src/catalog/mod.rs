//! The catalog: stencils, mitigations and threat rules, loaded from reviewable TOML files.
//!
//! The built-in catalog is the `catalog/` folder at the top of the repository, embedded in the
//! binary at build time; users add rule packs (`Catalog::load`). Loading checks everything it
//! can (ids, references, the type of every condition against the stencils' property schemas,
//! the models of rule examples) and reports the first problem with the file, line and column
//! it comes from. Conditions are compiled with [`crate::condition`] and evaluated by
//! [`crate::analysis`].

pub mod check;
pub mod docs;
mod rules;
mod stencils;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use stencils::{parse_stencils, parse_stencils_on};

use crate::condition::{Expr, Slots};
use crate::model::{ElementKind, ServiceModel, Stencil, StencilSet, Stride};

/// The built-in stencil file, embedded.
pub const BUILTIN_STENCILS: &str = include_str!("../../../../catalog/stencils.toml");

/// The built-in rule files (mitigations, then threats by area), embedded, with their names.
pub const BUILTIN_RULE_FILES: &[(&str, &str)] = &[
    (
        "catalog/mitigations.toml",
        include_str!("../../../../catalog/mitigations.toml"),
    ),
    (
        "catalog/threats/baseline.toml",
        include_str!("../../../../catalog/threats/baseline.toml"),
    ),
    (
        "catalog/threats/network.toml",
        include_str!("../../../../catalog/threats/network.toml"),
    ),
    (
        "catalog/threats/identity.toml",
        include_str!("../../../../catalog/threats/identity.toml"),
    ),
    (
        "catalog/threats/data.toml",
        include_str!("../../../../catalog/threats/data.toml"),
    ),
    (
        "catalog/threats/operations.toml",
        include_str!("../../../../catalog/threats/operations.toml"),
    ),
    (
        "catalog/threats/application.toml",
        include_str!("../../../../catalog/threats/application.toml"),
    ),
];

/// The built-in stencils, parsed once.
pub fn builtin_stencils() -> &'static StencilSet {
    static SET: OnceLock<StencilSet> = OnceLock::new();
    SET.get_or_init(|| {
        parse_stencils(BUILTIN_STENCILS, "catalog/stencils.toml")
            .unwrap_or_else(|e| panic!("the built-in catalog is checked by tests: {e}"))
    })
}

/// Where a mitigation or a rule comes from in the source document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Source {
    /// `Heading / Sub-heading` of the document.
    pub section: Arc<str>,
    /// Text copied verbatim from the document.
    pub quote: Arc<str>,
}

/// A first-class mitigation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mitigation {
    pub id: String,
    pub title: String,
    /// What to do, in a sentence or two.
    pub action: String,
    /// The defensive layer: platform, architecture, resource_configuration, application_code,
    /// operations.
    pub layer: String,
    pub source: Source,
    /// The file and line it is defined at.
    pub file: String,
    pub line: usize,
}

/// A mitigation of a threat. Shared text: every threat of a rule points at the same strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MitigationRef {
    pub id: Arc<str>,
    pub title: Arc<str>,
}

/// A rule's default likelihood or impact, and the adjusted values of a threat.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Rating {
    Low,
    Medium,
    High,
}

impl Rating {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "low" => Some(Rating::Low),
            "medium" => Some(Rating::Medium),
            "high" => Some(Rating::High),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Rating::Low => "low",
            Rating::Medium => "medium",
            Rating::High => "high",
        }
    }

    /// 1, 2 or 3.
    pub fn score(&self) -> u8 {
        *self as u8 + 1
    }

    pub fn from_score(n: i32) -> Self {
        match n {
            i32::MIN..=1 => Rating::Low,
            2 => Rating::Medium,
            _ => Rating::High,
        }
    }
}

/// What a rule is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleTarget {
    Flow,
    /// An element, of one kind or of any kind.
    Element(Option<ElementKind>),
}

impl RuleTarget {
    pub fn as_str(&self) -> &'static str {
        match self {
            RuleTarget::Flow => "flow",
            RuleTarget::Element(None) => "element",
            RuleTarget::Element(Some(k)) => k.as_str(),
        }
    }
}

/// Which models a rule runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleScope {
    /// Every model.
    Service,
    /// Only consolidated application models.
    Application,
}

/// A title or description with `{element}`, `{flow}`, `{source}`, `{target}` placeholders,
/// split once at load time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pub text: String,
    pub parts: Vec<TemplatePart>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplatePart {
    Text(String),
    Element,
    Flow,
    Source,
    Target,
}

impl Template {
    fn parse(text: &str, allowed: &[&str]) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(i) = rest.find('{') {
            if i > 0 {
                parts.push(TemplatePart::Text(rest[..i].to_string()));
            }
            let Some(j) = rest[i..].find('}') else {
                return Err(format!("'{{' without a closing '}}' in \"{text}\""));
            };
            let name = &rest[i + 1..i + j];
            if !allowed.contains(&name) {
                return Err(format!(
                    "unknown placeholder '{{{name}}}' in \"{text}\" (this rule has: {})",
                    allowed
                        .iter()
                        .map(|a| format!("{{{a}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            parts.push(match name {
                "element" => TemplatePart::Element,
                "flow" => TemplatePart::Flow,
                "source" => TemplatePart::Source,
                _ => TemplatePart::Target,
            });
            rest = &rest[i + j + 1..];
        }
        if !rest.is_empty() {
            parts.push(TemplatePart::Text(rest.to_string()));
        }
        Ok(Template {
            text: text.to_string(),
            parts,
        })
    }

    /// Fills the placeholders with names.
    pub fn render(&self, element: &str, flow: &str, source: &str, target: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + 32);
        for p in &self.parts {
            out.push_str(match p {
                TemplatePart::Text(t) => t,
                TemplatePart::Element => element,
                TemplatePart::Flow => flow,
                TemplatePart::Source => source,
                TemplatePart::Target => target,
            });
        }
        out
    }
}

/// A rule example: a small model and whether the rule must fire on it.
#[derive(Clone, Debug)]
pub struct Example {
    pub fires: bool,
    pub model: ServiceModel,
    pub line: usize,
}

/// A threat rule, with its condition compiled.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub stride: Stride,
    pub target: RuleTarget,
    pub scope: RuleScope,
    /// The condition as written; `None` means always.
    pub when: Option<String>,
    pub title: Template,
    pub description: Template,
    pub likelihood: Rating,
    pub impact: Rating,
    pub mitigations: Vec<String>,
    /// The mitigations with their titles, shared by every threat of the rule.
    pub mitigation_refs: Arc<[MitigationRef]>,
    /// The id, shared by every threat of the rule.
    pub shared_id: Arc<str>,
    pub cwe: Arc<[u32]>,
    pub capec: Arc<[u32]>,
    pub source: Source,
    pub examples: Vec<Example>,
    pub file: String,
    pub line: usize,
    pub(crate) cond: Expr,
    /// Over [`Catalog::stencil_order`]: which stencils the element (element rules), the flow's
    /// source and its target (flow rules) may have.
    pub(crate) element_mask: Option<Vec<bool>>,
    pub(crate) source_mask: Option<Vec<bool>>,
    pub(crate) target_mask: Option<Vec<bool>>,
}

/// Stencils, mitigations and compiled rules: everything analysis needs.
#[derive(Clone, Debug)]
pub struct Catalog {
    pub stencils: StencilSet,
    /// By id.
    pub mitigations: BTreeMap<String, Mitigation>,
    /// In load order (files in order, rules in file order).
    pub rules: Vec<Rule>,
    /// Every stencil id in order; rule masks and analysis index stencils by position here.
    pub(crate) stencil_order: Vec<crate::model::StencilId>,
    pub(crate) slots: Slots,
    /// The files loaded, in order.
    pub files: Vec<String>,
}

impl Catalog {
    /// The built-in catalog, loaded once.
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::from_texts(&[], true)
                .unwrap_or_else(|e| panic!("the built-in catalog is checked by tests: {e}"))
        })
    }

    /// The built-in catalog (when `include_builtin`) plus the user's rule packs.
    pub fn load(packs: &[PathBuf], include_builtin: bool) -> Result<Catalog, LoadError> {
        let mut texts = Vec::new();
        for p in packs {
            let text = std::fs::read_to_string(p).map_err(|source| LoadError::Io {
                path: p.clone(),
                source,
            })?;
            texts.push((p.display().to_string(), text));
        }
        let refs: Vec<(&str, &str)> = texts
            .iter()
            .map(|(f, t)| (f.as_str(), t.as_str()))
            .collect();
        Ok(Catalog::from_texts(&refs, include_builtin)?)
    }

    /// Like [`Catalog::load`], from texts already read: `(file name, text)` pairs.
    pub fn from_texts(
        packs: &[(&str, &str)],
        include_builtin: bool,
    ) -> Result<Catalog, CatalogError> {
        let mut files: Vec<(&str, &str)> = Vec::new();
        if include_builtin {
            files.extend(BUILTIN_RULE_FILES.iter().copied());
        }
        files.extend(packs.iter().copied());

        // Stencils first: conditions are checked against them.
        let mut stencils = StencilSet::default();
        let mut stencil_file: HashMap<String, String> = HashMap::new();
        let mut stencil_sources: Vec<(&str, &str)> = Vec::new();
        if include_builtin {
            stencil_sources.push(("catalog/stencils.toml", BUILTIN_STENCILS));
        }
        stencil_sources.extend(packs.iter().copied());
        for (file, text) in &stencil_sources {
            let origin = |id: &str| stencil_file.get(id).cloned();
            let more = parse_stencils_on(text, file, &stencils, &origin)?;
            for id in more.stencils.keys() {
                stencil_file.insert(id.0.clone(), file.to_string());
            }
            for name in more.flow_properties.keys() {
                stencil_file.insert(name.clone(), file.to_string());
            }
            stencils.stencils.extend(more.stencils);
            stencils.flow_properties.extend(more.flow_properties);
        }
        let order: Vec<&Stencil> = stencils.stencils.values().collect();

        let mut mitigations: BTreeMap<String, Mitigation> = BTreeMap::new();
        let mut raws = Vec::new();
        for (file, text) in &files {
            let src = rules::Src { file, text };
            let raw = rules::parse_file(&src)?;
            for m in &raw.mitigation {
                let mit = rules::mitigation(&src, m.get_ref())?;
                if let Some(prev) = mitigations.get(&mit.id) {
                    return Err(src.err(
                        m.get_ref().id.span().start,
                        format!(
                            "mitigation '{}' is already defined at {}:{}",
                            mit.id, prev.file, prev.line
                        ),
                    ));
                }
                mitigations.insert(mit.id.clone(), mit);
            }
            raws.push((src, raw));
        }

        let mut slots = Slots::default();
        let mut rules_out: Vec<Rule> = Vec::new();
        let mut seen: HashMap<String, (String, usize)> = HashMap::new();
        for (src, raw) in &raws {
            for t in &raw.threat {
                let rule = rules::rule(src, t, &stencils, &order, &mut slots)?;
                if let Some((f, l)) = seen.get(&rule.id) {
                    return Err(src.err(
                        t.get_ref().id.span().start,
                        format!("threat rule '{}' is already defined at {f}:{l}", rule.id),
                    ));
                }
                for m in rules::mitigation_refs(t.get_ref()) {
                    if !mitigations.contains_key(m.get_ref()) {
                        return Err(src.err(
                            m.span().start,
                            format!(
                                "rule {} names unknown mitigation '{}'",
                                rule.id,
                                m.get_ref()
                            ),
                        ));
                    }
                }
                seen.insert(rule.id.clone(), (rule.file.clone(), rule.line));
                let mut rule = rule;
                rule.mitigation_refs = rule
                    .mitigations
                    .iter()
                    .map(|id| MitigationRef {
                        id: id.as_str().into(),
                        title: mitigations[id].title.as_str().into(),
                    })
                    .collect::<Vec<_>>()
                    .into();
                rules_out.push(rule);
            }
        }
        let stencil_order = order.iter().map(|s| s.id.clone()).collect();
        Ok(Catalog {
            stencils,
            mitigations,
            rules: rules_out,
            stencil_order,
            slots,
            files: stencil_sources
                .iter()
                .map(|(f, _)| f.to_string())
                .chain(files.iter().map(|(f, _)| f.to_string()))
                .fold(Vec::new(), |mut v, f| {
                    if !v.contains(&f) {
                        v.push(f);
                    }
                    v
                }),
        })
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// Why a catalog could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A rule pack could not be read.
    #[error("cannot read catalog file '{}': {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A catalog file has a problem, located.
    #[error(transparent)]
    Invalid(#[from] CatalogError),
}

impl LoadError {
    pub fn path(&self) -> &Path {
        match self {
            LoadError::Io { path, .. } => path,
            LoadError::Invalid(e) => &e.file,
        }
    }
}

/// A problem in a catalog file, located by file, line and column (both from 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CatalogError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

impl CatalogError {
    /// An error at byte `offset` of `text`.
    pub fn at(file: &str, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_column(text, offset);
        CatalogError {
            file: PathBuf::from(file),
            line,
            column,
            message: message.into(),
        }
    }

    /// Turns a TOML parse error into a located catalog error.
    pub fn from_toml(file: &str, text: &str, err: &toml::de::Error) -> Self {
        let offset = err.span().map(|s| s.start).unwrap_or(0);
        Self::at(file, text, offset, err.message().trim().to_string())
    }
}

/// Line and column (both from 1, column in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_from_one() {
        let text = "ab\ncd\nef";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (2, 2));
        assert_eq!(line_column(text, 100), (3, 3));
    }

    #[test]
    fn builtin_stencils_load() {
        let set = builtin_stencils();
        assert!(set.stencils.len() >= 30, "{} stencils", set.stencils.len());
        let kv = set.get(&"azure.key_vault_hsm".into()).unwrap();
        // inherited through azure.key_vault and generic.data_store, default overridden twice
        assert!(kv.properties.contains_key("encrypted_at_rest"));
        assert!(kv.properties.contains_key("purge_protection"));
        assert_eq!(
            kv.properties["hsm_backed"].default,
            Some(crate::model::PropertyValue::Bool(true))
        );
        assert!(set.flow_properties.contains_key("encrypted"));
    }

    #[test]
    fn risk_orders_list_every_value_and_every_bool_is_ordered() {
        use crate::model::{PropertyType, PropertyValue};
        let set = builtin_stencils();
        let defs = set
            .stencils
            .values()
            .flat_map(|s| s.properties.iter())
            .chain(set.flow_properties.iter());
        // Descriptive properties: no value is safer than another.
        let descriptive = ["role", "environment", "sku", "enforcement", "is_log"];
        for (name, def) in defs.filter(|(n, _)| !descriptive.contains(&n.as_str())) {
            let order = set.risk_order.get(name);
            match &def.ty {
                PropertyType::Bool => {
                    let order = order.unwrap_or_else(|| panic!("bool '{name}' has no risk order"));
                    assert_eq!(order.len(), 2, "'{name}'");
                }
                PropertyType::Enum { values }
                    if name != "role"
                        && name != "environment"
                        && name != "sku"
                        && name != "enforcement"
                        && name != "key_management" =>
                {
                    let order = order.unwrap_or_else(|| panic!("enum '{name}' has no risk order"));
                    for v in values {
                        assert!(
                            order.contains(&PropertyValue::Text(v.clone())),
                            "risk order of '{name}' lacks '{v}'"
                        );
                    }
                }
                _ => {}
            }
        }
        let a = PropertyValue::Bool(true);
        let b = PropertyValue::Bool(false);
        assert_eq!(set.riskier("encrypted_at_rest", &a, &b), Some(&b));
        assert_eq!(set.riskier("public_network_access", &a, &b), Some(&a));
    }

    #[test]
    fn builtin_catalog_loads() {
        let c = Catalog::builtin();
        assert!(!c.rules.is_empty());
        assert!(c.mitigations.contains_key("MIT-ENCRYPTION"));
    }
}

#[cfg(test)]
mod load_tests {
    use super::*;

    const RULE: &str = r#"
[[threat]]
id = "X-01"
stride = "spoofing"
applies_to = "process"
when = "element.inbound > 0 and not element.authenticates_caller"
title = "{element}"
mitigations = ["MIT-ENCRYPTION"]
source = { section = "s", quote = "q" }
"#;

    #[test]
    fn typo_in_a_condition_is_located_inside_the_when_string() {
        let e = Catalog::from_texts(&[("pack.toml", RULE)], true).unwrap_err();
        assert_eq!(e.file, PathBuf::from("pack.toml"));
        // line 6: when = "element.inbound > 0 and not element.authenticates_caller"
        let col = r#"when = "element.inbound > 0 and not element."#.len() + 1;
        assert_eq!((e.line, e.column), (6, col), "{e}");
        assert!(e.message.contains("authenticates_callers"), "{e}");
    }

    #[test]
    fn multi_line_when_strings_are_located_too() {
        let text = RULE.replace(
            r#"when = "element.inbound > 0 and not element.authenticates_caller""#,
            "when = '''\nelement.inbound > 0 and\n  not element.authenticates_caller'''",
        );
        let e = Catalog::from_texts(&[("pack.toml", &text)], true).unwrap_err();
        assert_eq!((e.line, e.column), (8, 15), "{e}");
    }

    #[test]
    fn id_clash_names_both_files() {
        let pack = RULE
            .replace("X-01", "BASE-PROC-S-01")
            .replace("authenticates_caller\"", "authenticates_callers\"");
        let e = Catalog::from_texts(&[("pack.toml", &pack)], true).unwrap_err();
        assert!(e.message.contains("catalog/threats/baseline.toml"), "{e}");
        assert_eq!(e.file, PathBuf::from("pack.toml"));
        let mit = "[[mitigation]]\nid = \"MIT-ENCRYPTION\"\ntitle = \"t\"\nsource = { section = \"s\", quote = \"q\" }\n";
        let e = Catalog::from_texts(&[("pack.toml", mit)], true).unwrap_err();
        assert!(e.message.contains("catalog/mitigations.toml"), "{e}");
        let st = "[[stencil]]\nid = \"generic.process\"\ntitle = \"t\"\nkind = \"process\"\n";
        let e = Catalog::from_texts(&[("pack.toml", st)], true).unwrap_err();
        assert!(e.message.contains("catalog/stencils.toml"), "{e}");
    }

    #[test]
    fn packs_may_add_stencils_that_extend_builtin_ones() {
        let pack = "[[stencil]]\nid = \"acme.api\"\ntitle = \"Acme API\"\nextends = \"generic.process\"\ntags = [\"acme\"]\n[stencil.properties.acme_signed]\ntype = \"bool\"\ndefault = false\n"
            .to_string()
            + &RULE
                .replace("authenticates_caller\"", "acme_signed\"")
                .replace("applies_to = \"process\"", "applies_to = \"process\"\n[threat.element]\ntags = [\"acme\"]");
        // [threat.element] must come after the rule's keys: move it to the end.
        let pack = pack.replace("\n[threat.element]\ntags = [\"acme\"]", "")
            + "[threat.element]\ntags = [\"acme\"]\n";
        let c = Catalog::from_texts(&[("pack.toml", &pack)], true).unwrap();
        assert!(c.rule("X-01").is_some());
        // Without the filter the property is missing on the built-in processes.
        let unfiltered = pack.replace("[threat.element]\ntags = [\"acme\"]\n", "");
        let e = Catalog::from_texts(&[("pack.toml", &unfiltered)], true).unwrap_err();
        assert!(e.message.contains("not defined on every stencil"), "{e}");
    }

    #[test]
    fn unknown_mitigation_and_bad_placeholder_are_errors() {
        let e = Catalog::from_texts(
            &[(
                "pack.toml",
                &RULE
                    .replace("authenticates_caller\"", "authenticates_callers\"")
                    .replace("MIT-ENCRYPTION", "MIT-NOPE"),
            )],
            true,
        )
        .unwrap_err();
        assert!(e.message.contains("MIT-NOPE"), "{e}");
        let e = Catalog::from_texts(
            &[(
                "pack.toml",
                &RULE
                    .replace("authenticates_caller\"", "authenticates_callers\"")
                    .replace("{element}", "{flow}"),
            )],
            true,
        )
        .unwrap_err();
        assert!(e.message.contains("placeholder"), "{e}");
    }
}
