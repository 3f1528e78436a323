//! The type checker and compiler: resolves every name of a syntax tree against the stencils a
//! rule can apply to, the built-in fields and the graph facts, checks types and enum values,
//! and compiles the tree to an [`Expr`] over slots.

use std::collections::BTreeSet;
use std::ops::Range;

use super::facts::{self, ArgKind, FactArg, FactOn, FactType};
use super::lex::CmpOp;
use super::parse::{Ast, Lit, Subject};
use super::value::{Interner, Value};
use super::{LangError, err};
use crate::model::{BoundaryKind, ElementKind, PropertyDef, PropertyType, Stencil};

/// A built-in field of an element or a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Name,
    Kind,
    Stencil,
    Protocol,
    Bidirectional,
}

/// A compiled condition. Leaves refer to slots: columns of per-model tables that the analysis
/// fills once per model (property values, fact values, field symbols).
#[derive(Clone, Debug)]
pub enum Expr {
    Const(Value),
    /// An element property (of `element`, `source` or `target`).
    Prop(Subject, u32),
    FlowProp(u32),
    Field(Subject, Field),
    /// An element fact column.
    Fact(Subject, u32),
    FlowFact(u32),
    Not(Box<Expr>),
    And(Box<[Expr]>),
    Or(Box<[Expr]>),
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    In(Box<Expr>, Box<[Value]>),
}

/// The slot tables shared by every rule of a catalog.
#[derive(Clone, Debug, Default)]
pub struct Slots {
    pub symbols: Interner,
    /// Element property names, by slot.
    pub element_props: Vec<String>,
    /// Flow property names, by slot.
    pub flow_props: Vec<String>,
    /// Element facts by slot: index into FACTS, and arguments.
    pub element_facts: Vec<(usize, Vec<FactArg>)>,
    pub flow_facts: Vec<(usize, Vec<FactArg>)>,
    /// Built-in fields some condition reads, so analysis builds only those columns.
    pub fields: Vec<Field>,
}

fn slot_of<T: PartialEq + Clone>(v: &mut Vec<T>, x: &T) -> u32 {
    match v.iter().position(|y| y == x) {
        Some(i) => i as u32,
        None => {
            v.push(x.clone());
            (v.len() - 1) as u32
        }
    }
}

/// What the type checker knows about the subjects of a rule.
pub struct Scope<'a> {
    /// `element` (element rules) or `source` / `target` (flow rules): the stencils each can be.
    pub element: Option<Vec<&'a Stencil>>,
    pub source: Option<Vec<&'a Stencil>>,
    pub target: Option<Vec<&'a Stencil>>,
    /// Flow properties, when the rule is about a flow.
    pub flow: Option<&'a std::collections::BTreeMap<String, PropertyDef>>,
}

#[derive(Clone, Debug, PartialEq)]
enum Ty {
    Bool,
    Num,
    /// Text, with the allowed values when it is an enum (or a built-in with a closed set).
    Text(Option<BTreeSet<String>>),
}

impl Ty {
    fn name(&self) -> &'static str {
        match self {
            Ty::Bool => "bool",
            Ty::Num => "number",
            Ty::Text(None) => "text",
            Ty::Text(Some(_)) => "enum",
        }
    }

    fn same_kind(&self, other: &Ty) -> bool {
        matches!(
            (self, other),
            (Ty::Bool, Ty::Bool) | (Ty::Num, Ty::Num) | (Ty::Text(_), Ty::Text(_))
        )
    }
}

/// Type-checks and compiles a parsed condition, which must be true or false.
pub(super) fn check(ast: &Ast, scope: &Scope<'_>, slots: &mut Slots) -> Result<Expr, LangError> {
    let mut c = Checker { scope, slots };
    let (expr, ty) = c.check(ast)?;
    if ty != Ty::Bool {
        return err(
            ast.span(),
            format!(
                "a condition must be true or false, but this is a {}",
                ty.name()
            ),
        );
    }
    Ok(expr)
}

struct Checker<'a, 'b> {
    scope: &'a Scope<'b>,
    slots: &'a mut Slots,
}

