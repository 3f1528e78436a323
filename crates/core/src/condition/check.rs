//! The condition language of threat rules: lexer, parser, type checker and compiler.
//!
//! A `when` string is parsed into a small syntax tree, every name is resolved (built-in field,
//! graph fact from [`crate::analysis::facts::FACTS`], or a property that must exist with one
//! type on every stencil the rule can apply to) and the result is compiled to an [`Expr`] tree
//! whose leaves are slot numbers and interned symbols. Evaluation does no string work.
//!
//! Errors carry a byte span inside the condition text; the loader turns it into a file, line
//! and column.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::analysis::facts::{self, ArgKind, FactArg, FactOn, FactType};
use crate::analysis::value::{Interner, Value};
use crate::model::{BoundaryKind, ElementKind, PropertyDef, PropertyType, Stencil};

/// A problem in a condition, at a byte span of the condition text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LangError {
    pub span: Range<usize>,
    pub message: String,
}

fn err<T>(span: Range<usize>, message: impl Into<String>) -> Result<T, LangError> {
    Err(LangError {
        span,
        message: message.into(),
    })
}

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    LParen,
    RParen,
    LBrack,
    RBrack,
    Comma,
    Dot,
    Op(CmpOp),
    End,
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

fn lex(src: &str) -> Result<Vec<(Tok, Range<usize>)>, LangError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'(' | b')' | b'[' | b']' | b',' | b'.' => {
                i += 1;
                let t = match c {
                    b'(' => Tok::LParen,
                    b')' => Tok::RParen,
                    b'[' => Tok::LBrack,
                    b']' => Tok::RBrack,
                    b',' => Tok::Comma,
                    _ => Tok::Dot,
                };
                out.push((t, start..i));
            }
            b'=' | b'!' | b'<' | b'>' => {
                let next = bytes.get(i + 1).copied();
                let (op, len) = match (c, next) {
                    (b'=', Some(b'=')) => (CmpOp::Eq, 2),
                    (b'!', Some(b'=')) => (CmpOp::Ne, 2),
                    (b'<', Some(b'=')) => (CmpOp::Le, 2),
                    (b'>', Some(b'=')) => (CmpOp::Ge, 2),
                    (b'<', _) => (CmpOp::Lt, 1),
                    (b'>', _) => (CmpOp::Gt, 1),
                    (b'=', _) => return err(start..i + 1, "use '==' to compare, not '='"),
                    _ => return err(start..i + 1, "use 'not' for negation, or '!=' to compare"),
                };
                i += len;
                out.push((Tok::Op(op), start..i));
            }
            b'\'' => {
                i += 1;
                let s = i;
                while i < bytes.len() && bytes[i] != b'\'' {
                    i += 1;
                }
                if i >= bytes.len() {
                    return err(start..bytes.len(), "this text has no closing quote (')");
                }
                out.push((Tok::Str(src[s..i].to_string()), start..i + 1));
                i += 1;
            }
            b'0'..=b'9' | b'-' => {
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    i += 1;
                }
                let text = &src[start..i];
                match text.parse::<f64>() {
                    Ok(n) => out.push((Tok::Num(n), start..i)),
                    Err(_) => return err(start..i, format!("'{text}' is not a number")),
                }
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                out.push((Tok::Ident(src[start..i].to_string()), start..i));
            }
            _ => {
                let ch = src[start..].chars().next().unwrap_or('?');
                let hint = if ch == '"' {
                    " (write text in single quotes)"
                } else {
                    ""
                };
                return err(
                    start..start + ch.len_utf8(),
                    format!("unexpected character '{ch}'{hint}"),
                );
            }
        }
    }
    out.push((Tok::End, src.len()..src.len()));
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Parser

/// A literal value in a condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Bool(bool),
    Num(f64),
    Text(String),
}

impl Lit {
    fn type_name(&self) -> &'static str {
        match self {
            Lit::Bool(_) => "bool",
            Lit::Num(_) => "number",
            Lit::Text(_) => "text",
        }
    }
}

/// Who a path is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Element,
    Flow,
    Source,
    Target,
}

impl Subject {
    fn name(self) -> &'static str {
        match self {
            Subject::Element => "element",
            Subject::Flow => "flow",
            Subject::Source => "source",
            Subject::Target => "target",
        }
    }
}

