//! The parser: tokens to a syntax tree, by recursive descent (`or` binds loosest, then `and`,
//! `not`, comparisons and `in`).

use std::ops::Range;

use super::lex::{CmpOp, Tok, lex};
use super::{LangError, err};

/// A literal value in a condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Bool(bool),
    Num(f64),
    Text(String),
}

impl Lit {
    pub(super) fn type_name(&self) -> &'static str {
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
    pub(super) fn name(self) -> &'static str {
        match self {
            Subject::Element => "element",
            Subject::Flow => "flow",
            Subject::Source => "source",
            Subject::Target => "target",
        }
    }
}

#[derive(Clone, Debug)]
pub(super) enum Ast {
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
    pub(super) fn span(&self) -> Range<usize> {
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

/// Parses a whole condition; text left after it is an error.
pub(super) fn parse(src: &str) -> Result<Ast, LangError> {
    let toks = lex(src)?;
    let mut p = Parser { toks, pos: 0 };
    let ast = p.expr()?;
    if *p.peek() != Tok::End {
        return err(
            p.span(),
            "unexpected text after the condition (a missing 'and' or 'or'?)",
        );
    }
    Ok(ast)
}