impl Checker<'_, '_> {
    fn check(&mut self, ast: &Ast) -> Result<(Expr, Ty), LangError> {
        match ast {
            Ast::Lit(l, _) => Ok((Expr::Const(self.lit_value(l)), lit_ty(l))),
            Ast::Path { .. } => self.path(ast),
            Ast::Not(a) => {
                let e = self.check_bool(a)?;
                Ok((Expr::Not(Box::new(e)), Ty::Bool))
            }
            Ast::And(items) | Ast::Or(items) => {
                let mut out = Vec::with_capacity(items.len());
                for a in items {
                    out.push(self.check_bool(a)?);
                }
                let out = out.into_boxed_slice();
                Ok((
                    if matches!(ast, Ast::And(_)) {
                        Expr::And(out)
                    } else {
                        Expr::Or(out)
                    },
                    Ty::Bool,
                ))
            }
            Ast::Cmp(op, a, b, op_span) => {
                let (ea, ta) = self.check(a)?;
                let (eb, tb) = self.check(b)?;
                if !ta.same_kind(&tb) {
                    return err(
                        a.span().start..b.span().end,
                        format!("cannot compare a {} with a {}", ta.name(), tb.name()),
                    );
                }
                if !matches!(op, CmpOp::Eq | CmpOp::Ne) && ta != Ty::Num {
                    return err(
                        op_span.clone(),
                        format!("'<', '<=', '>' and '>=' compare numbers, not {}", ta.name()),
                    );
                }
                for (side, other) in [(a, &tb), (b, &ta)] {
                    if let (Ast::Lit(Lit::Text(t), s), Ty::Text(Some(values))) = (&**side, other) {
                        check_enum_value(t, values, s)?;
                    }
                }
                Ok((Expr::Cmp(*op, Box::new(ea), Box::new(eb)), Ty::Bool))
            }
            Ast::In(a, list) => {
                let (ea, ta) = self.check(a)?;
                let mut values = Vec::with_capacity(list.len());
                for (l, s) in list {
                    if !lit_ty(l).same_kind(&ta) {
                        return err(
                            s.clone(),
                            format!(
                                "the list holds a {}, but the value is a {}",
                                l.type_name(),
                                ta.name()
                            ),
                        );
                    }
                    if let (Lit::Text(t), Ty::Text(Some(vals))) = (l, &ta) {
                        check_enum_value(t, vals, s)?;
                    }
                    values.push(self.lit_value(l));
                }
                Ok((Expr::In(Box::new(ea), values.into_boxed_slice()), Ty::Bool))
            }
        }
    }

    fn check_bool(&mut self, a: &Ast) -> Result<Expr, LangError> {
        let (e, t) = self.check(a)?;
        if t != Ty::Bool {
            return err(
                a.span(),
                format!(
                    "expected true or false here, but this is a {}; compare it with '==' or 'in'",
                    t.name()
                ),
            );
        }
        Ok(e)
    }

    fn lit_value(&mut self, l: &Lit) -> Value {
        match l {
            Lit::Bool(b) => Value::Bool(*b),
            Lit::Num(n) => Value::Num(*n),
            Lit::Text(t) => Value::Sym(self.slots.symbols.intern(t)),
        }
    }