#[derive(Clone, Debug)]
enum Ast {
    Lit(Lit, Range<usize>),
    Path {
        subject: Subject,
        name: String,
        name_span: Range<usize>,
        args: Vec<(Lit, Range<usize>)>,
        span: Range<usize>,
    },
    Not(Box<Ast>),
    And(Vec<Ast>),
    Or(Vec<Ast>),
    Cmp(CmpOp, Box<Ast>, Box<Ast>, Range<usize>),
    In(Box<Ast>, Vec<(Lit, Range<usize>)>),
}

impl Ast {
    fn span(&self) -> Range<usize> {
        match self {
            Ast::Lit(_, s) => s.clone(),
            Ast::Path { span, .. } => span.clone(),
            Ast::Not(a) => a.span(),
            Ast::And(v) | Ast::Or(v) => {
                v[0].span().start..v.last().map_or(v[0].span().end, |a| a.span().end)
            }
            Ast::Cmp(_, a, b, _) => a.span().start..b.span().end,
            Ast::In(a, list) => a.span().start..list.last().map_or(a.span().end, |l| l.1.end),
        }
    }
}

struct Parser {
    toks: Vec<(Tok, Range<usize>)>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }

    fn span(&self) -> Range<usize> {
        self.toks[self.pos].1.clone()
    }

    fn bump(&mut self) -> (Tok, Range<usize>) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s == w)
    }

    fn expr(&mut self) -> Result<Ast, LangError> {
        let mut items = vec![self.and()?];
        while self.is_word("or") {
            self.bump();
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one item")
        } else {
            Ast::Or(items)
        })
    }

    fn and(&mut self) -> Result<Ast, LangError> {
        let mut items = vec![self.unary()?];
        while self.is_word("and") {
            self.bump();
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one item")
        } else {
            Ast::And(items)
        })
    }

    fn unary(&mut self) -> Result<Ast, LangError> {
        if self.is_word("not") {
            self.bump();
            return Ok(Ast::Not(Box::new(self.unary()?)));
        }
        self.compare()
    }

    fn compare(&mut self) -> Result<Ast, LangError> {
        let left = self.term()?;
        if let Tok::Op(op) = *self.peek() {
            let (_, op_span) = self.bump();
            let right = self.term()?;
            return Ok(Ast::Cmp(op, Box::new(left), Box::new(right), op_span));
        }
        if self.is_word("in") {
            self.bump();
            let list = self.list()?;
            return Ok(Ast::In(Box::new(left), list));
        }
        Ok(left)
    }

    fn list(&mut self) -> Result<Vec<(Lit, Range<usize>)>, LangError> {
        if *self.peek() != Tok::LBrack {
            return err(self.span(), "expected '[' to start a list after 'in'");
        }
        self.bump();
        let mut out = vec![self.literal()?];
        while *self.peek() == Tok::Comma {
            self.bump();
            out.push(self.literal()?);
        }
        if *self.peek() != Tok::RBrack {
            return err(self.span(), "expected ',' or ']' in the list");
        }
        self.bump();
        Ok(out)
    }

    fn literal(&mut self) -> Result<(Lit, Range<usize>), LangError> {
        let (t, span) = self.bump();
        match t {
            Tok::Str(s) => Ok((Lit::Text(s), span)),
            Tok::Num(n) => Ok((Lit::Num(n), span)),
            Tok::Ident(w) if w == "true" => Ok((Lit::Bool(true), span)),
            Tok::Ident(w) if w == "false" => Ok((Lit::Bool(false), span)),
            _ => err(span, "expected a value: true, false, a number or 'text'"),
        }
    }

    fn term(&mut self) -> Result<Ast, LangError> {
        match self.peek().clone() {
            Tok::LParen => {
                self.bump();
                let e = self.expr()?;
                if *self.peek() != Tok::RParen {
                    return err(self.span(), "expected ')'");
                }
                self.bump();
                Ok(e)
            }
            Tok::Str(_) | Tok::Num(_) => {
                let (l, s) = self.literal()?;
                Ok(Ast::Lit(l, s))
            }
            Tok::Ident(w) if w == "true" || w == "false" => {
                let (l, s) = self.literal()?;
                Ok(Ast::Lit(l, s))
            }
            Tok::Ident(w) => {
                let (_, subject_span) = self.bump();
                let subject = match w.as_str() {
                    "element" => Subject::Element,
                    "flow" => Subject::Flow,
                    "source" => Subject::Source,
                    "target" => Subject::Target,
                    _ => {
                        return err(
                            subject_span,
                            format!(
                                "'{w}' is not a subject; a path starts with element, flow, source or target"
                            ),
                        );
                    }
                };
                if *self.peek() != Tok::Dot {
                    return err(self.span(), format!("expected '.' and a name after '{w}'"));
                }
                self.bump();
                let (t, name_span) = self.bump();
                let Tok::Ident(name) = t else {
                    return err(name_span, format!("expected a name after '{w}.'"));
                };
                let mut args = Vec::new();
                let mut end = name_span.end;
                if *self.peek() == Tok::LParen {
                    self.bump();
                    args.push(self.literal()?);
                    while *self.peek() == Tok::Comma {
                        self.bump();
                        args.push(self.literal()?);
                    }
                    if *self.peek() != Tok::RParen {
                        return err(self.span(), "expected ',' or ')' after the arguments");
                    }
                    end = self.bump().1.end;
                }
                Ok(Ast::Path {
                    subject,
                    name,
                    name_span: name_span.clone(),
                    args,
                    span: subject_span.start..end,
                })
            }
            Tok::End => err(self.span(), "the condition ends too early"),
            _ => err(self.span(), "expected a path, a value or '('"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Compiled form

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

/// Parses, type-checks and compiles a condition.
pub fn compile(src: &str, scope: &Scope<'_>, slots: &mut Slots) -> Result<Expr, LangError> {
    let toks = lex(src)?;
    let mut p = Parser { toks, pos: 0 };
    let ast = p.expr()?;
    if *p.peek() != Tok::End {
        return err(
            p.span(),
            "unexpected text after the condition (a missing 'and' or 'or'?)",
        );
    }
    let mut c = Checker { scope, slots };
    let (expr, ty) = c.check(&ast)?;
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

// ---------------------------------------------------------------------------------------------
// Evaluation

/// Where a compiled condition reads its values: one model's tables, and the subjects at hand.
pub trait Env {
    fn prop(&self, subject: Subject, slot: u32) -> Value;
    fn flow_prop(&self, slot: u32) -> Value;
    fn field(&self, subject: Subject, field: Field) -> Value;
    fn fact(&self, subject: Subject, slot: u32) -> Value;
    fn flow_fact(&self, slot: u32) -> Value;
}

impl Expr {
    pub fn eval(&self, env: &impl Env) -> Value {
        match self {
            Expr::Const(v) => *v,
            Expr::Prop(s, i) => env.prop(*s, *i),
            Expr::FlowProp(i) => env.flow_prop(*i),
            Expr::Field(s, f) => env.field(*s, *f),
            Expr::Fact(s, i) => env.fact(*s, *i),
            Expr::FlowFact(i) => env.flow_fact(*i),
            Expr::Not(e) => match e.eval(env) {
                Value::Bool(b) => Value::Bool(!b),
                // A missing bool is false, so "not missing" holds.
                _ => Value::Bool(true),
            },
            Expr::And(items) => Value::Bool(items.iter().all(|e| e.eval(env).truthy())),
            Expr::Or(items) => Value::Bool(items.iter().any(|e| e.eval(env).truthy())),
            Expr::Cmp(op, a, b) => Value::Bool(compare(*op, a.eval(env), b.eval(env))),
            Expr::In(a, list) => {
                let v = a.eval(env);
                Value::Bool(v != Value::Missing && list.contains(&v))
            }
        }
    }

    pub fn holds(&self, env: &impl Env) -> bool {
        self.eval(env).truthy()
    }
}

fn compare(op: CmpOp, a: Value, b: Value) -> bool {
    match (a, b) {
        (Value::Missing, _) | (_, Value::Missing) => false,
        (Value::Num(x), Value::Num(y)) => match op {
            CmpOp::Eq => x == y,
            CmpOp::Ne => x != y,
            CmpOp::Lt => x < y,
            CmpOp::Le => x <= y,
            CmpOp::Gt => x > y,
            CmpOp::Ge => x >= y,
        },
        (a, b) => match op {
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::builtin_stencils;

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
