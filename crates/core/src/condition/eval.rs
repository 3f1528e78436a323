//! Evaluation of a compiled condition against one model's tables.

use super::check::{Expr, Field};
use super::lex::CmpOp;
use super::parse::Subject;
use super::value::Value;

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
