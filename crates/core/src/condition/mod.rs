//! The condition language of threat rules, along its pipeline: [`lex`] turns a `when` string
//! into tokens, [`parse`] into a small syntax tree, [`check`] resolves every name (a built-in
//! field, a graph fact of [`facts::FACTS`], or a property that must exist with one type on every
//! stencil the rule can apply to) and compiles the tree to an [`Expr`] whose leaves are slot
//! numbers and interned symbols ([`value`]), and [`eval`] runs it against one model's tables.
//! Evaluation does no string work.
//!
//! It sits below both the catalog (which compiles every rule's condition when it loads) and
//! analysis (which computes the facts and evaluates the conditions), and knows neither.
//! Errors carry a byte span inside the condition text; the catalog's loader turns it into a
//! file, line and column.

mod check;
mod eval;
pub mod facts;
mod lex;
mod parse;
pub mod value;

use std::ops::Range;

pub use check::{Expr, Field, Scope, Slots};
pub use eval::Env;
pub use lex::CmpOp;
pub use parse::{Lit, Subject};
pub use value::{Interner, LocalSymbols, Value};

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

/// Parses, type-checks and compiles a condition.
pub fn compile(src: &str, scope: &Scope<'_>, slots: &mut Slots) -> Result<Expr, LangError> {
    let ast = parse::parse(src)?;
    check::check(&ast, scope, slots)
}