    fn path(&mut self, ast: &Ast) -> Result<(Expr, Ty), LangError> {
        let Ast::Path {
            subject,
            name,
            name_span,
            args,
            span,
        } = ast
        else {
            unreachable!("path() is called on paths")
        };
        let subject = *subject;
        let stencils = match subject {
            Subject::Element => self.scope.element.as_ref(),
            Subject::Source => self.scope.source.as_ref(),
            Subject::Target => self.scope.target.as_ref(),
            Subject::Flow => None,
        };
        let is_flow = subject == Subject::Flow;
        if is_flow && self.scope.flow.is_none() || !is_flow && stencils.is_none() {
            let allowed = if self.scope.flow.is_some() {
                "flow, source and target"
            } else {
                "element"
            };
            return err(
                span.start..name_span.start.saturating_sub(1),
                format!(
                    "'{}' is not available in this rule; it has {allowed}",
                    subject.name()
                ),
            );
        }
        let no_args = |what: &str| -> Result<(), LangError> {
            if let Some((_, s)) = args.first() {
                return err(s.clone(), format!("{what} '{name}' takes no arguments"));
            }
            Ok(())
        };

        // Built-in fields.
        let field = match name.as_str() {
            "name" => Some((Field::Name, Ty::Text(None))),
            "kind" if !is_flow => Some((
                Field::Kind,
                Ty::Text(Some(
                    ElementKind::ALL
                        .iter()
                        .map(|k| k.as_str().to_string())
                        .collect(),
                )),
            )),
            "stencil" if !is_flow => Some((Field::Stencil, Ty::Text(None))),
            "protocol" if is_flow => Some((Field::Protocol, Ty::Text(None))),
            "bidirectional" if is_flow => Some((Field::Bidirectional, Ty::Bool)),
            _ => None,
        };
        if let Some((f, ty)) = field {
            no_args("field")?;
            if !self.slots.fields.contains(&f) {
                self.slots.fields.push(f);
            }
            return Ok((Expr::Field(subject, f), ty));
        }

        // Graph facts.
        let on = if is_flow {
            FactOn::Flow
        } else {
            FactOn::Element
        };
        if let Some(def) = facts::lookup(name, on) {
            if args.len() != def.args.len() {
                return err(
                    span.clone(),
                    format!(
                        "'{name}' takes {} argument(s), not {}",
                        def.args.len(),
                        args.len()
                    ),
                );
            }
            let mut checked = Vec::new();
            for ((lit, s), kind) in args.iter().zip(def.args) {
                let Lit::Text(t) = lit else {
                    return err(s.clone(), format!("'{name}' takes text in single quotes"));
                };
                checked.push(match kind {
                    ArgKind::BoundaryKind => match BoundaryKind::parse(t) {
                        Some(k) => FactArg::Boundary(k),
                        None => {
                            return err(
                                s.clone(),
                                format!(
                                    "'{t}' is not a boundary kind (one of: {})",
                                    BoundaryKind::ALL.map(|k| k.as_str()).join(", ")
                                ),
                            );
                        }
                    },
                    ArgKind::Tag => FactArg::Tag(t.clone()),
                });
            }
            let idx = facts::index_of(def);
            let ty = match def.result {
                FactType::Bool => Ty::Bool,
                FactType::Number => Ty::Num,
            };
            let expr = if is_flow {
                Expr::FlowFact(slot_of(&mut self.slots.flow_facts, &(idx, checked)))
            } else {
                Expr::Fact(
                    subject,
                    slot_of(&mut self.slots.element_facts, &(idx, checked)),
                )
            };
            return Ok((expr, ty));
        }

        // Properties.
        no_args("property")?;
        if is_flow {
            let props = self.scope.flow.expect("checked above");
            let Some(def) = props.get(name) else {
                return err(
                    name_span.clone(),
                    unknown_name(
                        name,
                        "flow",
                        props.keys().map(String::as_str),
                        &flow_builtins(),
                    ),
                );
            };
            let ty = prop_ty(&def.ty);
            return Ok((
                Expr::FlowProp(slot_of(&mut self.slots.flow_props, name)),
                ty,
            ));
        }
        let stencils = stencils.expect("checked above");
        let mut ty: Option<Ty> = None;
        let mut missing = Vec::new();
        for s in stencils {
            match s.properties.get(name) {
                None => missing.push(s.id.as_str()),
                Some(def) => {
                    let t = prop_ty(&def.ty);
                    match &mut ty {
                        None => ty = Some(t),
                        Some(prev) if !prev.same_kind(&t) => {
                            return err(
                                name_span.clone(),
                                format!(
                                    "property '{name}' is a {} on stencil '{}' but a {} elsewhere",
                                    t.name(),
                                    s.id,
                                    prev.name()
                                ),
                            );
                        }
                        Some(Ty::Text(Some(vals))) => {
                            if let Ty::Text(Some(more)) = t {
                                vals.extend(more);
                            }
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        let Some(ty) = ty else {
            let known: BTreeSet<&str> = stencils
                .iter()
                .flat_map(|s| s.properties.keys().map(String::as_str))
                .collect();
            return err(
                name_span.clone(),
                unknown_name(name, subject.name(), known.into_iter(), &element_builtins()),
            );
        };
        if !missing.is_empty() {
            let shown: Vec<&str> = missing.iter().take(4).copied().collect();
            let more = if missing.len() > 4 {
                format!(" and {} more", missing.len() - 4)
            } else {
                String::new()
            };
            return err(
                name_span.clone(),
                format!(
                    "property '{name}' is not defined on every stencil this rule can apply to (missing on {}{more}); narrow the rule with a [threat.{}] filter",
                    shown.join(", "),
                    match subject {
                        Subject::Source => "source_element",
                        other => other.name(),
                    }
                ),
            );
        }
        Ok((
            Expr::Prop(subject, slot_of(&mut self.slots.element_props, name)),
            ty,
        ))
    }
}

fn element_builtins() -> Vec<&'static str> {
    let mut v = vec!["name", "kind", "stencil"];
    v.extend(
        facts::FACTS
            .iter()
            .filter(|f| f.on == FactOn::Element)
            .map(|f| f.name),
    );
    v
}

fn flow_builtins() -> Vec<&'static str> {
    let mut v = vec!["name", "protocol", "bidirectional"];
    v.extend(
        facts::FACTS
            .iter()
            .filter(|f| f.on == FactOn::Flow)
            .map(|f| f.name),
    );
    v
}

fn unknown_name<'a>(
    name: &str,
    subject: &str,
    props: impl Iterator<Item = &'a str>,
    builtins: &[&'a str],
) -> String {
    let candidates: Vec<&str> = props.chain(builtins.iter().copied()).collect();
    let best = candidates
        .iter()
        .map(|c| (edit_distance(name, c), *c))
        .filter(|(d, _)| *d <= 2.max(name.len() / 3))
        .min();
    match best {
        Some((_, c)) => {
            format!("unknown property or fact '{name}' on {subject}; did you mean '{c}'?")
        }
        None => format!("unknown property or fact '{name}' on {subject}"),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn check_enum_value(t: &str, values: &BTreeSet<String>, s: &Range<usize>) -> Result<(), LangError> {
    if values.contains(t) {
        return Ok(());
    }
    let list: Vec<&str> = values.iter().map(String::as_str).collect();
    err(
        s.clone(),
        format!(
            "'{t}' is not one of the allowed values: {}",
            list.join(", ")
        ),
    )
}

fn lit_ty(l: &Lit) -> Ty {
    match l {
        Lit::Bool(_) => Ty::Bool,
        Lit::Num(_) => Ty::Num,
        Lit::Text(_) => Ty::Text(None),
    }
}

fn prop_ty(t: &PropertyType) -> Ty {
    match t {
        PropertyType::Bool => Ty::Bool,
        PropertyType::Number => Ty::Num,
        PropertyType::Text => Ty::Text(None),
        PropertyType::Enum { values } => Ty::Text(Some(values.iter().cloned().collect())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::builtin_stencils;
    use crate::condition::compile;

    fn scope_for_element<'a>(stencils: Vec<&'a Stencil>) -> Scope<'a> {
        Scope {
            element: Some(stencils),
            source: None,
            target: None,
            flow: None,
        }
    }

    fn check(src: &str) -> Result<Expr, LangError> {
        let set = builtin_stencils();
        let procs: Vec<&Stencil> = set
            .stencils
            .values()
            .filter(|s| s.kind == ElementKind::Process)
            .collect();
        compile(src, &scope_for_element(procs), &mut Slots::default())
    }

    #[test]
    fn good_conditions_compile() {
        for src in [
            "not element.authenticates_callers",
            "element.internet_facing and not element.behind_waf",
            "element.in_boundary('internet') or element.inbound >= 2",
            "element.credentials in ['config_file', 'source_code']",
            "(element.kind == 'process') and element.has_tag('waf') == false",
        ] {
            assert!(check(src).is_ok(), "{src}: {:?}", check(src).err());
        }
    }

    #[test]
    fn typo_points_at_the_name() {
        let e = check("element.internet_facing and not element.authenticates_caller").unwrap_err();
        assert_eq!(
            &"element.internet_facing and not element.authenticates_caller"[e.span.clone()],
            "authenticates_caller"
        );
        assert!(
            e.message.contains("did you mean 'authenticates_callers'"),
            "{}",
            e.message
        );
    }

    #[test]
    fn type_errors_are_reported() {
        let cases = [
            ("element.inbound", "must be true or false"),
            (
                "element.credentials == 'vault'",
                "not one of the allowed values",
            ),
            ("element.autoscaling == 3", "cannot compare"),
            ("element.in_boundary('moon')", "not a boundary kind"),
            ("flow.encrypted", "not available"),
            ("element.name > 'a'", "compare numbers"),
            ("element.autoscaling = true", "use '=='"),
            ("element.autoscaling and", "ends too early"),
            ("element.autoscaling element.mfa", "unexpected text"),
        ];
        for (src, want) in cases {
            let e = check(src).unwrap_err();
            assert!(e.message.contains(want), "{src}: {}", e.message);
        }
    }

    #[test]
    fn flow_rules_see_flow_source_and_target() {
        let set = builtin_stencils();
        let all: Vec<&Stencil> = set.stencils.values().collect();
        let procs: Vec<&Stencil> = all
            .iter()
            .copied()
            .filter(|s| s.kind == ElementKind::Process)
            .collect();
        let scope = Scope {
            element: None,
            source: Some(all.clone()),
            target: Some(procs),
            flow: Some(&set.flow_properties),
        };
        let mut slots = Slots::default();
        for ok in [
            "not flow.encrypted and flow.crosses('internet')",
            "target.authenticates_callers == false and source.in_boundary('internet')",
            "flow.data_classification in ['confidential', 'restricted'] and flow.protocol == 'HTTP'",
        ] {
            assert!(compile(ok, &scope, &mut slots).is_ok(), "{ok}");
        }
        let e = compile("source.authenticates_callers", &scope, &mut slots).unwrap_err();
        assert!(
            e.message.contains("[threat.source_element]"),
            "{}",
            e.message
        );
        let e = compile("element.authenticates_callers", &scope, &mut slots).unwrap_err();
        assert!(e.message.contains("not available"), "{}", e.message);
    }

    #[test]
    fn property_missing_on_some_stencils_is_refused() {
        let set = builtin_stencils();
        let all: Vec<&Stencil> = set.stencils.values().collect();
        let e = compile(
            "element.authenticates_callers",
            &scope_for_element(all),
            &mut Slots::default(),
        )
        .unwrap_err();
        assert!(
            e.message.contains("not defined on every stencil"),
            "{}",
            e.message
        );
    }
}
